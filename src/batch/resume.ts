/**
 * What apply and undo share when a batched run continues or a transaction is run again: reopening a
 * stopped, failed or crashed run, its stored knobs under the ones given now, and the retry of a whole
 * transaction whose master vanished under its FK check.
 */
import type { Database, Queryable } from '../db/port.js';
import { BackfillError, sqlState } from '../errors.js';
import { linksWithChanges, reopenRunRow, type RunRecord } from '../store/runs.js';
import { type BatchOptions, storedBatchOptions } from './batch.js';

/** Runs `fn` (one whole transaction) again while it fails on a foreign key check (23503), at most 20 times. */
export async function retryOnVanishedMaster<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (sqlState(e) !== '23503' || attempt >= 20) throw e;
    }
  }
}

/** Marks a stopped / failed / crashed (still 'running') run as running again; refuses finished ones. */
export async function reopenRun(db: Database, run: RunRecord): Promise<void> {
  if (run.status === 'done') throw new BackfillError('RUN_STATE', `run ${run.id} is already done; nothing to resume`);
  if (run.options['mode'] !== 'batched') {
    throw new BackfillError(
      'RUN_STATE',
      `run ${run.id} ran in a single transaction (it committed entirely or not at all); nothing to resume`,
    );
  }
  await reopenRunRow(db, run.id);
}

/** Stored knobs of a run, overridden by the ones given now. */
export function mergedBatchOptions(run: RunRecord, o: BatchOptions): BatchOptions {
  const stored = storedBatchOptions(run.options as BatchOptions);
  return { ...stored, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as BatchOptions;
}

/**
 * A scope flag given beside `--resume`: the run continues in its own scope, so one that says the same is accepted (a
 * script passing --all-tenants to every command; a new user's trial) and one that differs is refused (USAGE, exit 2)
 * before anything is written, rather than ignored.
 */
export function assertResumeScope(run: RunRecord, given: { tenantId?: string | null; allTenants?: boolean }): void {
  const tenant = given.tenantId ?? null;
  if (tenant !== null && given.allTenants === true) throw new BackfillError('USAGE', 'give either a tenant or all tenants, not both');
  if (tenant === null && given.allTenants !== true) return;
  const own = run.scope?.tenant ?? null;
  if (tenant === own || (tenant === null && own === null)) return;
  const is = (t: string | null): string => (t === null ? 'every tenant' : `tenant ${t}`);
  throw new BackfillError(
    'USAGE',
    `${run.kind} run ${run.id} is of ${is(own)}, not of ${is(tenant)} (${tenant === null ? '--all-tenants' : '--tenant'}): resume it with ${
      own === null ? '--all-tenants' : `--tenant ${own}`
    } or no scope flag`,
  );
}

/**
 * A batched run failed after batches were committed: the error says what was written and how to go on (exit 1, not
 * the 2 of bad input: a new user's trial, 132,220 rows linked, then "permission denied" with exit 2 and no word of
 * the resume; an undo stopped by a trigger's SQLSTATE 53100 said DB_ERROR and nothing of `undo --resume`). Unchanged
 * when nothing was written or the message already names its --resume.
 */
export async function afterWrites(db: Queryable, kind: 'apply' | 'undo', runId: string, e: BackfillError): Promise<BackfillError> {
  if (e.message.includes('--resume')) return e;
  const links = await linksWithChanges(db, runId).catch(() => new Set<string>());
  if (links.size === 0) return e;
  const stay =
    kind === 'apply'
      ? `run ${runId} had written batches before it (${[...links].join(', ')}): they stay, logged (undo --run ${runId} sets them back)`
      : `undo run ${runId} had set back batches before it (${[...links].join(', ')}): they stay, logged`;
  // the same error with more said: its cause stays the original's (a user callback's own error, the driver's)
  return new BackfillError(e.code, `${e.message}; ${stay}. Fix it, then continue with fk-backfill ${kind} --resume ${runId} --yes`, {
    cause: e.cause ?? e,
    details: { ...e.details, runId, written: true },
  });
}
