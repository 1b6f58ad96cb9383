import { describe, expect, it } from 'vitest';
import { sameNumber } from '../../src/match/tokens.js';
import { linkOf } from '../helpers/match.js';

/** A number written in figures or in words is one word (tokens.ts sameNumber): "1st Baptist Church" / First Baptist Church. */
describe('a number in figures and in words', () => {
  it('reads ordinals, cardinals to ten and generations', () => {
    expect(sameNumber('1st', 'first')).toBe(true);
    expect(sameNumber('tenth', '10th')).toBe(true);
    expect(sameNumber('2', 'two')).toBe(true);
    expect(sameNumber('3rd', 'iii')).toBe(true);
    expect(sameNumber('1st', 'second')).toBe(false);
    expect(sameNumber('2', 'second')).toBe(false);
    expect(sameNumber('11', 'eleven')).toBe(false);
  });
  it('links names that write the master number the other way', () => {
    const masters = [
      { key: 'B', name: 'First Baptist Church of Plattsburgh' },
      { key: 'T', name: 'Two Rivers Community Credit Union' },
      { key: 'S', name: '2 Sisters Food Group Limited' },
      { key: 'W', name: 'William H. Thornton III' },
    ];
    for (const [name, key] of [
      ['1st Baptist Church of Plattsburgh', 'B'],
      ['2 Rivers Community Credit Union', 'T'],
      ['Two Sisters Food Group Ltd', 'S'],
      ['William H. Thornton 3rd', 'W'],
    ] as const)
      expect([name, linkOf(masters, name)]).toEqual([name, key]);
  });
  it('another number is another church, fund or person', () => {
    expect(linkOf([{ key: 'B', name: 'First Baptist Church of Plattsburgh' }], '2nd Baptist Church of Plattsburgh')).toBeNull();
    expect(linkOf([{ key: 'W', name: 'William H. Thornton III' }], 'William H. Thornton 4th')).toBeNull();
  });
});
