import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';

/**
 * Three name phenomena from the trial sets' misses (issue #16, training half T4–T20 even): a firm's full legal name
 * followed by a site or unit, a person written in the master's own surname-first order without its comma, and a legal
 * form written in its translation.
 */

describe("a firm's full legal name, then a site, unit or reference", () => {
  const masters = [
    { key: 'K', name: 'Komatsu Australia Pty Ltd' },
    { key: 'KF', name: 'Komatsu Forklift Australia Pty Ltd' },
    { key: 'T', name: 'Trianel GmbH' },
    { key: 'TG', name: 'Trianel Gaskraftwerk Hamm GmbH & Co. KG' },
    { key: 'M', name: 'Mitsui & Co., Ltd.' },
    { key: 'MO', name: 'Mitsui O.S.K. Lines, Ltd.' },
    { key: 'H', name: 'HP Inc.' },
  ];
  it('links the master whose whole name and legal form the name starts with, beside its children', () => {
    expect(linkOf(masters, 'Komatsu Australia Pty Ltd - Karratha Branch')).toBe('K');
    expect(linkOf(masters, 'Trianel GmbH, Aachen')).toBe('T');
    expect(linkOf(masters, 'Mitsui & Co., Ltd. (Tokyo HQ)')).toBe('M');
    expect(linkOf(masters, 'HP INC. - PALO ALTO')).toBe('H');
    expect(decide(masters, 'Trianel GmbH, Aachen').candidates[0]!.signals['containment']).toBe('superset');
  });
  it('not when the rest names another master of the scope (its child)', () => {
    expect(linkOf(masters, 'Trianel GmbH - Gaskraftwerk Hamm')).not.toBe('T');
  });
  it('not without the legal form (the parent-and-child rule stands)', () => {
    expect(linkOf(masters, 'Trianel Aachen')).toBeNull();
  });
  it('not when the rest is a company of its own, a country, a body of its own or a second payee', () => {
    expect(linkOf(masters, 'Trianel GmbH - Trianel Wind GmbH')).toBeNull();
    expect(linkOf(masters, 'Trianel GmbH (Switzerland)')).toBeNull();
    expect(linkOf(masters, 'Trianel GmbH Pension Trust')).toBeNull();
    expect(linkOf(masters, 'Trianel GmbH & Stadtwerke Aachen')).toBeNull();
  });
  it('not for a legal form written before the name (PT Sinar Jaya Abadi Makmur is another company)', () => {
    const pt = [{ key: 'S', name: 'PT Sinar Jaya Abadi' }];
    expect(linkOf(pt, 'PT Sinar Jaya Abadi Makmur')).toBeNull();
  });
  it('not when the legal forms are of different families', () => {
    expect(linkOf(masters, 'Trianel Inc. - Aachen')).toBeNull();
  });
});

describe("a person in the master's own written order, without its comma", () => {
  const masters = [
    { key: 'J', name: 'Johnson, Mary' },
    { key: 'D', name: 'Dupont, Jean-Pierre' },
    { key: 'W', name: 'William Ryan' },
  ];
  it('links an export that dropped the comma ("JOHNSON MARY" for Johnson, Mary)', () => {
    expect(linkOf(masters, 'JOHNSON MARY')).toBe('J');
    expect(linkOf(masters, 'DUPONT JEAN PIERRE')).toBe('D');
    expect(decide(masters, 'JOHNSON MARY').candidates[0]!.signals['order']).toBe('as-written');
  });
  it('a reordering of a master written given name first stays for review ("Ryan William" may be another person)', () => {
    const d = decide(masters, 'Ryan William');
    expect(d.outcome).not.toBe('linked');
    expect(d.candidates[0]!.key).toBe('W');
  });
});

describe('a legal form in its translation', () => {
  const masters = [
    { key: 'V', name: 'Bank Vontobel AG' },
    { key: 'H', name: 'Helen Oy' },
    { key: 'S', name: 'Stora Enso Oyj' },
    { key: 'N', name: 'Nakamura Seiki K.K.' },
    { key: 'G', name: 'Gwangju Electronics Co., Ltd.' },
    { key: 'E', name: 'Ethias SA' },
    { key: 'B', name: 'Braun Druck Ltd' },
    { key: 'W', name: 'Hanwa Co., Ltd.' },
  ];
  it('links the same name under the form the same country writes in another language', () => {
    expect(linkOf(masters, 'Bank Vontobel Ltd')).toBe('V');
    expect(linkOf(masters, 'Helen Ltd')).toBe('H');
    expect(linkOf(masters, 'Stora Enso Corporation')).toBe('S');
    expect(linkOf(masters, 'Nakamura Seiki Corporation')).toBe('N');
    expect(linkOf(masters, 'Gwangju Electronics Corp.')).toBe('G');
    expect(linkOf(masters, 'ETHIAS NV')).toBe('E');
  });
  it('another legal form that is no translation stays for review (a subsidiary abroad)', () => {
    expect(linkOf(masters, 'Braun Druck SARL')).toBeNull();
    expect(linkOf(masters, 'Bank Vontobel B.V.')).toBeNull();
  });
  it('never beside a typo ("Hanwha Corporation" is not Hanwa Co., Ltd.)', () => {
    expect(linkOf(masters, 'Hanwha Corporation')).toBeNull();
  });
});
