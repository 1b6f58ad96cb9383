import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';

/**
 * A body or firm named after its founders, called by their surname alone (founders.ts): "Kellogg Foundation" / W. K.
 * Kellogg Foundation, "Gates Foundation" / Bill & Melinda Gates Foundation, "Smith & Sons" / R.J. Smith & Sons Pty Ltd.
 */
describe("a founder's given names and initials left out", () => {
  const masters = [
    { key: 'K', name: 'W. K. Kellogg Foundation' },
    { key: 'S', name: 'Alfred P. Sloan Foundation' },
    { key: 'G', name: 'Bill & Melinda Gates Foundation' },
    { key: 'M', name: 'John D. and Catherine T. MacArthur Foundation' },
    { key: 'R', name: 'R.J. Smith & Sons Pty Ltd' },
    { key: 'B', name: 'B & M Gilmore Partnership' },
  ];
  it('links the one master whose name is the founders and the name', () => {
    for (const [name, key] of [
      ['Kellogg Foundation', 'K'],
      ['Sloan Foundation', 'S'],
      ['Gates Foundation', 'G'],
      ['MacArthur Foundation', 'M'],
      ['Smith & Sons', 'R'],
      ['Gilmore Partnership', 'B'],
    ] as const)
      expect([name, linkOf(masters, name)]).toEqual([name, key]);
  });
  it("not a person's name, a given name alone before the words, another legal form or two masters", () => {
    // a surname alone names no person of the family; a given name first is another person
    expect(linkOf([{ key: 'P', name: 'John D. Smith' }], 'Smith')).toBeNull();
    expect(linkOf([{ key: 'P', name: 'Mary J. Smith Jones' }], 'Smith Jones')).toBeNull();
    // one given name alone before the words may be a place's or a firm's word
    expect(linkOf([{ key: 'A', name: 'Austin Smile Design Studio' }], 'Smile Design Studio')).toBeNull();
    // the name's own legal form is another company's
    expect(linkOf([{ key: 'R', name: 'R.J. Smith & Sons Pty Ltd' }], 'Smith & Sons GmbH')).toBeNull();
    // two foundations of that surname: neither
    const two = [...masters, { key: 'K2', name: 'J. Kellogg Foundation' }];
    expect(linkOf(two, 'Kellogg Foundation')).toBeNull();
  });
});
