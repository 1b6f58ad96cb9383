/**
 * Progress of batched apply / undo: the events the batch engine emits (shown by src/render/progress.ts:
 * a bar on a TTY, NDJSON lines, or nothing).
 */
export type BatchKind = 'apply' | 'undo';

interface Base {
  kind: BatchKind;
  runId: string;
  link: string;
}

export type ProgressEvent =
  | (Base & { event: 'start'; total: number; changed: number; resumed: boolean; catchUp?: boolean })
  | (Base & {
      event: 'batch';
      /**
       * Bounds of the batch: keys (after, upTo] of a key walk, heap blocks [after, upTo) of a ctid walk,
       * change log positions (after, upTo] of an undo.
       */
      after: string | null;
      upTo: string;
      /** Rows walked (a ctid walk estimates them from the table's rows per block). */
      keys: number;
      changed: number;
      /** Rows changed so far in this link (including earlier runs of a resumed run). */
      done: number;
      total: number;
      batchSize: number;
      ms: number;
      rowsPerSecond: number;
      etaSeconds: number | null;
    })
  | (Base & {
      event: 'retry';
      reason: 'lock_timeout' | 'statement_timeout' | 'master_deleted';
      attempt: number;
      batchSize: number;
      backoffMs: number;
    })
  | (Base & { event: 'split'; reason: 'lock_timeout' | 'statement_timeout' | 'rows_refused'; batchSize: number })
  /**
   * Apply: a batch stayed locked through every retry: it is run once more, leaving out the rows another session keeps
   * locked (recorded, tried again by the final sweep), instead of being halved down to them and failing the run.
   */
  | (Base & { event: 'pass'; reason: 'lock_timeout'; batchSize: number })
  | (Base & { event: 'end'; changed: number; total: number; status: 'done' | 'stopped' })
  /** The connection was lost (the batch in flight rolled back): waiting, then continuing from the checkpoint. */
  | (Base & { event: 'reconnect'; attempt: number; of: number; waitMs: number; error: string });

export type ProgressListener = (e: ProgressEvent) => void;
