import { describe, expect, it } from 'vitest';
import { displayQualified, displayTable, ident, parseTableName, qualified } from '../../src/sql/quote.js';

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

describe('sql/ refuses bad input with BackfillError (exit 2), never a plain Error', () => {
  it('a malformed lock timeout, table name or identifier', async () => {
    const { lockTimeoutSql } = await import('../../src/sql/constrain.js');
    const { BackfillError } = await import('../../src/errors.js');
    const { ident, parseTableName } = await import('../../src/sql/quote.js');
    for (const f of [() => lockTimeoutSql('5x', true), () => parseTableName('"a.b'), () => parseTableName('a.b.c'), () => ident('')]) {
      let err: unknown = null;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BackfillError);
      expect((err as InstanceType<typeof BackfillError>).exitCode).toBe(2);
    }
    expect(lockTimeoutSql('500ms', true)).toBe(`SET LOCAL lock_timeout = '500ms'`);
  });
});

describe('displayQualified', () => {
  it('a stored format(%I.%I) name as commands print a table; what it cannot read, as stored', () => {
    expect(displayQualified('"Billing"."Claims"')).toBe('Billing.Claims');
    expect(displayQualified('public.orders')).toBe('public.orders');
    expect(displayQualified('"My Schema"."Order ""Lines"""')).toBe('"My Schema"."Order ""Lines"""');
    expect(displayQualified('"Sales Ops".customers')).toBe('"Sales Ops".customers');
    expect(displayQualified('orders')).toBe('orders');
    expect(displayQualified('"unterminated')).toBe('"unterminated');
    expect(displayQualified('a.b.c')).toBe('a.b.c');
  });
});
