import { describe, expect, it } from 'vitest';
import { createMatcher, DEFAULT_MATCH_OPTIONS, MATCH_TUNING, type MasterRecord } from '../../src/match/index.js';

/**
 * A name that leaves out words of the one master of the scope holding all its words ("Chubb Fire" / Chubb Fire &
 * Security Pty Ltd): linked at MATCH_TUNING.soleHolderScore when nothing else of the scope could be meant
 * (src/match/sole-holder.ts, docs/matching.md).
 */
const fuzzy = DEFAULT_MATCH_OPTIONS.fuzzy;
const filler: MasterRecord[] = ['Northwind Traders', 'Contoso Pharmaceuticals', 'Fabrikam Logistics', 'Tailspin Toys', 'Litware Books'].map(
  (name, i) => ({ key: `f${i}`, name }),
);
const match = (masters: MasterRecord[], name: string) => createMatcher([...masters, ...filler], [], fuzzy).match(name);
const one = (name: string) => [{ key: 'm', name }];

describe('a name that drops words of the one master holding its words', () => {
  it.each([
    ['Chubb Fire', 'Chubb Fire & Security Pty Ltd'],
    ['Kotak Bank', 'Kotak Mahindra Bank Limited'],
    ['Cascadia Outdoor', 'Cascadia Outdoor Gear LLC'],
    ['Carpas del Norte', 'Carpas y Estructuras del Norte S.L.'],
    ['Houghton Mifflin Harcourt', 'Houghton Mifflin Harcourt Publishing Company'],
  ])('links %j to %j, below unique containment', (name, master) => {
    const d = match(one(master), name);
    expect(d).toMatchObject({ outcome: 'linked', targetKey: 'm', score: MATCH_TUNING.soleHolderScore });
    expect(d.candidates[0]!.signals['containment']).toBe('sole-holder');
    expect(MATCH_TUNING.soleHolderScore).toBeGreaterThanOrEqual(fuzzy.autoLinkAt);
    expect(MATCH_TUNING.soleHolderScore).toBeLessThan(MATCH_TUNING.containmentScore);
    // a stricter threshold keeps it for review, first
    const strict = createMatcher([...one(master), ...filler], [], { ...fuzzy, autoLinkAt: 0.92 }).match(name);
    expect(strict.outcome).toBe('review');
    expect(strict.candidates[0]!.key).toBe('m');
  });

  it('is deterministic', () => {
    const a = match(one('Chubb Fire & Security Pty Ltd'), 'Chubb Fire');
    const b = match(one('Chubb Fire & Security Pty Ltd'), 'Chubb Fire');
    expect(a).toEqual(b);
  });

  it.each([
    // its own legal form: a company of its own
    ['Boral Limited', 'Boral Resources Pty Ltd'],
    // one word as written: a bare brand names a group as often as the one firm of it
    ['VolkerStevin', 'Volker Stevin Materieel'],
    ['Stannah', 'Stannah Stairlifts Limited'],
    // the added words in a segment of their own: a unit, site or national company of the firm named
    ['Univerza v Mariboru', 'Univerza v Mariboru. Fakulteta za strojnistvo'],
    ['Spectrum Brands', 'Spectrum Brands (United Kingdom)'],
    ['Chulalongkorn University', 'Faculty of Pharmaceutical Sciences, Chulalongkorn University'],
    // an institution the master is a body of
    ['Massachusetts General Hospital', 'Massachusetts General Hospital Physicians Organization'],
    // a country, a code, a group's word, a body of its own, a number, only generic words
    ['Customs Expert', 'Customs Expert Germany LLC'],
    ['Wolters Kluwer', 'Wolters Kluwer CR'],
    ['Thai Union', 'Thai Union Group Public Company Limited'],
    ['Burroughs Wellcome', 'Burroughs Wellcome Fund'],
    ['Lindqvist Harold', 'Estate of Lindqvist Harold'],
    ['Marchetti Dynasty', 'Marchetti 2012 Dynasty'],
    ['Hewlett Packard', 'Hewlett Packard Enterprise Company'],
    // the name's words in another order
    ['Modena Nuoto', 'Nuoto Modena Sportiva'],
    // a person: a middle name, a second surname or a spouse may be another person of the family
    ['Sarah Goldberg', 'Daniel & Sarah Goldberg'],
    ['Paulo Gehlen', 'Paulo Roberto Gehlen'],
  ])('does not link %j to %j', (name, master) => {
    const d = match(one(master), name);
    expect(d.outcome).not.toBe('linked');
    expect(d.candidates[0]?.signals['containment']).not.toBe('sole-holder');
  });

  it('not when another master of the scope holds one of the kept words', () => {
    const d = match(
      [
        { key: 'fire', name: 'Chubb Fire & Security Pty Ltd' },
        { key: 'ins', name: 'Chubb Insurance Australia Ltd' },
      ],
      'Chubb Fire',
    );
    expect(d.outcome).not.toBe('linked');
    expect(d.candidates[0]!.key).toBe('fire');
  });

  it('not when a word the name leaves out tells the master from others (the dropped-word cap stands)', () => {
    const d = match(
      [
        { key: 'mgmw', name: 'MGM Worldwide Television' },
        { key: 'amgm', name: 'Amazon MGM Studios' },
        { key: 'fuji', name: 'Fuji Television' },
      ],
      'MGM Television',
    );
    expect(d.outcome).toBe('review');
    expect(d.candidates[0]!.score).toBe(MATCH_TUNING.droppedWordCap);
  });

  it('the group reading of a name equal to a master still stands', () => {
    const d = match(
      [
        { key: 'a', name: 'Fiera Milano S.p.A.' },
        { key: 'b', name: 'Fiera Milano Congressi S.p.A.' },
      ],
      'Fiera Milano',
    );
    expect(d.outcome).toBe('ambiguous');
  });
});
