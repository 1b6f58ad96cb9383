import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';

/**
 * A person's two names swapped where only one of them can be a given name (person-swap.ts, issue #16 lab11): the
 * surname-first order of Hungarian, Baltic, East Asian and payroll ledgers is the same person; two names that can both
 * be given names ("Ryan Thomas" / Thomas Ryan) may be two people and stay for review.
 */
describe("a person's two names swapped", () => {
  const ms = [
    { key: 'N', name: 'Nagy László e.v.' },
    { key: 'M', name: 'Antoine Mercier' },
    { key: 'W', name: 'Karen Wong' },
    { key: 'T', name: 'Thomas Ryan' },
    { key: 'S', name: 'Pacific Steel' },
    { key: 'B', name: 'Nagy Bútor Kft.' },
  ];

  it('links the one person when one of the two names is no given name', () => {
    expect(linkOf(ms, 'László Nagy')).toBe('N');
    expect(linkOf(ms, 'MERCIER ANTOINE')).toBe('M');
    expect(linkOf(ms, 'WONG KAREN')).toBe('W');
    expect(decide(ms, 'WONG KAREN').candidates[0]!.signals.order).toBe('surname-first');
  });

  it('keeps two names that can both be given names for review ("Ryan Thomas" may be another person)', () => {
    const d = decide(ms, 'Ryan Thomas');
    expect(d.outcome).toBe('review');
    expect(d.candidates[0]!.key).toBe('T');
  });

  it("never reads a firm's words so, nor a name with a legal form, nor a master with a firm's legal form", () => {
    // no person's name among the words
    expect(linkOf(ms, 'Steel Pacific')).toBeNull();
    // the name's own legal form, or the master's a company's: a firm's word order is another rule's
    expect(linkOf(ms, 'László Nagy Kft.')).toBeNull();
    expect(linkOf([{ key: 'K', name: 'Kovács Gábor Kft.' }, ...ms], 'Gábor Kovács')).toBeNull();
  });

  it("reads only two words, each the other side's own: a third word or a typo stays a reordering", () => {
    expect(linkOf(ms, 'Mercier Antoine Paul')).toBeNull();
    expect(linkOf(ms, 'Mercer Antoine')).toBeNull();
  });
});
