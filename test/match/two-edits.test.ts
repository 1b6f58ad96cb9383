import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';
import { twoEditsFromShared } from '../../src/match/two-edits.js';

const df = new Map([
  ['meulen', 2],
  ['atlantico', 2],
  ['kogyo', 3],
  ['precision', 2],
  ['smith', 2],
]);

describe("a word two letters from one that several of the scope's masters carry", () => {
  it('is another family or place: Molen beside two Van der Meulen masters', () => {
    expect(twoEditsFromShared(df, 'molen', 'meulen')).toBe(true);
    expect(twoEditsFromShared(df, 'atlantida', 'atlantico')).toBe(true);
    const masters = [
      { key: 'M', name: 'Van der Meulen Machinehandel B.V.' },
      { key: 'T', name: 'Van der Meulen Techniek B.V.' },
    ];
    const d = decide(masters, 'Van der Molen Machinehandel B.V.');
    expect(d.outcome).not.toBe('linked');
    expect(d.candidates[0]?.key).toBe('M');
  });
  it('not letters left out or added, two swapped, a doubled letter moved, one edit, or a person name', () => {
    expect(twoEditsFromShared(df, 'kougyou', 'kogyo')).toBe(false);
    expect(twoEditsFromShared(df, 'presicion', 'precision')).toBe(false);
    expect(twoEditsFromShared(df, 'meulenn', 'meulen')).toBe(false);
    expect(twoEditsFromShared(df, 'smoth', 'smith')).toBe(false);
    expect(twoEditsFromShared(new Map([['meulen', 1]]), 'molen', 'meulen')).toBe(false);
    const masters = [
      { key: 'M', name: 'Van der Meulen Machinehandel B.V.' },
      { key: 'T', name: 'Van der Meulen Techniek B.V.' },
    ];
    expect(linkOf(masters, 'Van der Meulenn Machinehandel B.V.')).toBe('M');
  });
});
