import { describe, expect, it } from 'vitest';
import { activeSignals, suggestActiveWhen } from '../../src/context/active-signals.js';

const cols = (entries: [string, string][]): Map<string, { type: string; baseType: string }> =>
  new Map(entries.map(([c, t]) => [c, { type: t, baseType: t }]));

describe('what a master table’s columns suggest for its active predicate', () => {
  it('a validity end or start of a date or timestamp type: notPast / notFuture, not "null" (a future end is still valid)', () => {
    expect(suggestActiveWhen('valid_to', 'date')).toBe('"notPast"');
    expect(suggestActiveWhen('expires_at', 'timestamp with time zone')).toBe('"notPast"');
    expect(suggestActiveWhen('valid_from', 'date')).toBe('"notFuture"');
    expect(suggestActiveWhen('valid_to', 'text')).toBe('"null"');
    expect(suggestActiveWhen('deleted_at', 'timestamp with time zone')).toBe('"null"');
    expect(suggestActiveWhen('is_active', 'boolean')).toBe('true');
  });
  it('masters with only a validity end and no predicate: warned, with the predicate that reads it', () => {
    const r = activeSignals(
      'order',
      'customers',
      cols([
        ['id', 'integer'],
        ['valid_to', 'date'],
      ]),
      undefined,
      undefined,
    );
    expect(r.softDelete?.columns).toEqual(['valid_to']);
    expect(r.notice).toBe(
      'order: customers has valid_to (date) but the link has no "target.active": every master counts as active, soft-deleted ones included. Set e.g. "active": { "column": "valid_to", "activeWhen": "notPast" }',
    );
  });
});
