import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';

/**
 * A firm named in full, then a segment of its own (a spaced dash, brackets, a comma) naming a site, branch or line of
 * it: an airport code, a town, a product line (issue #16: "location" rows of the hand-written trial sets).
 */

describe('a site, branch or line in a segment of its own beside the firm named in full', () => {
  const masters = [
    { key: 'S', name: 'Swissport GB Limited' },
    { key: 'G', name: 'Gate Gourmet London Limited' },
    { key: 'R', name: 'American Red Cross' },
    { key: 'A', name: 'Aldi Inc.' },
    { key: 'I', name: 'Intuit Inc.' },
  ];
  it('links: a code, a town, a chapter, a division, a product line', () => {
    expect(linkOf(masters, 'Swissport GB Ltd - LHR T2')).toBe('S');
    expect(linkOf(masters, 'Gate Gourmet London Ltd (LHR)')).toBe('G');
    expect(linkOf(masters, 'American Red Cross - Chicago Chapter')).toBe('R');
    expect(linkOf(masters, 'ALDI INC (BATAVIA DIV)')).toBe('A');
    expect(linkOf(masters, 'Intuit Inc - QuickBooks Online')).toBe('I');
  });
  it('a one-word firm only with its legal form written: "Aldi - Batavia" may be a shop of its own', () => {
    expect(linkOf(masters, 'Aldi - Batavia')).toBeNull();
  });
  it('never a country (a national company), a legal form of its own, or a number alone', () => {
    expect(linkOf(masters, 'Swissport GB Ltd (Ireland)')).toBeNull();
    expect(linkOf(masters, 'Swissport GB Ltd - Swissport Cargo Services LLC')).toBeNull();
    expect(linkOf(masters, 'Intuit Inc - Line 2')).toBeNull();
  });
  it('never a segment with a word of another master, which may name that one', () => {
    expect(linkOf([...masters, { key: 'N', name: 'Northgate Catering' }], 'Gate Gourmet London Ltd - Northgate')).toBeNull();
  });
  it('one site segment at most: a town and its code may name a business of its own', () => {
    expect(linkOf([{ key: 'B', name: "Blueberry's Grill" }], "Blueberry's Grill, Myrtle Beach (MB)")).toBeNull();
  });
  it('never a segment of more than three words', () => {
    expect(linkOf(masters, 'American Red Cross - Greater Chicago Blood Services Region')).toBeNull();
  });
  it('never when a child of the master is a master too', () => {
    expect(
      linkOf([...masters, { key: 'RB', name: 'American Red Cross Blood Services' }], 'American Red Cross - Chicago Chapter'),
    ).toBeNull();
  });
  it("the master's legal form written in full, or in a segment of its own before the site's", () => {
    const ms = [
      { key: 'IN', name: 'Infosys Limited' },
      { key: 'KO', name: 'Kolon Industries, Inc.' },
      { key: 'MI', name: 'Mitsui & Co., Ltd.' },
    ];
    expect(linkOf(ms, 'INFOSYS LIMITED - BANGALORE')).toBe('IN');
    expect(linkOf(ms, 'Kolon Industries, Inc. (Gumi Plant)')).toBe('KO');
    expect(linkOf(ms, 'Mitsui & Co., Ltd. (Tokyo HQ)')).toBe('MI');
  });
  it('never a place followed by the legal form: a company of its own ("Maple Ridge Homes (Barrie) Ltd.")', () => {
    const ms = [{ key: 'MR', name: 'Maple Ridge Homes Ltd.' }];
    expect(linkOf(ms, 'Maple Ridge Homes (Barrie) Ltd.')).toBeNull();
    expect(linkOf(ms, 'Maple Ridge Homes Ltd. (Barrie)')).toBe('MR');
  });
  it("after the master's own legal form, with no separator: the legal form ends the firm's name", () => {
    const ms = [
      { key: 'K', name: 'Kavli AS' },
      { key: 'C', name: 'Coolblue B.V.' },
    ];
    expect(linkOf(ms, 'Kavli AS Bergen')).toBe('K');
    expect(linkOf(ms, 'Coolblue B.V. DC Tilburg')).toBe('C');
    expect(linkOf(ms, 'Kavli AS Norge')).toBeNull(); // a country: a national company
    expect(linkOf(ms, 'Coolblue B.V. Acme Tools')).toBeNull(); // words of another master
    expect(linkOf(ms, 'Kavli GmbH Bergen')).toBeNull(); // another legal form
    expect(linkOf([{ key: 'W', name: 'Wolf Co.' }], 'Wolf Co.s')).toBeNull(); // a stray letter is no site
  });
});
