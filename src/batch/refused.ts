/**
 * Rows the table refuses to link. One row whose new FK value a CHECK constraint, a unique index or a trigger
 * refuses would otherwise fail its whole batch, and every resume of it: the run could link nothing past it.
 * So a batch statement the table refused is retried on halves of the batch's rows, under a savepoint each,
 * until the rows it refuses are alone: they are left out (NULL, recorded with their error in
 * fk_backfill.refused_rows, in the batch's transaction) and every other row is linked. Set-based: a refused
 * row costs one or two statements per halving (up to 2·log2 of the batch), never one statement per row of it.
 *
 * A table that refuses far more than a few rows refuses for a reason of its own (a trigger that raises on
 * every update, a constraint the FK can never meet): past MAX_REFUSED_PER_BATCH (or REFUSED_SHARE_PER_BATCH of its
 * rows, at most 1,000) in one batch the batch rolls back and the run stops with the table's error, rather than trying
 * rows one by one. Beside a BEFORE UPDATE trigger the CHECKs over the FK point the split at the rows they would
 * refuse (batchRowsStatement's `s`); the table itself decides each.
 */
import type { Queryable } from '../db/port.js';
import { BackfillError, sqlState } from '../errors.js';
import { releaseSavepointStatement, rollbackToSavepointStatement, savepointStatement } from '../sql/batch.js';
import type { Statement } from '../sql/link.js';
import { runChange } from './change.js';
import type { RefusedRow } from '../store/refused.js';

export const MAX_REFUSED_PER_BATCH = 100;

/**
 * …or this share of the batch's rows, if more: a table whose CHECK refuses 1–2 % of the rows (void documents) next
 * to a trigger (which keeps the CHECK from being read before the update, see sql/checks.ts) is worked around at
 * the default batch size (20,000 rows: up to 400), instead of stopping the run.
 */
export const REFUSED_SHARE_PER_BATCH = 0.02;

/**
 * A batched walk whose batch the table refused more rows of than that halves the batch and runs it again (batch.ts),
 * down to this many rows, of which MAX_REFUSED_PER_BATCH (a fifth) may be refused: a CHECK refusing 2.5 % of the rows
 * beside a BEFORE UPDATE trigger went through at 2,500-row batches instead of stopping the run (a trial).
 */
export const REFUSAL_FLOOR = 5 * MAX_REFUSED_PER_BATCH;

/**
 * An error one row raises when the table refuses its new value: integrity constraints (class 23) but the FK's
 * own (23503: its master was deleted meanwhile, which batch.ts retries), data exceptions (class 22, from a
 * trigger's arithmetic or casts) and PL/pgSQL's (class P0: RAISE, ASSERT, a trigger's SELECT INTO STRICT).
 */
export function refusedByTable(state: string | undefined): boolean {
  if (state === undefined || state === '23503') return false;
  return state.startsWith('23') || state.startsWith('22') || state.startsWith('P0');
}

/** What a batch's work did: rows changed, and the rows the table refused (left out of it). */
export interface WorkOutcome {
  changed: number;
  refused: RefusedRow[];
}

export interface RefusableWork {
  /** The batch's statement over all its rows. */
  all: Statement;
  /**
   * The rows the batch may change, by key (run only when the table refused one); `s`: a suspect (a CHECK would
   * refuse it as the row stands), tried after the others.
   */
  rows: () => Statement<{ k: string; s?: boolean }>;
  /** The batch's statement over some of them. */
  some: (keys: readonly string[]) => Statement;
  /** For the message when the table refuses too many: which batch. */
  what: string;
  /** …and what to do about it (the message's last sentence). Absent: a batched apply's (resume run `runId` with smaller batches). */
  remedy?: string;
  /** The batched apply run the default remedy names. */
  runId?: string;
  /** Ctrl-C: a split in progress stops at its next statement (SplitStopped; the batch rolls back, the run is stopped). */
  signal?: AbortSignal | undefined;
}

/** A split stopped by its signal: the batch's transaction rolls back and the walk stops as after a batch. */
export class SplitStopped extends Error {
  constructor() {
    super('stopped during a split of a refused batch');
  }
}

/** Runs `st` under the savepoint: the rows it changed, or the error the table refused a row with (rolled back to the savepoint). */
async function attempt(tx: Queryable, st: Statement): Promise<{ changed: number } | { error: unknown }> {
  await tx.query(savepointStatement());
  try {
    const changed = await runChange(tx, st);
    await tx.query(releaseSavepointStatement());
    return { changed };
  } catch (e) {
    if (!refusedByTable(sqlState(e))) throw e;
    await tx.query(rollbackToSavepointStatement());
    await tx.query(releaseSavepointStatement());
    return { error: e };
  }
}

function refusal(key: string, e: unknown): RefusedRow {
  const c = (e as { constraint?: unknown }).constraint;
  return {
    key,
    sqlstate: sqlState(e) ?? '',
    constraint: typeof c === 'string' && c !== '' ? c : null,
    message: e instanceof Error ? e.message : String(e),
  };
}

/** The batch's work, leaving out the rows the table refuses (see the file comment). */
export async function workAroundRefusals(tx: Queryable, w: RefusableWork): Promise<WorkOutcome> {
  const first = await attempt(tx, w.all);
  if ('changed' in first) return { changed: first.changed, refused: [] };
  const read = (await tx.query(w.rows())).rows;
  const keys = read.map((r) => r.k);
  // at most 1,000: a one-transaction apply's "batch" is the whole link (2 % of 1 M rows would be 20,000)
  const cap = Math.max(MAX_REFUSED_PER_BATCH, Math.min(1000, Math.ceil(keys.length * REFUSED_SHARE_PER_BATCH)));
  const out: WorkOutcome = { changed: 0, refused: [] };
  // Halves of the rows, depth first. A part whose first half went through holds a refused row in its second
  // half (unless the rows changed meanwhile), which is then split at once, untried; a single row is always tried.
  // Returns whether every row of the part went through.
  const split = async (part: readonly string[], mustFail: boolean): Promise<boolean> => {
    if (part.length === 0) return true;
    // a turn of the event loop first: an in-process database (PGlite) answers without one, so Ctrl-C's handler
    // (a macrotask) would otherwise wait for the whole split
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (w.signal?.aborted === true) throw new SplitStopped();
    let error: unknown;
    if (!mustFail || part.length === 1) {
      const r = await attempt(tx, w.some(part));
      if ('changed' in r) {
        out.changed += r.changed;
        return true;
      }
      error = r.error;
    }
    if (part.length === 1) {
      out.refused.push(refusal(part[0]!, error));
      if (out.refused.length > cap) {
        const e = out.refused[0]!;
        throw new BackfillError(
          'ROWS_REFUSED',
          `${w.what}: the table refused more than ${cap} rows of one batch (of ${keys.length}), so it refuses for a reason of its own (first, row ${e.key}: ${e.message}${e.sqlstate === '' ? '' : ` [SQLSTATE ${e.sqlstate}]`}); the batch was rolled back. ${w.remedy ?? `Change or drop what refuses them, or let fewer rows into a batch: resume the run (fk-backfill apply --resume ${w.runId ?? 'RUN'} --yes) with a --batch-size small enough that no batch holds more than ${MAX_REFUSED_PER_BATCH} of them (or ${REFUSED_SHARE_PER_BATCH * 100} % of its rows); those are then left NULL, each named, and the rest linked`}`,
          { cause: error },
        );
      }
      return false;
    }
    const mid = part.length >> 1;
    const firstWent = await split(part.slice(0, mid), false);
    await split(part.slice(mid), firstWent);
    return false;
  };
  const suspects = read.filter((r) => r.s === true).map((r) => r.k);
  if (suspects.length === 0) await split(keys, true);
  else {
    // the rows a CHECK would refuse as they stand last: the others first as one statement (split only if a trigger
    // refuses some of them too), then the suspects, which the table's own trigger and CHECK decide row by row
    const s = new Set(suspects);
    await split(
      keys.filter((k) => !s.has(k)),
      false,
    );
    // all at once (a trigger may make them acceptable), else one by one: most are refused, and halving a part
    // whose rows all fail costs twice the statements
    const all = await attempt(tx, w.some(suspects));
    if ('changed' in all) out.changed += all.changed;
    else for (const k of suspects) await split([k], false);
  }
  return out;
}
