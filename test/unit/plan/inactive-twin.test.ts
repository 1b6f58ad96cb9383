import { describe, expect, it } from 'vitest';
import { scopeDecider } from '../../../src/plan/scope-decider.js';
import { DEFAULT_MATCH_OPTIONS } from '../../../src/match/decide.js';

describe('an inactive master with the name beside active ones as near', () => {
  it('is no reason to call the name "only an inactive master matches": the active ones decide it (a new user\'s trial)', () => {
    // 'Beta' active, 'Beta' inactive, 'BETA' active: the name is the active ones' as much as the inactive one's
    const decide = (strategy: 'fuzzy' | 'normalized') =>
      scopeDecider(
        {
          masters: [
            { key: '1', name: 'Beta' },
            { key: '3', name: 'BETA' },
          ],
          aliases: [],
          inactive: [{ key: '2', name: 'Beta' }],
        },
        DEFAULT_MATCH_OPTIONS[strategy],
      );
    for (const strategy of ['fuzzy', 'normalized'] as const) {
      const d = decide(strategy)('Beta', undefined);
      expect(d.outcome).not.toBe('unmatched');
      expect(d.reason).not.toMatch(/inactive/);
      expect(d.candidates.map((c) => c.key).sort()).toEqual(['1', '3']);
    }
    // an inactive master nearer than every active one still names it: never linked to the active one
    const closed = scopeDecider(
      { masters: [{ key: '1', name: 'Müller GmbH' }], aliases: [], inactive: [{ key: '2', name: 'Müller GmbH & Co. KG' }] },
      DEFAULT_MATCH_OPTIONS.fuzzy,
    );
    expect(closed('Müller GmbH & Co. KG', undefined)).toMatchObject({
      outcome: 'unmatched',
      reason: 'only an inactive master matches this name (not linked)',
    });
  });
});
