import { describe, expect, it } from 'vitest';
import { applyBatchStatement } from '../../src/sql/apply.js';
import { scopeWhere, Params, type LinkShape } from '../../src/sql/link.js';
import { mastersStatement, exactCandidatesStatement, unlinkedNamesStatement } from '../../src/sql/plan.js';
import { statusStatement } from '../../src/sql/status.js';
import { integrityStatement } from '../../src/sql/verify.js';
import { WHOLE_LINK } from '../../src/sql/walk.js';
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
});

