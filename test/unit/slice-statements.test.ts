/**
 * Parallel apply's statements (issue #18), tested against their whole text: where a walk is cut into
 * slices, and a slice's upper end in the Citus tenant bound (every value a parameter).
 */
import { describe, expect, it } from 'vitest';
import { type LinkShape, Params } from '../../src/sql/link.js';
import {
  applyBoundStatement,
  citusPlanTenantBoundStatement,
  citusTenantBoundStatement,
  citusTenantPartBoundStatement,
  plainRangeWhere,
  sliceCutsStatement,
} from '../../src/sql/walk.js';

const link: LinkShape = {
  sourceSql: '"sales_orders"',
  targetSql: '"customers"',
  key: 'tenant_id',
  keys: ['tenant_id', 'id'],
  keyTypes: ['integer', 'bigint'],
  fk: 'customer_id',
  name: 'customer_name',
  citus: 'distributed',
  targetKey: 'id',
  targetName: 'name',
  active: { column: 'is_active', activeWhen: true },
  scope: ['tenant_id'],
  fkType: 'bigint',
  keyType: 'integer',
  touch: { column: 'updated_at', type: 'timestamp with time zone' },
};

describe('slice statements', () => {
  it('cuts: the tenants of the plan weighed by their planned rows, the last item of each slice but the last', () => {
    const st = sliceCutsStatement(link, 8, { planRunId: '12', linkName: 'sales_order' });
    expect(st.text).toBe(`SELECT DISTINCT ON (x.part) x.k::text AS cut
  FROM (SELECT i.k, least($1::int - 1, floor((sum(i.w) OVER (ORDER BY i.k) - i.w) * $1::int / nullif(sum(i.w) OVER (), 0))::int) AS part
          FROM (SELECT e.scope_key[1]::integer AS k, sum(e.row_count)::float8 AS w
           FROM fk_backfill.plan_entries e
          WHERE e.run_id = $2::int8 AND e.link = $3 AND e.outcome = 'linked' AND e.scope_key[1] IS NOT NULL
          GROUP BY 1) i) x
 WHERE x.part < $1::int - 1
 ORDER BY x.part, x.k DESC`);
    expect(st.values).toEqual([8, '12', 'sales_order']);
  });

  it("cuts: a key walk's ladder rungs, each weighing the same", () => {
    expect(sliceCutsStatement(link, 4, { ladder: 'fk_backfill.apply_ladder_3_0' })).toEqual({
      text: `SELECT DISTINCT ON (x.part) x.k::text AS cut
  FROM (SELECT i.k, least($1::int - 1, floor((sum(i.w) OVER (ORDER BY i.k) - i.w) * $1::int / nullif(sum(i.w) OVER (), 0))::int) AS part
          FROM (SELECT l.k, 1::float8 AS w FROM fk_backfill.apply_ladder_3_0 l) i) x
 WHERE x.part < $1::int - 1
 ORDER BY x.part, x.k DESC`,
      values: [4],
    });
  });

  it("a slice's upper end: one more parameter in the Citus tenant bound and the key bound; none without it", () => {
    expect(citusTenantBoundStatement(link, '4', 2, { tenant: null }, '9')).toEqual({
      text: `WITH g AS (
  SELECT s."tenant_id" AS k, count(*) AS n
    FROM "sales_orders" s
   WHERE true AND s."tenant_id" > $1::integer AND s."tenant_id" <= $2::integer
   GROUP BY s."tenant_id"
   ORDER BY s."tenant_id"
   LIMIT $3
)
SELECT (SELECT g.k::text FROM g ORDER BY g.k DESC LIMIT 1) AS up_to, (SELECT sum(g.n) FROM g)::int8 AS n,
       ARRAY(SELECT g.k::text FROM g ORDER BY g.k) AS vals
 WHERE EXISTS (SELECT 1 FROM g)`,
      values: ['4', '9', 2],
    });
    expect(citusTenantBoundStatement(link, '4', 2, { tenant: null })).toEqual({
      text: `WITH g AS (
  SELECT s."tenant_id" AS k, count(*) AS n
    FROM "sales_orders" s
   WHERE true AND s."tenant_id" > $1::integer
   GROUP BY s."tenant_id"
   ORDER BY s."tenant_id"
   LIMIT $2
)
SELECT (SELECT g.k::text FROM g ORDER BY g.k DESC LIMIT 1) AS up_to, (SELECT sum(g.n) FROM g)::int8 AS n,
       ARRAY(SELECT g.k::text FROM g ORDER BY g.k) AS vals
 WHERE EXISTS (SELECT 1 FROM g)`,
      values: ['4', 2],
    });
    expect(applyBoundStatement(link, null, 100, { tenant: null }, '9')).toEqual({
      text: `SELECT x.k::text AS up_to, x.n::int8 AS n
  FROM (SELECT s."tenant_id" AS k, row_number() OVER (ORDER BY s."tenant_id") AS n
          FROM "sales_orders" s
         WHERE true AND s."tenant_id" <= $1::integer
         ORDER BY s."tenant_id"
         LIMIT $2::int8) x
 ORDER BY x.n DESC
 LIMIT 1`,
      values: ['9', 100],
    });
  });

  it("a Citus tenant walk's bound from the plan: its tenants in the column's order, as many as hold the rows asked (at least one; a tenant of more alone), within a slice and a tenant, and the list of them", () => {
    expect(citusPlanTenantBoundStatement(link, { planRunId: '12', linkName: 'sales_order' }, '4', 5000, { tenant: '7' }, '9')).toEqual({
      text: `WITH x AS (
  SELECT t.k, t.n, sum(t.n) OVER (ORDER BY t.k) AS cum
    FROM (SELECT e.scope_key[1]::integer AS k, sum(e.row_count) AS n
            FROM fk_backfill.plan_entries e
           WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome = 'linked' AND e.scope_key[1] IS NOT NULL AND e.scope_key[1] = $3
           GROUP BY 1) t
   WHERE true AND t.k > $4::integer AND t.k <= $5::integer
), b AS (
  SELECT x.k, x.cum FROM x WHERE x.cum - x.n < $6::int8 AND (x.n <= $6::int8 OR x.cum = x.n) ORDER BY x.k DESC LIMIT 1
)
SELECT b.k::text AS up_to, b.cum::int8 AS n, ARRAY(SELECT x.k::text FROM x WHERE x.k <= b.k ORDER BY x.k) AS vals
  FROM b`,
      values: ['12', 'sales_order', '7', '4', '9', 5000],
    });
    expect(citusPlanTenantBoundStatement(link, { planRunId: '12', linkName: 'sales_order' }, null, 0.5, { tenant: null }).values).toEqual([
      '12',
      'sales_order',
      1,
    ]);
  });

  it("a part of a tenant of more rows than a batch: its NULL-FK rows after a row key in the key's other columns' order, one shard's router query; a batch's range of a part", () => {
    expect(citusTenantPartBoundStatement(link, '7', '{7,120}', 500, { tenant: null })).toEqual({
      text: `SELECT $1::text AS up_to, x.n::int8 AS n, ARRAY[$1::text] AS vals, CASE WHEN x.n < $2::int8 THEN NULL ELSE x.k END AS part
  FROM (SELECT ARRAY[s."tenant_id"::text, s."id"::text]::text AS k, row_number() OVER (ORDER BY s."id") AS n
          FROM "sales_orders" s
         WHERE s."tenant_id" = $1::integer AND s."customer_id" IS NULL AND ROW(s."id") > ROW($3::bigint)
         ORDER BY s."id"
         LIMIT $2::int8) x
 ORDER BY x.n DESC
 LIMIT 1`,
      values: ['7', 500, '120'],
    });
    const first = citusTenantPartBoundStatement(link, '7', null, 500, { tenant: '7' });
    expect(first.text).toContain(`WHERE s."tenant_id" = $1::integer AND s."customer_id" IS NULL AND s."tenant_id" = $3\n`);
    expect(first.values).toEqual(['7', 500, '7']);
    const p = new Params();
    expect(plainRangeWhere('r', link, { after: '4', upTo: '7', part: { from: '{7,120}', to: '{7,620}' } }, p)).toBe(
      ` AND r."tenant_id" = $1::integer AND ROW(r."id") > ROW($2::bigint) AND ROW(r."id") <= ROW($3::bigint)`,
    );
    expect(p.values).toEqual(['7', '120', '620']);
    const last = new Params();
    expect(plainRangeWhere('r', link, { after: '4', upTo: '7', part: { from: '{7,620}', to: null } }, last)).toBe(
      ` AND r."tenant_id" = $1::integer AND ROW(r."id") > ROW($2::bigint)`,
    );
  });
});
