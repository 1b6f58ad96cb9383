import { describe, expect, it } from 'vitest';
import { createMatcher, DEFAULT_MATCH_OPTIONS, type MasterRecord } from '../../src/match/index.js';

const decide = (masters: MasterRecord[], name: string) => createMatcher(masters, [], DEFAULT_MATCH_OPTIONS.fuzzy).match(name);
const linkOf = (masters: MasterRecord[], name: string): string | null => {
  const d = decide(masters, name);
  return d.outcome === 'linked' ? d.targetKey : null;
};

describe('a master name written with its words cut short', () => {
  const masters = [
    { key: 'T', name: 'Transportes de Carga del Norte S.A.' },
    { key: 'B', name: 'Brasserie des Trois Moulins' },
    { key: 'V', name: 'Pieter van Dijk Transport' },
    { key: 'O', name: 'Omega Logistics Ltd' },
  ];
  it('drops the articles and prepositions an abbreviated name leaves out', () => {
    expect(linkOf(masters, 'Transp. Carga Norte S.A.')).toBe('T');
    expect(decide(masters, 'Transp. Carga Norte S.A.').candidates[0]!.signals['containment']).toBe('equal');
    expect(linkOf(masters, 'Brass. Trois Moulins')).toBe('B');
  });
  it('not without a word cut short, nor a name particle', () => {
    // no abbreviation: the scorer's business, as before
    expect(decide(masters, 'Transportes Carga Norte S.A.').candidates[0]!.signals['containment']).toBeUndefined();
    // "van" is part of a surname, not an article
    expect(decide(masters, 'Pieter Dijk Transp.').candidates[0]?.signals['containment']).toBeUndefined();
  });
});

describe('a two-word master equal up to a word cut short', () => {
  it('is the reading beside a master the name contains', () => {
    const masters = [
      { key: 'C', name: 'Kobayashi Chemical Corporation' },
      { key: 'K', name: 'Kobayashi Corporation' },
    ];
    expect(linkOf(masters, 'Kobayashi Chem. Corp.')).toBe('C');
  });
  it('is not when another master holds its words and more (the name may be cut from that one)', () => {
    const masters = [
      { key: 'C', name: 'Kobayashi Chemical Corporation' },
      { key: 'H', name: 'Kobayashi Chemical Holdings Corporation' },
    ];
    expect(linkOf(masters, 'Kobayashi Chem. Corp.')).toBeNull();
  });
  it('is not for a person: "Alex Webb" is no one reading of Alexander Webb beside another Webb', () => {
    const masters = [
      { key: 'A', name: 'Alexander Webb' },
      { key: 'W', name: 'Webb' },
    ];
    expect(linkOf(masters, 'Alex Webb')).toBeNull();
  });
});

describe("the master's middle initial left out inside a longer name", () => {
  it('links "Est. of Walter Brennan" to Estate of Walter J. Brennan, the one such master', () => {
    expect(linkOf([{ key: 'E', name: 'Estate of Walter J. Brennan' }], 'Est. of Walter Brennan')).toBe('E');
    expect(
      linkOf(
        [
          { key: 'T', name: 'Dorothy M. Abernathy Revocable Trust' },
          { key: 'X', name: 'Abernathy Farms' },
        ],
        'Dorothy Abernathy Rev Trust',
      ),
    ).toBe('T');
  });
  it('not when the letter is not between two words the name writes side by side, nor beside a second such master', () => {
    expect(
      decide([{ key: 'E', name: 'Estate of Walter J. Brennan' }], 'Est. of Brennan Walter').candidates[0]?.signals['containment'],
    ).toBeUndefined();
    const two = [
      { key: 'J', name: 'Estate of Walter J. Brennan' },
      { key: 'K', name: 'Estate of Walter K. Brennan' },
    ];
    expect(linkOf(two, 'Est. of Walter Brennan')).toBeNull();
  });
});
