/**
 * Option value parsers shared by every command: bad input is a BackfillError USAGE naming the flag
 * (one line, exit 2, before anything is opened or written).
 */
import { BackfillError } from '../errors.js';

/** A whole number in [min, max], written as digits (no `1.5`, `1e3`, `0x10`, blanks). */
export function wholeNumber(flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
      throw new BackfillError('USAGE', `${flag} must be ${range}, got "${v}"`);
    }
    return n;
  };
}

/**
 * A duration in milliseconds, written as PostgreSQL and constrain's --lock-timeout write one: a bare number is
 * milliseconds (2000), or with a unit (500ms, 2s, 1min); whole milliseconds from `min` to `max`.
 */
export function milliseconds(flag: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min)?\s*$/.exec(v);
    const n = m === null ? Number.NaN : Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'min' ? 60_000 : 1);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new BackfillError('USAGE', `${flag} must be a duration from ${min} ms to ${max} ms (2000, 500ms, 2s or 1min), got "${v}"`);
    return n;
  };
}

/** A finite number > 0 (rates). */
export function positiveNumber(flag: string): (v: string) => number {
  return (v) => {
    const n = v.trim() === '' ? Number.NaN : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new BackfillError('USAGE', `${flag} must be a number > 0, got "${v}"`);
    return n;
  };
}

/** A run id as `fk-backfill runs` lists them (digits), kept as text. */
export function runId(flag: string): (v: string) => string {
  return (v) => {
    if (!/^\s*\d{1,18}\s*$/.test(v))
      throw new BackfillError('USAGE', `${flag} must be a run id (a whole number, as \`fk-backfill runs\` lists them), got "${v}"`);
    return v.trim();
  };
}
