/**
 * Pure catalog queries for `discover` (pg_catalog only: same on PGlite and any server) and the sampled,
 * set-based name-overlap query used as evidence.
 */
import { ident } from './quote.js';
import { Params, type Statement } from './statements.js';

/** Schemas never searched: system ones and the tool's own. */
export const EXCLUDED_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast', 'fk_backfill'];

/** Columns of every ordinary or partitioned (parent) table in the searched schemas. $1: schema list or NULL for all. */
export function columnsStatement(schemas: readonly string[] | null): Statement {
  const p = new Params();
  const excluded = p.add(EXCLUDED_SCHEMAS);
  const only = p.add(schemas === null ? null : [...schemas]);
  const text = `SELECT n.nspname::text AS schema, c.relname::text AS table_name, c.oid::int8 AS oid,
       a.attname::text AS column_name, a.attnum::int AS attnum, format_type(a.atttypid, a.atttypmod) AS type,
       t.typname::text AS base, t.typcategory::text AS category, a.attnotnull AS not_null
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname <> ALL (${excluded}::text[]) AND n.nspname NOT LIKE 'pg\\_%'
   AND (${only}::text[] IS NULL OR n.nspname = ANY (${only}::text[]))
 ORDER BY 1, 2, a.attnum`;
  return { text, values: p.values };
}

/** Single-column primary keys and unique constraints ($1: table oids). */
export function keysStatement(oids: readonly number[]): Statement {
  return {
    text: `SELECT con.conrelid::int8 AS oid, con.contype::text AS type, a.attname::text AS column_name
  FROM pg_constraint con
  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
 WHERE con.contype IN ('p', 'u') AND array_length(con.conkey, 1) = 1 AND con.conrelid::int8 = ANY ($1::int8[])
 ORDER BY 1, 2, 3`,
    values: [[...oids]],
  };
}

/** Foreign keys from the given tables, with columns on both sides ($1: table oids). */
export function foreignKeysStatement(oids: readonly number[]): Statement {
  return {
    text: `SELECT con.conrelid::int8 AS oid, con.confrelid::int8 AS ref_oid, con.conname::text AS name,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_columns
  FROM pg_constraint con
 WHERE con.contype = 'f' AND con.conrelid::int8 = ANY ($1::int8[])
 ORDER BY 1, 3`,
    values: [[...oids]],
  };
}

/**
 * Sampled overlap of two name columns: of at most `sample` source rows (LIMIT: bounded work however big
 * the table), how many distinct names (trimmed, case-folded) exist among at most `targetLimit` target
 * names. One statement, hashed semi-join; never a query per name.
 */
export function overlapStatement(a: { sourceSql: string; name: string; targetSql: string; targetName: string }, sample = 2000, targetLimit = 200_000): Statement {
  const p = new Params();
  const text = `WITH s AS (
  SELECT DISTINCT lower(btrim(x.n::text)) AS n
    FROM (SELECT s.${ident(a.name)} AS n FROM ${a.sourceSql} s WHERE s.${ident(a.name)} IS NOT NULL LIMIT ${p.add(sample)}) x
   WHERE btrim(x.n::text) <> ''
), t AS (
  SELECT DISTINCT lower(btrim(y.n::text)) AS n
    FROM (SELECT t.${ident(a.targetName)} AS n FROM ${a.targetSql} t WHERE t.${ident(a.targetName)} IS NOT NULL LIMIT ${p.add(targetLimit)}) y
)
SELECT count(*)::int8 AS sampled, count(t.n)::int8 AS found
  FROM s LEFT JOIN t ON t.n = s.n`;
  return { text, values: p.values };
}
