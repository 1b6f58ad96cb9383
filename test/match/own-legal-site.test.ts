import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';

/**
 * A firm's name with a legal form of its own, then a place in brackets, beside a master of those words with another
 * legal form (issue #16, lab12): "Al Noor … Trading Co. (Sharjah)" is a firm of that name, not a site of "… LLC".
 */
describe('a legal form of its own before a site', () => {
  const ms = [
    { key: 'AN', name: 'Al Noor Dried Fruits Trading LLC' },
    { key: 'CF', name: 'Cedar Falls Brewing Company LLC' },
    { key: 'KO', name: 'Kolon Industries, Inc.' },
  ];

  it('is not read as a site of the master', () => {
    expect(linkOf(ms, 'Al Noor Dried Fruits Trading Co. (Sharjah)')).toBeNull();
    expect(linkOf(ms, 'Al Noor Dried Fruits Trading Co. - Sharjah')).toBeNull();
  });

  it("part of the master's own legal form, or the same, still is", () => {
    expect(linkOf(ms, 'Cedar Falls Brewing Co - Taproom')).toBe('CF');
    expect(linkOf(ms, 'Al Noor Dried Fruits Trading LLC (Sharjah)')).toBe('AN');
    expect(linkOf(ms, 'Kolon Industries, Inc. (Gumi Plant)')).toBe('KO');
  });
});
