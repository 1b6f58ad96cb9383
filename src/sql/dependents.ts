/**
 * Materialized views that read what apply and undo write: a snapshot of the documents taken before the run shows the
 * FKs as they were until it is refreshed (trial15: a materialized view over the orders, stale after apply and undo,
 * and nothing said so).
 */
import type { Statement } from './statement.js';

export interface StaleMatviewRow {
  /** Schema-qualified and quoted as SQL reads it (`"Sales Ops".order_totals`). */
  name: string;
}

/**
 * The materialized views that read any of `columns` of the table `oid` (or of one of its partitions), directly or
 * through views (a materialized view over a view over the table), by name. A view reads through at run time and is
 * never stale; a materialized view that reads none of the columns is not named.
 */
export function staleMatviewsStatement(oid: number, columns: readonly string[]): Statement<StaleMatviewRow> {
  // a view's or materialized view's rule (pg_rewrite) depends on each column it reads (pg_depend, refobjsubid the
  // column's number): the first step is column-exact, further steps follow any view that read them
  const text = `WITH RECURSIVE tbl AS (
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
        ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`;
  return { text, values: [oid, [...columns]] };
}
