import { describe, expect, it } from 'vitest';
import { indexServesLookup } from '../../../src/guard/lookup-index.js';
import type { IndexRow } from '../../../src/sql/constrain.js';

const ix = (columns: string[], o: Partial<IndexRow> = {}): IndexRow => ({
  qualified_name: 'i',
  name: 'i',
  valid: true,
  is_unique: false,
  partial: false,
  columns,
  has_expression: false,
  ...o,
});

describe('an index the guard lookup (name within scope) can use', () => {
  it('the name among the leading columns of name and scope columns', () => {
    for (const c of [['name'], ['tenant_id', 'name'], ['name', 'tenant_id'], ['tenant_id', 'name', 'id']])
      expect(indexServesLookup(ix(c), 'name', ['tenant_id'])).toBe(true);
  });
  it('not: the name behind another column, scope only, partial, invalid or with an expression', () => {
    expect(indexServesLookup(ix(['id', 'name']), 'name', ['tenant_id'])).toBe(false);
    expect(indexServesLookup(ix(['tenant_id']), 'name', ['tenant_id'])).toBe(false);
    expect(indexServesLookup(ix(['tenant_id', 'name'], { partial: true }), 'name', ['tenant_id'])).toBe(false);
    expect(indexServesLookup(ix(['tenant_id', 'name'], { valid: false }), 'name', ['tenant_id'])).toBe(false);
    expect(indexServesLookup(ix(['tenant_id', 'name'], { has_expression: true }), 'name', ['tenant_id'])).toBe(false);
  });
});
