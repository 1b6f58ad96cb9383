import { describe, expect, it } from 'vitest';
import { createMatcher, DEFAULT_MATCH_OPTIONS, explainScore, normalizeEvidence, type MasterRecord } from '../../src/match/index.js';

const fuzzy = DEFAULT_MATCH_OPTIONS.fuzzy;
/** A scope of people with [date of birth, postcode]: many share a postcode, each has its own date of birth. */
function people(): MasterRecord[] {
  const given = ['Anna', 'Ben', 'Carla', 'David', 'Emma', 'Felix', 'Greta', 'Hugo', 'Ida', 'Jonas', 'Karl', 'Lena'];
  const sur = ['Becker', 'Hoffmann', 'Schulz', 'Wagner', 'Fischer', 'Weber', 'Meyer', 'Koch', 'Richter', 'Klein'];
  const out: MasterRecord[] = [];
  let i = 0;
  for (const g of given) {
    for (const s of sur) {
      out.push({
        key: `k${i}`,
        name: `${g} ${s}`,
        evidence: [`19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`, i % 3 === 0 ? '10115' : `2${String(i).padStart(4, '0')}`],
      });
      i++;
    }
  }
  return out;
}
const sum = (xs: { value: number }[]): number => xs.reduce((a, x) => a + x.value, 0);

describe('evidence beyond the name (compare columns)', () => {
  const masters = [...people(), { key: 'X', name: 'Maximilian Obermayer', evidence: ['1961-04-02', '80331'] }];

  it('an agreeing rare value lifts a weak name; without the columns it stays in review', () => {
    const m = createMatcher(masters, [], fuzzy);
    const weak = 'Maxmilian Obermeir';
    const alone = m.match(weak);
    expect(alone.outcome).not.toBe('linked');
    const withCols = m.match(weak, ['1961-04-02', '80331']);
    expect(withCols.outcome).toBe('linked');
    expect(withCols.targetKey).toBe('X');
    expect(withCols.candidates[0]!.signals['evidenceAgree']).toBe(2);
    // Columns alone never link another given name: "Emil" for "Maximilian" reaches review, not a link.
    expect(m.match('Emil Obermayer', ['1961-04-02', '80331'])).toMatchObject({ outcome: 'review', targetKey: null });
  });

  it('a value that differs takes a strong name into review; a missing value says nothing', () => {
    const m = createMatcher(masters, [], fuzzy);
    const strong = 'Maximilian Obermayr';
    const plain = m.match(strong);
    expect(plain.outcome).toBe('linked');
    expect(m.match(strong, [null, null]).score).toBe(plain.score);
    expect(m.match(strong, ['', '   ']).score).toBe(plain.score);
    const other = m.match(strong, ['1975-11-30', '50667']);
    expect(other.outcome).toBe('review');
    expect(other.score!).toBeLessThan(plain.score!);
  });

  it('a common value is worth less than a rare one (term frequency), a value one edit away is neither', () => {
    const m = createMatcher(masters, [], fuzzy);
    const name = 'Anna Beker'; // k0: postcode 10115, which a third of the scope shares
    const base = m.match(name).candidates.find((c) => c.key === 'k0')!.score;
    const common = m.match(name, [null, '10115']).candidates.find((c) => c.key === 'k0')!.score;
    const rare = m.match(name, [masters[0]!.evidence![0]!, null]).candidates.find((c) => c.key === 'k0')!.score;
    expect(common).toBeGreaterThan(base);
    expect(rare).toBeGreaterThan(common);
    const typo = m.match(name, [null, '10116']).candidates.find((c) => c.key === 'k0')!;
    expect(typo.score).toBe(base);
    expect(typo.signals['evidenceNear']).toBe(1);
  });

  it('an exact name whose columns all differ is a namesake for review; two masters of one name are told apart', () => {
    const twins: MasterRecord[] = [
      ...people(),
      { key: 'J1', name: 'John Smith', evidence: ['1970-01-01', '10115'] },
      { key: 'J2', name: 'John Smith', evidence: ['1988-08-08', '20095'] },
      { key: 'S', name: 'Sarah Connor', evidence: ['1965-05-05', '90210'] },
    ];
    const m = createMatcher(twins, [], fuzzy);
    expect(m.match('John Smith').outcome).toBe('ambiguous');
    const picked = m.match('John Smith', ['1988-08-08', null]);
    expect(picked).toMatchObject({ outcome: 'linked', targetKey: 'J2' });
    expect(m.match('John Smith', ['1999-09-09', null]).outcome).toBe('ambiguous');
    expect(m.match('Sarah Connor').outcome).toBe('linked');
    expect(m.match('Sarah Connor', ['1977-07-07', '10115'])).toMatchObject({ outcome: 'review', targetKey: null });
    expect(m.match('Sarah Connor', ['1965-05-05', '10115']).outcome).toBe('linked');
  });

  it('the "why" waterfall still adds up, with the columns as its last step', () => {
    const m = createMatcher(masters, [], fuzzy);
    const c = m.match('Maxmilian Obermeir', ['1961-04-02', '99999']).candidates[0]!;
    const parts = explainScore(c.score, c.signals);
    expect(parts.at(-1)).toMatchObject({ signal: 'evidence', label: 'other columns: 1 agree, 1 differ' });
    expect(Math.abs(sum(parts) - c.score)).toBeLessThan(0.001);
  });

  it('values compare blind to case, accents, spaces and punctuation', () => {
    expect(normalizeEvidence(' NW1 6XE ')).toBe(normalizeEvidence('nw1-6xe'));
    expect(normalizeEvidence('Zürich')).toBe('zurich');
    expect(normalizeEvidence(' - ')).toBeNull();
  });

  it('the exact strategy ignores the columns', () => {
    const m = createMatcher(masters, [], DEFAULT_MATCH_OPTIONS.exact);
    expect(m.match('Maximilian Obermayer', ['1975-11-30', '50667']).outcome).toBe('linked');
  });
});
