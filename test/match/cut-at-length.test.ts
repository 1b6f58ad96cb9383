import { describe, expect, it } from 'vitest';
import { declaredLength } from '../../src/context/column-types.js';
import { createMatcher, DEFAULT_MATCH_OPTIONS, type MasterRecord } from '../../src/match/index.js';
import { fillsColumn } from '../../src/match/truncation.js';
import { sharedMaxLength } from '../../src/planning/scored.js';
import { FILLER } from '../helpers/match.js';

/** Names cut by their column's length (issue #16, lab15): see test/db/cut-at-length.test.ts for the catalogue's part. */
describe('a name that fills its column', () => {
  const masters: MasterRecord[] = [
    { key: 'CNF', name: 'Consolidated Northern Freight Forwarding Services of Scotland' },
    { key: 'PRE', name: 'Pacific Rim Agricultural Cooperative Association East' },
    { key: 'PRW', name: 'Pacific Rim Agricultural Cooperative Association West' },
    { key: 'BOE', name: 'Boeing Aircraft Holdings UK' },
    ...FILLER,
  ];
  const at = (nameLength: number | undefined, name: string) =>
    createMatcher(masters, [], { ...DEFAULT_MATCH_OPTIONS.fuzzy, ...(nameLength !== undefined ? { nameLength } : {}) }).match(name);
  const cut = (n: number, name: string) => [...name].slice(0, n).join('');

  it('is the one master its name starts, even cut after a whole word', () => {
    const name = cut(40, masters[0]!.name);
    expect(name).toBe('Consolidated Northern Freight Forwarding');
    expect(at(40, name)).toMatchObject({ outcome: 'linked', targetKey: 'CNF' });
    expect(at(40, name).candidates[0]!.signals.rule).toBe('truncated-at-length');
    // the column's length unknown, or another: no cut read (a whole word may end a name of its own)
    expect(at(undefined, name).outcome).not.toBe('linked');
    expect(at(50, name).outcome).not.toBe('linked');
  });

  it('is never read so when two masters start with it, or from fewer than 10 characters', () => {
    expect(at(40, cut(40, masters[1]!.name)).outcome).not.toBe('linked');
    expect(at(9, 'Boeing Ai').outcome).not.toBe('linked');
    expect(fillsColumn('Boeing Ai', 9)).toBe(false);
    expect(fillsColumn('Boeing Air', 10)).toBe(true);
    expect(fillsColumn('Boeing Airc', 10)).toBe(false);
  });

  it("reads the column's declared length, or the length three of the longest names share", () => {
    expect(declaredLength('character varying(40)')).toBe(40);
    expect(declaredLength('character(12)')).toBe(12);
    expect(declaredLength('text')).toBeUndefined();
    expect(declaredLength('character varying')).toBeUndefined();
    const x30 = (c: string) => c.repeat(30);
    expect(sharedMaxLength([x30('a'), x30('b'), x30('c'), 'short', null])).toBe(30);
    expect(sharedMaxLength([x30('a'), x30('b'), 'short'])).toBeUndefined();
    expect(sharedMaxLength(['a'.repeat(12), 'b'.repeat(12), 'c'.repeat(12)])).toBeUndefined();
  });
});
