/** The knobs of batched apply and undo, and how a run stores them for its resume. */
import type { ProgressListener } from './progress.js';
import type { LiveLock } from './live.js';

/** Batching knobs shared by apply and undo (library and CLI). */
export interface BatchOptions {
  /** Rows walked per batch to start with (default 20 000; a ctid walk converts it to heap blocks). Given without `targetBatchMs`: fixed size. */
  batchSize?: number;
  /** Adapt the batch size so one batch takes about this long (default 1000 ms when batchSize is not given). */
  targetBatchMs?: number;
  minBatchSize?: number;
  maxBatchSize?: number;
  /** SET LOCAL lock_timeout per batch (default 2000 ms). */
  lockTimeoutMs?: number;
  /** SET LOCAL statement_timeout per batch (default 60 000 ms). */
  statementTimeoutMs?: number;
  /** Retries of a batch after a lock timeout before apply leaves out the rows still locked, or undo splits it (default 3). */
  lockRetries?: number;
  /** First back-off after a lock timeout, doubled each retry (default 200 ms). */
  backoffMs?: number;
  /** Throttle: at most this many rows changed per second. */
  maxRate?: number;
  /** Throttle: pause between batches. */
  pauseMs?: number;
  /**
   * How apply walks a source table (undo always walks its change log): 'ctid' in physical order, by
   * ranges of heap blocks (PostgreSQL 14+, a plain heap table); 'key' by primary-key ranges; 'auto'
   * (default): ctid for big runs, key for small ones and for a small part of a table (see chooseWalk
   * in walk.ts, docs/design.md).
   */
  walk?: 'auto' | 'key' | 'ctid';
  /** Connection lost (terminated, server restarted): reconnect and continue from the checkpoint this many times (default 5). */
  reconnectAttempts?: number;
  /** First wait before reconnecting, doubled each attempt up to 10 s (default 500 ms). */
  reconnectBackoffMs?: number;
  /**
   * apply --all-tenants only: walk this many slices of a link at once, each on its own connection with its
   * own checkpoint (src/apply/parallel.ts). Default 'auto': 2 for a link of at least 100 000 planned rows on one
   * server (not a Citus-distributed or reference source) when the database handle has connections to spare and the
   * run is not throttled (maxRate, pauseMs), else 1.
   */
  parallel?: number | 'auto';
  /**
   * Library only: the planned rows from which the default ('auto') gives a link 2 connections (default
   * AUTO_PARALLEL_MIN_ROWS, 100 000). Lets a test, or a caller who measured its own break-even, reach the two-connection
   * walk with a smaller table; stored with the run, so a resume decides the same way.
   */
  autoParallelMinRows?: number;
  /** Abort: the current batch finishes (commits), then the run stops with status 'stopped'. */
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** BatchOptions as a run walks with them: with the run's live lock, which each batch checks it still holds. */
export interface RunOptions extends BatchOptions {
  /** src/batch/live.ts; absent: no check (a walk outside a live run). */
  live?: LiveLock;
  /**
   * What the run checked as it started and must still hold while it runs (apply: no master has a namesake the plan
   * did not see), checked again between batches (RECHECK_GAP); it throws to end the run. Absent: nothing.
   */
  recheck?: () => Promise<void>;
}

/**
 * Between two rechecks of a run, this many times as long as the last one took: at most 1 % of the run goes to them, and
 * a duplicate master the application creates during an hour-long apply stops it within seconds (a check over the
 * plan's linked names: milliseconds to a few hundred at 100 000 of them), not after every later batch linked its name.
 */
export const RECHECK_GAP = 100;

/** Options as stored in runs.options (so a resume uses the same knobs unless told otherwise). */
export function storedBatchOptions(o: BatchOptions): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const k of [
    'batchSize',
    'targetBatchMs',
    'minBatchSize',
    'maxBatchSize',
    'lockTimeoutMs',
    'statementTimeoutMs',
    'lockRetries',
    'backoffMs',
    'maxRate',
    'pauseMs',
    'reconnectAttempts',
    'reconnectBackoffMs',
    'parallel',
    'autoParallelMinRows',
  ] as const) {
    const v = o[k];
    if (typeof v === 'number') out[k] = v;
  }
  if (o.walk !== undefined) out['walk'] = o.walk;
  return out;
}
