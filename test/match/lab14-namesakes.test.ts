import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';

/** Namesakes a generation apart, read off a blind trial's wrong links (issue #16, lab14). */

describe('a father and his son of the same name, read through initials', () => {
  const ms = [
    { key: 'F', name: 'James T. Williams' },
    { key: 'S', name: 'James T. Williams II' },
    { key: 'R', name: 'James R. Williams' },
  ];
  it('initials that read both are for review, the father first', () => {
    const d = decide(ms, 'J. T. Williams');
    expect(d.outcome).toBe('review');
    expect(d.candidates[0]?.key).toBe('F');
    expect(d.reason).toContain('a generation apart');
    expect(decide(ms, 'J.T. WILLIAMS').outcome).not.toBe('linked');
  });
  it('the father alone, or a name in full, still links', () => {
    expect(linkOf([ms[0]!, ms[2]!], 'J. T. Williams')).toBe('F');
    expect(linkOf(ms, 'James T. Williams')).toBe('F');
    expect(linkOf(ms, 'J. T. Williams II')).toBe('S');
  });
});
