import { describe, expect, it } from 'vitest';
import {
  cardinalityStatement,
  namesWithinStatement,
  columnsStatement,
  foreignKeysStatement,
  indexesStatement,
  keyOverlapStatement,
  overlapStatement,
  sampleValuesStatement,
  enumLabelsStatement,
} from '../../../src/sql/catalog-discover.js';

const columnsText = `SELECT n.nspname::text AS schema, c.relname::text AS table_name, c.oid::int8 AS oid,
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
   AND n.nspname <> ALL ($1::text[]) AND n.nspname NOT LIKE 'pg\\_%'
   AND ($2::text[] IS NULL OR n.nspname = ANY ($2::text[]))
 ORDER BY 1, 2, a.attnum`;

describe('discover catalog statements (whole text)', () => {
  it('columns of plain and partitioned parent tables: system schemas and the tool’s own excluded, the schema list a parameter (NULL: all)', () => {
    expect(columnsStatement(null)).toEqual({
      text: columnsText,
      values: [['pg_catalog', 'information_schema', 'pg_toast', 'fk_backfill'], null],
    });
    expect(columnsStatement(['erp', 'Sales'])).toEqual({
      text: columnsText,
      values: [
        ['pg_catalog', 'information_schema', 'pg_toast', 'fk_backfill'],
        ['erp', 'Sales'],
      ],
    });
  });
  it('indexes of the given tables with their key columns in order', () => {
    expect(indexesStatement([1, 2])).toEqual({
      text: `SELECT i.indrelid::int8 AS oid, i.indisprimary AS is_primary, i.indisunique AS is_unique,
       (i.indpred IS NOT NULL) AS partial, (0 = ANY (i.indkey::int2[])) AS has_expr,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
              WHERE k.o <= i.indnkeyatts ORDER BY k.o) AS columns
  FROM pg_index i
 WHERE i.indrelid::int8 = ANY ($1::int8[])
 ORDER BY 1, 2 DESC, 3 DESC`,
      values: [[1, 2]],
    });
  });
  it('foreign keys from the given tables, columns on both sides in order', () => {
    expect(foreignKeysStatement([1, 2])).toEqual({
      text: `SELECT con.conrelid::int8 AS oid, con.confrelid::int8 AS ref_oid, con.conname::text AS name,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_columns
  FROM pg_constraint con
 WHERE con.contype = 'f' AND con.conrelid::int8 = ANY ($1::int8[])
 ORDER BY 1, 3`,
      values: [[1, 2]],
    });
  });
});

describe('discover evidence statements, sampled (whole text)', () => {
  it('cardinality: distinct values per column among a bounded sample; no columns, only the row count', () => {
    // the master's names, distinct and per value of a column: a column they repeat across but never within
    expect(namesWithinStatement('"erp"."Depots"', 'Region', 'depot name', 300)).toEqual({
      text: `SELECT count(*)::int8 AS n, count(DISTINCT s.nm)::int8 AS names, count(DISTINCT (s.c, s.nm))::int8 AS pairs
  FROM (SELECT x."Region"::text AS c, x."depot name"::text AS nm FROM "erp"."Depots" x WHERE x."depot name" IS NOT NULL LIMIT $1) s`,
      values: [300],
    });
    expect(cardinalityStatement('"erp"."Sales Orders"', ['tenant id', 'Region'])).toEqual({
      text: `SELECT count(*)::int8 AS n, count(DISTINCT s."tenant id")::int8 AS d0, count(DISTINCT s."Region")::int8 AS d1
  FROM (SELECT x."tenant id", x."Region" FROM "erp"."Sales Orders" x LIMIT $1) s`,
      values: [2000],
    });
    expect(cardinalityStatement('"erp"."Sales Orders"', [], 500)).toEqual({
      text: `SELECT count(*)::int8 AS n
  FROM (SELECT 1 AS one FROM "erp"."Sales Orders" x LIMIT $1) s`,
      values: [500],
    });
  });
  it('key overlap: sampled FK values found among target keys, and agreement per shared column (the FK itself read once)', () => {
    expect(
      keyOverlapStatement({
        sourceSql: '"erp"."Sales Orders"',
        fk: 'Customer ID',
        targetSql: '"crm"."customers"',
        targetKey: 'id',
        shared: ['tenant id', 'Customer ID'],
      }),
    ).toEqual({
      text: `WITH s AS (
  SELECT row_number() OVER () AS rn, s."Customer ID" AS fk, s."tenant id" AS c0, s."Customer ID" AS c1
    FROM (SELECT s0."Customer ID", s0."tenant id" FROM "erp"."Sales Orders" s0 WHERE s0."Customer ID" IS NOT NULL LIMIT $1) s
), m AS (
  SELECT s.rn, bool_or(t."tenant id" = s.c0) AS a0, bool_or(t."Customer ID" = s.c1) AS a1
    FROM s JOIN "crm"."customers" t ON t."id" = s.fk
   GROUP BY s.rn
)
SELECT (SELECT count(*) FROM s)::int8 AS sampled, count(*)::int8 AS found, count(*) FILTER (WHERE m.a0)::int8 AS a0, count(*) FILTER (WHERE m.a1)::int8 AS a1
  FROM m`,
      values: [2000],
    });
    expect(
      keyOverlapStatement(
        { sourceSql: '"erp"."Sales Orders"', fk: 'customer_id', targetSql: '"customers"', targetKey: 'id', shared: [] },
        50,
      ),
    ).toEqual({
      text: `WITH s AS (
  SELECT row_number() OVER () AS rn, s."customer_id" AS fk
    FROM (SELECT s0."customer_id" FROM "erp"."Sales Orders" s0 WHERE s0."customer_id" IS NOT NULL LIMIT $1) s
), m AS (
  SELECT s.rn
    FROM s JOIN "customers" t ON t."id" = s.fk
   GROUP BY s.rn
)
SELECT (SELECT count(*) FROM s)::int8 AS sampled, count(*)::int8 AS found
  FROM m`,
      values: [50],
    });
  });
  it("a column's distinct values as text, in byte order, from a bounded sample, both limits bound", () => {
    const text = `SELECT DISTINCT v FROM (SELECT x."Status"::text COLLATE "C" AS v FROM "crm"."customers" x WHERE x."Status" IS NOT NULL LIMIT $1) s
 ORDER BY v LIMIT $2`;
    expect(sampleValuesStatement('"crm"."customers"', 'Status')).toEqual({ text, values: [2000, 8] });
    expect(sampleValuesStatement('"crm"."customers"', 'Status', 100, 3)).toEqual({ text, values: [100, 3] });
    // an enum column: every label of its type (under a domain too), in the type's order
    expect(enumLabelsStatement(16384, 'State')).toEqual({
      text: `SELECT e.enumlabel::text AS v
  FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid JOIN pg_enum e ON e.enumtypid = coalesce(nullif(ty.typbasetype, 0), ty.oid)
 WHERE a.attrelid = $1::oid AND a.attname = $2
 ORDER BY e.enumsortorder`,
      values: [16384, 'State'],
    });
  });
  it('name overlap: trimmed, case-folded distinct names of a source sample found among a bounded set of target names; its spellings found as written and folded', () => {
    expect(
      overlapStatement({ sourceSql: '"erp"."Sales Orders"', name: 'Customer Name', targetSql: '"crm"."customers"', targetName: 'name' }),
    ).toEqual({
      text: `WITH s AS (
  SELECT DISTINCT x.n::text AS raw
    FROM (SELECT s."Customer Name" AS n FROM "erp"."Sales Orders" s WHERE s."Customer Name" IS NOT NULL LIMIT $1) x
   WHERE btrim(x.n::text) <> ''
), t AS (
  SELECT DISTINCT y.n::text AS raw
    FROM (SELECT t."name" AS n FROM "crm"."customers" t WHERE t."name" IS NOT NULL LIMIT $2) y
), f AS (
  SELECT DISTINCT lower(btrim(t.raw)) AS n FROM t
)
SELECT count(DISTINCT lower(btrim(s.raw)))::int8 AS sampled, count(DISTINCT f.n)::int8 AS found,
       count(*)::int8 AS spellings, count(t.raw)::int8 AS exact, count(f.n)::int8 AS folded
  FROM s LEFT JOIN t ON t.raw = s.raw LEFT JOIN f ON f.n = lower(btrim(s.raw))`,
      values: [2000, 200000],
    });
  });
});
