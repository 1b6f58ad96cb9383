import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/normalize.js';

/**
 * A trust as its trustees sign for it (normalize.ts, rule `trustees`; issue #16 lab10): "Trustees of the Hemi Family
 * Trust", "Trustees Walton Park Trust", Australia's "The Trustee for the Nguyen Family Trust" are the trust's name.
 */
describe('trustees of a trust', () => {
  it.each([
    ['Trustees of the Hemi Family Trust', 'hemi family trust'],
    ['Trustees Walton Park Trust', 'walton park trust'],
    ['The Trustee for the Nguyen Family Trust', 'nguyen family trust'],
    ['Trustee for Kurrajong Family Trust', 'kurrajong family trust'],
  ])('%j reads as %j', (name, key) => {
    const n = normalizeName(name);
    expect(n.key).toBe(key);
    expect(n.rules).toContain('trustees');
  });
  it('links the trust by its own name', () => {
    expect(linkOf([{ key: 'H', name: 'Hemi Family Trust' }], 'Trustees of the Hemi Family Trust')).toBe('H');
    expect(linkOf([{ key: 'M', name: 'Mataura Flats Trust' }], 'Trustees of Mataura Flats Trust')).toBe('M');
  });
  it("keeps the words of a name that is no trust's, and a trust of one word", () => {
    expect(normalizeName('Trustees of Columbia University').key).toBe('trustees of columbia university');
    expect(normalizeName('Trustees of the Trust').key).toBe('trustees of the trust');
    expect(normalizeName('Trustee Services Trust').key).toBe('services trust');
  });
});
