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
