import { describe, expect, it } from 'vitest';
import { createMatcher, DEFAULT_MATCH_OPTIONS, normalizeName, type MasterRecord } from '../../src/match/index.js';

const key = (s: string): string => normalizeName(s).key;
const linkOf = (masters: MasterRecord[], name: string): string | null => {
  const d = createMatcher(masters, [], DEFAULT_MATCH_OPTIONS.fuzzy).match(name);
  return d.outcome === 'linked' ? d.targetKey : null;
};

describe('an acronym written beside the words it stands for', () => {
  it('drops a first word in capitals that spells the other words, legal form aside', () => {
    expect(key('KPM Kessler Pump Manufacturing')).toBe('kessler pump manufacturing');
    expect(key('NWT Nordsee Wind Technik GmbH')).toBe('nordsee wind technik');
    expect(normalizeName('NWT Nordsee Wind Technik GmbH').legalForm).toBe('gmbh');
    expect(key('S.T.L. Servicios de Transporte Lagunero S.A.')).toBe('servicios de transporte lagunero');
    expect(normalizeName('KPM Kessler Pump Manufacturing').rules).toContain('acronym');
  });
  it('drops one written last, before the legal form', () => {
    expect(key('Kessler Pump Manufacturing KPM Ltd')).toBe('kessler pump manufacturing');
  });
  it('reads "ACRO (its words)" and "ACRO Co., Ltd. (its words)" as the words', () => {
    expect(key('NRF (National Retail Federation)')).toBe('national retail federation');
    expect(key('HPL Co., Ltd. (Hanbit Precision Logistics)')).toBe('hanbit precision logistics');
    expect(normalizeName('HPL Co., Ltd. (Hanbit Precision Logistics)').legalForm).toBe(
      normalizeName('Hanbit Precision Logistics Co., Ltd.').legalForm,
    );
  });
  it('keeps a first word that is no restatement', () => {
    expect(key('KPM Pump Manufacturing')).toBe('kpm pump manufacturing'); // spells no more than the words after it
    expect(key('Kpm Kessler Pump Manufacturing')).toBe('kpm kessler pump manufacturing'); // not in capitals
    expect(key('AB Smith Jones')).toBe('ab smith jones'); // two letters, not in capitals
    expect(key('CFL Cargo Factory Lausanne')).toBe('cfl cargo factory lausanne'); // a place among the words: a site
    expect(key('AB Smith')).toBe('ab smith'); // one word after it
    expect(key('NRF (Retail Federation)')).toBe('nrf retail federation');
  });
  it('in a name written in one case, an acronym of three letters or more that spells the rest', () => {
    expect(key('KPM KESSLER PUMP MANUFACTURING')).toBe('kessler pump manufacturing');
    expect(key('kpm kessler pump manufacturing ltd')).toBe('kessler pump manufacturing');
    expect(key('JJ JONES JEWELERS')).toBe('jj jones jewelers');
  });
  it('links the name with its acronym to the master without it, and the master with it to the name without', () => {
    const masters = [
      { key: 'K', name: 'Kessler Pump Manufacturing Co.' },
      { key: 'N', name: 'Nordsee Wind Technik GmbH' },
      { key: 'H', name: 'Hanbit Precision Logistics Co., Ltd.' },
      { key: 'R', name: 'National Retail Federation' },
    ];
    expect(linkOf(masters, 'KPM Kessler Pump Manufacturing')).toBe('K');
    expect(linkOf(masters, 'NWT Nordsee Wind Technik GmbH')).toBe('N');
    expect(linkOf(masters, 'HPL Co., Ltd. (Hanbit Precision Logistics)')).toBe('H');
    expect(linkOf(masters, 'NRF (National Retail Federation)')).toBe('R');
    expect(linkOf([{ key: 'A', name: 'AFX Alpine Freight Express AG' }], 'Alpine Freight Express AG')).toBe('A');
    expect(linkOf([{ key: 'A', name: 'AFX Alpine Freight Express AG' }], 'A.F.X. Alpine Freight Express AG')).toBe('A');
  });
});
