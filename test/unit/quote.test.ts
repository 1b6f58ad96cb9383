import { describe, expect, it } from 'vitest';
import { displayTable, ident, parseTableName, qualified } from '../../src/sql/quote.js';

describe('ident', () => {
  it('always double-quotes and doubles embedded quotes', () => {
    expect(ident('customer_id')).toBe('"customer_id"');
    expect(ident('Order "Lines"')).toBe('"Order ""Lines"""');
    expect(ident('x; DROP TABLE t; --')).toBe('"x; DROP TABLE t; --"');
    expect(ident('select')).toBe('"select"');
  });
  it('refuses empty names and NUL', () => {
    expect(() => ident('')).toThrow(/empty/);
    expect(() => ident('a\u0000b')).toThrow(/NUL/);
  });
});

describe('parseTableName', () => {
  it.each([
    ['orders', { schema: null, table: 'orders' }],
    ['erp.orders', { schema: 'erp', table: 'orders' }],
    ['"My Schema"."Order Lines"', { schema: 'My Schema', table: 'Order Lines' }],
    ['"a.b".c', { schema: 'a.b', table: 'c' }],
    ['"say ""hi"""', { schema: null, table: 'say "hi"' }],
    ['Orders', { schema: null, table: 'Orders' }],
  ])('%s', (ref, expected) => {
    expect(parseTableName(ref)).toEqual(expected);
  });
  it.each(['a.b.c', '.x', 'x.', '"open'])('rejects %s', (ref) => {
    expect(() => parseTableName(ref)).toThrow();
  });
  it('qualifies and displays', () => {
    expect(qualified(parseTableName('"My Schema".t'))).toBe('"My Schema"."t"');
    expect(qualified(parseTableName('t'))).toBe('"t"');
    expect(displayTable(parseTableName('erp.t'))).toBe('erp.t');
  });
});
