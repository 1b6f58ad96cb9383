import { describe, expect, it } from 'vitest';
import { citusPresentStatement, tableKindsStatement } from '../../../src/sql/citus.js';

describe('citus metadata statements (whole text)', () => {
  it('Citus is present when its metadata table exists', () => {
    expect(citusPresentStatement()).toEqual({
      text: `SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL AS citus`,
      values: [],
    });
  });
  it('the kind of each table Citus knows, the oids one array parameter', () => {
    expect(tableKindsStatement([16384, 16390])).toEqual({
      text: `SELECT p.logicalrelid::oid::int8 AS oid, p.partmethod::text AS method, p.repmodel::text AS repmodel, p.colocationid::int8 AS colocation,
       CASE WHEN p.partmethod = 'h' THEN column_to_column_name(p.logicalrelid, p.partkey) END AS column
  FROM pg_catalog.pg_dist_partition p
 WHERE p.logicalrelid::oid = ANY($1::oid[])`,
      values: [[16384, 16390]],
    });
  });
});
