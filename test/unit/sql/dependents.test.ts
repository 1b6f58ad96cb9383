import { describe, expect, it } from 'vitest';
import { staleMatviewsStatement } from '../../../src/sql/dependents.js';

describe('materialized views over what a run writes (whole text)', () => {
  it('column-exact on the table and its partitions, then through any view, materialized views only, in a stable order', () => {
    expect(staleMatviewsStatement(16384, ['customer_id', 'updated_at'])).toEqual({
      text: `WITH RECURSIVE tbl AS (
           SELECT $1::oid AS relid
           UNION SELECT p.relid FROM pg_partition_tree($1::oid) p
       ), readers AS (
           SELECT DISTINCT r.ev_class AS relid
             FROM pg_depend d
             JOIN pg_rewrite r ON r.oid = d.objid
             JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
              AND d.refobjid IN (SELECT relid FROM tbl) AND a.attname = ANY ($2::text[])
           UNION
           SELECT r.ev_class
             FROM readers x
             JOIN pg_depend d ON d.refobjid = x.relid AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
             JOIN pg_rewrite r ON r.oid = d.objid AND r.ev_class <> x.relid
       )
       SELECT format('%I.%I', n.nspname, c.relname) AS name
         FROM readers x
         JOIN pg_class c ON c.oid = x.relid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'm'
        ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`,
      values: [16384, ['customer_id', 'updated_at']],
    });
  });
});
