import { describe, expect, it } from 'vitest';
import { milliseconds } from '../../../src/cli/args.js';

describe('durations on the command line', () => {
  const parse = milliseconds('--lock-timeout', 1, 3_600_000);

  it('a bare number is milliseconds; 500ms, 2s and 1min as PostgreSQL and constrain write them (a trial: apply refused "2s")', () => {
    expect(['2000', '500ms', '2s', '1.5s', '1min', ' 3 s '].map(parse)).toEqual([2000, 500, 2000, 1500, 60_000, 3000]);
  });

  it('anything else, a fraction of a millisecond, or out of range: one line naming the flag, the range and the forms', () => {
    for (const bad of ['', 'soon', '2h', '-5', '0', '0.5ms', '2 hours', '61min'])
      expect(() => parse(bad)).toThrow(
        new RegExp(`^--lock-timeout must be a duration from 1 ms to 3600000 ms \\(2000, 500ms, 2s or 1min\\), got "${bad}"$`),
      );
  });
});
