import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { isAbbreviation } from '../../src/match/tokens.js';

/**
 * A consonant skeleton keeps its word's last y (tokens.ts isAbbreviation, issue #16 lab10): "Spclty" Specialty, "Vly"
 * Valley, "Cntry" Country, "Fcty" Factory, "Hvy" Heavy. A y anywhere else, or after a vowel, is no skeleton's.
 */
describe("a skeleton's last y", () => {
  it.each([
    ['spclty', 'specialty'],
    ['vly', 'valley'],
    ['cntry', 'country'],
    ['fcty', 'factory'],
    ['hvy', 'heavy'],
  ])('%j abbreviates %j', (short, long) => {
    expect(isAbbreviation(short, long)).toBe(true);
  });
  it.each([
    ['sty', 'study'], // the y is the word's own next letter, no skeleton: two letters apart only
    ['spcly', 'specialties'], // the long word does not end in y
    ['fay', 'factory'], // a vowel before the y
    ['amy', 'army'], // too short a long word
  ])('%j does not abbreviate %j', (short, long) => {
    expect(isAbbreviation(short, long)).toBe(false);
  });
  it('links a name that writes a word so', () => {
    const ms = [
      { key: 'D', name: 'Desert Sky Specialty Pharmacy Inc.' },
      { key: 'X', name: 'Big Sky Drug of Bozeman LLC' },
    ];
    expect(linkOf(ms, 'Desert Sky Spclty Pharmacy Inc')).toBe('D');
    expect(linkOf([{ key: 'B', name: 'Brazos Valley Trucking Co' }, ...ms], 'Brazos Vly Trkg Co')).toBe('B');
  });
});
