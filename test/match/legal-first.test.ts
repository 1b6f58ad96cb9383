import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { legalAgreement, normalizeName } from '../../src/match/index.js';

const norm = (s: string): [string, string | null] => {
  const n = normalizeName(s);
  return [n.key, n.legalForm];
};

describe('legal forms their countries write before the name', () => {
  it('reads SIA, UAB, CV, UD, AS, Oy, TOV and Kabushiki Kaisha first, last, or as a segment after a comma', () => {
    expect(norm('SIA Latgales Graudi')).toEqual(['latgales graudi', 'sia']);
    expect(norm('Latgales Graudi SIA')).toEqual(norm('SIA Latgales Graudi'));
    expect(norm('UAB „Kauno grūdai“')).toEqual(norm('Kauno grūdai UAB'));
    expect(norm('Elektros tinklų statyba, UAB')).toEqual(['elektros tinklu statyba', 'uab']);
    expect(norm('CV Maju Bersama')).toEqual(norm('Maju Bersama, CV.'));
    expect(norm('Sinar Jaya Abadi, PT')).toEqual(['sinar jaya abadi', 'pt']);
    expect(norm('UD Sinar Harapan')).toEqual(['sinar harapan', 'ud']);
    expect(norm('AS Tallinna Jahuveski')).toEqual(norm('Tallinna Jahuveski AS'));
    expect(norm('Oy Karl Fazer Ab')).toEqual(['karl fazer', 'oy ab']);
    expect(norm('Kabushiki Kaisha Toshiba')).toEqual(['toshiba', 'kk']);
    expect(norm('TOV Poltavazernoprodukt')).toEqual(['poltavazernoprodukt', 'tov']);
    expect(legalAgreement(norm('BUMI HIJAU LESTARI TBK, PT')[1], 'pt tbk')).toBe('compatible');
  });
  it('links the name written with its form on the other side', () => {
    const masters = [
      { key: 'L', name: 'SIA Latgales Graudi' },
      { key: 'S', name: 'PT Sinar Jaya Abadi' },
      { key: 'K', name: 'UAB „Kauno grūdai“' },
    ];
    expect(linkOf(masters, 'Latgales Graudi SIA')).toBe('L');
    expect(linkOf(masters, 'Sinar Jaya Abadi, PT')).toBe('S');
    expect(linkOf(masters, 'Kauno grūdai UAB')).toBe('K');
  });
  it('never takes initials for a two-letter form, nor a form for the whole name', () => {
    expect(norm('A.-S. de Montclair')).toEqual(['as de montclair', null]);
    expect(norm('U.D. Tani Makmur')[0]).toBe('ud tani makmur');
    expect(norm('SIA')).toEqual(['sia', null]);
    expect(norm('AB Mauri')).toEqual(['ab mauri', null]);
  });
  it('two firms whose names differ apart from the form stay two', () => {
    const masters = [
      { key: 'A', name: 'SIA Latgales Graudi' },
      { key: 'B', name: 'SIA Latgales Piens' },
    ];
    expect(linkOf(masters, 'Latgales Piens SIA')).toBe('B');
    expect(linkOf(masters, 'Latgales Maiznieks SIA')).toBeNull();
  });
});

describe('a legal form in its official translation', () => {
  it('reads OOO and TOV as LLC, (E)OOD and d.o.o. as Ltd, Ab as Oy, Sàrl as GmbH, for otherwise equal names', () => {
    expect(linkOf([{ key: 'R', name: 'OOO Romashka' }], 'Romashka LLC')).toBe('R');
    expect(linkOf([{ key: 'P', name: 'TOV Poltavazernoprodukt' }], 'Poltavazernoprodukt LLC')).toBe('P');
    expect(linkOf([{ key: 'Z', name: 'Apteka Zdrave EOOD' }], 'APTEKA ZDRAVE LTD')).toBe('Z');
    expect(linkOf([{ key: 'L', name: 'Lindqvist Kahvipaahtimo Oy' }], 'Lindqvist Kahvipaahtimo Ab')).toBe('L');
    expect(linkOf([{ key: 'D', name: 'Distrivert Sàrl' }], 'Distrivert GmbH')).toBe('D');
  });
  it('not beside a one-letter difference, and not GmbH for Ltd (a subsidiary abroad as often)', () => {
    expect(linkOf([{ key: 'R', name: 'OOO Romashka' }], 'Romaschka LLC')).toBeNull();
    expect(linkOf([{ key: 'B', name: 'Braun Druck GmbH' }], 'Braun Druck Ltd')).toBeNull();
  });
});
