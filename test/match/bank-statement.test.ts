import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/normalize.js';

/**
 * A French bank statement's direct debit or transfer before the payee, and an invoice, store or lease number after it
 * (normalize.ts BANK_PREFIX, references.ts KEYWORDS; trial T10).
 */
describe("a bank statement's words around the payee", () => {
  it('drops a direct debit or SEPA transfer before the name', () => {
    expect(normalizeName('PRLV SEPA METRO FRANCE SAS').key).toBe(normalizeName('METRO France SAS').key);
    expect(normalizeName('VIR SEPA ACME SARL').key).toBe(normalizeName('Acme SARL').key);
    // a firm named Vir keeps its name
    expect(normalizeName('VIR BIOTECHNOLOGY INC').tokens).toEqual(['vir', 'biotechnology']);
  });
  it('links the payee with an invoice, store or lease number after it', () => {
    const masters = [
      { key: 'O', name: 'Orange SA' },
      { key: 'G', name: 'Transports Girard SAS' },
      { key: 'C', name: 'Carrefour Market Villeurbanne' },
      { key: 'T', name: 'SCI Les Tilleuls' },
    ];
    expect(linkOf(masters, 'PRLV SEPA ORANGE SA FACT 0472118834')).toBe('O');
    expect(linkOf(masters, 'TRANSPORTS GIRARD SAS FAC 88412')).toBe('G');
    expect(linkOf(masters, 'CARREFOUR MARKET VILLEURBANNE MAG 1187')).toBe('C');
    expect(linkOf(masters, 'SCI LES TILLEULS LOYER 03/2024')).toBe('T');
  });
});
