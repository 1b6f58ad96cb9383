import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { legalAgreement, MATCH_TUNING, normalizeName, tokenSimilarity } from '../../src/match/index.js';

const norm = (s: string): [string, string | null] => {
  const n = normalizeName(s);
  return [n.key, n.legalForm];
};

describe('legal forms as ledgers abbreviate them', () => {
  it("reads Malaysia's S/B, India's (P) Ltd, a PCL, a JSC or limited partnership written out, UAE free-zone forms", () => {
    expect(norm('Seri Delima Plastics S/B')).toEqual(['seri delima plastics', 'sdn bhd']);
    expect(norm('Seri Delima Plastics SB')).toEqual(norm('Seri Delima Plastics Sdn. Bhd.'));
    expect(norm('Ganesh Polymers (P) Limited')).toEqual(norm('Ganesh Polymers Pvt Ltd'));
    expect(norm('Chao Phraya Feeds PCL')).toEqual(norm('Chao Phraya Feeds Public Company Limited'));
    expect(norm('Minh Long Ceramics Joint Stock Company')).toEqual(norm('Minh Long Ceramics JSC'));
    expect(norm('Adeyemi Family Ltd. Partnership')).toEqual(norm('Adeyemi Family Limited Partnership'));
    expect(norm('Gulf Medical Supplies FZ-LLC')).toEqual(['gulf medical supplies', 'fz llc']);
    expect(norm('Hofer Elektrotechnik OG')).toEqual(['hofer elektrotechnik', 'og']);
  });
  it("reads Italy's sports associations and France's farming companies, first or last", () => {
    expect(norm('A.S.D. Pallavolo Cremona')).toEqual(norm('Pallavolo Cremona ASD'));
    expect(norm('S.S.D. Nuoto Varese a r.l.')).toEqual(['nuoto varese', 'ssd srl']);
    expect(norm('SCEA Domaine des Vignes Hautes')).toEqual(['domaine des vignes hautes', 'scea']);
    expect(norm('GAEC des Trois Chênes')[1]).toBe('gaec');
  });
  it('each of those last is a kind of body of its own: another form disagrees', () => {
    expect(legalAgreement('scea', 'sas')).toBe('disagree');
    expect(legalAgreement('asd', 'ssd srl')).toBe('disagree');
    expect(legalAgreement('pcl', 'co ltd')).toBe('disagree');
    const masters = [
      { key: 'A', name: 'Circolo Scherma Varese A.S.D.' },
      { key: 'S', name: 'Circolo Scherma Varese S.S.D. a r.l.' },
    ];
    expect(linkOf(masters, 'C.S. Varese ASD')).toBe('A');
    expect(linkOf(masters, 'C.S. Varese SSD arl')).toBe('S');
    // a farming company and a company of the same name: not one
    expect(linkOf([{ key: 'C', name: 'Château Belair SAS' }], 'SCEA Château Belair')).toBeNull();
  });
  it('leaves words that only look like them', () => {
    expect(norm('Houghton Mifflin Harcourt Pub Co')[0]).toBe('houghton mifflin harcourt pub');
    expect(norm('Earl Grey Tea Rooms')[0]).toBe('earl grey tea rooms');
    expect(norm('SB')[0]).toBe('sb');
  });
});

describe('legal forms in other scripts and languages', () => {
  it('reads Cyrillic, Azerbaijani, Uzbek and Japanese forms, first or last', () => {
    expect(norm('ТОО «Steppe Cargo Lines»')).toEqual(norm('Steppe Cargo Lines LLP'));
    expect(norm('АО «Altyn Rail»')).toEqual(norm('Altyn Rail JSC'));
    expect(norm('Baku Yol Servis MMC')).toEqual(norm('Baku Yol Servis LLC'));
    expect(norm('Samarkand Tekstil MChJ')).toEqual(norm('Samarkand Tekstil LLC'));
    expect(norm('Kaito Studio 合同会社')).toEqual(norm('Kaito Studio G.K.'));
  });
});

describe("a country's name as it writes itself", () => {
  it('is the same word as its English name', () => {
    expect(tokenSimilarity('polska', 'poland')).toBe(0.97);
    expect(tokenSimilarity('espana', 'spain')).toBe(0.97);
    expect(tokenSimilarity('italia', 'italy')).toBe(0.97);
    const masters = [
      { key: 'P', name: 'Vistula Freight (Poland) Sp. z o.o.' },
      { key: 'G', name: 'Vistula Freight (Germany) GmbH' },
    ];
    expect(linkOf(masters, 'Vistula Freight Polska')).toBe('P');
    expect(linkOf(masters, 'Vistula Freight Deutschland')).toBe('G');
  });
});

describe('a consonant skeleton of three letters', () => {
  it('abbreviates its word ("Mfg", "Pnt", "Cln"); three letters cut short do not', () => {
    expect(tokenSimilarity('mfg', 'manufacturing')).toBe(MATCH_TUNING.abbreviationSim);
    expect(tokenSimilarity('pnt', 'paint')).toBe(MATCH_TUNING.abbreviationSim);
    expect(tokenSimilarity('eng', 'engineering')).toBe(0); // a truncation of three letters: English? Engine?
    expect(tokenSimilarity('mfg', 'mfg')).toBe(1);
    expect(linkOf([{ key: 'S', name: 'Sunrise Clean Car Wash Inc' }], 'Sunrise Cln Car Wsh Inc')).toBe('S');
  });
});
