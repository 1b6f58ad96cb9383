import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';
import { nameRole } from '../../src/match/names.js';

/**
 * A person's name in the other convention, surname first or last, without a comma (issue #16: Indian, Italian and
 * Spanish names in trial T8): the same person when the lists say which word is the given name and which the surname.
 */

describe("a person's names in the other order", () => {
  it('the lists know given names and surnames apart, and words that are both', () => {
    expect([nameRole('anjali'), nameRole('deshpande'), nameRole('thomas'), nameRole('qzxv')]).toEqual(['given', 'surname', null, null]);
  });
  it('links when one order begins with a given name only and the other with a surname only', () => {
    const masters = [
      { key: 'A', name: 'Anjali Deshpande' },
      { key: 'R', name: 'Ramesh Kumar Sharma' },
      { key: 'G', name: 'Giuseppe Esposito' },
    ];
    expect(linkOf(masters, 'Deshpande Anjali')).toBe('A');
    expect(linkOf(masters, 'SHARMA RAMESH KUMAR')).toBe('R');
    expect(linkOf(masters, 'Esposito Giuseppe')).toBe('G');
    // two surnames after two given names, as Spanish names are filed
    expect(linkOf([{ key: 'J', name: 'Juan Carlos Hernández López' }], 'HERNANDEZ LOPEZ JUAN CARLOS')).toBe('J');
  });
  it('…not when a word may be either ("Ryan Thomas" / Thomas Ryan), nor a firm, nor words that are not all the same', () => {
    expect(decide([{ key: 'T', name: 'Thomas Ryan' }], 'Ryan Thomas').outcome).not.toBe('linked');
    expect(linkOf([{ key: 'E', name: 'Giuseppe Esposito Srl' }], 'Esposito Giuseppe')).toBeNull();
    expect(linkOf([{ key: 'A', name: 'Anjali Deshpande' }], 'Deshpande Anjana')).toBeNull();
  });
});
