import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/normalize.js';

/**
 * Legal forms as imports and clerks write them (legal-spellings.ts, issue #16 lab10): Poland's Sp. z o.o. without its
 * dots, spółka written out, Sendirian Berhad, GmbH u. Co. KG, Kyrgyzstan's OsOO and France's SARL written first.
 */
describe('legal forms written without their dots, in full or first', () => {
  it.each([
    ['LINDE GAZ POLSKA SP Z OO', 'linde gaz polska', 'sp zoo'],
    ['OBRABIARKI NOWAK SP.ZO.O.', 'obrabiarki nowak', 'sp zoo'],
    ['TRANS POL SPOLKA Z O.O.', 'trans pol', 'sp zoo'],
    ['Piekarnia Familijna Zielińscy spółka jawna', 'piekarnia familijna zielinscy', 'sp j'],
    ['Trans-Mar Marek Nowak spółka komandytowa', 'trans mar marek nowak', 'sp k'],
    ['Kilang Sawit Sungai Buloh Sendirian Berhad', 'kilang sawit sungai buloh', 'sdn bhd'],
    ['PILZ GMBH U CO KG', 'pilz', 'gmbh co kg'],
    ['Trianel Gaskraftwerk Hamm GmbH u. Co. KG', 'trianel gaskraftwerk hamm', 'gmbh co kg'],
    ['OsOO Issyk-Kul Trans', 'issyk kul trans', 'llc'],
    ['ОсОО Дордой Карго', 'dordoy kargo', 'llc'],
    ['SARL Champagne Lemaire-Thiébaut', 'champagne lemaire thiebaut', 'sarl'],
    ['Schuette Family Ltd Ptnrshp', 'schuette family', 'lp'],
  ])('%j reads as %j with the legal form %j', (name, key, form) => {
    const n = normalizeName(name);
    expect(n.key).toBe(key);
    expect(n.legalForm).toBe(form);
  });
  it('links names that differ by such a spelling only', () => {
    expect(linkOf([{ key: 'L', name: 'Linde Gaz Polska Sp. z o.o.' }], 'LINDE GAZ POLSKA SP Z OO')).toBe('L');
    expect(linkOf([{ key: 'T', name: 'Trans-Pol Sp. z o.o.' }], 'Trans-Pol Sp z oo')).toBe('T');
    expect(linkOf([{ key: 'K', name: 'IOI Acidchem Sdn Bhd' }], 'IOI Acidchem Sendirian Berhad')).toBe('K');
    expect(linkOf([{ key: 'P', name: 'Pilz GmbH & Co. KG' }], 'PILZ GMBH U CO KG')).toBe('P');
    expect(linkOf([{ key: 'I', name: 'Issyk-Kul Trans LLC' }], 'OsOO Issyk-Kul Trans')).toBe('I');
  });
  it('a legal form is never the whole name, and words that are no such form stay', () => {
    expect(normalizeName('SARL').key).toBe('sarl');
    expect(normalizeName('Sendirian Berhad').legalForm).toBe('bhd');
    expect(normalizeName('Spółka Jawna').key).toBe('spolka jawna');
    // a GP ends the general partner's name beside its LP: a word of the name
    expect(normalizeName('Athabasca Camp Services GP Inc.').key).toBe('athabasca camp services gp');
    // an English "too" or "sas" first stays a word of the name
    expect(normalizeName('Too Good To Go').key).toBe('too good to go');
    expect(normalizeName('SAS Institute Inc.').key).toBe('sas institute');
  });
});
