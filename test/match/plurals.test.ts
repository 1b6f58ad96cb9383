import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';

/**
 * A word in the singular and the plural is one word (issue #16; read off the even trial sets' misses: T4, T10, T14
 * wrote `Electrical` for Electricals, `Plastic` for Plastics, `Transport` for Transports), unless it is a person's
 * name or a word of the scope's masters that is no trade word.
 */
describe('singular and plural of one word', () => {
  it('links a name that writes a word of the master in the singular or the plural, the other form also a word of the scope', () => {
    // alone, the other form is a one-edit typo with one reading; beside a master that has it, it was two words
    const plastic = { key: 'X', name: 'Dongguan Yuxing Plastic Products Factory' };
    expect(linkOf([{ key: 'F', name: 'Formosa Plastics Corporation' }, plastic], 'Formosa Plastic Corp')).toBe('F');
    const transport = { key: 'X', name: 'Transport Verbist & Zonen BV' };
    expect(linkOf([{ key: 'D', name: 'Transports Dumoulin SRL' }, transport], 'Transport Dumoulin')).toBe('D');
    const chemicals = { key: 'X', name: 'Hanwha Chemicals Corporation' };
    expect(linkOf([{ key: 'L', name: 'Lotte Chemical Corporation' }, chemicals], 'Lotte Chemicals Corporation')).toBe('L');
    const ms = [
      { key: 'B', name: 'Bajaj Electricals Limited' },
      { key: 'S', name: 'Bright Spark Electrical Services Pty Ltd' },
    ];
    expect(linkOf(ms, 'Bajaj Electrical Ltd')).toBe('B');
  });
  it("never reads a person's name as another's plural", () => {
    expect(linkOf([{ key: 'W', name: 'Williams Consulting Ltd' }], 'William Consulting Ltd')).toBeNull();
    expect(linkOf([{ key: 'R', name: 'Peter Roberts' }], 'Peter Robert')).toBeNull();
  });
  it("never reads a brand another master of the scope has as written as a third one's plural", () => {
    const ms = [
      { key: 'CO', name: 'Walgreen Co.' },
      { key: 'S1', name: 'Walgreens #05290' },
      { key: 'S2', name: 'Walgreens #11873' },
    ];
    expect(linkOf(ms, 'Walgreens')).toBeNull();
    expect(linkOf(ms, 'Walgreens #03290')).toBeNull();
    expect(decide(ms, 'Walgreens Store 5290').targetKey).toBe('S1');
  });
});
