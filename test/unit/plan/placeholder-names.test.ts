import { describe, expect, it } from 'vitest';
import { scopeDecider } from '../../../src/plan/scope-decider.js';
import { placeholderReason } from '../../../src/plan/decide.js';
import { DEFAULT_MATCH_OPTIONS } from '../../../src/match/decide.js';

const masters = [
  { key: '1', name: 'Northstar Automotive PLC' },
  { key: '2', name: 'Unknown Pleasures Records Ltd' },
  { key: '3', name: 'X-Ray Imaging GmbH' },
];

describe('placeholder names in fuzzy and normalised plans', () => {
  it('are nobody’s acronym, typo or variant: unmatched with no candidate, said why', () => {
    for (const strategy of ['fuzzy', 'normalized'] as const) {
      const decide = scopeDecider({ masters, aliases: [], inactive: [] }, DEFAULT_MATCH_OPTIONS[strategy]);
      for (const name of ['N/A', 'n.a.', 'Unknown', 'X', 'tbd', '?', '-', '000']) {
        const d = decide(name, undefined);
        expect([name, d.outcome, d.candidates]).toEqual([name, 'unmatched', []]);
        expect(d.reason).toMatch(/never matched by similarity$/);
      }
      // a real name still matches
      expect(decide('Northstar Automotive plc', undefined).targetKey).toBe('1');
    }
  });

  it('a master named like a placeholder (a bucket customer) is linked by its name; a decided alias stands', () => {
    const bucket = [...masters, { key: '9', name: 'N/A' }];
    const decide = scopeDecider({ masters: bucket, aliases: [], inactive: [] }, DEFAULT_MATCH_OPTIONS.fuzzy);
    expect(decide('N/A', undefined)).toMatchObject({ outcome: 'linked', targetKey: '9' });
    expect(decide('n/a', undefined)).toMatchObject({ outcome: 'linked', targetKey: '9' });
    const aliased = scopeDecider({ masters, aliases: [{ name: 'unknown', key: '2', rows: 3 }], inactive: [] }, DEFAULT_MATCH_OPTIONS.fuzzy);
    expect(aliased('unknown', undefined)).toMatchObject({ outcome: 'linked', targetKey: '2' });
  });
});

describe('a reason that quotes a long name', () => {
  it('quotes its first 40 characters only', () => {
    expect(placeholderReason('?'.repeat(2001))).toBe(`only punctuation or symbols (${JSON.stringify(`${'?'.repeat(39)}…`)})`);
    expect(placeholderReason('N/A')).toBe('a placeholder, not a name ("N/A")');
  });
});
