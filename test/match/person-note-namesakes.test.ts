import { describe, expect, it } from 'vitest';
import { sameNote } from '../../src/match/person-note.js';
import { decide, linkOf } from '../helpers/match.js';

/**
 * Namesakes a ledger holds apart by a note after the person ("Murphy, Seán (Ballyhea)" beside Murphy, Seán
 * (Churchtown)): the two masters are one normalised name, so the name was ambiguous even written exactly; the note the
 * name writes picks the master that carries it (issue #16, lab13).
 */
describe('namesakes one note apart', () => {
  it('reads the same note off two names', () => {
    expect(sameNote('MURPHY, SEAN (BALLYHEA)', 'Murphy, Seán (Ballyhea)')).toBe(true);
    expect(sameNote('Murphy, Seán (Churchtown)', 'Murphy, Seán (Ballyhea)')).toBe(false);
    expect(sameNote('Murphy, Seán', 'Murphy, Seán (Ballyhea)')).toBe(false);
  });

  const ms = [
    { key: 'BH', name: 'Murphy, Seán (Ballyhea)' },
    { key: 'CT', name: 'Murphy, Seán (Churchtown)' },
    { key: 'FR', name: 'Friesen, Heinrich (Kol. Menno, Dorf 7)' },
    { key: 'FF', name: 'Friesen, Heinrich (Kol. Fernheim, Dorf 12)' },
  ];

  it('links the namesake whose note the name writes', () => {
    expect(linkOf(ms, 'Murphy, Seán (Ballyhea)')).toBe('BH');
    expect(linkOf(ms, 'MURPHY, SEAN (BALLYHEA)')).toBe('BH');
    expect(linkOf(ms, 'Murphy, Seán (Churchtown)')).toBe('CT');
    expect(linkOf(ms, 'Friesen, Heinrich (Kol. Fernheim, Dorf 12)')).toBe('FF');
  });

  it('keeps a name without a note, or with another one, ambiguous between them', () => {
    expect(decide(ms, 'Murphy, Seán').outcome).toBe('ambiguous');
    expect(decide(ms, 'Murphy, Seán (Kanturk)').outcome).toBe('ambiguous');
  });
});
