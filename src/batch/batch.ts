/**
 * The batch engine behind batched apply and undo: walks a key range set-based (keyset, never OFFSET),
 * one transaction per batch that
 *   1. takes the run's advisory lock (two processes never run batches of one run at once),
 *   2. sets lock_timeout / statement_timeout (SET LOCAL),
 *   3. reads the run's checkpoint (FOR UPDATE) — the single source of truth for where to continue,
 *   4. finds the batch's upper bound (`ORDER BY key LIMIT n`), runs the one set-based statement
 *      (which writes the change log itself), and
 *   5. stores the new checkpoint,
 * then commits. So a crash at any point leaves either the whole batch with its checkpoint, or neither:
 * `--resume` continues exactly where the log says. Lock timeouts back off and retry; then an apply batch leaves out
 * the rows another session keeps locked (lockWhatIsFree), and anything else is split.
 */
import { type Database, num, type Queryable } from '../db/port.js';
import { BackfillError, LOCK_NOT_AVAILABLE, sqlState, wrapDbError } from '../errors.js';
import { batchStartStatement, citusBatchTimeoutsStatements } from '../sql/batch.js';
import { sleep, turn } from './sleep.js';
import type { Statement } from '../sql/link.js';
import { runChange } from './change.js';
import type { BoundRow, KeyRange } from '../sql/walk.js';
import { recordRefused, type RefusedRow } from '../store/refused.js';
import { REFUSAL_FLOOR, type RefusalTally, type SplitRow, SplitStopped, workAroundRefusals } from './refused.js';

export { batchSettings } from '../sql/batch.js';
import { lockRunCheckpoint, saveCheckpoint } from '../store/runs.js';
import type { BatchKind } from './progress.js';
import { sharedBackendError } from './live.js';
import { RECHECK_GAP, type RunOptions } from './options.js';

export { type BatchOptions, type RunOptions, storedBatchOptions } from './options.js';

export * from './checkpoint.js';
import {
  type Checkpoint,
  DEFAULT_BATCH_SIZE,
  DEFAULT_TARGET_MS,
  emptyLinkCheckpoint,
  type LinkCheckpoint,
  parseCheckpoint,
} from './checkpoint.js';

/** A batch's range: (after, upTo], only `rows` of it when given (see KeyRange). */
export type BatchRange = KeyRange & { upTo: string };

export interface LinkWalk<R extends SplitRow = SplitRow> {
  kind: BatchKind;
  runId: string;
  link: string;
  /** Rows expected to change (progress total). */
  total: number;
  /** Upper bound of the next batch: returns `up_to` (text) and `n`, or no row when the walk is done. */
  bound(after: string | null, limit: number): Statement<BoundRow>;
  /**
   * A Citus tenant walk: the next part of tenant `tenant` after row key `from` (null: its first), `limit` rows, for a
   * tenant that holds more rows than a batch (citusTenantPartBoundStatement). Absent: a tenant is always one batch.
   */
  part?(tenant: string, from: string | null, limit: number): Statement<BoundRow>;
  /** Apply's ctid walk: this is its catch-up pass (reported on the start event). */
  catchUp?: boolean;
  /** The batch's one set-based statement over (after, upTo] (only `rows` of it when given); its row count is the rows changed. */
  work(range: BatchRange): Statement;
  /**
   * The rows a batch of `work` may change, by key. Given, a batch the table refuses rows of (a CHECK
   * constraint, a trigger that raises) leaves them out and writes the rest (refused.ts); absent, the
   * table's refusal fails the batch.
   */
  rows?(range: BatchRange): Statement<R>;
  /** The batch's statement over some of the rows `rows` read (a split). Absent: `work` over their keys (KeyRange.rows). */
  some?(range: BatchRange, rows: readonly R[]): Statement;
  /**
   * Refused rows are judged over the whole walk (refused.ts SYSTEMATIC_SHARE: undo), not per batch: a batch past that
   * stops the walk at once (ROWS_REFUSED) instead of running again at half its size. Absent: per batch (apply).
   */
  refusalsOverWalk?: boolean;
  /**
   * The rows of a batch's range it would link; `lock`: those it can lock now, locked for its transaction (FOR NO KEY
   * UPDATE SKIP LOCKED). Given (apply on one server), a batch that stayed locked through every retry runs once more on
   * the rows it could lock only, and the others, kept locked by another session, are recorded
   * (fk_backfill.refused_rows, lock_not_available) for the final sweep to try again, instead of failing the run.
   */
  plannedRows?(range: BatchRange, lock: boolean): Statement<{ k: string }>;
  /**
   * The source is a Citus table: each batch's timeouts are also sent on to the workers (citusBatchTimeoutsStatements),
   * and `plannedRows` locks only in a batch of one tenant (KeyRange.values of one: a router query, the only kind in
   * which Citus takes row locks): a batch of several tenants that stays locked is halved until it is one tenant, or a
   * part of one, whose rows the pass can lock.
   */
  citus?: boolean;
  /**
   * The distribution column's values of a batch's range (KeyRange.values), read in its transaction before `work`,
   * when its bound does not return them (`vals`: apply's Citus tenant walks do; undo reads them off the change log).
   */
  values?(range: BatchRange): Statement<{ v: string[] | null }>;
  /** What to do when the table refuses more than a batch can work around (refused.ts; absent: apply's). */
  refusalRemedy?: string;
  /**
   * Statements the batch's transaction runs before `work` (apply: a temporary lookup table, dropped at
   * its commit or rollback). Absent: none.
   */
  setup?(): Statement[];
  /**
   * The bound's `n` counts exactly what the batch may change (undo: change log rows): a batch that
   * changed more is rolled back with INTEGRITY instead of committed (reverted ≤ changed, by the code).
   */
  atMostN?: boolean;
  /**
   * Where this walk keeps its checkpoint and which lock makes its batches exclusive. Absent: the run's row
   * (runs.checkpoint, the run's advisory lock). A parallel apply's slice keeps its own (src/apply/parallel.ts).
   */
  slot?: CheckpointSlot;
}

/** A checkpoint kept outside the run's row (parallel apply: one row per slice). */
export interface CheckpointSlot {
  /** Locks it for the batch's transaction; false: another process is running a batch of it. */
  lock(tx: Queryable): Promise<boolean>;
  read(tx: Queryable): Promise<LinkCheckpoint | undefined>;
  save(tx: Queryable, lc: LinkCheckpoint): Promise<void>;
}

export interface WalkResult {
  changed: number;
  stopped: boolean;
}

async function readCheckpoint(tx: Queryable, runId: string): Promise<Checkpoint> {
  const row = await lockRunCheckpoint(tx, runId);
  if (row === undefined) throw new BackfillError('RUN_NOT_FOUND', `run ${runId} vanished from fk_backfill.runs`);
  return parseCheckpoint(row.checkpoint);
}

interface BatchOutcome {
  after: string | null;
  upTo: string | null;
  keys: number;
  changed: number;
  /** Rows the table refused in it (left out). */
  refused: number;
  link: LinkCheckpoint;
}

/**
 * Consecutive retries of one batch whose FK check failed because a master vanished meanwhile (23503).
 * Each retry reads the masters again, so it only fails again if yet another master of the same batch is
 * deleted in that window.
 */
const MAX_VANISHED_RETRIES = 20;

/**
 * A batch that stayed locked through every retry, run once more (walkLink): locks the rows of its range that no other
 * session holds (FOR NO KEY UPDATE SKIP LOCKED), narrows the range to them, and returns the others, to be recorded as
 * kept locked. The narrowed batch then waits for no row of its source.
 */
async function lockWhatIsFree(tx: Queryable, w: LinkWalk, range: BatchRange, lockMs: number): Promise<RefusedRow[]> {
  const free = new Set((await tx.query(w.plannedRows!(range, true))).rows.map((r) => r.k));
  const all = (await tx.query(w.plannedRows!(range, false))).rows.map((r) => r.k);
  range.rows = all.filter((k) => free.has(k));
  return all
    .filter((k) => !free.has(k))
    .map((key) => ({
      key,
      sqlstate: LOCK_NOT_AVAILABLE,
      constraint: null,
      message: `locked by another session through every retry of the ${lockMs} ms lock_timeout`,
    }));
}

/**
 * The next batch's bound. A Citus tenant walk (LinkWalk.part) inside a tenant goes on with its next part; one whose
 * next batch is one tenant of more rows than `size` starts cutting it into parts.
 */
async function nextBound(tx: Queryable, w: LinkWalk, lc: LinkCheckpoint, size: number): Promise<BoundRow | undefined> {
  const part = w.part;
  if (lc.part !== undefined && part !== undefined) {
    const t = lc.part.tenant;
    // nothing of it left (rows linked or deleted by others meanwhile): an empty last part, which passes it
    return (await tx.query(part(t, lc.part.key, size))).rows[0] ?? { up_to: t, n: 0, vals: [t], part: null };
  }
  const br = (await tx.query(w.bound(lc.after, size))).rows[0];
  if (br === undefined || part === undefined || br.vals?.length !== 1 || num(br.n) <= size) return br;
  return (await tx.query(part(br.up_to, null, size))).rows[0] ?? { ...br, n: 0, part: null };
}

/** One batch, one transaction (see the file comment). */
async function runBatch<R extends SplitRow>(
  db: Database,
  w: LinkWalk<R>,
  size: number,
  lockMs: number,
  stmtMs: number,
  o: RunOptions,
  lockFirst: boolean,
  pass: { ran: boolean },
  tally: RefusalTally,
): Promise<BatchOutcome> {
  const signal = o.signal;
  pass.ran = false; // a lock timeout before the pass below is this batch's, not the pass of the one before
  return db.transaction(async (tx) => {
    // application_name names the run in pg_stat_activity for the batch (SET LOCAL: the connection's own comes back after)
    const slot = w.slot;
    const lockAt = Math.max(1, Math.round(lockMs));
    const stmtAt = Math.max(1, Math.round(stmtMs));
    const got = await tx.query(batchStartStatement(`${lockAt}ms`, `${stmtAt}ms`, w.runId, slot === undefined, o.live?.holder));
    if (w.citus === true) for (const st of citusBatchTimeoutsStatements(lockAt, stmtAt)) await tx.query(st);
    // the session holding the run's live lock died (a restart, pg_terminate_backend, idle_session_timeout): nothing is
    // written until it is taken again (withReconnect: regain, or RUN_BUSY when another process took the run meanwhile)
    // the batch runs on the backend that holds the live lock, whose connection this process keeps out of its pool: a
    // pooler in transaction mode shares backends between connections, and the lock holds nothing (live.ts)
    if (o.live?.holder !== undefined && got.rows[0]?.pid === o.live.holder.pid) throw sharedBackendError(o.live.holder.pid);
    if (got.rows[0]?.live === false) {
      throw new BackfillError(
        'LIVE_LOCK_LOST',
        `run ${w.runId}: the connection holding its live lock was lost; taking it again before the next batch`,
      );
    }
    if (got.rows[0]?.got !== true || (slot !== undefined && !(await slot.lock(tx)))) {
      throw new BackfillError(
        'RUN_BUSY',
        `run ${w.runId} is being processed by another process right now; let it finish or stop it first`,
        {
          details: { run: w.runId, written: true },
        },
      );
    }
    const cp = slot === undefined ? await readCheckpoint(tx, w.runId) : null;
    const lc: LinkCheckpoint = { ...emptyLinkCheckpoint(), ...(cp === null ? await slot!.read(tx) : cp.links[w.link]) };
    const save = async (): Promise<void> => {
      if (cp === null) return slot!.save(tx, lc);
      cp.links[w.link] = lc;
      await saveCheckpoint(tx, w.runId, cp);
    };
    if (lc.done) return { after: lc.after, upTo: null, keys: 0, changed: 0, refused: 0, link: lc };
    const br = await nextBound(tx, w, lc, size);
    if (br === undefined) {
      lc.done = true;
      await save();
      return { after: lc.after, upTo: null, keys: 0, changed: 0, refused: 0, link: lc };
    }
    for (const pre of w.setup?.() ?? []) await tx.query(pre);
    const range: BatchRange = { after: lc.after, upTo: br.up_to };
    const inPart = lc.part !== undefined || (br.part ?? null) !== null;
    if (inPart) range.part = { from: lc.part?.key ?? null, to: br.part ?? null };
    if (br.vals !== null && br.vals !== undefined) range.values = br.vals;
    else if (w.values !== undefined) {
      const v = (await tx.query(w.values(range))).rows[0]?.v;
      if (v !== null && v !== undefined) range.values = v;
    }
    // the pass over locked rows: the batch's rows it can lock now, and the others recorded as kept locked
    pass.ran = lockFirst && w.plannedRows !== undefined && (w.citus !== true || range.values?.length === 1);
    const locked = pass.ran ? await lockWhatIsFree(tx, w, range, lockMs) : [];
    const rowsOf = w.rows;
    let changed: number;
    let refused = 0;
    if (rowsOf === undefined) changed = await runChange(tx, w.work(range));
    else {
      const some = w.some;
      const out = await workAroundRefusals(tx, {
        all: w.work(range),
        rows: () => rowsOf.call(w, range),
        some: (keys, rows) => (some === undefined ? w.work({ ...range, rows: keys }) : some.call(w, range, rows)),
        what: `${w.kind} ${w.link}`,
        runId: w.runId,
        signal,
        ...(w.refusalRemedy !== undefined ? { remedy: w.refusalRemedy } : {}),
        ...(w.refusalsOverWalk === true ? { tally } : {}),
      });
      await recordRefused(tx, w.runId, w.link, [...locked, ...out.refused]);
      changed = out.changed;
      refused = out.refused.length;
    }
    const keys = num(br.n);
    if (w.atMostN === true && changed > keys) {
      throw new BackfillError(
        'INTEGRITY',
        `${w.kind} ${w.link}: a batch of ${keys} logged change(s) would change ${changed} rows; rolled back (the key no longer identifies one row?)`,
      );
    }
    const after = lc.after;
    // a part of a tenant: the walk stays before it, at the row the part ended at; its last part passes it
    if ((br.part ?? null) !== null) lc.part = { tenant: br.up_to, key: br.part! };
    else {
      lc.after = br.up_to;
      delete lc.part;
    }
    lc.changed += changed;
    lc.keys += keys;
    lc.batches += 1;
    await save();
    return { after, upTo: br.up_to, keys, changed, refused, link: lc };
  });
}

/**
 * Walks one link to its end (or until the signal aborts), batch by batch. Returns the rows changed
 * by this run in this link in total (including batches committed before a resume).
 */
export async function walkLink<R extends SplitRow>(
  db: Database,
  w: LinkWalk<R>,
  o: RunOptions,
  alreadyChanged: number,
  resumed: boolean,
): Promise<WalkResult> {
  const adaptive = o.targetBatchMs !== undefined || o.batchSize === undefined;
  const target = o.targetBatchMs ?? DEFAULT_TARGET_MS;
  const minSize = Math.max(1, o.minBatchSize ?? (adaptive ? 500 : 1));
  const maxSize = Math.max(minSize, o.maxBatchSize ?? 500_000);
  let size = Math.min(maxSize, Math.max(minSize, o.batchSize ?? DEFAULT_BATCH_SIZE));
  const lockMs = o.lockTimeoutMs ?? 2000;
  const stmtMs = o.statementTimeoutMs ?? 60_000;
  const retries = o.lockRetries ?? 3;
  const backoff0 = o.backoffMs ?? 200;
  const emit = o.onProgress ?? (() => undefined);
  const base = { kind: w.kind, runId: w.runId, link: w.link };

  emit({ ...base, event: 'start', total: w.total, changed: alreadyChanged, resumed, ...(w.catchUp === true ? { catchUp: true } : {}) });
  let [changed, attempt, vanished, changedHere] = [alreadyChanged, 0, 0, 0];
  const t0 = Date.now();
  // a batch still locked after its retries: run once more, at its size, leaving out the rows still locked (apply;
  // the final sweep tries them again); from then on every batch of the walk locks its rows so first: rows locked 1 in
  // 97 across a table cost each batch its retries (a trial: 60 s against 0.9 s for 60 k rows)
  let lockFirst = false;
  const pass = { ran: false }; // whether the last batch ran it (a Citus batch of several tenants cannot: LinkWalk.citus)
  let ceiling = Number.POSITIVE_INFINITY; // the batch size refused rows were last worked around at (ROWS_REFUSED below)
  let recheckAt = 0; // when o.recheck is due again (RECHECK_GAP)
  const tally: RefusalTally = { tried: 0, refused: 0 }; // this walk's committed batches (LinkWalk.refusalsOverWalk)
  for (;;) {
    await turn(); // lets an abort from a timer or a signal handler in before the next batch (PGlite: sleep.ts)
    if (o.signal?.aborted === true) {
      emit({ ...base, event: 'end', changed, total: w.total, status: 'stopped' });
      return { changed, stopped: true };
    }
    if (o.recheck !== undefined && Date.now() >= recheckAt) {
      const t = Date.now();
      await o.recheck();
      recheckAt = Date.now() + (Date.now() - t) * RECHECK_GAP;
    }
    const started = Date.now();
    let out: BatchOutcome;
    try {
      out = await runBatch(db, w, size, lockMs, stmtMs, o, lockFirst, pass, tally);
    } catch (e) {
      // Ctrl-C while a refused batch was being split: that batch rolled back, the run stops as between batches
      if (e instanceof SplitStopped) {
        emit({ ...base, event: 'end', changed, total: w.total, status: 'stopped' });
        return { changed, stopped: true };
      }
      // more refused rows than one batch works around (a CHECK beside a BEFORE UPDATE trigger: a trial's 2.5 %): halved,
      // down to REFUSAL_FLOOR; the size that went through stays the ceiling (growing back would fail again)
      if (e instanceof BackfillError && e.code === 'ROWS_REFUSED' && size > REFUSAL_FLOOR && w.refusalsOverWalk !== true) {
        size = Math.max(REFUSAL_FLOOR, Math.floor(size / 2));
        ceiling = size;
        emit({ ...base, event: 'split', reason: 'rows_refused', batchSize: size });
        continue;
      }
      const state = sqlState(e);
      if (state === '55P03' || state === '57014') {
        const reason = state === '55P03' ? 'lock_timeout' : 'statement_timeout';
        // a Citus batch of several tenants whose rows the pass cannot lock: halved at once, towards one tenant
        const cannotPass = state === '55P03' && lockFirst && !pass.ran;
        // A statement timeout means the batch is too big: split at once. A lock timeout may pass: retry first.
        if (state === '55P03' && attempt < retries && !cannotPass) {
          attempt += 1;
          const wait = Math.min(10_000, backoff0 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
          emit({ ...base, event: 'retry', reason, attempt, batchSize: size, backoffMs: Math.round(wait) });
          await sleep(wait, o.signal);
          continue;
        }
        // rows another session keeps locked for minutes (an open transaction, a long report) no longer fail the run
        // (a new user's trial: LOCK_TIMEOUT after halving the batch down to one row, every retry waiting its
        // lock_timeout; 400 k rows left for a resume): the batch runs once more without them (lockWhatIsFree)
        if (state === '55P03' && !lockFirst && w.plannedRows !== undefined) {
          lockFirst = true;
          attempt = 0;
          emit({ ...base, event: 'pass', reason: 'lock_timeout', batchSize: size });
          continue;
        }
        // a statement timeout: smaller batches. A lock the pass could not go round (its own rows were locked first: a
        // master's, the table's) fails the run now, not after halving the batch down to one row with retries at each
        // size (a trial: 71 s at a 100 ms lock_timeout for a master row held)
        if (size > 1 && !(state === '55P03' && lockFirst && pass.ran)) {
          size = Math.max(1, Math.floor(size / 2));
          attempt = 0;
          emit({ ...base, event: 'split', reason, batchSize: size });
          continue;
        }
        const err = wrapDbError(e, `${w.kind} ${w.link}`);
        throw new BackfillError(
          err.code,
          state === '55P03'
            ? `${w.kind} ${w.link}: a lock stayed taken by another session through ${retries} retries of the ${lockMs} ms lock_timeout${lockFirst && pass.ran ? ", not on the batch's own rows (a master's, or the table's)" : ', down to a batch of one row (or block, or tenant on Citus)'}; that batch was rolled back, the ones before it stay. Find what holds it (pg_locks, pg_stat_activity), then continue: fk-backfill ${w.kind} --resume ${w.runId} --yes`
            : `${w.kind} ${w.link}: the smallest batch (one row, block, or tenant on Citus) ran past the ${stmtMs} ms statement_timeout; that batch was rolled back, the ones before it stay. Continue with a longer one: fk-backfill ${w.kind} --resume ${w.runId} --statement-timeout MS --yes`,
          { cause: e, details: { runId: w.runId, written: true } },
        );
      }
      if (state === '23503' && vanished < MAX_VANISHED_RETRIES) {
        // a master read as live by this batch was deleted (or moved) by another session before the FK check:
        // the batch rolled back; run it again, when the masters are read again without it (its rows stay NULL,
        // counted afterwards as "master deleted"). No lock on the masters: the role may only read them.
        // Halved each time: under a steady rate of deletes a batch as long as the last one meets another
        // deletion just as surely (400 k rows, two writers deleting ~50 masters/s: 20 failures in a row, exit 1).
        vanished += 1;
        if (size > 1) size = Math.max(1, Math.floor(size / 2));
        emit({ ...base, event: 'retry', reason: 'master_deleted', attempt: vanished, batchSize: size, backoffMs: 0 });
        continue;
      }
      throw wrapDbError(e, `${w.kind} ${w.link}, batch of ${size}`);
    }
    attempt = 0;
    vanished = 0;
    tally.tried += out.keys;
    tally.refused += out.refused;
    const ms = Date.now() - started;
    changed = out.link.changed;
    if (out.upTo === null) {
      emit({ ...base, event: 'end', changed, total: w.total, status: 'done' });
      return { changed, stopped: false };
    }
    changedHere += out.changed;
    const elapsed = Math.max(1, Date.now() - t0);
    const rate = Math.round((changedHere * 1000) / elapsed);
    const left = Math.max(0, w.total - changed);
    emit({
      ...base,
      event: 'batch',
      after: out.after,
      upTo: out.upTo,
      keys: out.keys,
      changed: out.changed,
      done: changed,
      total: w.total,
      batchSize: size,
      ms,
      rowsPerSecond: rate,
      etaSeconds: rate > 0 ? Math.round(left / rate) : null,
    });
    if (adaptive) {
      const factor = Math.min(2, Math.max(0.5, target / Math.max(1, ms)));
      size = Math.min(maxSize, ceiling, Math.max(minSize, Math.round(size * factor)));
    }
    let pause = o.pauseMs ?? 0;
    if (o.maxRate !== undefined && o.maxRate > 0) pause = Math.max(pause, (out.changed * 1000) / o.maxRate - ms);
    if (pause > 0) await sleep(pause, o.signal);
  }
}
