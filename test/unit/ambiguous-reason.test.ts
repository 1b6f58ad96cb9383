import { describe, expect, it } from 'vitest';
import { createMatcher, DEFAULT_MATCH_OPTIONS } from '../../src/match/index.js';

describe('an ambiguous name says which master it reaches by an alias', () => {
  it('a row linked by hand to another master (an alias learned from it) is named as such (a trial: it read as two masters of one name)', () => {
    const m = createMatcher(
      [
        { key: '10', name: 'Blue Harbor Shipping Inc.' },
        { key: '11', name: 'Atlas Freight PLC' },
      ],
      [{ name: 'Blue Harbor Shipping Inc', key: '11', rows: 2 }],
      DEFAULT_MATCH_OPTIONS.fuzzy,
    );
    const d = m.match('blue harbor shipping inc.');
    expect(d.outcome).toBe('ambiguous');
    expect(d.reason).toMatch(/2 different masters \(10, 11 by an alias: "Blue Harbor Shipping Inc"\)$/);
    // learned from one row only: the name matches master 10, the alias says 11
    const one = createMatcher(
      [
        { key: '10', name: 'Blue Harbor Shipping Inc.' },
        { key: '11', name: 'Atlas Freight PLC' },
      ],
      [{ name: 'Blue Harbor Shipping Inc', key: '11', rows: 1 }],
      DEFAULT_MATCH_OPTIONS.fuzzy,
    ).match('blue harbor shipping inc.');
    expect(one.outcome).toBe('ambiguous');
    expect(one.reason).toBe(
      'known alias "Blue Harbor Shipping Inc" of Atlas Freight PLC (11) comes from one linked row, and the name matches 10: ambiguous',
    );
    expect(one.candidates.map((c) => c.key)).toEqual(['10', '11']);
  });
});
