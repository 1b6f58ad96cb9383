import { describe, expect, it } from 'vitest';
import { tokenSimilarity } from '../../src/match/index.js';
import { decide, linkOf } from '../helpers/match.js';

/**
 * `&` and a language's own word for "and" are one word (issue #16; read off the even trial sets' misses: T8, T10,
 * T12, T14 wrote `e`, `y`, `et`, `en`, `és`, `i` where the master has `&`, and the other way round).
 */
describe('"and" in the languages ledgers are written in', () => {
  it('links a name that writes the conjunction where the master has &, and the other way round', () => {
    expect(linkOf([{ key: 'T', name: 'Mercearia Tavares & Filhos, Lda.' }], 'Mercearia Tavares e Filhos Lda')).toBe('T');
    expect(linkOf([{ key: 'G', name: 'Grúas y Montajes del Valle S.A.S.' }], 'Grúas & Montajes del Valle')).toBe('G');
    expect(linkOf([{ key: 'S', name: 'Koeriersdienst Snel & Zeker BV' }], 'Koeriersdienst Snel en Zeker')).toBe('S');
    expect(linkOf([{ key: 'P', name: 'Banque Pictet & Cie SA' }], 'Banque Pictet et Cie S.A.')).toBe('P');
    expect(linkOf([{ key: 'K', name: 'Kovács és Társa Kft.' }], 'Kovács & Társa Kft.')).toBe('K');
  });
  it('is one word only against "and": two other languages\' words, or a letter against another, stay apart', () => {
    expect(tokenSimilarity('and', 'et')).toBe(1);
    expect(tokenSimilarity('e', 'and')).toBe(1);
    expect(tokenSimilarity('et', 'y')).toBe(0);
    expect(tokenSimilarity('e', 'y')).toBe(0);
  });
  it('still tells two firms apart by their other words', () => {
    const ms = [
      { key: 'A', name: 'Rossi & Figli S.r.l.' },
      { key: 'B', name: 'Rossi & Bianchi S.r.l.' },
    ];
    expect(decide(ms, 'Rossi e Bianchi Srl').targetKey).toBe('B');
    expect(linkOf(ms, 'Rossi e Verdi Srl')).toBeNull();
  });
});
