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
  it("in a small scope, a person's words the lists do not know, rotated and none placed the other way round by the scope: the same person", () => {
    // names the lists know neither way (a Maori, an Igbo, a Tamil name), as a bank export writes them: surname first
    const masters = [
      { key: 'T', name: 'Mr. Tamati Waaka' },
      { key: 'O', name: 'Dr. Adaeze Obinna' },
      { key: 'K', name: 'K. Thirunavukkarasu' },
    ];
    expect(linkOf(masters, 'WAAKA TAMATI')).toBe('T');
    expect(linkOf(masters, 'OBINNA ADAEZE')).toBe('O');
    expect(linkOf(masters, 'THIRUNAVUKKARASU K')).toBe('K');
    expect(decide(masters, 'WAAKA TAMATI').candidates[0]!.signals['order']).toBe('surname-first');
  });
  it("…not when the scope starts a name with the first word, nor a firm's words, nor a word that differs", () => {
    // "Waaka" starts another master's name here: the order proves nothing
    expect(
      linkOf(
        [
          { key: 'T', name: 'Tamati Waaka' },
          { key: 'W', name: 'Waaka Hemi' },
        ],
        'Waaka Tamati',
      ),
    ).toBeNull();
    // a firm's two words the other way round may be another firm
    expect(linkOf([{ key: 'P', name: 'Pacific Steel' }], 'Steel Pacific')).toBeNull();
    expect(linkOf([{ key: 'B', name: 'Adaeze Obinna Ltd' }], 'Obinna Adaeze')).toBeNull();
    // one word near, not the same
    expect(linkOf([{ key: 'T', name: 'Mr. Tamati Waaka' }], 'Waaka Tamatu')).toBeNull();
    // nothing says the words are a person's: words in another order (a review)
    expect(linkOf([{ key: 'H', name: 'Hard Rock' }], 'Rock Hard')).toBeNull();
    expect(linkOf([{ key: 'T', name: 'Tamati Waaka' }], 'Waaka Tamati')).toBeNull();
  });
});
