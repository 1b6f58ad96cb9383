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

describe("a name written as an inactive master's name in capitals or with a double space", () => {
  it('names that master, not an active one whose name differs by its legal form (a new user\'s trial: "MARGIE INDUSTRIES OY")', () => {
    for (const strategy of ['fuzzy', 'normalized'] as const) {
      const decide = scopeDecider(
        {
          masters: [
            { key: '1', name: 'Müller GmbH' },
            { key: '5', name: 'Margie Industries Limited' },
            { key: '7', name: 'Golden Gate Supplies Corp' },
          ],
          aliases: [],
          inactive: [
            { key: '2', name: 'Müller GmbH & Co. KG' },
            { key: '6', name: 'Margie Industries Oy' },
            { key: '8', name: 'Golden Gate Supplies' },
          ],
        },
        DEFAULT_MATCH_OPTIONS[strategy],
      );
      for (const [name, inactiveKey] of [
        ['MÜLLER GMBH & CO. KG', '2'],
        ['Müller  GmbH & Co. KG', '2'],
        ['MARGIE INDUSTRIES OY', '6'],
        ['margie industries oy', '6'],
        ['Golden  Gate Supplies', '8'],
        ['GOLDEN GATE SUPPLIES', '8'],
      ] as const) {
        const d = decide(name, undefined);
        expect({ name, strategy, outcome: d.outcome, target: d.targetKey }).toEqual({ name, strategy, outcome: 'unmatched', target: null });
        expect(d.reason).toBe('only an inactive master matches this name (not linked)');
        expect(d.candidates.map((c) => c.key)).toEqual([inactiveKey]);
      }
      // the active master's own legal form, or none of the inactive one's, still links the active master
      expect(decide('MÜLLER GMBH', undefined)).toMatchObject({ outcome: 'linked', targetKey: '1' });
      expect(decide('MARGIE INDUSTRIES LTD', undefined)).toMatchObject({ outcome: 'linked', targetKey: '5' });
      expect(decide('golden gate supplies corp.', undefined)).toMatchObject({ outcome: 'linked', targetKey: '7' });
    }
  });
});

describe('a known alias without the legal form beside an inactive master spelled with it', () => {
  it("does not take a name written as the inactive master's name (a trial: TYRELL INDUSTRIES LTD, closed Tyrell Industries Ltd)", () => {
    for (const strategy of ['fuzzy', 'normalized'] as const) {
      const decide = scopeDecider(
        {
          masters: [{ key: '213', name: 'Tyrell Corporation' }],
          // rows named "Tyrell Industries" were linked to 213 before it was renamed
          aliases: [{ key: '213', name: 'Tyrell Industries', rows: 17 }],
          inactive: [{ key: '208', name: 'Tyrell Industries Ltd' }],
        },
        DEFAULT_MATCH_OPTIONS[strategy],
      );
      expect(decide('TYRELL INDUSTRIES LTD', undefined)).toMatchObject({ outcome: 'unmatched', targetKey: null });
      expect(decide('tyrell industries', undefined)).toMatchObject({ outcome: 'linked', targetKey: '213' });
    }
  });
});

describe('an inactive master that reads a name as nearly as the active master it would link', () => {
  const decide = scopeDecider(
    {
      masters: [
        { key: 'T', name: 'Võ Văn Thạnh' },
        { key: 'S', name: 'Succession Jean-Paul Gagnon' },
        { key: 'G', name: 'Gagnon, Marie-Claude' },
        { key: 'N', name: 'Nguyễn Văn An' },
      ],
      aliases: [],
      inactive: [
        { key: 'I', name: 'Võ Văn Thành' },
        { key: 'P', name: 'Gagnon, Jean-Paul' },
      ],
    },
    DEFAULT_MATCH_OPTIONS.fuzzy,
  );
  it('leaves it to review, the active master first and the inactive one beside it (two blind-trial links)', () => {
    for (const [name, active, inactive] of [
      // the accents gone: both masters' names once normalised
      ['Vo Van Thanh', 'T', 'I'],
      // the inactive person as read surname first, beside the active estate that holds his name
      ['GAGNON JEAN-PAUL', 'S', 'P'],
    ] as const) {
      const d = decide(name, undefined);
      expect(d.outcome, name).toBe('review');
      expect(d.targetKey).toBeNull();
      expect(d.candidates[0]?.key).toBe(active);
      expect(d.candidates.find((c) => c.key === inactive)?.active).toBe(false);
      expect(d.reason).toMatch(/inactive master/);
    }
  });
  it('names the inactive master when the name keeps its accents, whatever the case ("VÕ VĂN THÀNH")', () => {
    expect(decide('VÕ VĂN THÀNH', undefined)).toMatchObject({
      outcome: 'unmatched',
      reason: 'only an inactive master matches this name (not linked)',
    });
  });
  it("still links the active master's own name and its plain variants", () => {
    expect(decide('Võ Văn Thạnh', undefined)).toMatchObject({ outcome: 'linked', targetKey: 'T' });
    expect(decide('VÕ VĂN THẠNH', undefined)).toMatchObject({ outcome: 'linked', targetKey: 'T' });
    expect(decide('Succession Jean-Paul Gagnon', undefined)).toMatchObject({ outcome: 'linked', targetKey: 'S' });
    expect(decide('Nguyen Van An', undefined)).toMatchObject({ outcome: 'linked', targetKey: 'N' });
  });
});

describe('an active and an inactive master a legal form apart, the name written without it', () => {
  it('links the active one, as before ("Château Peyrolle": the SAS, not the closed SCEA)', () => {
    const decide = scopeDecider(
      {
        masters: [
          { key: 'A', name: 'Château Peyrolle SAS' },
          { key: 'B', name: 'Domaine des Trois Puits' },
        ],
        aliases: [],
        inactive: [{ key: 'I', name: 'SCEA Château Peyrolle' }],
      },
      DEFAULT_MATCH_OPTIONS.fuzzy,
    );
    expect(decide('Château Peyrolle', undefined)).toMatchObject({ outcome: 'linked', targetKey: 'A' });
  });
});
