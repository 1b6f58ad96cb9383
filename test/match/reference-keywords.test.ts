import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { withoutReference } from '../../src/match/references.js';

/**
 * Customer, supplier, tax and carrier numbers ledgers write after a party's name in other languages and trades
 * (references.ts KEYWORDS; trials T7, T8, T9, T17): the name without them is the party.
 */
describe('references after a name in other ledgers', () => {
  it.each([
    ['Telia Sverige AB kundnr 8840 2231', 'Telia Sverige AB'],
    ['Arla Foods AB lev.nr 10044', 'Arla Foods AB'],
    ['BOL.COM B.V. DEBNR 100342', 'BOL.COM B.V.'],
    ['Ewals Cargo Care BV crediteur 20455', 'Ewals Cargo Care BV'],
    ['CENCOSUD RETAIL SA RUT 81.201.000-K', 'CENCOSUD RETAIL SA'],
    ['MILLER TRUCKING LLC MC#889123', 'MILLER TRUCKING LLC'],
    ['Hassan Logistics LLC DOT 3345120', 'Hassan Logistics LLC'],
    ['Hoeksema Farms Ltd - Supply 41502', 'Hoeksema Farms Ltd'],
  ])('%j is %j and a reference', (name, bare) => {
    expect(withoutReference(name)?.bare).toBe(bare);
  });
  it('links the party', () => {
    const masters = [
      { key: 'T', name: 'Telia Sverige AB' },
      { key: 'M', name: 'Miller Trucking LLC' },
    ];
    expect(linkOf(masters, 'Telia Sverige AB kundnr 8840 2231')).toBe('T');
    expect(linkOf(masters, 'MILLER TRUCKING LLC MC#889123')).toBe('M');
  });
  it('only with a digit: a word alone may be another party', () => {
    expect(withoutReference('Hoeksema Farms Ltd - Supply')).toBeNull();
    expect(withoutReference('Lev Tolstoy')).toBeNull();
  });
});
