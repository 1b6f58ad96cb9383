import { describe, expect, it } from 'vitest';
import { exactCandidatesStatement, integrityStatement, scopeWhere, Params, statusStatement, type LinkShape } from '../../src/sql/statements.js';

const link: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"customers"',
  key: 'id',
  fk: 'customer_id',
  name: 'customer name',
  document: 'order_number',
  targetKey: 'id',
  targetName: 'customer_name',
  active: 'is_active',
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
    expect(st.text).toContain('t."customer_name" = n.source_name AND t."tenant_id" = n."tenant_id" AND t."branch" = n."branch" AND t."is_active" IS TRUE');
    expect(st.text).toContain('s."customer name" AS source_name');
    expect(st.text).toContain('WHERE s."customer_id" IS NULL AND s."tenant_id" = $1');
    expect(st.values).toEqual(['T1', 10]);
  });

  it('integrity: cross-scope check compares every scope column', () => {
    const st = integrityStatement(link, { tenant: null });
    expect(st.text).toContain('t."tenant_id" IS DISTINCT FROM s."tenant_id" OR t."branch" IS DISTINCT FROM s."branch"');
    expect(st.values).toEqual([]);
    expect(integrityStatement({ ...link, scope: [] }, { tenant: null }).text).toContain('0::int8 AS cross_scope');
  });
});
