/**
 * The batch options a library caller passes, checked as the CLI's flags are (src/cli/commands/apply.ts): a bad value
 * is USAGE (exit 2) before anything is written. Before, `batchSize: 0` (say `Number(process.env.BATCH)` unset) walked
 * one row per batch for hours, and `NaN` failed in the middle of a run.
 */
import { BackfillError } from '../errors.js';
import type { BatchOptions } from './options.js';

/** The most connections `parallel` may ask for (each holds a server backend, and on Citus its worker connections). */
export const MAX_PARALLEL = 32;

/** The most a server timeout setting takes (an int4 of milliseconds). */
export const MAX_TIMEOUT_MS = 2147483647;

const WHOLE: [keyof BatchOptions, number, number][] = [
  ['batchSize', 1, Number.MAX_SAFE_INTEGER],
  ['minBatchSize', 1, Number.MAX_SAFE_INTEGER],
  ['maxBatchSize', 1, Number.MAX_SAFE_INTEGER],
  ['lockTimeoutMs', 1, MAX_TIMEOUT_MS],
  ['statementTimeoutMs', 1, MAX_TIMEOUT_MS],
  ['lockRetries', 0, Number.MAX_SAFE_INTEGER],
  ['reconnectAttempts', 0, Number.MAX_SAFE_INTEGER],
  ['autoParallelMinRows', 1, Number.MAX_SAFE_INTEGER],
];
const AT_LEAST_ZERO: (keyof BatchOptions)[] = ['backoffMs', 'reconnectBackoffMs', 'pauseMs'];
const ABOVE_ZERO: (keyof BatchOptions)[] = ['targetBatchMs', 'maxRate'];

function bad(name: string, want: string, got: unknown): BackfillError {
  return new BackfillError('USAGE', `${name} must be ${want} (got ${String(got)}); nothing written`, { details: { option: name } });
}

export function checkBatchOptions(o: BatchOptions & { maxUnmatchedRecords?: number }): void {
  for (const [name, min, max] of WHOLE) {
    const v = o[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max))
      throw bad(name, max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`, v);
  }
  for (const name of AT_LEAST_ZERO) {
    const v = o[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw bad(name, 'a number ≥ 0', v);
  }
  for (const name of ABOVE_ZERO) {
    const v = o[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw bad(name, 'a number > 0', v);
  }
  const m = o.maxUnmatchedRecords;
  if (m !== undefined && !(Number.isInteger(m) && m >= 0)) throw bad('maxUnmatchedRecords', 'a whole number ≥ 0', m);
  if (o.walk !== undefined && !['auto', 'key', 'ctid'].includes(o.walk)) throw bad('walk', `'auto', 'key' or 'ctid'`, o.walk);
  const p = o.parallel;
  if (p !== undefined && p !== 'auto' && !(Number.isInteger(p) && p >= 1 && p <= MAX_PARALLEL))
    throw bad('parallel', `'auto' or a whole number from 1 to ${MAX_PARALLEL}`, p);
  if (o.minBatchSize !== undefined && o.maxBatchSize !== undefined && o.minBatchSize > o.maxBatchSize)
    throw bad('minBatchSize', `at most maxBatchSize (${o.maxBatchSize})`, o.minBatchSize);
}
