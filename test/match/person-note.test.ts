import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/index.js';

describe('a note after a person written surname first', () => {
  it('is read off: a matter, a pet, a payroll code, a title', () => {
    expect(normalizeName('Patel, Nisha (Immigration)').key).toBe('nisha patel');
    expect(normalizeName('Nguyen, Linh - Mochi').key).toBe('linh nguyen');
    expect(normalizeName('KOWALSKI, JAN (PAYE)').key).toBe('jan kowalski');
    expect(normalizeName('Smith, John - consultant').rules).toContain('person-note');
    expect(linkOf([{ key: 'P', name: 'Pruitt, Wayne' }], 'Pruitt, Wayne (Duke)')).toBe('P');
    expect(linkOf([{ key: 'I', name: 'Dr. Ramesh Kumar Iyer' }], 'Iyer, Ramesh Kumar (Dr.)')).toBe('I');
  });
  it("not when the note names the person's trust, estate, firm or shop, nor after a firm's name", () => {
    expect(normalizeName('Chen, Rosalind - Revocable Trust').rules).not.toContain('person-note');
    expect(normalizeName('Keswick, Dorothy (Estate of)').rules).not.toContain('person-note');
    expect(normalizeName('Acme Tools, Inc. (Europe)').rules).not.toContain('person-note');
    const d = decide([{ key: 'R', name: 'Rosalind Chen' }], 'Chen, Rosalind - Revocable Trust');
    expect(d.outcome).not.toBe('linked');
  });
  it('two people of one surname stay two', () => {
    const masters = [
      { key: 'M', name: 'Johnson, Mark' },
      { key: 'K', name: 'Johnson, Mary' },
    ];
    expect(linkOf(masters, 'Johnson, Mark (Bear)')).toBe('M');
    expect(linkOf(masters, 'Johnson, Martha (Bear)')).toBeNull();
  });
  it('not when the note names another person: a generation, a relative, names only', () => {
    expect(normalizeName('Reyes, Jose (Jr.)').rules).not.toContain('person-note');
    expect(normalizeName('Cruz, Ana (wife)').rules).not.toContain('person-note');
    expect(normalizeName('Chen, Wei (David)').rules).not.toContain('person-note');
    expect(linkOf([{ key: 'R', name: 'Jose Reyes' }], 'Reyes, Jose (Jr.)')).toBeNull();
  });
});
