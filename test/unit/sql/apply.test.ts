import { describe, expect, it } from 'vitest';
import { applyBatchStatement, applyMapStatements, batchRowsStatement, nullFkEstimateStatement } from '../../../src/sql/apply.js';
import type { Statement } from '../../../src/sql/link.js';
import { SALES_ORDERS_TOUCHED } from '../../helpers/link-shapes.js';
import { WHOLE_LINK } from '../../../src/sql/walk.js';

const link = SALES_ORDERS_TOUCHED;
const typed = { ...link, scopeTypes: ['uuid', 'int4'] };

describe('apply statements (whole text)', () => {
  it("the planner's estimate of the rows with a NULL FK, within the tenant (nothing read)", () => {
    expect(nullFkEstimateStatement(link, { tenant: 'T1' })).toEqual({
      text: `EXPLAIN (FORMAT JSON) SELECT 1 FROM "erp"."Sales Orders" s WHERE s."customer_id" IS NULL AND s."tenant_id" = $1`,
      values: ['T1'],
    });
    expect(nullFkEstimateStatement({ ...link, scope: [] }, { tenant: 'T1' })).toEqual({
      text: `EXPLAIN (FORMAT JSON) SELECT 1 FROM "erp"."Sales Orders" s WHERE s."customer_id" IS NULL`,
      values: [],
    });
  });

  it('batched apply: the whole statement (source range and entries each read on their own, every guard rechecked on the changed row, change log in the same statement)', () => {
    const st = applyBatchStatement(
      typed,
      { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: 'A', upTo: 'B' } },
      { tenant: 'T1' },
    );
    expect(st.text).toBe(`WITH upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "customer_id" = x.target_key, "updated_at" = now()
    FROM (SELECT r.*, v.target_key, v.method, v.score, v.fkb_same_master
            FROM (SELECT o.ctid AS fkb_tid, o."id" AS fkb_key, o."customer name" AS fkb_name, o."tenant_id" AS fkb_scope_1, o."branch" AS fkb_scope_2, o."updated_at" AS fkb_touched
                    FROM "erp"."Sales Orders" o
                   WHERE o."customer_id" IS NULL AND o."tenant_id" = $3 AND o."id" > (SELECT $4::uuid) AND o."id" <= (SELECT $5::uuid)
                  OFFSET 0) r
            JOIN (SELECT m.*, CASE WHEN m.target_name IS NULL THEN true ELSE t."customer_name" = m.target_name END AS fkb_same_master
                    FROM fk_backfill.m m
                    JOIN "customers" t ON t."id" = m.target_key AND t."is_active" IS TRUE AND t."tenant_id" = m.fkb_scope_1 AND t."branch" = m.fkb_scope_2
                  OFFSET 0) v ON v.source_name = r.fkb_name AND r.fkb_scope_1 = v.fkb_scope_1 AND r.fkb_scope_2 = v.fkb_scope_2
          OFFSET 0) x
   WHERE s.ctid = x.fkb_tid AND s."id" = x.fkb_key AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."branch" = x.fkb_scope_2 AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched AND x.fkb_same_master AND s."tenant_id" = $6 AND s."id" > (SELECT $7::uuid) AND s."id" <= (SELECT $8::uuid)
  RETURNING s."id"::text AS row_key, s."customer_id"::text AS new_value, x.method, x.score, (to_jsonb(x.fkb_touched) #>> '{}') AS touched_old, s."updated_at" AS fkb_wrote
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $9::text, $10::text, $11::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), array_agg(upd.touched_old)
  FROM upd
 WHERE upd.new_value IS NOT NULL
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.new_value IS NOT NULL)::int8 AS changed,
       (SELECT json_agg(json_build_object('k', upd.row_key, 'fk', upd.new_value, 'wrote', (to_jsonb(upd.fkb_wrote) #>> '{}'), 'back', upd.touched_old)) FROM upd WHERE NOT (upd.new_value IS NOT NULL)) AS kept`);
    expect(st.values).toEqual(['7', 'so', 'T1', 'A', 'B', 'T1', 'A', 'B', 'Sales Orders', 'customer_id', 'updated_at']);
  });

  it('whole link (single transaction, sweep): the batch statement over the unbounded range, no range predicate on either read', () => {
    const whole = applyBatchStatement(
      typed,
      { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'pg_temp.fkb_apply_map_7_0', range: WHOLE_LINK },
      { tenant: 'T1' },
    );
    expect(whole.text).toBe(`WITH upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "customer_id" = x.target_key, "updated_at" = now()
    FROM (SELECT r.*, v.target_key, v.method, v.score, v.fkb_same_master
            FROM (SELECT o.ctid AS fkb_tid, o."id" AS fkb_key, o."customer name" AS fkb_name, o."tenant_id" AS fkb_scope_1, o."branch" AS fkb_scope_2, o."updated_at" AS fkb_touched
                    FROM "erp"."Sales Orders" o
                   WHERE o."customer_id" IS NULL AND o."tenant_id" = $3
                  OFFSET 0) r
            JOIN (SELECT m.*, CASE WHEN m.target_name IS NULL THEN true ELSE t."customer_name" = m.target_name END AS fkb_same_master
                    FROM pg_temp.fkb_apply_map_7_0 m
                    JOIN "customers" t ON t."id" = m.target_key AND t."is_active" IS TRUE AND t."tenant_id" = m.fkb_scope_1 AND t."branch" = m.fkb_scope_2
                  OFFSET 0) v ON v.source_name = r.fkb_name AND r.fkb_scope_1 = v.fkb_scope_1 AND r.fkb_scope_2 = v.fkb_scope_2
          OFFSET 0) x
   WHERE s.ctid = x.fkb_tid AND s."id" = x.fkb_key AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."branch" = x.fkb_scope_2 AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched AND x.fkb_same_master AND s."tenant_id" = $4
  RETURNING s."id"::text AS row_key, s."customer_id"::text AS new_value, x.method, x.score, (to_jsonb(x.fkb_touched) #>> '{}') AS touched_old, s."updated_at" AS fkb_wrote
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $5::text, $6::text, $7::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), array_agg(upd.touched_old)
  FROM upd
 WHERE upd.new_value IS NOT NULL
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.new_value IS NOT NULL)::int8 AS changed,
       (SELECT json_agg(json_build_object('k', upd.row_key, 'fk', upd.new_value, 'wrote', (to_jsonb(upd.fkb_wrote) #>> '{}'), 'back', upd.touched_old)) FROM upd WHERE NOT (upd.new_value IS NOT NULL)) AS kept`);
    expect(whole.values).toEqual(['7', 'so', 'T1', 'T1', 'Sales Orders', 'customer_id', 'updated_at']);
  });

  it('ctid walk: blocks [after, upTo) as tids the planner can fold (not InitPlans) on both reads of the source', () => {
    expect(
      applyBatchStatement(
        typed,
        { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: '10', upTo: '20' }, walk: 'ctid' },
        { tenant: 'T1' },
      ),
    ).toMatchObject({
      text: `WITH upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "customer_id" = x.target_key, "updated_at" = now()
    FROM (SELECT r.*, v.target_key, v.method, v.score, v.fkb_same_master
            FROM (SELECT o.ctid AS fkb_tid, o."id" AS fkb_key, o."customer name" AS fkb_name, o."tenant_id" AS fkb_scope_1, o."branch" AS fkb_scope_2, o."updated_at" AS fkb_touched
                    FROM "erp"."Sales Orders" o
                   WHERE o."customer_id" IS NULL AND o."tenant_id" = $3 AND o.ctid >= format('(%s,0)', $4::int8)::tid AND o.ctid < format('(%s,0)', $5::int8)::tid
                  OFFSET 0) r
            JOIN (SELECT m.*, CASE WHEN m.target_name IS NULL THEN true ELSE t."customer_name" = m.target_name END AS fkb_same_master
                    FROM fk_backfill.m m
                    JOIN "customers" t ON t."id" = m.target_key AND t."is_active" IS TRUE AND t."tenant_id" = m.fkb_scope_1 AND t."branch" = m.fkb_scope_2
                  OFFSET 0) v ON v.source_name = r.fkb_name AND r.fkb_scope_1 = v.fkb_scope_1 AND r.fkb_scope_2 = v.fkb_scope_2
          OFFSET 0) x
   WHERE s.ctid = x.fkb_tid AND s."id" = x.fkb_key AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."branch" = x.fkb_scope_2 AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched AND x.fkb_same_master AND s."tenant_id" = $6 AND s.ctid >= format('(%s,0)', $7::int8)::tid AND s.ctid < format('(%s,0)', $8::int8)::tid
  RETURNING s."id"::text AS row_key, s."customer_id"::text AS new_value, x.method, x.score, (to_jsonb(x.fkb_touched) #>> '{}') AS touched_old, s."updated_at" AS fkb_wrote
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $9::text, $10::text, $11::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), array_agg(upd.touched_old)
  FROM upd
 WHERE upd.new_value IS NOT NULL
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.new_value IS NOT NULL)::int8 AS changed,
       (SELECT json_agg(json_build_object('k', upd.row_key, 'fk', upd.new_value, 'wrote', (to_jsonb(upd.fkb_wrote) #>> '{}'), 'back', upd.touched_old)) FROM upd WHERE NOT (upd.new_value IS NOT NULL)) AS kept`,
      values: ['7', 'so', 'T1', '10', '20', 'T1', '10', '20', 'Sales Orders', 'customer_id', 'updated_at'],
    });
    // the whole link walked by ctid: no block range on either read
    expect(
      applyBatchStatement(
        typed,
        { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'm', range: WHOLE_LINK, walk: 'ctid' },
        { tenant: null },
      ),
    ).toMatchObject({
      text: `WITH upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "customer_id" = x.target_key, "updated_at" = now()
    FROM (SELECT r.*, v.target_key, v.method, v.score, v.fkb_same_master
            FROM (SELECT o.ctid AS fkb_tid, o."id" AS fkb_key, o."customer name" AS fkb_name, o."tenant_id" AS fkb_scope_1, o."branch" AS fkb_scope_2, o."updated_at" AS fkb_touched
                    FROM "erp"."Sales Orders" o
                   WHERE o."customer_id" IS NULL
                  OFFSET 0) r
            JOIN (SELECT m.*, CASE WHEN m.target_name IS NULL THEN true ELSE t."customer_name" = m.target_name END AS fkb_same_master
                    FROM m m
                    JOIN "customers" t ON t."id" = m.target_key AND t."is_active" IS TRUE AND t."tenant_id" = m.fkb_scope_1 AND t."branch" = m.fkb_scope_2
                  OFFSET 0) v ON v.source_name = r.fkb_name AND r.fkb_scope_1 = v.fkb_scope_1 AND r.fkb_scope_2 = v.fkb_scope_2
          OFFSET 0) x
   WHERE s.ctid = x.fkb_tid AND s."id" = x.fkb_key AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."branch" = x.fkb_scope_2 AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched AND x.fkb_same_master
  RETURNING s."id"::text AS row_key, s."customer_id"::text AS new_value, x.method, x.score, (to_jsonb(x.fkb_touched) #>> '{}') AS touched_old, s."updated_at" AS fkb_wrote
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $3::text, $4::text, $5::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), array_agg(upd.touched_old)
  FROM upd
 WHERE upd.new_value IS NOT NULL
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.new_value IS NOT NULL)::int8 AS changed,
       (SELECT json_agg(json_build_object('k', upd.row_key, 'fk', upd.new_value, 'wrote', (to_jsonb(upd.fkb_wrote) #>> '{}'), 'back', upd.touched_old)) FROM upd WHERE NOT (upd.new_value IS NOT NULL)) AS kept`,
      values: ['7', 'so', 'Sales Orders', 'customer_id', 'updated_at'],
    });
  });

  it("the final sweep's range leaves out the rows the run already recorded as refused, by their key as the change log writes it", () => {
    expect(batchRowsStatement(link, { range: { after: null, upTo: null, skip: ['k1', 'k2'] } }, { tenant: 'T1' })).toEqual({
      text: `SELECT o."id"::text AS k
  FROM "erp"."Sales Orders" o
 WHERE o."customer_id" IS NULL AND o."tenant_id" = $1 AND NOT (o."id"::text = ANY($2::text[]))
 ORDER BY o."id"`,
      values: ['T1', ['k1', 'k2']],
    });
    expect(
      batchRowsStatement(
        { ...link, keys: ['id', 'line'], keyTypes: ['uuid', 'int4'] },
        { range: { after: null, upTo: null, skip: ['{a,1}', '{b,2}'] } },
        { tenant: null },
      ),
    ).toEqual({
      text: `SELECT ARRAY[o."id"::text, o."line"::text]::text AS k
  FROM "erp"."Sales Orders" o
 WHERE o."customer_id" IS NULL AND NOT (ARRAY[o."id"::text, o."line"::text]::text = ANY($1::text[]))
 ORDER BY o."id", o."line"`,
      values: [['{a,1}', '{b,2}']],
    });
  });

  it('the rows of a batch it would link, and those it can lock now (a batch that stayed locked): locked as the UPDATE locks them, the others skipped', () => {
    const planned = (lock: boolean): Statement =>
      batchRowsStatement(
        link,
        { range: { after: 'A', upTo: 'B' }, map: 'fk_backfill.apply_map_7_0', planned: lock ? 'lock' : 'read' },
        { tenant: 'T1' },
      );
    const text = `SELECT o."id"::text AS k
  FROM "erp"."Sales Orders" o
  JOIN fk_backfill.apply_map_7_0 m ON m.source_name = o."customer name" AND o."tenant_id" = m.fkb_scope_1 AND o."branch" = m.fkb_scope_2
 WHERE o."customer_id" IS NULL AND o."tenant_id" = $1 AND o."id" > (SELECT $2::uuid) AND o."id" <= (SELECT $3::uuid)
 ORDER BY o."id"`;
    expect(planned(false)).toEqual({ text, values: ['T1', 'A', 'B'] });
    expect(planned(true)).toEqual({ text: `${text}\n   FOR NO KEY UPDATE OF o SKIP LOCKED`, values: ['T1', 'A', 'B'] });
  });

  it("on a Citus distributed source, the batch's tenants among its values: pruned to their shards (one tenant: a router query, where Citus takes row locks)", () => {
    expect(
      batchRowsStatement(
        { ...link, key: 'tenant_id', keyType: 'int4', keys: ['tenant_id', 'id'], keyTypes: ['int4', 'uuid'], citus: 'distributed' },
        { range: { after: '2', upTo: '3', values: ['3'] }, map: 'fk_backfill.apply_map_7_0', planned: 'lock' },
        { tenant: null },
      ),
    ).toEqual({
      text: `SELECT ARRAY[o."tenant_id"::text, o."id"::text]::text AS k
  FROM "erp"."Sales Orders" o
  JOIN fk_backfill.apply_map_7_0 m ON m.source_name = o."customer name" AND o."tenant_id" = m.fkb_scope_1 AND o."branch" = m.fkb_scope_2
 WHERE o."customer_id" IS NULL AND o."tenant_id" > $1::int4 AND o."tenant_id" <= $2::int4 AND o."tenant_id" = ANY($3::int4[])
 ORDER BY o."tenant_id", o."id"
   FOR NO KEY UPDATE OF o SKIP LOCKED`,
      values: ['2', '3', ['3']],
    });
  });

  it('the rows a batch may change, by key in key order; a batch narrowed to some of them (one key: typed, composite: its key tuples exactly)', () => {
    expect(batchRowsStatement(link, { range: { after: 'A', upTo: 'B' } }, { tenant: 'T1' })).toEqual({
      text: `SELECT o."id"::text AS k
  FROM "erp"."Sales Orders" o
 WHERE o."customer_id" IS NULL AND o."tenant_id" = $1 AND o."id" > (SELECT $2::uuid) AND o."id" <= (SELECT $3::uuid)
 ORDER BY o."id"`,
      values: ['T1', 'A', 'B'],
    });
    expect(
      batchRowsStatement(
        { ...link, keys: ['id', 'line'], keyTypes: ['uuid', 'int4'] },
        { range: { after: '3', upTo: '9' }, walk: 'ctid' },
        { tenant: null },
      ),
    ).toEqual({
      text: `SELECT ARRAY[o."id"::text, o."line"::text]::text AS k
  FROM "erp"."Sales Orders" o
 WHERE o."customer_id" IS NULL AND o.ctid >= format('(%s,0)', $1::int8)::tid AND o.ctid < format('(%s,0)', $2::int8)::tid
 ORDER BY o."id", o."line"`,
      values: ['3', '9'],
    });
    const some = applyBatchStatement(
      typed,
      { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'm', range: { after: 'A', upTo: 'B', rows: ['k1', 'k2'] } },
      { tenant: null },
    );
    // the named rows alone, without the range they were read within: both together were estimated as their product
    // (one row), and the planner nested loops over the plan's entries per row (namedRowsOnly in sql/walk.ts)
    expect(some.text).toContain(`WHERE o."customer_id" IS NULL AND o."id" = ANY($3::uuid[])\n`);
    expect(some.text).toContain(`AND x.fkb_same_master AND s."id" = ANY($4::uuid[])\n`);
    expect(some.values.slice(2, 4)).toEqual([
      ['k1', 'k2'],
      ['k1', 'k2'],
    ]);
    expect(some.values).not.toContain('A');
    const someBlocks = applyBatchStatement(
      typed,
      { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'm', range: { after: '3', upTo: '9', rows: ['k1'] }, walk: 'ctid' },
      { tenant: null },
    );
    expect(someBlocks.text).not.toContain('ctid >=');
    expect(someBlocks.text).toContain(`WHERE o."customer_id" IS NULL AND o."id" = ANY($3::uuid[])\n`);
    // a composite key: exactly the rows' key tuples (each column among its own values also took in their combinations)
    const two = applyBatchStatement(
      { ...typed, keys: ['id', 'line'], keyTypes: ['uuid', 'int4'] },
      {
        runId: '7',
        linkName: 'so',
        tableName: 'Sales Orders',
        map: 'm',
        range: { ...WHOLE_LINK, rows: ['{a,1}', '{b,2}', '{a,3}'] },
        walk: 'ctid',
      },
      { tenant: null },
    );
    expect(two.text).toContain(`WHERE o."customer_id" IS NULL AND (o."id", o."line") IN (SELECT * FROM unnest($3::uuid[], $4::int4[]))\n`);
    expect(two.values.slice(2, 4)).toEqual([
      ['a', 'b', 'a'],
      ['1', '2', '3'],
    ]);
    // on Citus, each column among its values (what it prunes shards by)
    const citus = applyBatchStatement(
      { ...typed, keys: ['id', 'line'], keyTypes: ['uuid', 'int4'], citus: 'distributed' },
      { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'm', range: { ...WHOLE_LINK, rows: ['{a,1}', '{b,2}', '{a,3}'] } },
      { tenant: null },
    );
    expect(citus.text).toContain(`AND r."id" = ANY($3::uuid[]) AND r."line" = ANY($4::int4[])`);
    expect(citus.values.slice(2, 4)).toEqual([
      ['a', 'b'],
      ['1', '2', '3'],
    ]);
  });

  it("a refused batch's rows with a trigger beside a CHECK: each says whether the CHECK would refuse it with its planned master, those last", () => {
    const st = batchRowsStatement(
      {
        ...link,
        scope: ['tenant_id'],
        fkType: 'int8',
        touch: { column: 'updated_at', type: 'timestamptz' },
        fkSuspectChecks: [{ name: 'void_unlinked', expr: "((kind <> 'void'::text) OR (customer_id IS NULL))" }],
      },
      { range: { after: 'A', upTo: 'B' }, map: 'fk_backfill.m' },
      { tenant: 'T1' },
    );
    expect(st).toEqual({
      text: `SELECT o."id"::text AS k, coalesce((SELECT CASE WHEN (((kind <> 'void'::text) OR (customer_id IS NULL))) IS FALSE THEN $3::text END
       FROM jsonb_populate_record(NULL::"erp"."Sales Orders", to_jsonb(o) || jsonb_build_object($1::text, m.target_key, $2::text, now())) AS fkb_new_row) IS NOT NULL AND m.target_key IS NOT NULL, false) AS s
  FROM "erp"."Sales Orders" o
  LEFT JOIN fk_backfill.m m ON m.source_name = o."customer name" AND o."tenant_id" = m.fkb_scope_1
 WHERE o."customer_id" IS NULL AND o."tenant_id" = $4 AND o."id" > (SELECT $5::uuid) AND o."id" <= (SELECT $6::uuid)
 ORDER BY s, o."id"`,
      values: ['customer_id', 'updated_at', 'void_unlinked', 'T1', 'A', 'B'],
    });
  });

  it('a touched column of a type without a plain equality (jsonb) is compared by its text form', () => {
    expect(
      applyBatchStatement(
        { ...typed, touch: { column: 'updated_at', type: 'jsonb' } },
        { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: null, upTo: 'B' } },
        { tenant: null },
      ),
    ).toMatchObject({
      text: `WITH upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "customer_id" = x.target_key, "updated_at" = now()
    FROM (SELECT r.*, v.target_key, v.method, v.score, v.fkb_same_master
            FROM (SELECT o.ctid AS fkb_tid, o."id" AS fkb_key, o."customer name" AS fkb_name, o."tenant_id" AS fkb_scope_1, o."branch" AS fkb_scope_2, o."updated_at" AS fkb_touched
                    FROM "erp"."Sales Orders" o
                   WHERE o."customer_id" IS NULL AND o."id" <= (SELECT $3::uuid)
                  OFFSET 0) r
            JOIN (SELECT m.*, CASE WHEN m.target_name IS NULL THEN true ELSE t."customer_name" = m.target_name END AS fkb_same_master
                    FROM fk_backfill.m m
                    JOIN "customers" t ON t."id" = m.target_key AND t."is_active" IS TRUE AND t."tenant_id" = m.fkb_scope_1 AND t."branch" = m.fkb_scope_2
                  OFFSET 0) v ON v.source_name = r.fkb_name AND r.fkb_scope_1 = v.fkb_scope_1 AND r.fkb_scope_2 = v.fkb_scope_2
          OFFSET 0) x
   WHERE s.ctid = x.fkb_tid AND s."id" = x.fkb_key AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."branch" = x.fkb_scope_2 AND s."updated_at"::text IS NOT DISTINCT FROM x.fkb_touched::text AND x.fkb_same_master AND s."id" <= (SELECT $4::uuid)
  RETURNING s."id"::text AS row_key, s."customer_id"::text AS new_value, x.method, x.score, (to_jsonb(x.fkb_touched) #>> '{}') AS touched_old, s."updated_at" AS fkb_wrote
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $5::text, $6::text, $7::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), array_agg(upd.touched_old)
  FROM upd
 WHERE upd.new_value IS NOT NULL
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.new_value IS NOT NULL)::int8 AS changed,
       (SELECT json_agg(json_build_object('k', upd.row_key, 'fk', upd.new_value, 'wrote', (to_jsonb(upd.fkb_wrote) #>> '{}'), 'back', upd.touched_old)) FROM upd WHERE NOT (upd.new_value IS NOT NULL)) AS kept`,
      values: ['7', 'so', 'B', 'B', 'Sales Orders', 'customer_id', 'updated_at'],
    });
  });

  it('no touched column, a composite key, a soft-delete active predicate, a loose scope column: the same shape, nothing old read, the loose column compared by its text form too', () => {
    const l = {
      ...typed,
      touch: null,
      active: { column: 'deleted_at', activeWhen: 'null' as const },
      scopeLoose: [false, true],
      keys: ['id', 'line'],
      keyTypes: ['uuid', 'int4'],
      targetNameType: 'citext',
      nameType: 'citext',
    };
    expect(
      applyBatchStatement(
        l,
        { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: null, upTo: 'B' } },
        { tenant: null },
      ),
    ).toMatchObject({
      text: `WITH upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "customer_id" = x.target_key
    FROM (SELECT r.*, v.target_key, v.method, v.score, v.fkb_same_master
            FROM (SELECT o.ctid AS fkb_tid, o."id" AS fkb_key, o."line" AS fkb_key_2, o."customer name" AS fkb_name, o."tenant_id" AS fkb_scope_1, o."branch" AS fkb_scope_2
                    FROM "erp"."Sales Orders" o
                   WHERE o."customer_id" IS NULL AND o."id" <= (SELECT $3::uuid)
                  OFFSET 0) r
            JOIN (SELECT m.*, CASE WHEN m.target_name IS NULL THEN true ELSE t."customer_name" = m.target_name END AS fkb_same_master
                    FROM fk_backfill.m m
                    JOIN "customers" t ON t."id" = m.target_key AND t."deleted_at" IS NULL AND t."tenant_id" = m.fkb_scope_1 AND t."branch"::text COLLATE "C" = m.fkb_scope_2::text COLLATE "C"
                  OFFSET 0) v ON v.source_name = r.fkb_name AND r.fkb_scope_1 = v.fkb_scope_1 AND r.fkb_scope_2::text COLLATE "C" = v.fkb_scope_2::text COLLATE "C"
          OFFSET 0) x
   WHERE s.ctid = x.fkb_tid AND s."id" = x.fkb_key AND s."line" = x.fkb_key_2 AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."branch"::text COLLATE "C" = x.fkb_scope_2::text COLLATE "C" AND x.fkb_same_master AND s."id" <= (SELECT $4::uuid)
  RETURNING ARRAY[s."id"::text, s."line"::text]::text AS row_key, s."customer_id"::text AS new_value, x.method, x.score, NULL::text AS touched_old
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $5::text, $6::text, $7::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), NULL::text[]
  FROM upd
 WHERE upd.new_value IS NOT NULL
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.new_value IS NOT NULL)::int8 AS changed,
       (SELECT json_agg(json_build_object('k', upd.row_key, 'fk', upd.new_value, 'wrote', NULL, 'back', upd.touched_old)) FROM upd WHERE NOT (upd.new_value IS NOT NULL)) AS kept`,
      values: ['7', 'so', 'B', 'B', 'Sales Orders', 'customer_id', null],
    });
  });

  it('lookup table: an UNLOGGED table for a walk, a temporary one dropped at commit for one transaction, a reference table on Citus', () => {
    const fill = `INSERT INTO pg_temp.fkb_apply_map_7_0 (fkb_scope_1, fkb_scope_2, source_name, target_key, method, score, target_name)
SELECT e.scope_key[1]::uuid, e.scope_key[2]::int4, e.source_name, e.target_key::uuid, e.method, e.score, e.target_name::text
  FROM fk_backfill.plan_entries e
 WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL`;
    expect(applyMapStatements(typed, { planRunId: '3', linkName: 'so', map: 'pg_temp.fkb_apply_map_7_0', temp: true })).toEqual([
      { text: 'DROP TABLE IF EXISTS pg_temp.fkb_apply_map_7_0', values: [] },
      {
        text: 'CREATE TEMP TABLE pg_temp.fkb_apply_map_7_0 (fkb_scope_1 uuid, fkb_scope_2 int4, source_name text NOT NULL, target_key uuid NOT NULL, method text, score real, target_name text) ON COMMIT DROP',
        values: [],
      },
      { text: fill, values: ['3', 'so'] },
      { text: 'CREATE INDEX ON pg_temp.fkb_apply_map_7_0 USING hash (source_name)', values: [] },
      { text: 'ANALYZE pg_temp.fkb_apply_map_7_0', values: [] },
    ]);
    expect(applyMapStatements(typed, { planRunId: '3', linkName: 'so', map: 'fk_backfill.apply_map_7_0' })).toEqual([
      { text: 'DROP TABLE IF EXISTS fk_backfill.apply_map_7_0', values: [] },
      {
        text: 'CREATE UNLOGGED TABLE fk_backfill.apply_map_7_0 (fkb_scope_1 uuid, fkb_scope_2 int4, source_name text NOT NULL, target_key uuid NOT NULL, method text, score real, target_name text)',
        values: [],
      },
      {
        text: `INSERT INTO fk_backfill.apply_map_7_0 (fkb_scope_1, fkb_scope_2, source_name, target_key, method, score, target_name)
SELECT e.scope_key[1]::uuid, e.scope_key[2]::int4, e.source_name, e.target_key::uuid, e.method, e.score, e.target_name::text
  FROM fk_backfill.plan_entries e
 WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL`,
        values: ['3', 'so'],
      },
      { text: 'CREATE INDEX ON fk_backfill.apply_map_7_0 USING hash (source_name)', values: [] },
      { text: 'ANALYZE fk_backfill.apply_map_7_0', values: [] },
    ]);
    // Citus: a reference table (its name a parameter of create_reference_table); names typed as the source and master name columns
    expect(
      applyMapStatements(
        { ...typed, citus: 'distributed', nameType: 'character(40)', targetNameType: 'citext' },
        { planRunId: '3', linkName: 'so', map: 'fk_backfill.apply_map_7_0' },
      ),
    ).toEqual([
      {
        text: `DROP TABLE IF EXISTS fk_backfill.apply_map_7_0`,
        values: [],
      },
      {
        text: `CREATE TABLE fk_backfill.apply_map_7_0 (fkb_scope_1 uuid, fkb_scope_2 int4, source_name character(40) NOT NULL, target_key uuid NOT NULL, method text, score real, target_name citext)`,
        values: [],
      },
      {
        text: `SELECT create_reference_table($1)`,
        values: ['fk_backfill.apply_map_7_0'],
      },
      {
        text: `INSERT INTO fk_backfill.apply_map_7_0 (fkb_scope_1, fkb_scope_2, source_name, target_key, method, score, target_name)
SELECT e.scope_key[1]::uuid, e.scope_key[2]::int4, e.source_name::character(40), e.target_key::uuid, e.method, e.score, e.target_name::citext
  FROM fk_backfill.plan_entries e
 WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL`,
        values: ['3', 'so'],
      },
      {
        text: `CREATE INDEX ON fk_backfill.apply_map_7_0 USING hash (source_name)`,
        values: [],
      },
    ]);
  });

  it('a source with CHECK constraints over the FK or updated_at: the rows they would refuse are found by their expressions before the UPDATE, recorded, and left out', () => {
    const checked = {
      ...typed,
      scope: ['tenant_id'],
      scopeTypes: ['uuid'],
      fkChecks: [
        { name: 'void_unlinked', expr: "((customer_id IS NULL) OR (kind <> 'void'::text))" },
        { name: 'o"k', expr: '(updated_at > customer_since)' },
      ],
    };
    const st = applyBatchStatement(
      checked,
      { runId: '7', linkName: 'so', tableName: 'erp.Sales Orders', map: 'fk_backfill.apply_map_7_0', range: WHOLE_LINK },
      { tenant: 'T1' },
    );
    expect(st.text).toBe(`WITH x AS MATERIALIZED (
  SELECT r.*, v.target_key, v.method, v.score, v.fkb_same_master, (SELECT CASE WHEN (((customer_id IS NULL) OR (kind <> 'void'::text))) IS FALSE THEN $6::text WHEN ((updated_at > customer_since)) IS FALSE THEN $7::text END
       FROM jsonb_populate_record(NULL::"erp"."Sales Orders", r.fkb_row || jsonb_build_object($4::text, v.target_key, $5::text, now())) AS fkb_new_row) AS fkb_refused_by
    FROM (SELECT o.ctid AS fkb_tid, o."id" AS fkb_key, o."customer name" AS fkb_name, o."tenant_id" AS fkb_scope_1, o."updated_at" AS fkb_touched, to_jsonb(o) AS fkb_row
                    FROM "erp"."Sales Orders" o
                   WHERE o."customer_id" IS NULL AND o."tenant_id" = $3
                  OFFSET 0) r
    JOIN (SELECT m.*, CASE WHEN m.target_name IS NULL THEN true ELSE t."customer_name" = m.target_name END AS fkb_same_master
                    FROM fk_backfill.apply_map_7_0 m
                    JOIN "customers" t ON t."id" = m.target_key AND t."is_active" IS TRUE AND t."tenant_id" = m.fkb_scope_1
                  OFFSET 0) v ON v.source_name = r.fkb_name AND r.fkb_scope_1 = v.fkb_scope_1
), fkb_refused AS (
  INSERT INTO fk_backfill.refused_rows (run_id, link, row_key, sqlstate, constraint_name, message)
  SELECT $1::int8, $2::text, x."fkb_key"::text, '23514', x.fkb_refused_by,
         'new row would violate check constraint "' || x.fkb_refused_by || '" (found before the update, the row left NULL)'
    FROM x
   WHERE x.fkb_refused_by IS NOT NULL AND x.fkb_same_master
  ON CONFLICT (run_id, link, row_key) DO NOTHING
), upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "customer_id" = x.target_key, "updated_at" = now()
    FROM x
   WHERE s.ctid = x.fkb_tid AND s."id" = x.fkb_key AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched AND x.fkb_same_master AND x.fkb_refused_by IS NULL AND s."tenant_id" = $8
  RETURNING s."id"::text AS row_key, s."customer_id"::text AS new_value, x.method, x.score, (to_jsonb(x.fkb_touched) #>> '{}') AS touched_old, s."updated_at" AS fkb_wrote
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $9::text, $10::text, $11::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), array_agg(upd.touched_old)
  FROM upd
 WHERE upd.new_value IS NOT NULL
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.new_value IS NOT NULL)::int8 AS changed,
       (SELECT json_agg(json_build_object('k', upd.row_key, 'fk', upd.new_value, 'wrote', (to_jsonb(upd.fkb_wrote) #>> '{}'), 'back', upd.touched_old)) FROM upd WHERE NOT (upd.new_value IS NOT NULL)) AS kept`);
    expect(st.values).toEqual([
      '7',
      'so',
      'T1',
      'customer_id',
      'updated_at',
      'void_unlinked',
      'o"k',
      'T1',
      'erp.Sales Orders',
      'customer_id',
      'updated_at',
    ]);
  });

  it("with the link's own active: the batch reads active rows only and the UPDATE re-checks it on the row it writes", () => {
    const a = { runId: '7', linkName: 'so', tableName: 'erp.Sales Orders', map: 'pg_temp.fkb_map', range: WHOLE_LINK };
    const base = applyBatchStatement(typed, a, { tenant: null });
    const st = applyBatchStatement({ ...typed, sourceActive: { column: 'deleted_at', activeWhen: 'null' } }, a, { tenant: null });
    const expected = base.text
      .replace('WHERE o."customer_id" IS NULL', 'WHERE o."customer_id" IS NULL AND o."deleted_at" IS NULL')
      .replace(
        'AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched AND x.fkb_same_master',
        'AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched AND s."deleted_at" IS NULL AND x.fkb_same_master',
      );
    expect(expected).not.toBe(base.text);
    expect(st.text).toBe(expected);
    expect(st.values).toEqual(base.values);
  });
});
