import { describe, expect, it } from 'vitest';
import { createMatcher, DEFAULT_MATCH_OPTIONS, isAbbreviation, normalizeName, reconcileJoins, type MasterRecord } from '../../src/match/index.js';

/** Name phenomena beyond typos (issue #16): each links when it identifies exactly one master, and never otherwise. */
const fuzzy = DEFAULT_MATCH_OPTIONS.fuzzy;
const linkOf = (masters: MasterRecord[], name: string): string | null => {
  const d = createMatcher(masters, [], fuzzy).match(name);
  return d.outcome === 'linked' ? d.targetKey : null;
};

describe('abbreviation <-> expansion', () => {
  it('recognises truncations, contractions and consonant skeletons in several languages', () => {
    for (const [s, l] of [
      ['intl', 'international'], ['mfg', 'manufacturing'], ['assn', 'association'], ['univ', 'university'], ['dept', 'department'],
      ['svcs', 'services'], ['bros', 'brothers'], ['ctr', 'center'], ['mgmt', 'management'], ['internat', 'international'],
      ['gebr', 'gebruder'], ['coop', 'cooperative'], ['abt', 'abteilung'],
    ] as const) expect([s, l, isAbbreviation(s, l)]).toEqual([s, l, true]);
  });
  it('is not an abbreviation when a vowel follows the shared prefix, or the forms are too close in length', () => {
    expect(isAbbreviation('fey', 'flannery')).toBe(false);
    expect(isAbbreviation('sana', 'samantha')).toBe(false);
    expect(isAbbreviation('bank', 'banks')).toBe(false);
    expect(isAbbreviation('in', 'international')).toBe(false);
  });
  it('links an abbreviated word to the one master it expands to', () => {
    const masters = [{ key: 'A', name: 'Northwind Manufacturing Ltd' }, { key: 'B', name: 'Southwind Trading Ltd' }, { key: 'C', name: 'Northwind Logistics Ltd' }];
    expect(linkOf(masters, 'Northwind Mfg Ltd')).toBe('A');
    expect(linkOf(masters, 'Northwind Manuf. Ltd')).toBe('A');
  });
  it('a short word that is a word of its own in the scope is not read as an abbreviation (Jack / Jackson)', () => {
    const masters = [{ key: 'P1', name: 'Jack Carbone' }, { key: 'P2', name: 'Jack Moss' }, { key: 'P3', name: 'Ann Smith' }];
    expect(linkOf(masters, 'Jackson Carbone')).toBeNull();
  });
});

describe('parenthesised acronyms', () => {
  it('drops "(ACRO)" when it spells the words before it', () => {
    expect(normalizeName('World Health Organization (WHO)').key).toBe('world health organization');
    expect(normalizeName('Bank of America (BoA)').key).toBe('bank of america');
    expect(normalizeName('Acme Widgets Ltd (AWL)').key).toBe('acme widgets');
    expect(normalizeName('Acme Widgets Ltd (AWL)').rules).toContain('acronym');
  });
  it('keeps a parenthesised word that is not an acronym of the name', () => {
    expect(normalizeName('Novartis (Mexico)').key).toBe('novartis mexico');
    expect(normalizeName('Acme Widgets (XYZ)').key).toBe('acme widgets xyz');
  });
});

describe('joined and split words', () => {
  it('splits a run-together word and joins a split one against the entry', () => {
    expect(reconcileJoins(['bluewater', 'energy'], ['blue', 'water', 'energy'])).toEqual(['blue', 'water', 'energy']);
    expect(reconcileJoins(['inter', 'national', 'paper'], ['international', 'paper'])).toEqual(['international', 'paper']);
    expect(reconcileJoins(['acme', 'paper'], ['acme', 'paper'])).toEqual(['acme', 'paper']);
  });
  it('links them', () => {
    const masters = [{ key: 'A', name: 'Blue Water Energy' }, { key: 'B', name: 'Red Water Energy' }, { key: 'C', name: 'Harbourside Holdings' }];
    expect(linkOf(masters, 'Bluewater Energy')).toBe('A');
    expect(linkOf(masters, 'Harbour side Holdings')).toBe('C');
  });
});

describe('unique containment: qualifiers around exactly one master', () => {
  const masters = [
    { key: 'K', name: 'Kestrel Analytics Ltd' },
    { key: 'M', name: 'Marlow Foods' },
    { key: 'P', name: 'Pinecrest' },
    { key: 'PB', name: 'Pinecrest Bank' },
    { key: 'Q', name: 'Quillon Partners' },
  ];
  it('links branch, site, unit and city qualifiers before or after the name', () => {
    for (const n of ['Kestrel Analytics Ltd - Leeds Branch', 'Kestrel Analytics (Porto)', 'Kestrel Analytics Leeds', 'Munich Kestrel Analytics',
      'Kestrel Analytics Ltd, Accounts Payable', 'Payroll - Kestrel Analytics', 'Kestrel Analytics Warehouse Bristol', 'Marlow Foods Niederlassung Leipzig']) {
      expect([n, linkOf(masters, n)]).toEqual([n, n.includes('Marlow') ? 'M' : 'K']);
    }
  });
  it('links a short unit name in a segment of its own, never a longer or numbered one or a qualified name with a business word', () => {
    expect(linkOf(masters, 'Kestrel Analytics, Finance Team')).toBe('K');
    expect(linkOf(masters, 'Customer Service - Kestrel Analytics')).toBe('K');
    expect(linkOf(masters, 'Office of Research and Creative Activities - Kestrel Analytics')).toBeNull();
    expect(linkOf(masters, 'Kestrel Analytics, Team 2')).toBeNull();
    expect(linkOf(masters, 'Kestrel Analytics Nigeria, IT Department')).toBeNull();
  });
  it('never when the extra word names another business ("Bank") or a country (a national subsidiary)', () => {
    expect(linkOf(masters, 'Kestrel Analytics Insurance')).toBeNull();
    expect(linkOf(masters, 'Kestrel Analytics Germany')).toBeNull();
    expect(linkOf(masters, 'Kestrel Analytics (Switzerland)')).toBeNull();
  });
  it('never when the qualified name carries its own legal form (a separate company)', () => {
    expect(linkOf(masters, 'Marlow Foods Leeds GmbH')).toBeNull();
  });
  it('never when parent and child are both masters', () => {
    expect(linkOf(masters, 'Pinecrest - Leeds Branch')).toBeNull();
    expect(linkOf(masters, 'Pinecrest Bank - Leeds Branch')).toBeNull();
  });
  it('a name contained in exactly one master links only when the master adds nothing but its legal form', () => {
    const ms = [{ key: 'A', name: 'Orbital Dynamics Corporation' }, { key: 'B', name: 'Tidewater Group' }, { key: 'C', name: 'Lantern Books' }];
    expect(linkOf(ms, 'Orbital Dynamics')).toBe('A');
    expect(linkOf(ms, 'Tidewater')).toBeNull(); // "Tidewater" may be another company of the group
  });
});

describe('initials', () => {
  it('J. Smith links to John Smith only when he is the one J. Smith', () => {
    expect(linkOf([{ key: 'J', name: 'John Abernathy Smith' }, { key: 'K', name: 'Kate Brown' }], 'J. Abernathy Smith')).toBe('J');
    expect(linkOf([{ key: 'J', name: 'John Abernathy Smith' }, { key: 'K', name: 'Jane Abernathy Smith' }], 'J. Abernathy Smith')).toBeNull();
  });
});

describe('word order', () => {
  it('ranks a reordered name first but leaves it to review ("Ryan William" may be another person)', () => {
    const d = createMatcher([{ key: 'W', name: 'William Ryan' }, { key: 'X', name: 'Wilma Rook' }], [], fuzzy).match('Ryan William');
    expect(d.outcome).toBe('review');
    expect(d.candidates[0]!.key).toBe('W');
  });
});

describe('determinism', () => {
  it('same masters in another order give the same decisions', () => {
    const ms = [{ key: 'A', name: 'Kestrel Analytics' }, { key: 'B', name: 'Kestrel Aviation' }, { key: 'C', name: 'Intl Paper Mfg' }];
    const names = ['Kestrel Analytics Leeds', 'Kestrel (Porto)', 'International Paper Manufacturing', 'Kestrel Anlytcs'];
    const a = createMatcher(ms, [], fuzzy);
    const b = createMatcher([...ms].reverse(), [], fuzzy);
    for (const n of names) expect(JSON.stringify(b.match(n))).toEqual(JSON.stringify(a.match(n)));
  });
});
