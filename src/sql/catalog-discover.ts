/**
 * Pure catalog queries for `discover` (pg_catalog only: same on PGlite and any server) and the sampled,
 * set-based evidence queries (name overlap, key overlap, column cardinality). Every sample is bounded by a
 * LIMIT, so the work is the same however big the tables are; one statement per table or per candidate
 * pair, never a query per row.
 */
import { ident } from './quote.js';
import { Params, type Statement } from './link.js';

/** Schemas never searched: system ones and the tool's own. */
export const EXCLUDED_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast', 'fk_backfill'];

/** Columns of every ordinary or partitioned (parent) table in the searched schemas. $1: schema list or NULL for all. */
export function columnsStatement(schemas: readonly string[] | null): Statement<{
  schema: string;
  table_name: string;
  oid: unknown;
  column_name: string;
  type: string;
  base: string;
  category: string;
  not_null: boolean;
  identity: string;
  generated: string;
  readable: boolean;
}> {
  const p = new Params();
  const excluded = p.add(EXCLUDED_SCHEMAS);
  const only = p.add(schemas === null ? null : [...schemas]);
  const text = `SELECT n.nspname::text AS schema, c.relname::text AS table_name, c.oid::int8 AS oid,
       a.attname::text AS column_name, a.attnum::int AS attnum, format_type(a.atttypid, a.atttypmod) AS type,
       (CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END)::text AS base,
       (CASE WHEN t.typtype = 'd' THEN bt.typcategory ELSE t.typcategory END)::text AS category,
       a.attnotnull AS not_null, a.attidentity::text AS identity, a.attgenerated::text AS generated,
       has_column_privilege(c.oid, a.attnum, 'SELECT') AS readable
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type bt ON bt.oid = t.typbasetype AND t.typtype = 'd'
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname <> ALL (${excluded}::text[]) AND n.nspname NOT LIKE 'pg\\_%'
   AND (${only}::text[] IS NULL OR n.nspname = ANY (${only}::text[]))
 ORDER BY 1, 2, a.attnum`;
  return { text, values: p.values };
}

/**
 * Every index of the given tables (primary keys and unique constraints are indexes too), with its key
 * columns in order; expression columns are left out and flagged ($1: table oids).
 */
export function indexesStatement(
  oids: readonly number[],
): Statement<{ oid: unknown; is_primary: boolean; is_unique: boolean; partial: boolean; has_expr: boolean; columns: string[] }> {
  return {
    text: `SELECT i.indrelid::int8 AS oid, i.indisprimary AS is_primary, i.indisunique AS is_unique,
       (i.indpred IS NOT NULL) AS partial, (0 = ANY (i.indkey::int2[])) AS has_expr,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
              WHERE k.o <= i.indnkeyatts ORDER BY k.o) AS columns
  FROM pg_index i
 WHERE i.indrelid::int8 = ANY ($1::int8[])
 ORDER BY 1, 2 DESC, 3 DESC`,
    values: [[...oids]],
  };
}

/** Foreign keys from the given tables, with columns on both sides ($1: table oids). */
export function foreignKeysStatement(
  oids: readonly number[],
): Statement<{ oid: unknown; ref_oid: unknown; name: string; columns: string[]; ref_columns: string[] }> {
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
 * Rows sampled and distinct values per column among them (`d0`, `d1`, … in the order given): how many
 * different values a column has relative to the rows, the cardinality evidence for scope columns.
 */
export function cardinalityStatement(tableSql: string, columns: readonly string[], sample = 2000): Statement<Record<string, unknown>> {
  const p = new Params();
  const lim = p.add(sample);
  const picks = columns.length === 0 ? '1 AS one' : columns.map((c) => `x.${ident(c)}`).join(', ');
  const counts = columns.map((c, i) => `, count(DISTINCT s.${ident(c)})::int8 AS d${i}`).join('');
  const text = `SELECT count(*)::int8 AS n${counts}
  FROM (SELECT ${picks} FROM ${tableSql} x LIMIT ${lim}) s`;
  return { text, values: p.values };
}

/**
 * Of at most `sample` master rows with a name: how many (`n`), how many distinct names (`names`) and distinct (column,
 * name) pairs (`pairs`). Names that repeat (`names` < `n`) but never within one value of the column (`pairs` = `n`):
 * the column is what tells the masters of one name apart (a region, an enum), the evidence for it as a scope.
 */
export function namesWithinStatement(
  tableSql: string,
  column: string,
  name: string,
  sample = 2000,
): Statement<{ n: unknown; names: unknown; pairs: unknown }> {
  const p = new Params();
  const lim = p.add(sample);
  const text = `SELECT count(*)::int8 AS n, count(DISTINCT s.nm)::int8 AS names, count(DISTINCT (s.c, s.nm))::int8 AS pairs
  FROM (SELECT x.${ident(column)}::text AS c, x.${ident(name)}::text AS nm FROM ${tableSql} x WHERE x.${ident(name)} IS NOT NULL LIMIT ${lim}) s`;
  return { text, values: p.values };
}

/**
 * For a candidate link whose FK column already holds values: of at most `sample` source rows with the FK
 * set, how many point at an existing target key (`found`), and per shared column (`a0`, `a1`, …) how many
 * of those agree with their target row on it (a tenant column always does). One hashed join.
 */
export function keyOverlapStatement(
  a: { sourceSql: string; fk: string; targetSql: string; targetKey: string; shared: readonly string[] },
  sample = 2000,
): Statement<Record<string, unknown>> {
  const p = new Params();
  const lim = p.add(sample);
  const cols = a.shared.map((c, i) => `, s.${ident(c)} AS c${i}`).join('');
  const picks = [a.fk, ...a.shared.filter((c) => c !== a.fk)].map((c) => `s0.${ident(c)}`).join(', ');
  const agrees = a.shared.map((c, i) => `, bool_or(t.${ident(c)} = s.c${i}) AS a${i}`).join('');
  const counts = a.shared.map((_, i) => `, count(*) FILTER (WHERE m.a${i})::int8 AS a${i}`).join('');
  const text = `WITH s AS (
  SELECT row_number() OVER () AS rn, s.${ident(a.fk)} AS fk${cols}
    FROM (SELECT ${picks} FROM ${a.sourceSql} s0 WHERE s0.${ident(a.fk)} IS NOT NULL LIMIT ${lim}) s
), m AS (
  SELECT s.rn${agrees}
    FROM s JOIN ${a.targetSql} t ON t.${ident(a.targetKey)} = s.fk
   GROUP BY s.rn
)
SELECT (SELECT count(*) FROM s)::int8 AS sampled, count(*)::int8 AS found${counts}
  FROM m`;
  return { text, values: p.values };
}

/** A few distinct values of a column (as text, in byte order whatever the database collation), for evidence such as a `status` column's states. */
export function sampleValuesStatement(tableSql: string, column: string, sample = 2000, distinct = 8): Statement<{ v: string }> {
  const p = new Params();
  const text = `SELECT DISTINCT v FROM (SELECT x.${ident(column)}::text COLLATE "C" AS v FROM ${tableSql} x WHERE x.${ident(column)} IS NOT NULL LIMIT ${p.add(sample)}) s
 ORDER BY v LIMIT ${p.add(distinct)}`;
  return { text, values: p.values };
}

/** Every label of an enum column's type (under any domain), in the type's order: its states, held by a row or not. */
export function enumLabelsStatement(tableOid: number, column: string): Statement<{ v: string }> {
  return {
    text: `SELECT e.enumlabel::text AS v
  FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid JOIN pg_enum e ON e.enumtypid = coalesce(nullif(ty.typbasetype, 0), ty.oid)
 WHERE a.attrelid = $1::oid AND a.attname = $2
 ORDER BY e.enumsortorder`,
    values: [tableOid, column],
  };
}

/**
 * Sampled overlap of two name columns: of at most `sample` source rows (LIMIT: bounded work however big
 * the table), how many distinct names (trimmed, case-folded) exist among at most `targetLimit` target
 * names; and of the source's distinct spellings, how many are a target name as written (`exact`) and how many
 * once trimmed and case-folded (`folded`): what `"match": "exact"` would link against what folding would. One
 * statement, hashed joins; never a query per name.
 */
export function overlapStatement(
  a: { sourceSql: string; name: string; targetSql: string; targetName: string },
  sample = 2000,
  targetLimit = 200_000,
): Statement<{ sampled: unknown; found: unknown; spellings: unknown; exact: unknown; folded: unknown }> {
  const p = new Params();
  const text = `WITH s AS (
  SELECT DISTINCT x.n::text AS raw
    FROM (SELECT s.${ident(a.name)} AS n FROM ${a.sourceSql} s WHERE s.${ident(a.name)} IS NOT NULL LIMIT ${p.add(sample)}) x
   WHERE btrim(x.n::text) <> ''
), t AS (
  SELECT DISTINCT y.n::text AS raw
    FROM (SELECT t.${ident(a.targetName)} AS n FROM ${a.targetSql} t WHERE t.${ident(a.targetName)} IS NOT NULL LIMIT ${p.add(targetLimit)}) y
), f AS (
  SELECT DISTINCT lower(btrim(t.raw)) AS n FROM t
)
SELECT count(DISTINCT lower(btrim(s.raw)))::int8 AS sampled, count(DISTINCT f.n)::int8 AS found,
       count(*)::int8 AS spellings, count(t.raw)::int8 AS exact, count(f.n)::int8 AS folded
  FROM s LEFT JOIN t ON t.raw = s.raw LEFT JOIN f ON f.n = lower(btrim(s.raw))`;
  return { text, values: p.values };
}

/** The session's current schema (null: none on the search path). */
export function currentSchemaStatement(): Statement<{ s: string | null }> {
  return { text: 'SELECT current_schema()::text AS s', values: [] };
}
