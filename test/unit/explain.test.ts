import { describe, expect, it } from 'vitest';
import { createMatcher, DEFAULT_MATCH_OPTIONS, explainScore } from '../../src/match/index.js';

const sum = (xs: { value: number }[]): number => xs.reduce((a, x) => a + x.value, 0);

describe('explainScore: the "why" waterfall adds up to the score', () => {
  it('for candidates the matcher scored (fuzzy), including capped and penalised ones', () => {
    const m = createMatcher(
      [
        { key: '1', name: 'Test Customer' },
        { key: '2', name: 'Sezione matematica' },
        { key: '3', name: 'Acme GmbH' },
        { key: '4', name: 'Portfolio 2' },
        { key: '5', name: 'Braun Druck SARL' },
        { key: '6', name: 'William Ryan' },
      ],
      [],
      DEFAULT_MATCH_OPTIONS.fuzzy,
    );
    let seen = 0;
    for (const q of [
      'Tset Cstmr Hldgs',
      'Test Customers Group',
      'Sezione costruzioni',
      'Acme Inc',
      'Portfolio 3',
      'Zeta Widgets',
      'Braun Druck Ltd',
      'Ryan William',
    ]) {
      for (const c of m.match(q).candidates) {
        if (c.method !== 'fuzzy') continue;
        const parts = explainScore(c.score, c.signals ?? {});
        expect(parts.length).toBeGreaterThanOrEqual(3);
        expect(Math.abs(sum(parts) - c.score!)).toBeLessThan(0.001);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(3);
  });
  it('rule-based candidates are one step; unknown signals none', () => {
    expect(explainScore(1, { rule: 'exact name' })).toEqual([{ signal: 'rule', label: 'rule: exact name', value: 1 }]);
    expect(explainScore(0.5, {})).toEqual([]);
  });
});
