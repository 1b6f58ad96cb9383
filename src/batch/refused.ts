/**
 * Rows the table refuses to link. One row whose new FK value a CHECK constraint, a unique index or a trigger
 * refuses would otherwise fail its whole batch, and every resume of it: the run could link nothing past it.
 * So a batch statement the table refused is retried on halves of the batch's rows, under a savepoint each,
 * until the rows it refuses are alone: they are left out (NULL, recorded with their error in
 * fk_backfill.refused_rows, in the batch's transaction) and every other row is linked. Set-based: a refused
 * row costs one or two statements per halving (up to 2·log2 of the batch), never one statement per row of it.
 *
 * A table that refuses far more than a few rows refuses for a reason of its own (a trigger that raises on
 * every update, a constraint the FK can never meet): past a cap the batch rolls back and the run stops with the
 * table's error, rather than trying rows one by one. Apply's cap is per batch (MAX_REFUSED_PER_BATCH, or
 * REFUSED_SHARE_PER_BATCH of its rows, at most 1,000: batch.ts then halves the batch); undo's is over the whole walk
 * (RefusalTally: more than MAX_REFUSED_PER_BATCH and more than SYSTEMATIC_SHARE of the rows tried so far). Beside a
 * BEFORE UPDATE trigger the CHECKs over the FK point the split at the rows they would refuse (batchRowsStatement's
 * `s`); the table itself decides each.
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
 * The cap of a walk that judges refusals over all its rows (RefusableWork.tally: undo): refused rows are left linked
 * and reported until more than MAX_REFUSED_PER_BATCH of them are more than this share of the rows tried so far. Rows
 * in closed accounting periods cluster in the change log's order (a closed month filled up to 24 % of a 500-row
 * window) while being 2–3 % of the run: judged per batch they stopped the undo; a table that refuses every row (a
 * trigger or CHECK against any NULL FK) still stops after about MAX_REFUSED_PER_BATCH of them.
 */
export const SYSTEMATIC_SHARE = 0.5;

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

/** A row a batch may change: its key (rowKeyText); `s`: a suspect (a CHECK would refuse it as the row stands). */
export interface SplitRow {
  k: string;
  s?: boolean;
}

/** The rows a walk has tried in its committed batches (rows of the batches, refused among them): undo's cap. */
export interface RefusalTally {
  tried: number;
  refused: number;
}

export interface RefusableWork<R extends SplitRow = SplitRow> {
  /** The batch's statement over all its rows. */
  all: Statement;
  /** The rows the batch may change, in the walk's order (run only when the table refused one); suspects are tried after the others. */
  rows: () => Statement<R>;
  /** The batch's statement over some of them (`keys`: their keys; `rows`: the rows as `rows()` read them). */
  some: (keys: readonly string[], rows: readonly R[]) => Statement;
  /** For the message when the table refuses too many: which batch. */
  what: string;
  /** …and what to do about it (the message's last sentence). Absent: a batched apply's (resume run `runId` with smaller batches). */
  remedy?: string;
  /** The batched apply run the default remedy names. */
  runId?: string;
  /** Ctrl-C: a split in progress stops at its next statement (SplitStopped; the batch rolls back, the run is stopped). */
  signal?: AbortSignal | undefined;
  /** Judge the cap over the whole walk (SYSTEMATIC_SHARE), the walk's committed batches so far; absent: per batch. */
  tally?: RefusalTally;
}

/** A split stopped by its signal: the batch's transaction rolls back and the walk stops as after a batch. */
export class SplitStopped extends Error {
  constructor() {
    super('stopped during a split of a refused batch');
  }
}

/**
 * Runs `st` under the savepoint: the rows it changed, or the error the table refused a row with (rolled back to the
 * savepoint). A savepoint rolled back to stays, and the next statement runs under it (`sp.held`): a round trip less
 * for each refused part, and one less for the statement after it (a split's statements are a few ms each).
 */
async function attempt(tx: Queryable, st: Statement, sp: { held: boolean }): Promise<{ changed: number } | { error: unknown }> {
  if (!sp.held) await tx.query(savepointStatement());
  sp.held = true;
  try {
    const changed = await runChange(tx, st);
    await tx.query(releaseSavepointStatement());
    sp.held = false;
    return { changed };
  } catch (e) {
    if (!refusedByTable(sqlState(e))) throw e;
    await tx.query(rollbackToSavepointStatement());
    return { error: e };
  }
}

function errorText(e: RefusedRow): string {
  return `${e.message}${e.sqlstate === '' ? '' : ` [SQLSTATE ${e.sqlstate}]`}`;
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
export async function workAroundRefusals<R extends SplitRow>(tx: Queryable, w: RefusableWork<R>): Promise<WorkOutcome> {
  const sp = { held: false };
  const first = await attempt(tx, w.all, sp);
  if ('changed' in first) return { changed: first.changed, refused: [] };
  const read = (await tx.query(w.rows())).rows;
  // at most 1,000: a one-transaction apply's "batch" is the whole link (2 % of 1 M rows would be 20,000)
  const cap = Math.max(MAX_REFUSED_PER_BATCH, Math.min(1000, Math.ceil(read.length * REFUSED_SHARE_PER_BATCH)));
  const out: WorkOutcome = { changed: 0, refused: [] };
  let passed = 0; // rows of this batch that went through
  let pending = 0; // parts known to hold a refused row, not split down yet: each holds one at least
  // stops the batch once the rows refused (no fewer than those found and the parts pending) are past the cap
  const judge = (error: unknown): void => {
    const refused = out.refused.length + pending;
    const t = w.tally;
    const over =
      t === undefined
        ? refused > cap
        : t.refused + refused > MAX_REFUSED_PER_BATCH && t.refused + refused > SYSTEMATIC_SHARE * (t.tried + passed + refused);
    if (!over) return;
    const how =
      t === undefined
        ? `more than ${cap} rows of one batch (of ${read.length})`
        : `at least ${t.refused + refused} of the ${t.tried + passed + refused} rows tried so far (more than ${SYSTEMATIC_SHARE * 100} %)`;
    const e = out.refused[0];
    const why = e === undefined ? errorText(refusal('', error)) : `first, row ${e.key}: ${errorText(e)}`;
    throw new BackfillError(
      'ROWS_REFUSED',
      `${w.what}: the table refused ${how}, so it refuses for a reason of its own (${why}); the batch was rolled back. ${w.remedy ?? `Change or drop what refuses them, or let fewer rows into a batch: resume the run (fk-backfill apply --resume ${w.runId ?? 'RUN'} --yes) with a --batch-size small enough that no batch holds more than ${MAX_REFUSED_PER_BATCH} of them (or ${REFUSED_SHARE_PER_BATCH * 100} % of its rows); those are then left NULL, each named, and the rest linked`}`,
      { cause: error },
    );
  };
  // the part's statement: null when its rows went through, else the error the table refused one with
  const tryPart = async (part: readonly R[]): Promise<unknown> => {
    // a turn of the event loop first: an in-process database (PGlite) answers without one, so Ctrl-C's handler
    // (a macrotask) would otherwise wait for the whole split
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (w.signal?.aborted === true) throw new SplitStopped();
    const r = await attempt(
      tx,
      w.some(
        part.map((x) => x.k),
        part,
      ),
      sp,
    );
    if ('error' in r) return r.error ?? new Error('refused');
    out.changed += r.changed;
    passed += part.length;
    return null;
  };
  // a part that failed: its row recorded as refused, or the part kept to be split at the next level
  const failed = (part: readonly R[], error: unknown, next: (readonly R[])[]): void => {
    if (part.length === 1) out.refused.push(refusal(part[0]!.k, error));
    else {
      next.push(part);
      pending += 1;
    }
    judge(error);
  };
  // Halves of a part known to hold a refused row, level by level (breadth first: the rows that go through are
  // counted as tried early, so a cluster of refused rows at the start of a batch is not judged on its own, and a
  // table refusing every row is stopped after about 2·MAX_REFUSED_PER_BATCH statements). A part whose first half
  // went through holds a refused row in its second half (unless the rows changed meanwhile), which is then split
  // at once, untried; a single row is always tried (its own error is recorded). A refused row costs one or two
  // statements per halving, up to 2·log2 of the batch, fewer where refused rows lie together.
  const split = async (start: readonly R[], error: unknown): Promise<void> => {
    if (start.length === 0) return;
    let level: (readonly R[])[] = [];
    const e = error === null ? await tryPart(start) : error;
    if (e !== null) failed(start, e, level);
    while (level.length > 0) {
      const next: (readonly R[])[] = [];
      for (const part of level) {
        pending -= 1;
        const mid = part.length >> 1;
        const [a, b] = [part.slice(0, mid), part.slice(mid)];
        const ea = await tryPart(a);
        if (ea !== null) failed(a, ea, next);
        if (ea === null && b.length > 1) {
          next.push(b);
          pending += 1;
          continue;
        }
        const eb = await tryPart(b);
        if (eb !== null) failed(b, eb, next);
      }
      level = next;
    }
  };
  const suspects = read.filter((r) => r.s === true);
  if (suspects.length === 0) await split(read, first.error);
  else {
    // the rows a CHECK would refuse as they stand last: the others first as one statement (split only if a trigger
    // refuses some of them too), then the suspects, which the table's own trigger and CHECK decide row by row
    const others = read.filter((r) => r.s !== true);
    const e = others.length === 0 ? null : await tryPart(others);
    if (e !== null) await split(others, e);
    // all at once (a trigger may make them acceptable), else one by one: most are refused, and halving a part
    // whose rows all fail costs twice the statements
    if ((await tryPart(suspects)) !== null) for (const s of suspects) await split([s], null);
  }
  if (sp.held) await tx.query(releaseSavepointStatement());
  return out;
}
