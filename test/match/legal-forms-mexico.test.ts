import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/normalize.js';

/** Mexico's legal forms cut before their "de C.V." (vocabulary.ts LEGAL_FORMS): S.A.B., S.A.P.I., S. de R.L. */
describe("Mexico's legal forms without their variable capital", () => {
  it.each([
    ['Grupo Bimbo SAB', 'sab de cv'],
    ['Farmacias Benavides S.A.B.', 'sab de cv'],
    ['Braskem Idesa, S.A.P.I.', 'sapi de cv'],
    ['Paqueteria Occidental S de RL', 's de rl de cv'],
    ['Sabritas, S. de R.L.', 's de rl de cv'],
  ])('%j has the legal form %j', (name, form) => {
    expect(normalizeName(name).legalForm).toBe(form);
  });
  it('links names that differ by them only', () => {
    expect(linkOf([{ key: 'B', name: 'Grupo Bimbo, S.A.B. de C.V.' }], 'Grupo Bimbo SAB')).toBe('B');
    expect(linkOf([{ key: 'P', name: 'Paquetería Occidental, S. de R.L. de C.V.' }], 'Paqueteria Occidental S de RL')).toBe('P');
    expect(linkOf([{ key: 'I', name: 'Braskem Idesa, S.A.P.I.' }], 'Braskem Idesa S.A.P.I. de C.V.')).toBe('I');
  });
  it('a legal form is never the whole name', () => {
    expect(normalizeName('SAB').key).toBe('sab');
  });
});
