import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';

/**
 * Initials of the master's words inside a longer name leave out its function words as an abbreviated word does
 * ("STRS Ohio" / State Teachers Retirement System of Ohio, "LB Southwark" / London Borough of Southwark): containment.ts.
 */
describe("an acronym of the master's words, its function words left out", () => {
  const masters = [
    { key: 'S', name: 'State Teachers Retirement System of Ohio' },
    { key: 'L', name: 'London Borough of Southwark' },
    { key: 'B', name: 'Big Brothers Big Sisters of Winnipeg Inc.' },
    { key: 'U', name: 'The Regents of the University of California' },
  ];
  it('links the one master the name equals once its initials are read', () => {
    for (const [name, key] of [
      ['STRS Ohio', 'S'],
      ['LB Southwark', 'L'],
      ['BBBS Winnipeg', 'B'],
      ['UC Regents', 'U'],
    ] as const)
      expect([name, linkOf(masters, name)]).toEqual([name, key]);
  });
  it('not when the master has a word more than its function words; the master it equals beats one holding more', () => {
    expect(linkOf([{ key: 'S', name: 'State Teachers Retirement System Pension Fund of Ohio' }], 'STRS Ohio')).toBeNull();
    const two = [...masters, { key: 'L2', name: 'London Borough of Southwark Pension Fund' }];
    expect(linkOf(two, 'LB Southwark')).toBe('L');
    expect(linkOf([{ key: 'L2', name: 'London Borough of Southwark Pension Fund' }], 'LB Southwark')).toBeNull();
  });
});
