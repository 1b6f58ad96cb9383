import { describe, expect, it } from 'vitest';
import { consonants, twoGivenNames, typed } from '../../src/match/names.js';
import { decide, linkOf } from '../helpers/match.js';

/**
 * A person's given name one or two letters from another given name (issue #16, lab12): where both are given names the
 * lists know (gender-detection-from-name's too) and the difference is no slip of typing and no spelling of one name,
 * they are two people; a slip of typing, a romanisation or a clipped form stays one person.
 */
describe('two given names one or two letters apart', () => {
  it('a slip of typing: letters left out or added, two swapped, a neighbouring key; nothing else', () => {
    expect(typed('kye', 'kyle')).toBe(true);
    expect(typed('cailin', 'caitlin')).toBe(true);
    expect(typed('jamea', 'james')).toBe(true); // s and a are neighbours
    expect(typed('anan', 'anna')).toBe(true);
    expect(typed('mete', 'mette')).toBe(true);
    expect(typed('arif', 'asif')).toBe(false); // r and s are not
    expect(typed('keiji', 'kenji')).toBe(false);
    expect(typed('masoud', 'mahmoud')).toBe(false); // two changes, not only letters left out
  });

  it("a name's spellings and romanisations keep its consonants", () => {
    expect(consonants('khaled')).toBe(consonants('khalid'));
    expect(consonants('fatima')).toBe(consonants('fathima'));
    expect(consonants('mohamed')).toBe(consonants('muhammad'));
    expect(consonants('karthick')).toBe(consonants('karthik'));
    expect(consonants('tidjane')).toBe(consonants('tidiane'));
    expect(consonants('tenzing')).toBe(consonants('tenzin'));
    expect(consonants('masoud')).not.toBe(consonants('mahmoud'));
  });

  it('two given names: another consonant, or two sexes', () => {
    expect(twoGivenNames('masoud', 'mahmoud')).toBe(true);
    expect(twoGivenNames('keiji', 'kenji')).toBe(true);
    expect(twoGivenNames('arif', 'asif')).toBe(true);
    expect(twoGivenNames('franziska', 'franz')).toBe(true);
    expect(twoGivenNames('khaled', 'khalid')).toBe(false);
    expect(twoGivenNames('kye', 'kyle')).toBe(false);
    expect(twoGivenNames('matt', 'matthew')).toBe(false);
    // a word no given-name list has is no given name ("Shazam")
    expect(twoGivenNames('shazam', 'shazad')).toBe(false);
  });

  const ms = [
    { key: 'HM', name: 'Hosseini, Seyed Mahmoud' },
    { key: 'KS', name: 'Kenji Saitō' },
    { key: 'MA', name: 'Muhammad Asif' },
    { key: 'FP', name: 'Penner, Franz' },
    { key: 'KH', name: 'Khalid Hamad Al-Marri' },
    { key: 'KB', name: 'Kyle Brain' },
    { key: 'SR', name: 'San Roque Rice Mill' },
  ];

  it('keeps a namesake for review, the master first', () => {
    for (const [name, key] of [
      ['Hosseini, Seyed Masoud', 'HM'],
      ['Keiji Saito', 'KS'],
      ['Muhammad Arif', 'MA'],
    ] as const) {
      const d = decide(ms, name);
      expect(d.outcome, name).not.toBe('linked');
      expect(d.candidates[0]!.key, name).toBe(key);
    }
    // a woman's name beside a man's name it begins with
    expect(linkOf(ms, 'Penner, Franziska')).toBeNull();
  });

  it('still links a romanisation, a slip of typing and a word of a firm', () => {
    expect(linkOf(ms, 'Khaled Hamad Almarri')).toBe('KH');
    expect(linkOf(ms, 'Kye Brain')).toBe('KB');
    expect(linkOf(ms, 'San Rogue Rice Mill')).toBe('SR');
  });
});
