import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';

/**
 * A vendor's name, then its town and US state code in a segment of their own (qualifiers.ts townAndState, issue #16
 * lab11): "KETTLE CUISINE - LYNN MA" / Kettle Cuisine, LLC. The state code says the words before it are a place, known
 * to the city list or not.
 */
describe('a town and its US state code after the name', () => {
  const ms = [
    { key: 'K', name: 'Kettle Cuisine, LLC' },
    { key: 'L', name: 'L. Knife & Son, Inc.' },
    { key: 'S', name: 'Sysco Boston, LLC' },
    { key: 'N', name: 'Sysco Northern New England, Inc.' },
    // firms named after the towns: before, a town another master's name holds kept the name for review
    { key: 'Y', name: 'Lynn Seafood Co.' },
    { key: 'P', name: 'Kingston Produce LLC' },
  ];

  it('is a branch of the vendor named before it', () => {
    expect(linkOf(ms, 'KETTLE CUISINE - LYNN MA')).toBe('K');
    expect(linkOf(ms, 'L. KNIFE & SON - KINGSTON MA')).toBe('L');
    expect(linkOf(ms, 'SYSCO BOSTON - PLYMPTON MA')).toBe('S');
    expect(linkOf(ms, 'Kettle Cuisine, Lynn MA')).toBe('K');
    expect(linkOf(ms, 'Kettle Cuisine (Lynn, MA)')).toBeNull(); // two segments: the town's and the state's, not read
  });

  it('not without its separator, nor words that are no town, nor a state code alone', () => {
    // without a separator the words may be the firm's own ("Kettle Cuisine Lynn" may be another firm)
    expect(linkOf(ms, 'KETTLE CUISINE LYNN MA')).toBeNull();
    // a legal word before the code: no town
    expect(linkOf(ms, 'KETTLE CUISINE - HOLDINGS INC MA')).toBeNull();
    // a code alone ("PA" is a professional association as often)
    expect(linkOf(ms, 'KETTLE CUISINE - MA')).toBeNull();
  });

  it('keeps a parent with a child master for review', () => {
    const two = [...ms, { key: 'C', name: 'Kettle Cuisine Lynn LLC' }];
    expect(linkOf(two, 'KETTLE CUISINE - LYNN MA')).not.toBe('K');
  });
});
