import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';

/**
 * A master registered under a given name the lists know ("Juha", "Abdou") and a document naming a longer given name
 * that begins with it ("Juhani", "Abdourahmane"): another person, not the master's name cut short (issue #16, lab13).
 * The other way round, the document's short form is a clerk's clipping of the master's name ("Doug" / Douglas).
 */
describe("a longer given name than the master's", () => {
  const ms = [
    { key: 'JV', name: 'Virtanen, Juha (Metsäkonepalvelu)' },
    { key: 'AN', name: 'Abdou Ndiaye' },
    { key: 'DS', name: 'Douglas Sinclair' },
    { key: 'TL', name: 'Tejas Logistics Group LLC' },
  ];

  it('is left to review, the master first', () => {
    for (const [name, key] of [
      ['Virtanen, Juhani (Metsäkonepalvelu)', 'JV'],
      ['Abdourahmane Ndiaye', 'AN'],
    ] as const) {
      const d = decide(ms, name);
      expect(d.outcome, name).not.toBe('linked');
      expect(d.candidates[0]!.key, name).toBe(key);
    }
  });

  it("still links a clipped form of the master's name", () => {
    expect(linkOf(ms, 'Doug Sinclair')).toBe('DS');
    expect(linkOf(ms, 'Abdou Ndiaye')).toBe('AN');
  });
});
