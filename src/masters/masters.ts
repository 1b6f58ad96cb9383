/**
 * Missing masters (the seed's "create master data first", from evidence): `proposeMasters` clusters the
 * unmatched names of each target table and scope with the matcher into proposed new master records;
 * `createMasters` inserts the approved ones in one transaction (numbered like CUST-006 when the link
 * names a number column), records alias decisions for every clustered name, then plans again.
 */
export * from './propose.js';
export * from './create.js';
