import { describe, expect, it } from 'vitest';
import { decide, FILLER, linkOf } from '../helpers/match.js';
import { buildIndex } from '../../src/match/matcher-index.js';
import { soleExpansion } from '../../src/match/expansion.js';
import { DEFAULT_MATCH_OPTIONS } from '../../src/match/index.js';

/**
 * A clerk's abbreviation with one reading in the scope (expansion.ts, issue #16 lab11): a name word that is no word of
 * the scope, cut from the start of one word of its masters' names (or a known contraction of it), is read as that word.
 */
const readingIn = (names: string[], t: string): readonly string[] | null =>
  soleExpansion(buildIndex([...names.map((name, i) => ({ key: `M${i}`, name })), ...FILLER], [], DEFAULT_MATCH_OPTIONS.fuzzy), t);

describe("a clerk's abbreviation with one reading in the scope", () => {
  // each beside a master sharing the name's other words, so no rule of containment links it (before: review, 0.78 and
  // 0.87)
  const us = [
    { key: 'D', name: 'Dermatology Associates of Tennessee, P.C.' },
    { key: 'A', name: 'Anesthesia Associates of Tennessee' },
    { key: 'E', name: 'U.S. Department of Energy' },
    { key: 'S', name: 'U.S. Department of State' },
  ];

  it('links the master whose word it cuts', () => {
    expect(linkOf(us, 'Derm Associates of TN')).toBe('D');
    expect(linkOf(us, 'US Dept of Energy')).toBe('E');
    const d = decide(us, 'Derm Associates of TN');
    expect(d.candidates[0]!.signals.abbreviation).toBe('derm~dermatology');
    // below a name written in full
    expect(d.score).toBeLessThan(1);
    expect(d.score).toBeGreaterThanOrEqual(0.88);
  });

  it('counts a word and its plural as one reading; two words it cuts are no reading', () => {
    expect(readingIn(['Annapurna Electronic Parts Ltd', 'Bharat Electronics Ltd'], 'elec')).toEqual(['electronic', 'electronics']);
    expect(readingIn(['Kwong Lee Electronic Components Ltd', 'Man Yue Electric Co'], 'elec')).toBeNull();
    // "Derm" beside Dermatology and Dermal: no reading, review as before
    expect(linkOf([...us, { key: 'X', name: 'Dermal Associates of Tennessee' }], 'Derm Associates of TN')).toBeNull();
  });

  it('reads a known contraction by the one word of the scope it stands for', () => {
    expect(readingIn(['Pine Crest Pathology Associates, S.C.'], 'assoc')).toEqual(['associates']);
    expect(readingIn(['Saint Mary Hospital', 'Main Street Deli'], 'st')).toBeNull();
  });

  it('reads no word of the scope, no word cut after a vowel, no compound whose rest is a word of the scope', () => {
    // a word of the scope is its own word ("Star" beside Starlight)
    expect(readingIn(['Starlight Mining Ltd', 'Star Logistics Ltd'], 'star')).toBeNull();
    // "Reno" is a city, "Pharma" a word of its own, "Ekene" a given name: cut after a vowel, no clerk's cut
    expect(readingIn(['Rénovations Pelletier inc.'], 'reno')).toBeNull();
    expect(readingIn(['Annapurna Pharmaceuticals Ltd.'], 'pharma')).toBeNull();
    expect(readingIn(['Ekenedilichukwu Stores'], 'ekene')).toBeNull();
    // "Gold" beside Goldfields where the scope writes "Fields"
    expect(readingIn(['Goldfields Mining Ltd', 'Green Fields Farm'], 'gold')).toBeNull();
    // a city is no cut of another ("Bern" / Berlin)
    expect(readingIn(['Hotel Berlin GmbH'], 'bern')).toBeNull();
    // three letters, a person's name, a function word
    expect(readingIn(['Medizintechnik Lübben GmbH'], 'med')).toBeNull();
    expect(readingIn(['Christensen Farms'], 'chris')).toBeNull();
  });

  it('never reads a start of a word in Hangul or Han', () => {
    expect(readingIn(['(주)대덕전자', '(주)한진'], '대덕')).toBeNull();
  });

  it("never takes a parent's name for its campus whose place was cut from its key", () => {
    const ms = [
      { key: 'L', name: 'University of California, Los Angeles' },
      { key: 'B', name: 'University of California, Berkeley' },
    ];
    expect(linkOf(ms, 'Univ. of California')).toBeNull();
  });

  it('keeps parent and subsidiary apart: the abbreviation reads one word, never the words left out', () => {
    const ms = [
      { key: 'P', name: 'Shenzhen Sunlord Electronics Co., Ltd.' },
      { key: 'C', name: 'Shenzhen Sunlord Electronics Trading Co., Ltd.' },
    ];
    // the parent's name written so is as near its subsidiary: review, never the subsidiary
    expect(linkOf(ms, 'Shenzhen Sunlord Elec Co Ltd')).not.toBe('C');
    expect(linkOf(ms, 'Shenzhen Sunlord Elec Trading Co Ltd')).toBe('C');
    // a master holding every word of the name as read, and more: the name may be cut from it (held for review)
    const held = [
      { key: 'C', name: 'Kobayashi Chemical Corporation' },
      { key: 'H', name: 'Kobayashi Chemical Holdings Corporation' },
    ];
    expect(decide(held, 'Kobayashi Chem Corp').outcome).not.toBe('linked');
    // a namesake with another word: never linked
    expect(linkOf(ms, 'Shenzhen Sunlord Elec Equipment Co Ltd')).toBeNull();
  });
});
