import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';

describe("a person's name with its particle is no shop's brand", () => {
  it('"Al Amin" may be the person as well as Al-Amin Stores: not linked by the trade word', () => {
    const d = decide([{ key: 'S', name: 'Al-Amin Stores' }], 'Al Amin');
    expect(d.outcome).not.toBe('linked');
    expect(d.candidates[0]?.key).toBe('S');
  });
  it("a firm's word that is no person's name still names the firm by its trade", () => {
    expect(linkOf([{ key: 'C', name: 'Costco Wholesale Corporation' }], 'Costco')).toBe('C');
    expect(linkOf([{ key: 'S', name: 'Al-Amin Supermarket Kaduna Ltd' }], 'Al Amin Supermarket Kaduna')).toBe('S');
  });
});
