/**
 * The Citus shapes (issue #18), tested against their whole text: what Citus must be able to push down
 * (no ctid, no OFFSET fence, plain RETURNING, plain-parameter ranges, GROUP BY bounds) is visible here.
 */
import { describe, expect, it } from 'vitest';
import { citusShape, tableKind, type TableKind } from '../../src/sql/citus.js';
import { checkCitusLink } from '../../src/context/citus-link.js';
import type { LinkConfig } from '../../src/config/schema.js';
import type { TableName } from '../../src/sql/quote.js';
import { applyBatchStatement } from '../../src/sql/apply.js';
import type { LinkShape } from '../../src/sql/link.js';
import { undoDistributionValuesStatement, undoStatement } from '../../src/sql/undo.js';
import { citusTenantBoundStatement } from '../../src/sql/walk.js';

const link: LinkShape & { scopeTypes: string[] } = {
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
  scopeTypes: ['integer'],
  fkType: 'bigint',
  keyType: 'integer',
  touch: { column: 'updated_at', type: 'timestamp with time zone' },
};

describe('Citus statements', () => {
  it('table kinds from pg_dist_partition, and which links take the Citus shapes', () => {
    expect(tableKind(undefined)).toEqual({ kind: 'local', managed: false });
    expect(tableKind({ oid: 1, method: 'h', repmodel: 's', colocation: '3', column: 'tenant_id' })).toEqual({
      kind: 'distributed',
      column: 'tenant_id',
      colocation: 3,
    });
    expect(tableKind({ oid: 1, method: 'n', repmodel: 't', colocation: 0, column: null })).toEqual({ kind: 'reference' });
    expect(tableKind({ oid: 1, method: 'n', repmodel: 's', colocation: 0, column: null })).toEqual({ kind: 'local', managed: true });
    // a single-shard table (schema-based sharding): its co-location group
    expect(tableKind({ oid: 1, method: 'n', repmodel: 's', colocation: '7', column: null })).toEqual({
      kind: 'local',
      managed: true,
      singleShard: 7,
    });
    const plain = { kind: 'local' as const, managed: false };
    expect(citusShape(null)).toBeUndefined();
    expect(citusShape({ source: plain, target: plain })).toBeUndefined();
    expect(citusShape({ source: plain, target: { kind: 'reference' } })).toBe('local');
    expect(citusShape({ source: { kind: 'distributed', column: 't', colocation: 1 }, target: { kind: 'reference' } })).toBe('distributed');
  });

  it('a batch on a distributed source: one co-located join pushed down, rows found by their whole key, plain RETURNING, the change log made on the coordinator', () => {
    const st = applyBatchStatement(
      link,
      { runId: '7', linkName: 'so', tableName: 'sales_orders', map: 'fk_backfill.m', range: { after: '3', upTo: '9' } },
      { tenant: null },
    );
    expect(st.text).toBe(`WITH upd AS (
  UPDATE "sales_orders" s
     SET "customer_id" = x.target_key, "updated_at" = now()
    FROM (SELECT r."tenant_id" AS fkb_key, r."id" AS fkb_key_2, r."customer_name" AS fkb_name, r."tenant_id" AS fkb_scope_1, r."updated_at" AS fkb_touched, m.target_key, m.method, m.score
            FROM "sales_orders" r
            JOIN fk_backfill.m m ON m.source_name = r."customer_name" AND r."tenant_id" = m.fkb_scope_1
            JOIN "customers" t ON t."id" = m.target_key AND t."tenant_id" = r."tenant_id" AND t."is_active" IS TRUE AND CASE WHEN m.target_name IS NULL THEN true ELSE t."name" = m.target_name END
           WHERE r."customer_id" IS NULL AND r."tenant_id" > $3::integer AND r."tenant_id" <= $4::integer) x
   WHERE s."tenant_id" = x.fkb_key AND s."id" = x.fkb_key_2 AND s."customer_id" IS NULL AND s."customer_name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched AND s."tenant_id" > $5::integer AND s."tenant_id" <= $6::integer
  RETURNING s."tenant_id" AS fkb_key, s."id" AS fkb_key_2, s."customer_id" AS fkb_new, x.method, x.score, x.fkb_touched
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $7::text, $8::text, $9::text,
       array_agg(ARRAY[upd."fkb_key"::text, upd."fkb_key_2"::text]::text), array_agg(upd.fkb_new::text), array_agg(upd.method), array_agg(upd.score), array_agg((to_jsonb(upd.fkb_touched) #>> '{}'))
  FROM upd
 WHERE upd.fkb_new IS NOT NULL
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.fkb_new IS NOT NULL)::int8 AS changed`);
    expect(st.values).toEqual(['7', 'so', '3', '9', '3', '9', 'sales_orders', 'customer_id', 'updated_at']);
    expect(st.text).not.toMatch(/ctid|OFFSET|\(SELECT \$/);
  });

  it("a batch given its tenants (the bound's list) names them as a constant on both sides: Citus prunes it to their shards", () => {
    const st = applyBatchStatement(
      link,
      { runId: '7', linkName: 'so', tableName: 'sales_orders', map: 'fk_backfill.m', range: { after: '3', upTo: '9', values: ['5', '9'] } },
      { tenant: null },
    );
    expect(st.text).toContain(
      `WHERE r."customer_id" IS NULL AND r."tenant_id" > $4::integer AND r."tenant_id" <= $5::integer AND r."tenant_id" = ANY($3::integer[])) x`,
    );
    expect(st.text).toContain(
      `s."updated_at" IS NOT DISTINCT FROM x.fkb_touched AND s."tenant_id" > $6::integer AND s."tenant_id" <= $7::integer AND s."tenant_id" = ANY($3::integer[])\n  RETURNING`,
    );
    expect(st.values).toEqual(['7', 'so', ['5', '9'], '3', '9', '3', '9', 'sales_orders', 'customer_id', 'updated_at']);
  });

  it('a local (Citus-managed) source reads first, then updates by key; a tenant filter makes every statement a router query', () => {
    expect(
      applyBatchStatement(
        { ...link, citus: 'local' },
        { runId: '7', linkName: 'so', tableName: 'sales_orders', map: 'fk_backfill.m', range: { after: null, upTo: '9' } },
        { tenant: '4' },
      ),
    ).toEqual({
      text: `WITH x AS (
  SELECT r."tenant_id" AS fkb_key, r."id" AS fkb_key_2, r."customer_name" AS fkb_name, r."tenant_id" AS fkb_scope_1, r."updated_at" AS fkb_touched, m.target_key, m.method, m.score
            FROM "sales_orders" r
            JOIN fk_backfill.m m ON m.source_name = r."customer_name" AND r."tenant_id" = m.fkb_scope_1
            JOIN "customers" t ON t."id" = m.target_key AND t."tenant_id" = r."tenant_id" AND t."is_active" IS TRUE AND CASE WHEN m.target_name IS NULL THEN true ELSE t."name" = m.target_name END
           WHERE r."customer_id" IS NULL AND r."tenant_id" = $3 AND r."tenant_id" <= $4::integer
), upd AS (
  UPDATE "sales_orders" s
     SET "customer_id" = x.target_key, "updated_at" = now()
    FROM x
   WHERE s."tenant_id" = x.fkb_key AND s."id" = x.fkb_key_2 AND s."customer_id" IS NULL AND s."customer_name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched AND s."tenant_id" = $5 AND s."tenant_id" <= $6::integer
  RETURNING s."tenant_id" AS fkb_key, s."id" AS fkb_key_2, s."customer_id" AS fkb_new, x.method, x.score, x.fkb_touched
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $7::text, $8::text, $9::text,
       array_agg(ARRAY[upd."fkb_key"::text, upd."fkb_key_2"::text]::text), array_agg(upd.fkb_new::text), array_agg(upd.method), array_agg(upd.score), array_agg((to_jsonb(upd.fkb_touched) #>> '{}'))
  FROM upd
 WHERE upd.fkb_new IS NOT NULL
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.fkb_new IS NOT NULL)::int8 AS changed`,
      values: ['7', 'so', '4', '9', '4', '9', 'sales_orders', 'customer_id', 'updated_at'],
    });
  });

  it('the tenant bound: GROUP BY the distribution column, ORDER BY and LIMIT pushed down whole, no window function', () => {
    const st = citusTenantBoundStatement(link, '12', 3.7, { tenant: null });
    expect(st.text).toBe(`WITH g AS (
  SELECT s."tenant_id" AS k, count(*) AS n
    FROM "sales_orders" s
   WHERE true AND s."tenant_id" > $1::integer
   GROUP BY s."tenant_id"
   ORDER BY s."tenant_id"
   LIMIT $2
)
SELECT (SELECT g.k::text FROM g ORDER BY g.k DESC LIMIT 1) AS up_to, (SELECT sum(g.n) FROM g)::int8 AS n,
       ARRAY(SELECT g.k::text FROM g ORDER BY g.k) AS vals
 WHERE EXISTS (SELECT 1 FROM g)`);
    expect(st.values).toEqual(['12', 3]);
    expect(citusTenantBoundStatement(link, null, 0.2, { tenant: null }).values).toEqual([1]);
  });

  it('undo types the change log on the coordinator and assigns plain columns on the shards', () => {
    const st = undoStatement(link, { targetRunId: '7', runId: '8', linkName: 'so' }, { tenant: null });
    expect(st.text).toBe(`WITH c AS (
  SELECT c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, (c.row_key::text[])[1]::integer AS fkb_k1, (c.row_key::text[])[2]::bigint AS fkb_k2,
         c.old_value::bigint AS fkb_old, c.new_value::bigint AS fkb_new,
         c.touched_column IS NOT NULL AS fkb_touch, c.touched_old::timestamp with time zone AS fkb_touched, c.changed_at::timestamp with time zone AS fkb_applied
    FROM fk_backfill.changes c
   WHERE c.run_id = $2::int8 AND c.link = $3 AND c.set_id IS NOT NULL
), upd AS (
  UPDATE "sales_orders" s
     SET "customer_id" = c.fkb_old, "updated_at" = CASE WHEN c.fkb_touch AND s."updated_at" IS NOT DISTINCT FROM c.fkb_applied THEN c.fkb_touched ELSE s."updated_at" END
    FROM c
   WHERE s."tenant_id" = c.fkb_k1 AND s."id" = c.fkb_k2 AND s."customer_id" = c.fkb_new AND (NOT (c.fkb_touch) OR s."updated_at" IS NOT DISTINCT FROM c.fkb_applied OR s."updated_at" IN (SELECT o.changed_at::timestamp with time zone FROM fk_backfill.change_sets o
        WHERE o.touched_column IS NOT NULL AND o.table_name IN (SELECT y.table_name FROM fk_backfill.change_sets y WHERE y.run_id = $2::int8 AND y.link = $3)))
  RETURNING c.row_key, c.new_value, c.old_value, c.table_name, c.column_name, s."customer_id" IS NOT DISTINCT FROM c.fkb_old AS fkb_reverted
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, method, row_keys, old_values, new_values)
SELECT $1::int8, $3::text, min(upd.table_name), min(upd.column_name), 'undo', array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.old_value)
  FROM upd
 WHERE upd.fkb_reverted
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.fkb_reverted)::int8 AS changed`);
    expect(st.values).toEqual(['8', '7', 'so']);
  });
});

describe('links Citus cannot run, refused before anything is written', () => {
  const cfg = {
    entity: 'order',
    table: 'orders',
    key: 'id',
    fk: 'customer_id',
    name: 'customer_name',
    scope: [],
    target: { table: 'customers', key: 'id', name: 'name' },
  } as unknown as LinkConfig;
  const at = (schema: string, table: string): TableName => ({ schema, table });
  const shard = (group: number): TableKind => ({ kind: 'local', managed: true, singleShard: group });
  it('two distributed tables not co-located: both ways to co-locate them named, with when each is right', () => {
    // two new users' trials, one each way: a hint that moved only the master broke another document table's link, one
    // that moved only the documents broke their other master's; update_distributed_table_colocation refused 4 vs 32 shards
    const dist = (colocation: number): TableKind => ({ kind: 'distributed', column: 'tenant_id', colocation });
    expect(() =>
      checkCitusLink(
        { ...cfg, scope: ['tenant_id'] },
        at('public', 'bills_nc'),
        at('public', 'suppliers'),
        { source: dist(2), target: dist(1) },
        '$.links[0]',
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'CITUS_UNSUPPORTED',
        message:
          "order: public.bills_nc and public.suppliers are distributed by tenant_id but not co-located; co-locate them: SELECT alter_distributed_table('public.suppliers', colocate_with => 'public.bills_nc') (moves the master into the group of public.bills_nc: right unless other document tables are co-located with public.suppliers), or SELECT alter_distributed_table('public.bills_nc', colocate_with => 'public.suppliers') (moves the documents: right unless other masters are co-located with public.bills_nc) ($.links[0])",
      }),
    );
  });
  it('both distributed by the tenant column and co-located, the scope without it: told to list it, not to redistribute', () => {
    const dist: TableKind = { kind: 'distributed', column: 'tenant_id', colocation: 1 };
    expect(() =>
      checkCitusLink(cfg, at('public', 'invoices'), at('public', 'customers'), { source: dist, target: dist }, '$.links[0]'),
    ).toThrow(
      expect.objectContaining({
        code: 'CITUS_UNSUPPORTED',
        message:
          'order: public.invoices and public.customers are both distributed by tenant_id, which "scope" does not list: a name is matched within its tenant, and Citus joins them on that column only; add it (e.g. "scope": ["tenant_id"]) ($.links[0])',
      }),
    );
  });
  it('single-shard tables of two tenant schemas (schema-based sharding), or one beside a local table: CITUS_UNSUPPORTED', () => {
    expect(() =>
      checkCitusLink(cfg, at('tenant_a', 'orders'), at('tenant_b', 'customers'), { source: shard(3), target: shard(4) }, '$.links[0]'),
    ).toThrow(
      expect.objectContaining({
        code: 'CITUS_UNSUPPORTED',
        message: expect.stringContaining('not in one Citus co-location group (single-shard group 3 and single-shard group 4'),
      }),
    );
    expect(() =>
      checkCitusLink(
        cfg,
        at('public', 'orders'),
        at('tenant_b', 'customers'),
        { source: { kind: 'local', managed: false }, target: shard(4) },
        '$.links[0]',
      ),
    ).toThrow(expect.objectContaining({ code: 'CITUS_UNSUPPORTED' }));
    // one schema's tables, and a tenant schema's table with a reference master: run as they are
    expect(() =>
      checkCitusLink(cfg, at('tenant_a', 'orders'), at('tenant_a', 'customers'), { source: shard(3), target: shard(3) }, '$.links[0]'),
    ).not.toThrow();
    expect(() =>
      checkCitusLink(
        cfg,
        at('tenant_a', 'orders'),
        at('public', 'currencies'),
        { source: shard(3), target: { kind: 'reference' } },
        '$.links[0]',
      ),
    ).not.toThrow();
  });
});

describe('undo on a Citus distributed source (whole text)', () => {
  const citusLink = { ...link, touch: null };
  it("a batch's UPDATE names the batch's values of the distribution column, so Citus prunes it to their shards", () => {
    expect(
      undoStatement(
        citusLink,
        {
          targetRunId: '5',
          runId: '9',
          linkName: 'so',
          setRange: { after: '3:100', upTo: '3:200' },
          shards: { column: 'tenant_id', type: 'integer', values: ['7', '9'] },
        },
        { tenant: null },
      ),
    ).toEqual({
      text: `WITH c AS (
  SELECT c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, (c.row_key::text[])[1]::integer AS fkb_k1, (c.row_key::text[])[2]::bigint AS fkb_k2,
         c.old_value::bigint AS fkb_old, c.new_value::bigint AS fkb_new
    FROM (SELECT (cs.id * 4294967296 + b.lo - 1 + x.ord)::int8 AS id, cs.run_id, cs.link, cs.table_name, x.row_key, cs.column_name,
          x.old_value, x.new_value, cs.touched_column, x.touched_old, coalesce(x.linked_at, cs.changed_at) AS changed_at, cs.id AS set_id,
          (b.lo - 1 + x.ord)::int8 AS ord
     FROM fk_backfill.change_sets cs
    CROSS JOIN LATERAL (SELECT (CASE WHEN cs.id = $4::int8 THEN $6::int8 + 1 ELSE 1 END)::int AS lo, (CASE WHEN cs.id = $5::int8 THEN $7::int8 ELSE cardinality(cs.row_keys) END)::int AS hi) b
    CROSS JOIN LATERAL unnest(cs.row_keys[b.lo:b.hi], cs.old_values[b.lo:b.hi], cs.new_values[b.lo:b.hi], cs.touched_old[b.lo:b.hi], cs.linked_at[b.lo:b.hi]) WITH ORDINALITY
          AS x(row_key, old_value, new_value, touched_old, linked_at, ord)
    WHERE cs.run_id = $2::int8 AND cs.link = $3 AND cs.id >= $4::int8 AND cs.id <= $5::int8) c
   WHERE c.run_id = $2::int8 AND c.link = $3 AND c.set_id IS NOT NULL
), upd AS (
  UPDATE "sales_orders" s
     SET "customer_id" = c.fkb_old
    FROM c
   WHERE s."tenant_id" = c.fkb_k1 AND s."id" = c.fkb_k2 AND s."customer_id" = c.fkb_new AND s."tenant_id" = ANY($8::integer[])
  RETURNING c.row_key, c.new_value, c.old_value, c.table_name, c.column_name, s."customer_id" IS NOT DISTINCT FROM c.fkb_old AS fkb_reverted
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, method, row_keys, old_values, new_values)
SELECT $1::int8, $3::text, min(upd.table_name), min(upd.column_name), 'undo', array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.old_value)
  FROM upd
 WHERE upd.fkb_reverted
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.fkb_reverted)::int8 AS changed`,
      values: ['9', '5', 'so', '3', '3', '100', '200', ['7', '9']],
    });
  });
  it("the distribution column's values in a batch's range of the change log, read on the coordinator", () => {
    expect(undoDistributionValuesStatement({ targetRunId: '5', linkName: 'so', setRange: { after: '3:100', upTo: '3:200' } }, 1)).toEqual({
      text: `SELECT array_agg(DISTINCT (c.row_key::text[])[$3::int]) AS v FROM (SELECT (cs.id * 4294967296 + b.lo - 1 + x.ord)::int8 AS id, cs.run_id, cs.link, cs.table_name, x.row_key, cs.column_name,
          x.old_value, x.new_value, cs.touched_column, x.touched_old, coalesce(x.linked_at, cs.changed_at) AS changed_at, cs.id AS set_id,
          (b.lo - 1 + x.ord)::int8 AS ord
     FROM fk_backfill.change_sets cs
    CROSS JOIN LATERAL (SELECT (CASE WHEN cs.id = $4::int8 THEN $6::int8 + 1 ELSE 1 END)::int AS lo, (CASE WHEN cs.id = $5::int8 THEN $7::int8 ELSE cardinality(cs.row_keys) END)::int AS hi) b
    CROSS JOIN LATERAL unnest(cs.row_keys[b.lo:b.hi], cs.old_values[b.lo:b.hi], cs.new_values[b.lo:b.hi], cs.touched_old[b.lo:b.hi], cs.linked_at[b.lo:b.hi]) WITH ORDINALITY
          AS x(row_key, old_value, new_value, touched_old, linked_at, ord)
    WHERE cs.run_id = $1::int8 AND cs.link = $2 AND cs.id >= $4::int8 AND cs.id <= $5::int8) c`,
      values: ['5', 'so', 1, '3', '3', '100', '200'],
    });
  });
});
