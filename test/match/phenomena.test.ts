import { describe, expect, it } from 'vitest';
import {
  createMatcher,
  DEFAULT_MATCH_OPTIONS,
  expandInitials,
  explainScore,
  isAbbreviation,
  normalizeName,
  reconcileJoins,
  type MasterRecord,
} from '../../src/match/index.js';

/** Name phenomena beyond typos (issue #16): each links when it identifies exactly one master, and never otherwise. */
const fuzzy = DEFAULT_MATCH_OPTIONS.fuzzy;
const linkOf = (masters: MasterRecord[], name: string): string | null => {
  const d = createMatcher(masters, [], fuzzy).match(name);
  return d.outcome === 'linked' ? d.targetKey : null;
};

describe('abbreviation <-> expansion', () => {
  it('recognises truncations, contractions and consonant skeletons in several languages', () => {
    for (const [s, l] of [
      ['intl', 'international'],
      ['mfg', 'manufacturing'],
      ['assn', 'association'],
      ['univ', 'university'],
      ['dept', 'department'],
      ['svcs', 'services'],
      ['bros', 'brothers'],
      ['ctr', 'center'],
      ['mgmt', 'management'],
      ['internat', 'international'],
      ['gebr', 'gebruder'],
      ['coop', 'cooperative'],
      ['abt', 'abteilung'],
    ] as const)
      expect([s, l, isAbbreviation(s, l)]).toEqual([s, l, true]);
  });
  it('is not an abbreviation when a vowel follows the shared prefix, or the forms are too close in length', () => {
    expect(isAbbreviation('fey', 'flannery')).toBe(false);
    expect(isAbbreviation('sana', 'samantha')).toBe(false);
    expect(isAbbreviation('bank', 'banks')).toBe(false);
    expect(isAbbreviation('in', 'international')).toBe(false);
  });
  it('links an abbreviated word to the one master it expands to', () => {
    const masters = [
      { key: 'A', name: 'Northwind Manufacturing Ltd' },
      { key: 'B', name: 'Southwind Trading Ltd' },
      { key: 'C', name: 'Northwind Logistics Ltd' },
    ];
    expect(linkOf(masters, 'Northwind Mfg Ltd')).toBe('A');
    expect(linkOf(masters, 'Northwind Manuf. Ltd')).toBe('A');
  });
  it('a short word that is a word of its own in the scope is not read as an abbreviation (Jack / Jackson)', () => {
    const masters = [
      { key: 'P1', name: 'Jack Carbone' },
      { key: 'P2', name: 'Jack Moss' },
      { key: 'P3', name: 'Ann Smith' },
    ];
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
    const masters = [
      { key: 'A', name: 'Blue Water Energy' },
      { key: 'B', name: 'Red Water Energy' },
      { key: 'C', name: 'Harbourside Holdings' },
    ];
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
    for (const n of [
      'Kestrel Analytics Ltd - Leeds Branch',
      'Kestrel Analytics (Porto)',
      'Kestrel Analytics Leeds',
      'Munich Kestrel Analytics',
      'Kestrel Analytics Ltd, Accounts Payable',
      'Payroll - Kestrel Analytics',
      'Kestrel Analytics Warehouse Bristol',
      'Marlow Foods Niederlassung Leipzig',
    ]) {
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
    const ms = [
      { key: 'A', name: 'Orbital Dynamics Corporation' },
      { key: 'B', name: 'Tidewater Group' },
      { key: 'C', name: 'Lantern Books' },
    ];
    expect(linkOf(ms, 'Orbital Dynamics')).toBe('A');
    expect(linkOf(ms, 'Tidewater')).toBeNull(); // "Tidewater" may be another company of the group
  });
});

describe('initials', () => {
  it('J. Smith links to John Smith only when he is the one J. Smith', () => {
    expect(
      linkOf(
        [
          { key: 'J', name: 'John Abernathy Smith' },
          { key: 'K', name: 'Kate Brown' },
        ],
        'J. Abernathy Smith',
      ),
    ).toBe('J');
    expect(
      linkOf(
        [
          { key: 'J', name: 'John Abernathy Smith' },
          { key: 'K', name: 'Jane Abernathy Smith' },
        ],
        'J. Abernathy Smith',
      ),
    ).toBeNull();
  });
});

describe('word order', () => {
  it('ranks a reordered name first but leaves it to review ("Ryan William" may be another person)', () => {
    const d = createMatcher(
      [
        { key: 'W', name: 'William Ryan' },
        { key: 'X', name: 'Wilma Rook' },
      ],
      [],
      fuzzy,
    ).match('Ryan William');
    expect(d.outcome).toBe('review');
    expect(d.candidates[0]!.key).toBe('W');
  });
});

describe('determinism', () => {
  it('same masters in another order give the same decisions', () => {
    const ms = [
      { key: 'A', name: 'Kestrel Analytics' },
      { key: 'B', name: 'Kestrel Aviation' },
      { key: 'C', name: 'Intl Paper Mfg' },
    ];
    const names = ['Kestrel Analytics Leeds', 'Kestrel (Porto)', 'International Paper Manufacturing', 'Kestrel Anlytcs'];
    const a = createMatcher(ms, [], fuzzy);
    const b = createMatcher([...ms].reverse(), [], fuzzy);
    for (const n of names) expect(JSON.stringify(b.match(n))).toEqual(JSON.stringify(a.match(n)));
  });
});

/** A scope of people written "Given Surname", large enough for positions to be evidence (positionEvidence). */
const GIVEN = [
  'Amelia',
  'Oliver',
  'Isla',
  'Jack',
  'Charlotte',
  'Noah',
  'Mia',
  'Leo',
  'Ava',
  'Henry',
  'Grace',
  'Lucas',
  'Chloe',
  'Mason',
  'Zoe',
  'Ethan',
  'Ruby',
  'Harvey',
  'Ella',
  'Oscar',
];
const SUR = ['Nguyen', 'Kowalski', 'Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Haddad', 'Petrov'];
const people = (): MasterRecord[] => GIVEN.flatMap((g, i) => SUR.map((s, j) => ({ key: `${i}-${j}`, name: `${g} ${s}` })));

describe('surname-first order, vouched for by the scope', () => {
  it('links "Surname Given" when the scope never starts a name with the surname nor ends one with the given name', () => {
    const masters = [...people(), { key: 'W', name: 'William Ryan' }];
    expect(linkOf(masters, 'Ryan William')).toBe('W');
    expect(linkOf(masters, 'Tanaka Grace')).toBe(`${GIVEN.indexOf('Grace')}-${SUR.indexOf('Tanaka')}`);
    const d = createMatcher(masters, [], fuzzy).match('Ryan William');
    expect(d.candidates[0]!.signals['order']).toBe('surname-first');
  });
  it('leaves it to review when the scope uses the first word as a given name too ("Ryan Cooper")', () => {
    const masters = [...people(), { key: 'W', name: 'William Ryan' }, { key: 'R', name: 'Ryan Cooper' }];
    const d = createMatcher(masters, [], fuzzy).match('Ryan William');
    expect(d.outcome).toBe('review');
    expect(d.candidates[0]!.key).toBe('W');
  });
  it('leaves it to review in a scope too small for positions to mean anything (see "word order")', () => {
    expect(
      linkOf(
        [
          { key: 'W', name: 'William Ryan' },
          { key: 'X', name: 'Wilma Rook' },
        ],
        'Ryan William',
      ),
    ).toBeNull();
  });
});

describe('a typo with a single reading in the scope', () => {
  it('a word that is no word of the scope and one edit from exactly one word of it is read as that word, short words too', () => {
    const masters = [...people(), { key: 'J', name: 'Jarryd Reid' }, { key: 'M', name: 'Molly Clarke' }];
    expect(linkOf(masters, 'Jarryd Rei')).toBe('J');
    expect(linkOf(masters, 'Mloly Clarke')).toBe('M');
  });
  it('two readings are no single reading ("Rei": Reid or Rein)', () => {
    const masters = [...people(), { key: 'J', name: 'Jarryd Reid' }, { key: 'A', name: 'Anna Rein' }];
    expect(linkOf(masters, 'Jarryd Rei')).toBeNull();
  });
  it('a different first letter is another word, not a typo ("Best Customer" is not "Test Customer"; "Tst Customer" is)', () => {
    const masters = [
      { key: 'T', name: 'Test Customer' },
      { key: 'A', name: 'Acme Corporation' },
      { key: 'B', name: 'Beta Industries' },
    ];
    expect(linkOf(masters, 'Best Customer')).toBeNull();
    expect(linkOf(masters, 'Tst Customer')).toBe('T');
  });
});

describe('two names one edit apart are two names', () => {
  it('"Jordan White" is not a typo of "Jordyn White": both are known names, whether or not the scope has a Jordan', () => {
    const base = [...people(), { key: 'JW', name: 'Jordyn Whitcombe' }];
    // a word that is no name: a typo of Jordyn
    expect(linkOf(base, 'Jordyb Whitcombe')).toBe('JW');
    for (const masters of [base, [...base, { key: 'JS', name: 'Jordan Smith' }]]) {
      const d = createMatcher(masters, [], fuzzy).match('Jordan Whitcombe');
      expect(d.outcome).not.toBe('linked');
      expect(d.candidates[0]!.key).toBe('JW');
    }
  });
  it('another given or surname one or two letters away is another person, found first in review; a clipped form or a middle initial is the same name', () => {
    const masters = [
      ...people(),
      { key: 'PP', name: 'Paul Parker' },
      { key: 'DS', name: 'Daniel Stevens' },
      { key: 'MH', name: 'Michael Holmes' },
      { key: 'NT', name: 'Nicholas Turner' },
      { key: 'DP', name: 'Douglas Pryce' },
      { key: 'AV', name: 'Andrés Vázquez' },
    ];
    const m = createMatcher(masters, [], fuzzy);
    for (const [name, first] of [
      ['Paula Parker', 'PP'],
      ['Parker, Paula', 'PP'],
      ['Danielle Stevens', 'DS'],
      ['Michelle Holmes', 'MH'],
      ['Nicholas Tanner', 'NT'],
      ['Andrea Vazquez', 'AV'],
    ] as const) {
      const d = m.match(name);
      expect([name, d.outcome]).not.toEqual([name, 'linked']);
      expect([name, d.candidates[0]?.key]).toEqual([name, first]);
    }
    expect(linkOf(masters, 'Doug Pryce')).toBe('DP');
    expect(linkOf(masters, 'Paul Parkr')).toBe('PP');
    // a middle initial between the two words of the master's name is the same person; a trailing letter is not one
    expect(linkOf(masters, 'Paul R. Parker')).toBe('PP');
    expect(linkOf(masters, 'Paul Parker R')).toBeNull();
  });
});

describe('capped candidates are for review whatever the threshold', () => {
  it('a sibling (a word differs on both sides) is not auto-linked even with autoLinkAt below the cap', () => {
    const masters = [
      { key: 'M', name: 'Biblioteca delle Scienze Agrarie. Punto di servizio Economia. Università di Catania' },
      { key: 'X', name: 'Harbourside Holdings' },
    ];
    const low = { ...fuzzy, autoLinkAt: 0.75 };
    const d = createMatcher(masters, [], low).match('Biblioteca delle Scienze Agrarie. Punto di servizio Difesa. Università di Catania');
    expect(d.candidates[0]!.key).toBe('M');
    expect(d.candidates[0]!.signals['wordConflict']).toBe(true);
    expect(d.candidates[0]!.score).toBeGreaterThanOrEqual(0.75);
    expect(d.outcome).toBe('review');
  });
  it('an unvouched reordering neither', () => {
    const d = createMatcher(
      [
        { key: 'W', name: 'William Ryan' },
        { key: 'X', name: 'Wilma Rook' },
      ],
      [],
      { ...fuzzy, autoLinkAt: 0.75 },
    ).match('Ryan William');
    expect(d.outcome).toBe('review');
  });
});

describe('a word split by a stray space and misspelt', () => {
  it('joins two name words that together are one edit from a master word, only with near', () => {
    expect(reconcileJoins(['fergus', 'clarkg', 'e'], ['fergus', 'clarke'], true)).toEqual(['fergus', 'clarkge']);
    expect(reconcileJoins(['fergus', 'clarkg', 'e'], ['fergus', 'clarke'])).toEqual(['fergus', 'clarkg', 'e']);
    // a word of the entry is never swallowed by a near join
    expect(reconcileJoins(['clarkg', 'e'], ['clarke', 'e'], true)).toEqual(['clarkg', 'e']);
  });
  it('links it', () => {
    const masters = [...people(), { key: 'F', name: 'Fergus Clarke' }];
    expect(linkOf(masters, 'Fergus Clarkg e')).toBe('F');
  });
});

describe('a two-edit typo with a single reading', () => {
  it('a 5-7 letter word with no one-edit reading and exactly one scope word (same first letter) two edits away', () => {
    const masters = [...people(), { key: 'M', name: 'Marcus Parr' }];
    expect(linkOf(masters, 'Maruc Parr')).toBe('M');
    // a second reading two edits away (Mario) leaves it to review
    expect(linkOf([...masters, { key: 'C', name: 'Mario Duval' }], 'Maruc Parr')).toBeNull();
  });
});

describe('numbers are not initials', () => {
  it('"Warehouse 17" is not "Warehouse 1", nor "Hotel Berlin 21" "Hotel Berlin 2" (a digit never stands for a number)', () => {
    const masters = [
      { key: 'W1', name: 'Warehouse 1' },
      { key: 'H2', name: 'Hotel Berlin 2' },
      { key: 'H20', name: 'Hotel Berlin 20' },
      { key: 'N2', name: 'Ng Wei Ling #2' },
    ];
    for (const name of ['Warehouse 17', 'Hotel Berlin 21', 'Ng Wei Ling #230']) expect([name, linkOf(masters, name)]).toEqual([name, null]);
    expect(linkOf(masters, 'Warehouse 1')).toBe('W1');
  });
});

describe('acronyms and initials of a run of words', () => {
  const orgs: MasterRecord[] = [
    { key: 'MGH', name: 'Massachusetts General Hospital' },
    { key: 'MM', name: 'Mass Mutual' },
    { key: 'TFL', name: 'Transport for London' },
    { key: 'RSPCA', name: 'Royal Society for the Prevention of Cruelty to Animals' },
    { key: 'GM', name: 'General Motors Company' },
    { key: 'CFC', name: 'Chelsea Football Club' },
    { key: 'FFC', name: 'Fulham Football Club' },
    { key: 'RM', name: 'Real Madrid Club de Fútbol' },
    { key: 'OFB', name: 'Overseas Filipino Bank' },
  ];
  it("a capitalised one-word name that spells a master's initials makes it the first candidate; of 3+ letters and one master, it links", () => {
    const m = createMatcher(orgs, [], fuzzy);
    for (const [name, key, outcome] of [
      ['MGH', 'MGH', 'linked'],
      ['TfL', 'TFL', 'linked'],
      ['R.S.P.C.A.', 'RSPCA', 'linked'],
      ['GM', 'GM', 'review'],
    ] as const) {
      const d = m.match(name);
      expect([name, d.outcome, d.candidates[0]?.key, d.candidates[0]?.signals['acronym']]).toEqual([name, outcome, key, key.toLowerCase()]);
    }
    // two masters spelling it, or one only with its bracketed part, or a known alias only: review, whatever autoLinkAt
    const two = createMatcher([...orgs, { key: 'MGH2', name: 'Montreal General Hospital' }], [], { ...fuzzy, autoLinkAt: 0.5 });
    expect([two.match('MGH').outcome, two.match('MGH').score]).toEqual(['ambiguous', 0.8]);
    const bracket = createMatcher([{ key: 'AS', name: 'Amer Sports (United States)' }, ...orgs], [], { ...fuzzy, autoLinkAt: 0.5 });
    expect([bracket.match('ASUS').outcome, bracket.match('ASUS').candidates[0]?.key]).toEqual(['review', 'AS']);
    const alias = createMatcher(orgs, [{ key: 'GM', name: 'Specialty Cafe Bakery', rows: 2 }], { ...fuzzy, autoLinkAt: 0.5 });
    expect(alias.match('SCB').outcome).toBe('review');
    // explained as a rule (no word, character or sound parts)
    expect(explainScore(0.9, m.match('MGH').candidates[0]!.signals)).toEqual([{ signal: 'rule', label: 'rule: acronym', value: 0.9 }]);
    // lower case is a word, not an acronym
    expect(m.match('mgh').candidates.map((c) => c.key)).not.toContain('MGH');
  });
  it("a short word that spells the initials of a run of the master's words stands for them; never a function word, nor a restatement", () => {
    expect(expandInitials(['chelsea', 'fc'], ['chelsea', 'football', 'club'])).toEqual(['chelsea', 'football', 'club']);
    expect(expandInitials(['real', 'madrid', 'cf'], ['real', 'madrid', 'club', 'de', 'futbol'])).toEqual([
      'real',
      'madrid',
      'club',
      'de',
      'futbol',
    ]);
    expect(expandInitials(['bank', 'of', 'ame'], ['overseas', 'filipino', 'bank'])).toEqual(['bank', 'of', 'ame']);
    expect(expandInitials(['astellas', 'pharma', 'ap'], ['astellas', 'pharma'])).toEqual(['astellas', 'pharma', 'ap']);
    expect(linkOf(orgs, 'Chelsea FC')).toBe('CFC');
    expect(linkOf(orgs, 'Real Madrid CF')).toBe('RM');
    expect(linkOf(orgs, 'Bank of Ame.')).toBeNull();
  });
});
