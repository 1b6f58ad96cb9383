import { describe, expect, it } from 'vitest';
import { createMatcher, DEFAULT_MATCH_OPTIONS, explainScore, MATCH_TUNING, type MasterRecord } from '../../src/match/index.js';

/**
 * A name that leaves out a master's middle word which tells that master from others of the scope ("MGM Television" /
 * MGM Worldwide Television beside Amazon MGM Studios and Fuji Television): capped for review (score.ts droppedBetween).
 */
const fuzzy = DEFAULT_MATCH_OPTIONS.fuzzy;
const filler: MasterRecord[] = ['Northwind Traders', 'Contoso Pharmaceuticals', 'Fabrikam Logistics', 'Tailspin Toys', 'Litware Books'].map(
  (name, i) => ({ key: `f${i}`, name }),
);
const best = (masters: MasterRecord[], name: string) => createMatcher([...masters, ...filler], [], fuzzy).match(name);

describe('a left-out word that tells masters apart', () => {
  const group: MasterRecord[] = [
    { key: 'mgmw', name: 'MGM Worldwide Television' },
    { key: 'amgm', name: 'Amazon MGM Studios' },
    { key: 'fuji', name: 'Fuji Television' },
  ];
  it('caps "MGM Television" below autoLinkAt when its kept words are in other masters too', () => {
    const d = best(group, 'MGM Television');
    const c = d.candidates[0]!;
    expect(c.key).toBe('mgmw');
    expect(c.signals['droppedWord']).toBe('worldwide');
    expect(c.score).toBe(MATCH_TUNING.droppedWordCap);
    expect(d.outcome).toBe('review');
    // never auto-linked, whatever the threshold (like a word conflict)
    const low = createMatcher([...group, ...filler], [], { ...fuzzy, autoLinkAt: 0.7 }).match('MGM Television');
    expect(low.outcome).toBe('review');
    expect(low.reason).toContain('leaves out a word');
    const steps = explainScore(c.score, c.signals);
    expect(steps.map((s) => s.signal)).toContain('droppedWord');
    expect(steps.reduce((a, s) => a + s.value, 0)).toBeCloseTo(c.score, 3);
  });
  it("does not cap when a kept word is the master's alone in the scope", () => {
    const alone = best(
      [
        { key: 'mgmw', name: 'MGM Worldwide Television' },
        { key: 'fuji', name: 'Fuji Television' },
      ],
      'MGM Television',
    );
    expect(alone.candidates[0]!.signals['droppedWord']).toBeUndefined();
  });
  it('does not cap a name of three or more words, an initial, a function word or a legal form left out', () => {
    const masters: MasterRecord[] = [
      { key: 'pan', name: 'Panasonic Smart Factory Solutions' },
      { key: 'pan2', name: 'Panasonic Welding Solutions' },
      { key: 'fac', name: 'Factory Direct' },
      { key: 'dor', name: 'Dorothy M. Abernathy' },
      { key: 'dor2', name: 'Dorothy Kane' },
      { key: 'abe', name: 'Carl Abernathy' },
      { key: 'boa', name: 'Bank of Montreal' },
      { key: 'boa2', name: 'Bank Leumi' },
      { key: 'mon', name: 'Montreal Trust' },
    ];
    for (const name of ['Panasonic Factory Solutions', 'Dorothy Abernathy', 'Bank Montreal'])
      expect([name, best(masters, name).candidates[0]!.signals['droppedWord']]).toEqual([name, undefined]);
  });
  it("does not cap a person's middle name left out after a known given name", () => {
    const masters: MasterRecord[] = [
      { key: 'jps', name: 'John Paul Smith' },
      { key: 'jb', name: 'John Brown' },
      { key: 'as', name: 'Alice Smith' },
    ];
    expect(best(masters, 'John Smith').candidates[0]!.signals['droppedWord']).toBeUndefined();
  });
});
