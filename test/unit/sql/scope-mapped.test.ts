/**
 * A link whose master names its tenant column otherwise (`customers.organization_id` beside `orders.org_id`; config
 * `"scope": [{ "source": "org_id", "target": "organization_id" }]`, LinkShape.targetScope): every fragment on a master
 * reads the master's column, every fragment on a document the document's. Whole text; without targetScope every
 * statement is the one the other whole-text tests pin.
 */
import { describe, expect, it } from 'vitest';
import {
  masterEntryScopeJoin,
  masterScopeJoin,
  masterScopeKeyEq,
  masterScopeWhere,
  onMaster,
  Params,
  scopeJoin,
  scopeKeyExpr,
  scopeWhere,
  sharedMaster,
  type TypedLinkShape,
} from '../../../src/sql/link.js';
import { exactCandidatesStatement, mastersStatement } from '../../../src/sql/plan.js';
import { deleteReferencedStatement, integrityStatement } from '../../../src/sql/verify.js';
import { insertMastersStatement } from '../../../src/sql/masters.js';
import {
  addForeignKeySql,
  type ConstrainShape,
  constrainNames,
  createUniqueIndexSql,
  orphanBatchStatement,
  sharedLinkedStatement,
} from '../../../src/sql/constrain.js';
import { revenueStatement } from '../../../src/sql/catalog-revenue.js';
import { guardFunctionSql, guardNames } from '../../../src/sql/guard.js';

const link: TypedLinkShape = {
  sourceSql: 'public.orders',
  targetSql: 'public.customers',
  key: 'id',
  keyType: 'integer',
  fk: 'customer_id',
  fkType: 'integer',
  name: 'customer_name',
  targetKey: 'id',
  targetName: 'name',
  scope: ['org_id'],
  targetScope: ['organization_id'],
  scopeTypes: ['integer'],
  nameType: 'text',
  targetNameType: 'text',
  nameLoose: false,
  touch: null,
  active: { column: 'is_active', activeWhen: true },
};
const cs: ConstrainShape = {
  sourceSql: link.sourceSql,
  targetSql: link.targetSql,
  sourceTable: 'orders',
  targetTable: 'customers',
  sourceSchema: 'public',
  targetSchema: 'public',
  key: 'id',
  keyType: 'integer',
  fk: 'customer_id',
  targetKey: 'id',
  scope: ['org_id'],
  targetScope: ['organization_id'],
};

describe('scope mapped to the master column: fragments', () => {
  it('master side by its own column, document side by its own', () => {
    expect(masterScopeJoin('t', 's', link)).toBe(` AND t."organization_id" = s."org_id"`);
    expect(masterEntryScopeJoin('t', link, 'm')).toBe(` AND t."organization_id" = m.fkb_scope_1`);
    expect(masterScopeKeyEq('t', link, 'e.scope_key')).toBe(`ARRAY[t."organization_id"::text]::text[] = e.scope_key`);
    expect(scopeKeyExpr('s', link)).toBe(`ARRAY[s."org_id"::text]::text[]`);
    expect(scopeJoin('d', 'm', link, 'b')).toBe(` AND d."org_id" = m."organization_id"`);
    expect(scopeJoin('d', 't', onMaster(link))).toBe(` AND d."organization_id" = t."organization_id"`);
    expect(sharedMaster('t', link)).toBe(`t."organization_id" IS NULL`);
    const p = new Params();
    expect(masterScopeWhere('t', link, { tenant: '7' }, p)).toBe(` AND t."organization_id" = $1`);
    expect(scopeWhere('s', link, { tenant: '7' }, p)).toBe(` AND s."org_id" = $2`);
    expect(p.values).toEqual(['7', '7']);
    // shared masters: the master's columns NULL, the row's set
    expect(masterScopeJoin('t', 's', { ...link, sharedMasters: true })).toBe(
      ` AND ((t."organization_id" = s."org_id") OR (t."organization_id" IS NULL AND s."org_id" IS NOT NULL))`,
    );
    expect(onMaster(onMaster(link)).scope).toEqual(['organization_id']);
  });
});

describe('scope mapped to the master column: statements', () => {
  it('plan: exact candidates (masters grouped by their column, joined to the names by it), masters of the fuzzy plan', () => {
    expect(exactCandidatesStatement(link, { tenant: '7' })).toEqual({
      text: `WITH names AS (
  SELECT s."org_id" AS "org_id", s."customer_name" AS source_name, count(*)::int8 AS row_count
    FROM public.orders s
   WHERE s."customer_id" IS NULL AND s."org_id" = $3
   GROUP BY s."org_id", s."customer_name"
), m AS (
  SELECT t."organization_id", t."name",
         (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:$1::int] AS keys,
         count(t."id") FILTER (WHERE (t."is_active" IS TRUE))::int8 AS candidate_count,
         (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND NOT (t."is_active" IS TRUE)))[1:$1::int] AS inactive_keys,
         (array_agg(t."name"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:1] AS names
    FROM public.customers t
   WHERE t."name" IS NOT NULL AND t."organization_id" = $2
   GROUP BY t."organization_id", t."name"
)
SELECT ARRAY[n."org_id"::text]::text[] AS scope_key, n.source_name, n.row_count, m.keys, coalesce(m.candidate_count, 0)::int8 AS candidate_count, m.inactive_keys, m.names
  FROM names n
  LEFT JOIN m
    ON m."name" = n.source_name AND m."organization_id" = n."org_id"
 ORDER BY 1, 2`,
      values: [10, '7', '7'],
    });
    expect(mastersStatement(link, { tenant: '7' })).toEqual({
      text: `SELECT ARRAY[t."organization_id"::text]::text[] AS scope_key, t."id"::text AS key, t."name" AS name
  FROM public.customers t
 WHERE t."name" IS NOT NULL AND t."is_active" IS TRUE AND t."organization_id" = $1
 ORDER BY 1, 3, 2`,
      values: ['7'],
    });
  });

  it("verify: each row's own master by the master's column; the trial delete of a referenced master", () => {
    expect(integrityStatement(link, { tenant: null })).toEqual({
      text: `SELECT count(*)::int8 AS total,
       count(*) FILTER (WHERE s."customer_id" IS NULL)::int8 AS null_fks,
       count(*) FILTER (WHERE s."customer_id" IS NULL AND (s."customer_name" IS NULL OR s."customer_name"::text COLLATE "C" ~ $1))::int8 AS null_fks_no_name,
       0::int8 AS null_fks_self,
       count(*) FILTER (WHERE s."customer_id" IS NULL AND NOT (s."customer_name" IS NULL OR s."customer_name"::text COLLATE "C" ~ $1) AND (s."org_id" IS NULL))::int8 AS null_fks_no_scope,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND o.k IS NULL)::int8 AS orphans,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND t.k IS NULL AND o.k IS NOT NULL AND s."org_id" IS NOT NULL)::int8 AS cross_scope,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND t.k IS NULL)::int8 AS unresolved,
       count(*) FILTER (WHERE t.k IS NOT NULL AND NOT t.active)::int8 AS inactive_targets
  FROM public.orders s
  LEFT JOIN (SELECT t."id" AS k, t."organization_id", bool_or((t."is_active" IS TRUE)) AS active
                FROM public.customers t WHERE true GROUP BY 1, 2) t
    ON t.k = s."customer_id" AND t."organization_id" = s."org_id"
  LEFT JOIN (SELECT DISTINCT t."id" AS k FROM public.customers t) o ON o.k = s."customer_id"
 WHERE true`,
      values: ['^[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u180e\\u2000-\\u200d\\u2028\\u2029\\u202f\\u205f\\u2060\\u3000\\ufeff]*$'],
    });
    expect(deleteReferencedStatement(link, { tenant: '7' })).toEqual({
      text: `DELETE FROM public.customers t
 USING (SELECT s."customer_id" AS fk, s."org_id"
          FROM public.orders s
         WHERE s."customer_id" IS NOT NULL AND s."org_id" = $1
           AND EXISTS (SELECT 1 FROM public.customers m WHERE m."id" = s."customer_id" AND m."organization_id" = s."org_id")
         LIMIT 1) x
 WHERE t."id" = x.fk AND t."organization_id" = x."org_id" AND t."organization_id" = $2`,
      values: ['7', '7'],
    });
  });

  it("masters create: a new master's tenant is written into the master's own column", () => {
    expect(insertMastersStatement(link, ['integer'], [{ scope: ['7'], name: 'X', number: null }])).toEqual({
      text: `INSERT INTO public.customers AS t ("organization_id", "name", "is_active")
SELECT x.s0::integer, x.name, true FROM jsonb_to_recordset($1::jsonb) AS x(ord int, name text, number text, s0 text) ORDER BY x.ord
RETURNING t."id"::text AS key, ARRAY[t."organization_id"::text]::text[] AS scope_key, t."name"::text AS name, (t."is_active" IS TRUE) AS active`,
      values: [JSON.stringify([{ ord: 0, name: 'X', number: null, s0: '7' }])],
    });
  });

  it('constrain --tenant-safe: FK (org_id, customer_id) → customers (organization_id, id), its unique index, the orphan scan', () => {
    expect(addForeignKeySql(cs, 'orders_org_id_customer_id_fkey', true, 'restrict')).toBe(
      `ALTER TABLE public.orders ADD CONSTRAINT "orders_org_id_customer_id_fkey" FOREIGN KEY ("org_id", "customer_id") REFERENCES public.customers ("organization_id", "id") ON DELETE RESTRICT NOT VALID`,
    );
    expect(createUniqueIndexSql(cs, constrainNames(cs, true).unique, true)).toBe(
      `CREATE UNIQUE INDEX CONCURRENTLY "customers_organization_id_id_key" ON public.customers ("organization_id", "id")`,
    );
    expect(orphanBatchStatement(cs, true, null, 100, 5)).toEqual({
      text: `WITH u AS (
  SELECT x.k AS up
    FROM (SELECT s."id" AS k
            FROM public.orders s
           WHERE true
           ORDER BY s."id"
           LIMIT $1) x
   ORDER BY x.k DESC
   LIMIT 1
)
SELECT u.up::text AS last_key,
       count(*)::int8 AS scanned,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND CASE WHEN s."org_id" IS NULL THEN o.k IS NULL ELSE t.k IS NULL END)::int8 AS orphans,
       coalesce(to_jsonb((array_agg(jsonb_build_object('key', s."id"::text, 'fk', s."customer_id"::text, 'scope', to_jsonb(ARRAY[s."org_id"::text]::text[]))) FILTER (WHERE s."customer_id" IS NOT NULL AND CASE WHEN s."org_id" IS NULL THEN o.k IS NULL ELSE t.k IS NULL END))[1:$2::int]), '[]'::jsonb) AS sample,
       array_agg(ARRAY[s."org_id"::text, s."customer_id"::text]::text) FILTER (WHERE s."customer_id" IS NOT NULL AND CASE WHEN s."org_id" IS NULL THEN o.k IS NULL ELSE t.k IS NULL END) AS missing
  FROM u
  JOIN public.orders s ON s."id" <= u.up
  LEFT JOIN (SELECT t."id" AS k, t."organization_id" FROM public.customers t GROUP BY 1, 2) t ON t.k = s."customer_id" AND t."organization_id" = s."org_id"
  LEFT JOIN (SELECT DISTINCT t."id" AS k FROM public.customers t) o ON o.k = s."customer_id"
 GROUP BY u.up`,
      values: [100, 5],
    });
    expect(sharedLinkedStatement({ ...cs }).text).toContain(`WHERE t."organization_id" IS NULL`);
  });

  it('revenue: masters carry their own column, documents theirs', () => {
    expect(revenueStatement(link, { tenant: null }, 10).text).toContain(`WITH m AS (
  SELECT t."id" AS k, t."name" AS mname, t."organization_id"
    FROM public.customers t WHERE true
), d AS (
  SELECT s."id"::text AS dk, s."customer_id" AS fk, s."customer_name" AS dname, NULL::numeric AS amt, s."org_id"
    FROM public.orders s WHERE true
), nm AS (
  SELECT m.k, m."organization_id", d.dk, d.fk, d.amt, count(*) OVER (PARTITION BY d.dk) AS hits
    FROM m JOIN d ON d.dname = m.mname AND d."org_id" = m."organization_id"
), by_fk AS (
  SELECT m.k, m."organization_id", count(*) AS n, sum(d.amt) AS amt,
         count(*) FILTER (WHERE d.dname IS DISTINCT FROM m.mname) AS missed_n,
         sum(d.amt) FILTER (WHERE d.dname IS DISTINCT FROM m.mname) AS missed_amt
    FROM m JOIN d ON d.fk = m.k AND d."org_id" = m."organization_id"
   GROUP BY m.k, m."organization_id"
), by_name AS (
  SELECT nm.k, nm."organization_id", count(*) AS n, sum(nm.amt) AS amt,
         count(*) FILTER (WHERE nm.hits > 1 OR (nm.fk IS NOT NULL AND nm.fk <> nm.k)) AS wrong_n,
         sum(nm.amt) FILTER (WHERE nm.hits > 1 OR (nm.fk IS NOT NULL AND nm.fk <> nm.k)) AS wrong_amt
    FROM nm GROUP BY nm.k, nm."organization_id"
`);
  });

  it("the guard's lookups read the master's column against the row's", () => {
    const g = guardFunctionSql(
      { ...link, entity: 'l', sourceQualified: 'public.orders', targetQualified: 'public.customers', tableName: 'orders' },
      guardNames('l'),
      '5',
    );
    expect(g).toContain(`FROM public.customers t WHERE t."name" = NEW."customer_name" AND t."organization_id" = NEW."org_id"`);
    expect(g).not.toMatch(/t\."org_id"/);
  });
});
