import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';

describe("Mrs. before a man's given name", () => {
  const masters = [{ key: 'H', name: 'Harold J. Whitcombe' }];
  it('names his wife: review, the man first, never linked to him', () => {
    const d = decide(masters, 'Mrs. Harold J. Whitcombe');
    expect(d.outcome).toBe('review');
    expect(d.candidates[0]?.key).toBe('H');
  });
  it("a woman's own name after Mrs., or the master written with the title, still links", () => {
    expect(linkOf([{ key: 'E', name: 'Evelyn M. Whitcombe' }], 'Mrs. Evelyn M. Whitcombe')).toBe('E');
    expect(linkOf([{ key: 'W', name: 'Mrs. Harold J. Whitcombe' }], 'Mrs. Harold J. Whitcombe')).toBe('W');
    expect(linkOf(masters, 'Mr. Harold J. Whitcombe')).toBe('H');
  });
});
