import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';

describe("a name written with only the last part of its master's legal form, beside a master of the group", () => {
  const masters = [
    { key: 'C', name: 'Cedar Falls Brewing Company LLC' },
    { key: 'H', name: 'Cedar Falls Brewing Holdings LLC' },
  ];
  it('is ambiguous when it leaves out a word the group tells its firms apart by ("Company" as "Holdings")', () => {
    const d = decide(masters, 'CEDAR FALLS BREWING LLC');
    expect(d.outcome).toBe('ambiguous');
    expect(d.candidates.map((c) => c.key).sort()).toEqual(['C', 'H']);
  });
  it('links the hit when only the closing form is left out, or the whole form is written', () => {
    expect(linkOf(masters, 'Cedar Falls Brewing Company')).toBe('C');
    expect(linkOf(masters, 'CEDAR FALLS BREWING CO')).toBe('C');
    expect(linkOf(masters, 'Cedar Falls Brewing Company, LLC')).toBe('C');
  });
  it('links it when no other master of the group is there', () => {
    expect(linkOf([masters[0]!], 'CEDAR FALLS BREWING LLC')).toBe('C');
  });
});
