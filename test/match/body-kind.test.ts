import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';

/**
 * A body's kind written first on one side and last on the other (body-kind.ts, issue #16 lab10): "Stiftung
 * Alpenblick" / Alpenblick Stiftung, "Anstalt Nordstern Holding" / Nordstern Holding Anstalt are one body, not a
 * reordering capped for review.
 */
describe("a body's kind first or last", () => {
  const others = [
    { key: 'X1', name: 'Raiffeisen Treuhand AG' },
    { key: 'X2', name: 'Stiftung Kunstsammlung Hürlimann' },
  ];
  it('links the body whichever end its kind is written at', () => {
    expect(linkOf([{ key: 'A', name: 'Stiftung Alpenblick' }, ...others], 'Alpenblick Stiftung')).toBe('A');
    expect(linkOf([{ key: 'F', name: 'Anstalt Falkenstein' }, ...others], 'Falkenstein Anstalt')).toBe('F');
    expect(linkOf([{ key: 'N', name: 'Nordstern Holding Anstalt' }, ...others], 'Anstalt Nordstern Holding')).toBe('N');
    expect(linkOf([{ key: 'L', name: 'Privatstiftung Lichtenau' }, ...others], 'Lichtenau Privatstiftung')).toBe('L');
  });
  it("keeps other words in another order a reordering: a person's, a firm's, kinds only", () => {
    expect(linkOf([{ key: 'W', name: 'William Ryan' }], 'Ryan William')).toBeNull();
    expect(linkOf([{ key: 'S', name: 'Pacific Steel' }], 'Steel Pacific')).toBeNull();
    expect(linkOf([{ key: 'T', name: 'Trust Fund' }], 'Fund Trust')).toBeNull();
  });
});
