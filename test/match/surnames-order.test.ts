import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';

/**
 * A person's two surnames in the other order (issue #16, lab12): Spanish, Portuguese and Andean names carry the
 * father's surname, then the mother's; "Mamani Apaza" and "Apaza Mamani" are two families' children.
 */
describe("a person's two surnames in the other order", () => {
  const ms = [
    { key: 'AM', name: 'Apaza Mamani, Teodoro' },
    { key: 'OR', name: 'María Fernanda Ospina Restrepo' },
    { key: 'KJ', name: 'Kaupa, Joseph Jnr' },
  ];

  it('is another person', () => {
    expect(linkOf(ms, 'Mamani Apaza, Teodoro')).toBeNull();
    expect(linkOf(ms, 'Teodoro Mamani Apaza')).toBeNull();
    expect(decide(ms, 'Mamani Apaza, Teodoro').candidates[0]!.key).toBe('AM');
  });

  it('the same surnames in the same order, written surname first or with a generation, stay one person', () => {
    expect(linkOf(ms, 'Teodoro Apaza Mamani')).toBe('AM');
    expect(linkOf(ms, 'Ospina Restrepo María Fernanda')).toBe('OR');
    expect(linkOf(ms, 'Joseph Kaupa Jnr')).toBe('KJ');
  });
});
