import { describe, expect, it } from 'vitest';
import { applyBatchStatement, applyMapStatements } from '../../src/sql/apply.js';
import { scopeWhere, Params, type LinkShape } from '../../src/sql/link.js';
import { mastersStatement, exactCandidatesStatement, unlinkedNamesStatement } from '../../src/sql/plan.js';
import { statusStatement } from '../../src/sql/status.js';
import { integrityStatement } from '../../src/sql/verify.js';
import { blockBoundStatement, applyLadderBoundStatement, applyLadderStatements, WHOLE_LINK } from '../../src/sql/walk.js';
import { activeSql, softDeleteLike } from '../../src/sql/active.js';

const link: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"customers"',
  key: 'id',
  fk: 'customer_id',
  name: 'customer name',
  document: 'order_number',
  targetKey: 'id',
  targetName: 'customer_name',
  active: { column: 'is_active', activeWhen: true },
  scope: ['tenant_id', 'branch'],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: { column: 'updated_at', type: 'timestamp with time zone' },
};

describe('statement builders', () => {
  it("plan reads the compare columns as text: the masters' own, and per name the value all its rows have (numbers through trim_scale)", () => {
    const c: LinkShape = { ...link, scope: ['tenant_id'], active: undefined, compare: [{ source: 'city', target: 'town "x"' }, { source: 'vat', target: 'vat_id' }] };
    const agreed = (x: string): string => `CASE WHEN count(${x}) = count(*) AND min(${x}) = max(${x}) THEN min(${x}) END`;
    const city = 's."city"::text';
    const vat = 'trim_scale(s."vat"::numeric)::text';
    expect(unlinkedNamesStatement({ ...c, compare: [{ source: 'city', target: 'town "x"' }, { source: 'vat', target: 'vat_id', as: 'numeric' }] }, { tenant: 'T1' })).toEqual({
      text: `SELECT ARRAY[s."tenant_id"::text]::text[] AS scope_key, s."customer name" AS source_name, count(*)::int8 AS row_count, ${agreed(city)} AS compare_0, ${agreed(vat)} AS compare_1, min(${city}) IS NOT DISTINCT FROM max(${city}) AND min(${vat}) IS NOT DISTINCT FROM max(${vat}) AS compare_agree
  FROM "erp"."Sales Orders" s
 WHERE s."customer_id" IS NULL AND s."tenant_id" = $1
 GROUP BY 1, 2
 ORDER BY 1, 2`,
      values: ['T1'],
    });
    expect(mastersStatement({ ...c, compare: [{ source: 'city', target: 'town "x"' }, { source: 'vat', target: 'vat_id', as: 'numeric' }] }, { tenant: 'T1' })).toEqual({
      text: `SELECT ARRAY[t."tenant_id"::text]::text[] AS scope_key, t."id"::text AS key, t."customer_name" AS name, t."town ""x"""::text AS compare_0, trim_scale(t."vat_id"::numeric)::text AS compare_1
  FROM "customers" t
 WHERE t."customer_name" IS NOT NULL AND t."tenant_id" = $1
 ORDER BY 1, 3, 2`,
      values: ['T1'],
    });
  });

  it('filter by the first scope column with a bound parameter', () => {
    const p = new Params();
    expect(scopeWhere('s', link, { tenant: "t'; DROP" }, p)).toBe(' AND s."tenant_id" = $1');
    expect(p.values).toEqual(["t'; DROP"]);
    expect(scopeWhere('s', link, { tenant: null }, new Params())).toBe('');
    expect(scopeWhere('s', { ...link, scope: [] }, { tenant: 'x' }, new Params())).toBe('');
  });

  it('status: counts with the scope filter', () => {
    const st = statusStatement(link, { tenant: 'T1' });
    expect(st.text).toContain('FROM "erp"."Sales Orders" s WHERE true AND s."tenant_id" = $1');
    expect(st.values).toEqual(['T1']);
  });

  it('exact candidates: same scope (every scope column), active only, exact equality, quoted identifiers', () => {
    const st = exactCandidatesStatement(link, { tenant: 'T1' });
    expect(st.text).toContain('t."customer_name" = n.source_name AND t."tenant_id" = n."tenant_id" AND t."branch" = n."branch"\n');
    // active masters are the candidates; inactive ones are only listed (to say why a name did not link)
    expect(st.text).toContain('count(t."id") FILTER (WHERE (t."is_active" IS TRUE))::int8 AS candidate_count');
    expect(st.text).toContain('NOT (t."is_active" IS TRUE)))[1:$1::int] AS inactive_keys');
    expect(st.text).toContain('s."customer name" AS source_name');
    expect(st.text).toContain('WHERE s."customer_id" IS NULL AND s."tenant_id" = $2');
    expect(st.values).toEqual([10, 'T1']);
  });

  it('active predicate: one builder for a boolean flag, an inverted flag, a soft-delete timestamp, a not-NULL column', () => {
    expect(activeSql('t', { column: 'is_active', activeWhen: true })).toBe('t."is_active" IS TRUE');
    expect(activeSql('t', { column: 'archived', activeWhen: false })).toBe('t."archived" IS FALSE');
    expect(activeSql('t', { column: 'deleted_at', activeWhen: 'null' })).toBe('t."deleted_at" IS NULL');
    expect(activeSql('t', { column: 'approved "at"', activeWhen: 'notNull' })).toBe('t."approved ""at""" IS NOT NULL');
    const soft = { ...link, active: { column: 'deleted_at', activeWhen: 'null' as const } };
    expect(mastersStatement(soft, { tenant: null }).text).toContain('AND t."deleted_at" IS NULL');
    expect(applyBatchStatement({ ...soft, scopeTypes: ['uuid', 'int4'] }, { runId: '2', linkName: 'x', tableName: 'x', map: 'fk_backfill.m', range: WHOLE_LINK }, { tenant: null }).text).toContain('AND t."deleted_at" IS NULL');
    expect(integrityStatement(soft, { tenant: null }).text).toContain('bool_or((t."deleted_at" IS NULL)) AS active');
    expect(softDeleteLike(['id', 'deleted_at', 'archived', 'is_deleted', 'status', 'name', 'is_active', 'deletedness'])).toEqual(['deleted_at', 'archived', 'is_deleted', 'status', 'is_active']);
  });

  it('integrity: each row meets its master by the whole key, every scope column included', () => {
    const st = integrityStatement(link, { tenant: null });
    expect(st.text).toContain('ON t.k = s."customer_id" AND t."tenant_id" = s."tenant_id" AND t."branch" = s."branch"');
    expect(st.text).toContain('LEFT JOIN (SELECT DISTINCT t."id" AS k FROM "customers" t) o ON o.k = s."customer_id"');
    expect(st.values).toEqual([]);
    expect(integrityStatement({ ...link, scope: [] }, { tenant: null }).text).toContain('0::int8 AS cross_scope');
  });

  it('batched apply: the whole statement (source range and entries each read on their own, every guard rechecked on the changed row, change log in the same statement)', () => {
    const typed = { ...link, scopeTypes: ['uuid', 'int4'] };
    const st = applyBatchStatement(typed, { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: 'A', upTo: 'B' } }, { tenant: 'T1' });
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
  RETURNING s."id"::text AS row_key, s."customer_id"::text AS new_value, x.method, x.score, x.fkb_touched::text AS touched_old
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $9::text, $10::text, $11::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), array_agg(upd.touched_old)
  FROM upd
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd)::int8 AS changed`);
    expect(st.values).toEqual(["7","so","T1","A","B","T1","A","B","Sales Orders","customer_id","updated_at"]);
    // a touched column of a type without a plain equality is compared by its text form
    const js = applyBatchStatement({ ...typed, touch: { column: 'updated_at', type: 'jsonb' } }, { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: null, upTo: 'B' } }, { tenant: null });
    expect(js.text).toContain('s."updated_at"::text IS NOT DISTINCT FROM x.fkb_touched::text');
    // no touched column: the same shape, nothing old read
    const nt = applyBatchStatement({ ...typed, touch: null }, { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: null, upTo: 'B' } }, { tenant: null });
    expect(nt.text).toContain('NULL::text AS touched_old');
    expect(nt.text).not.toContain('fkb_touched');
    expect(nt.text).not.toContain('SET "customer_id" = x.target_key,');
  });

  it('whole link (single transaction, sweep): the batch statement over the unbounded range, no range predicate on either read', () => {
    const typed = { ...link, scopeTypes: ['uuid', 'int4'] };
    const whole = applyBatchStatement(typed, { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'pg_temp.fkb_apply_map_7_0', range: WHOLE_LINK }, { tenant: 'T1' });
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
  RETURNING s."id"::text AS row_key, s."customer_id"::text AS new_value, x.method, x.score, x.fkb_touched::text AS touched_old
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT $1::int8, $2::text, $5::text, $6::text, $7::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), array_agg(upd.touched_old)
  FROM upd
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd)::int8 AS changed`);
    expect(whole.values).toEqual(['7', 'so', 'T1', 'T1', 'Sales Orders', 'customer_id', 'updated_at']);
    expect(applyBatchStatement(typed, { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'm', range: WHOLE_LINK, walk: 'ctid' }, { tenant: null }).text).not.toContain('ctid >=');
  });

  it('lookup table: an UNLOGGED table for a walk, a temporary one dropped at commit for one transaction', () => {
    const typed = { ...link, scopeTypes: ['uuid', 'int4'] };
    const fill = `INSERT INTO pg_temp.fkb_apply_map_7_0 (fkb_scope_1, fkb_scope_2, source_name, target_key, method, score, target_name)
SELECT e.scope_key[1]::uuid, e.scope_key[2]::int4, e.source_name, e.target_key::uuid, e.method, e.score, e.target_name::text
  FROM fk_backfill.plan_entries e
 WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL`;
    expect(applyMapStatements(typed, { planRunId: '3', linkName: 'so', map: 'pg_temp.fkb_apply_map_7_0', temp: true })).toEqual([
      { text: 'DROP TABLE IF EXISTS pg_temp.fkb_apply_map_7_0', values: [] },
      { text: 'CREATE TEMP TABLE pg_temp.fkb_apply_map_7_0 (fkb_scope_1 uuid, fkb_scope_2 int4, source_name text NOT NULL, target_key uuid NOT NULL, method text, score real, target_name text) ON COMMIT DROP', values: [] },
      { text: fill, values: ['3', 'so'] },
      { text: 'CREATE INDEX ON pg_temp.fkb_apply_map_7_0 USING hash (source_name)', values: [] },
      { text: 'ANALYZE pg_temp.fkb_apply_map_7_0', values: [] },
    ]);
    const own = applyMapStatements(typed, { planRunId: '3', linkName: 'so', map: 'fk_backfill.apply_map_7_0' });
    expect(own[1]!.text).toBe('CREATE UNLOGGED TABLE fk_backfill.apply_map_7_0 (fkb_scope_1 uuid, fkb_scope_2 int4, source_name text NOT NULL, target_key uuid NOT NULL, method text, score real, target_name text)');
    expect(own[2]!.text).toBe(fill.replace('pg_temp.fkb_apply_map_7_0', 'fk_backfill.apply_map_7_0'));
  });

  it('ctid walk: blocks [after, upTo) as tids the planner can fold (not InitPlans) on both reads of the source; the bound stops at the end block', () => {
    const typed = { ...link, scopeTypes: ['uuid', 'int4'] };
    const st = applyBatchStatement(typed, { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: '10', upTo: '20' }, walk: 'ctid' }, { tenant: 'T1' });
    expect(st.text.match(/\.ctid >= format\('\(%s,0\)', \$\d+::int8\)::tid AND [so]\.ctid < format\('\(%s,0\)', \$\d+::int8\)::tid/g)).toHaveLength(2);
    expect(st.text).not.toMatch(/\(SELECT format/);
    expect(st.text).not.toMatch(/"id" [<>]/);
    expect(st.values.filter((v) => v === '10')).toHaveLength(2);
    const first = applyBatchStatement(typed, { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: null, upTo: '20' }, walk: 'ctid' }, { tenant: null });
    expect(first.text).not.toContain('ctid >=');
    const b = blockBoundStatement('100', 12.4, 105, 70.5);
    expect(b.values).toEqual(['100', 70.5, 12, 105]);
    expect(b.text).toContain('least($1::int8 + $3::int8, $4::int8)');
    expect(b.text).toContain('WHERE x.up_to > x.from_');
    // never less than one block per batch
    expect(blockBoundStatement(null, 0.2, 5, 70).values).toEqual(['0', 70, 1, 5]);
  });

  it('key ladder: every step-th key within the tenant; bounds fall back to the live walk below one rung and past the last', () => {
    const [, , fill] = applyLadderStatements(link, { table: 'fk_backfill.l', step: 1000, after: 'K' }, { tenant: 'T1' });
    expect(fill!.text).toContain('AND s."tenant_id" = $2 AND s."id" > $1::uuid');
    expect(fill!.values).toEqual(['K', 'T1', 1000]);
    const small = applyLadderBoundStatement(link, { table: 'fk_backfill.l', step: 1000 }, 'K', 999, { tenant: 'T1' });
    expect(small.text).not.toContain('fk_backfill.l');
    const big = applyLadderBoundStatement(link, { table: 'fk_backfill.l', step: 1000 }, 'K', 5500, { tenant: 'T1' });
    expect(big.text).toContain('FROM fk_backfill.l l WHERE l.k > $4::uuid ORDER BY l.k LIMIT $5::int8');
    expect(big.text).toContain('WHERE b.k <= $4::uuid');
    expect(big.text).toContain('UNION ALL');
    expect(big.values).toEqual(['T1', 'K', 5500, 'K', 5]);
  });
});
