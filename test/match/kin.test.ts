import { describe, expect, it } from 'vitest';
import { irishGeneration, twoKin } from '../../src/match/kin.js';
import { decide, linkOf } from '../helpers/match.js';

/** A family firm's kin words and the Irish generation words (issue #16, lab16; read off T39's and T40's wrong links). */

describe('kin words of two kinds are two words', () => {
  it('son and daughter, brother and sister, in several languages', () => {
    expect(twoKin('fils', 'filles')).toBe(true);
    expect(twoKin('hijos', 'hijas')).toBe(true);
    expect(twoKin('figli', 'figlie')).toBe(true);
    expect(twoKin('filhos', 'filhas')).toBe(true);
    expect(twoKin('hermanos', 'hermanas')).toBe(true);
    expect(twoKin('sons', 'daughters')).toBe(true);
  });
  it('singular and plural of one kind, or a word that is no kin word, are not', () => {
    expect(twoKin('son', 'sons')).toBe(false);
    expect(twoKin('fils', 'sons')).toBe(false);
    expect(twoKin('bros', 'brothers')).toBe(false);
    expect(twoKin('fils', 'fil')).toBe(false);
    expect(twoKin('filles', 'filles')).toBe(false);
  });
  it('a firm of the daughters is not linked to the firm of the sons', () => {
    const ms = [{ key: 'S', name: 'Ferme Gagnon et Fils Inc.' }];
    expect(linkOf(ms, 'Ferme Gagnon et Filles Inc.')).toBeNull();
    expect(linkOf([{ key: 'H', name: 'Hermanos López S.A.' }], 'Hermanas Lopez SA')).toBeNull();
  });
  it('the firm written another way still links', () => {
    const ms = [{ key: 'S', name: 'Ferme Gagnon et Fils Inc.' }];
    expect(linkOf(ms, 'Ferme Gagnon & Fils')).toBe('S');
    expect(linkOf(ms, 'FERME GAGNON ET FILS INC')).toBe('S');
    expect(linkOf([{ key: 'T', name: 'Smith & Sons Ltd' }], 'Smith and Son Ltd')).toBe('T');
    expect(linkOf([{ key: 'D', name: 'Ferme Gagnon et Filles Inc.' }], 'Ferme Gagnon et Filles')).toBe('D');
  });
});

describe('Irish Óg and Mór, written with the accent, are generations', () => {
  it('reads the accented word only', () => {
    expect(irishGeneration('og', 'Sheehan, Donal Óg (Tullylease)')).toBe(true);
    expect(irishGeneration('mor', 'SEÁN MÓR Ó BRIAIN')).toBe(true);
    expect(irishGeneration('og', 'Hansen og Sønner AS')).toBe(false);
    expect(irishGeneration('donal', 'Sheehan, Donal Óg')).toBe(false);
  });
  it('a name without the Óg is not linked to the younger namesake', () => {
    const ms = [
      { key: 'F', name: 'Sheehan, Donal (Tullylease)' },
      { key: 'S', name: 'Sheehan, Donal Óg (Tullylease)' },
    ];
    expect(decide(ms, 'SHEEHAN DONAL TULLYLEASE').outcome).not.toBe('linked');
  });
  it('Norwegian og ("and") is no generation', () => {
    expect(linkOf([{ key: 'N', name: 'Hansen og Sønner AS' }], 'Hansen & Sønner AS')).toBe('N');
  });
});
