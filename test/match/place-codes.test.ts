import { describe, expect, it } from 'vitest';
import { placeCode } from '../../src/match/country-names.js';
import { tokenSimilarity } from '../../src/match/tokens.js';
import { decide, linkOf } from '../helpers/match.js';

/**
 * A place written as its postal or ISO code ("Mayo Clinic AZ" / Mayo Clinic Arizona, "TX Rebar Placement LLC" / Texas
 * Rebar Placement LLC, "Vos Logistics NL" / Vos Logistics Nederland B.V.): country-names.ts placeCode.
 */
describe("a place's code for its one-word name", () => {
  it('reads US states, Canadian provinces and countries (in the names countries write themselves)', () => {
    expect(placeCode('az', 'arizona')).toBe(true);
    expect(placeCode('tennessee', 'tn')).toBe(true);
    expect(placeCode('mb', 'manitoba')).toBe(true);
    expect(placeCode('nl', 'nederland')).toBe(true);
    expect(placeCode('ch', 'suisse')).toBe(true);
    expect(placeCode('vn', 'vietnam')).toBe(true);
    expect(tokenSimilarity('ia', 'iowa')).toBeGreaterThan(0.9);
    // another place, a code that is a word of its own, or a word that is no code
    expect(placeCode('az', 'texas')).toBe(false);
    expect(placeCode('in', 'indiana')).toBe(false);
    expect(placeCode('de', 'deutschland')).toBe(false);
    expect(placeCode('ariz', 'arizona')).toBe(false);
  });

  it('links a name that writes the place of the master as its code', () => {
    const masters = [
      { key: 'M', name: 'Mayo Clinic Arizona' },
      { key: 'T', name: 'Texas Rebar Placement LLC' },
      { key: 'I', name: 'Iowa Department of Revenue' },
      { key: 'V', name: 'Vos Logistics Nederland B.V.' },
    ];
    for (const [name, key] of [
      ['Mayo Clinic AZ', 'M'],
      ['TX Rebar Placement LLC', 'T'],
      ['IA DEPT OF REVENUE', 'I'],
      ['Vos Logistics NL', 'V'],
    ] as const)
      expect([name, linkOf(masters, name)]).toEqual([name, key]);
  });

  it('tells national companies apart by the code, and does not read a code as another place', () => {
    const masters = [
      { key: 'NL', name: 'Vos Logistics Nederland B.V.' },
      { key: 'BE', name: 'Vos Logistics Belgium NV' },
    ];
    expect(linkOf(masters, 'Vos Logistics NL')).toBe('NL');
    expect(linkOf([{ key: 'M', name: 'Mayo Clinic Arizona' }], 'Mayo Clinic FL')).toBeNull();
    expect(decide([{ key: 'M', name: 'Mayo Clinic Arizona' }], 'Mayo Clinic FL').outcome).not.toBe('linked');
  });
});
