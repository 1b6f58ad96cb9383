import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/normalize.js';

/** Legal forms ledgers write that normalize.ts read as words (vocabulary.ts LEGAL_FORMS; trials T12, T15, T17). */
describe('more legal forms', () => {
  it.each([
    ['Steiner Gerüstbau Ges.m.b.H.', 'gmbh'],
    ['Huber Elektrotechnik GesmbH', 'gmbh'],
    ['Sauer Schweißtechnik e.K.', 'ek'],
    ['Naviera Austral Limitada', 'ltda'],
    ['Ole-Petter Ødegård ENK', 'enk'],
    ['El Nasr Spinning & Weaving S.A.E.', 'sa'],
  ])('%j has the legal form %j', (name, form) => {
    expect(normalizeName(name).legalForm).toBe(form);
  });
  it('links names that differ by them only', () => {
    expect(linkOf([{ key: 'S', name: 'Steiner Gerüstbau Ges.m.b.H.' }], 'Steiner Gerüstbau GmbH')).toBe('S');
    expect(linkOf([{ key: 'N', name: 'Naviera Austral Ltda.' }], 'Naviera Austral Limitada')).toBe('N');
    expect(linkOf([{ key: 'K', name: 'Sauer Schweißtechnik e.K.' }], 'Sauer Schweißtechnik')).toBe('K');
  });
  it('a Danish a.m.b.a. stays words: "OK a.m.b.a." is a name of its own beside OK Furniture (bench:accuracy)', () => {
    expect(normalizeName('OK a.m.b.a.').legalForm).toBeNull();
  });
});

describe('Irish, South African and Turkish legal forms', () => {
  it.each([
    ['Deochanna Chonamara Teoranta', 'ltd'],
    ['Tigh Uí Fhlaithearta Teo', 'ltd'],
    ['ESB Networks DAC', 'dac'],
    ['Dunnes Stores Unlimited Company', 'ulc'],
    ['Booysens Staalwerke (Edms) Bpk', 'pty ltd'],
    ['Ntsimbintle Mining (Pty) Ltd (RF)', 'pty ltd'],
    ['Marmara Römorkaj Hizmetleri Ltd. Şti.', 'ltd sti'],
    ['Marmara Römorkaj Hizmetleri Limited Şirketi', 'ltd sti'],
    ['BYD Turkey Otomotiv Şirketi', 'ltd sti'],
  ])('%j has the legal form %j', (name, form) => {
    expect(normalizeName(name).legalForm).toBe(form);
  });
  it('links names that differ by them only', () => {
    expect(linkOf([{ key: 'D', name: 'Deochanna Chonamara Teoranta' }], 'Deochanna Chonamara Teo')).toBe('D');
    expect(linkOf([{ key: 'B', name: 'Booysens Staalwerke (Edms) Bpk' }], 'Booysens Staalwerke (Pty) Ltd')).toBe('B');
    expect(linkOf([{ key: 'M', name: 'Marmara Römorkaj Hizmetleri Ltd. Şti.' }], 'Marmara Römorkaj Hizmetleri Limited Şirketi')).toBe('M');
  });
  it('"Soc." stays a word: a co-operative society is not a state-owned company', () => {
    expect(normalizeName('Lucknow Chemists Co-op. Soc. Ltd.').tokens).toContain('soc');
  });
});

describe("Finland's sole trader (lab13)", () => {
  it('reads Tmi and toiminimi as one legal form', () => {
    expect(normalizeName('Metsätyö Korhonen Tmi').legalForm).toBe('tmi');
    expect(normalizeName('Metsätyö Korhonen toiminimi').legalForm).toBe('tmi');
  });
  it('links the trade name written with the form in full to its master, not to a firm with another owner initial', () => {
    const ms = [
      { key: 'T', name: 'Metsätyö Korhonen Tmi' },
      { key: 'O', name: 'Metsätyö T. Korhonen Oy' },
    ];
    expect(linkOf(ms, 'Metsätyö Korhonen toiminimi')).toBe('T');
  });
});
