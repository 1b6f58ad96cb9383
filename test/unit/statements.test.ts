import { describe, expect, it } from 'vitest';
import {
  applyBatchStatement,
  applyStatement,
  mastersStatement,
  blockBoundStatement,
  applyLadderBoundStatement,
  applyLadderStatements,
  exactCandidatesStatement,
  integrityStatement,
  scopeWhere,
  Params,
  statusStatement,
  type LinkShape,
} from '../../src/sql/statements.js';
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
    expect(applyStatement(soft, { planRunId: '1', runId: '2', linkName: 'x', tableName: 'x' }, { tenant: null }).text).toContain('AND t."deleted_at" IS NULL');
    expect(integrityStatement(soft, { tenant: null }).text).toContain('NOT (t."deleted_at" IS NULL))::int8 AS inactive_targets');
    expect(softDeleteLike(['id', 'deleted_at', 'archived', 'is_deleted', 'status', 'name', 'is_active', 'deletedness'])).toEqual(['deleted_at', 'archived', 'is_deleted', 'status', 'is_active']);
  });

  it('integrity: cross-scope check compares every scope column', () => {
    const st = integrityStatement(link, { tenant: null });
    expect(st.text).toContain('t."tenant_id" IS DISTINCT FROM s."tenant_id" OR t."branch" IS DISTINCT FROM s."branch"');
    expect(st.values).toEqual([]);
    expect(integrityStatement({ ...link, scope: [] }, { tenant: null }).text).toContain('0::int8 AS cross_scope');
  });

  it('batched apply: typed entry join, every guard rechecked on the changed row, the range and tenant on both reads of the source', () => {
    const typed = { ...link, scopeTypes: ['uuid', 'int4'] };
    const st = applyBatchStatement(typed, { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: 'A', upTo: 'B' } }, { tenant: 'T1' });
    expect(st.text).toContain('v.source_name = o."customer name" AND o."tenant_id" = v.fkb_scope_1 AND o."branch" = v.fkb_scope_2');
    // the entries meet the masters first: still there, active, of the entry's scope
    expect(st.text).toContain('t."id" = m.target_key AND t."is_active" IS TRUE AND t."tenant_id" = m.fkb_scope_1 AND t."branch" = m.fkb_scope_2');
    expect(st.text.match(/OFFSET 0\)/g)).toHaveLength(2);
    // range bounds as InitPlans: estimated without their values (see rangeWhere)
    expect(st.text).toMatch(/o\."customer_id" IS NULL AND o\."tenant_id" = \$\d+ AND o\."id" > \(SELECT \$\d+::uuid\) AND o\."id" <= \(SELECT \$\d+::uuid\)/);
    expect(st.text).toMatch(/s\."tenant_id" = \$\d+ AND s\."id" > \(SELECT \$\d+::uuid\) AND s\."id" <= \(SELECT \$\d+::uuid\)/);
    // what x read is compared again on the row changed (EvalPlanQual does not re-test a Tid Scan's ctid)
    expect(st.text).toContain(
      's.ctid = x.fkb_tid AND s."id" = x.fkb_key AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."branch" = x.fkb_scope_2 AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched',
    );
    expect(st.text).toContain('x.fkb_touched::text AS touched_old');
    expect(st.values.filter((v) => v === 'T1')).toHaveLength(2);
    // a touched column of a type without a plain equality is compared by its text form
    const js = applyBatchStatement({ ...typed, touch: { column: 'updated_at', type: 'jsonb' } }, { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: null, upTo: 'B' } }, { tenant: null });
    expect(js.text).toContain('s."updated_at"::text IS NOT DISTINCT FROM x.fkb_touched::text');
    // no touched column: no second read of the source, the bare UPDATE … FROM the entries
    const nt = applyBatchStatement({ ...typed, touch: null }, { runId: '7', linkName: 'so', tableName: 'Sales Orders', map: 'fk_backfill.m', range: { after: null, upTo: 'B' } }, { tenant: null });
    expect(nt.text).not.toContain('ctid');
    expect(nt.text).toContain('v.source_name = s."customer name" AND s."tenant_id" = v.fkb_scope_1 AND s."branch" = v.fkb_scope_2 AND s."customer_id" IS NULL');
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
