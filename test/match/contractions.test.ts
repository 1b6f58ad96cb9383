import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { tokenRelation } from '../../src/match/tokens.js';

/**
 * Contractions clerks write of firms' words that end in their word's last letter, which isAbbreviation's letter rule
 * (consonants only after the prefix) does not read (tokens.ts CONTRACTIONS; trials T5, T8, T9, T14, T17).
 */
describe("clerks' contractions of firms' words", () => {
  it.each([
    ['bros', 'brothers'],
    ['cia', 'companhia'],
    ['gpo', 'grupo'],
    ['dpto', 'departamento'],
    ['fos', 'filhos'],
    ['gebr', 'gebroeders'],
    ['pship', 'partnership'],
    ['aust', 'australia'],
    ['agcy', 'agency'],
    ['bk', 'bank'],
    ['cnty', 'county'],
    ['tr', 'trust'],
  ])('%j stands for %j', (a, b) => {
    expect(tokenRelation(a, b)).toBe('abbreviation');
    expect(tokenRelation(b, a)).toBe('abbreviation');
  });
  it('links a name written with them, either side', () => {
    expect(linkOf([{ key: 'S', name: 'Smith Bros. Farms' }], 'Smith Brothers Farms')).toBe('S');
    expect(linkOf([{ key: 'C', name: 'Companhia Brasileira de Distribuição' }], 'CIA BRASILEIRA DE DISTRIBUICAO')).toBe('C');
    expect(linkOf([{ key: 'T', name: 'Tiendas por Departamento Ripley S.A.C.' }], 'Tiendas por Dpto. Ripley SAC')).toBe('T');
    // a word of its own elsewhere in the scope ("(Aust.)") does not stop a contraction
    const aus = [
      { key: 'O', name: 'Orica Australia Pty Ltd' },
      { key: 'M', name: 'McConnell Dowell Constructors (Aust.) Pty Ltd' },
    ];
    expect(linkOf(aus, 'Orica Aust P/L')).toBe('O');
  });
  it('a trust, a bank and a county as ledgers cut them', () => {
    expect(linkOf([{ key: 'W', name: 'Wells Fargo Bank, N.A.' }], 'Wells Fargo Bk N.A.')).toBe('W');
    expect(linkOf([{ key: 'P', name: 'Pennington Charitable Trust' }], 'Pennington Char. Tr.')).toBe('P');
  });
  it('not a contraction of another word', () => {
    expect(tokenRelation('gpo', 'grupa')).toBeNull();
    expect(tokenRelation('cia', 'ciencia')).toBeNull();
    expect(linkOf([{ key: 'G', name: 'Grupo Comercial del Bajío' }], 'Gpo. Comercial del Norte')).toBeNull();
  });
});
