/**
 * Connection loss is normal weather: a DBA's pg_terminate_backend, a pooler or server restart, a
 * failover. Batched apply and undo keep all their state in the run's checkpoint (committed with each
 * batch), so after a lost connection they wait, reconnect (the pool opens a new connection) and walk on
 * from the checkpoint; the batch in flight rolled back with its transaction. Plan and constrain are
 * re-run whole (plan writes nothing to user tables; constrain is idempotent). After `attempts` losses in
 * a row the caller gives up: the run is marked 'interrupted' and the error names the resume command.
 */
import type { Queryable } from '../db/port.js';
import { BackfillError, isConnectionLoss } from '../errors.js';
import { pingStatement } from '../sql/session.js';
import { interruptRun, loggedChanges, noteInterruptedSummary } from '../store/runs.js';
import { sleep } from './sleep.js';
import type { LiveLock } from './live.js';
import type { BatchKind, ProgressListener } from './progress.js';

export interface ReconnectOptions {
  reconnectAttempts?: number;
  reconnectBackoffMs?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** The run's live lock (src/batch/live.ts), taken again after a loss. */
  live?: LiveLock;
}

export const DEFAULT_RECONNECT_ATTEMPTS = 5;
export const DEFAULT_RECONNECT_BACKOFF_MS = 500;

/**
 * Runs `fn(attempt, o)`; when it fails because the connection was lost, waits (back-off doubling from
 * reconnectBackoffMs, at most 10 s, jittered), checks the server answers again and calls it again with
 * attempt + 1, after taking the run's live lock (`o.live`) again. At most reconnectAttempts losses in a row: the
 * options `fn` gets report each committed batch back (their onProgress), which starts the count again, so a run of
 * hours survives any number of losses far apart. Any other error, or the last loss, is thrown.
 */
export async function withReconnect<T, O extends ReconnectOptions>(
  db: Queryable,
  o: O,
  who: { kind: BatchKind | 'plan' | 'constrain'; runId?: string },
  fn: (attempt: number, o: O) => Promise<T>,
  /** Counts the reconnections that succeeded (the server answered again), for the run's result. */
  tally?: { reconnected: number },
): Promise<T> {
  const attempts = Math.max(0, o.reconnectAttempts ?? DEFAULT_RECONNECT_ATTEMPTS);
  const backoff0 = Math.max(0, o.reconnectBackoffMs ?? DEFAULT_RECONNECT_BACKOFF_MS);
  let attempt = 0;
  let inARow = 0;
  const listener = o.onProgress;
  const counting: O = {
    ...o,
    onProgress: (e) => {
      if (e.event === 'batch') inARow = 0;
      listener?.(e);
    },
  };
  for (;;) {
    try {
      // the run's live lock went with a lost connection: take it again (or stop: another process took the run)
      if (attempt > 0) await o.live?.regain();
      return await fn(attempt, counting);
    } catch (e) {
      // RUN_BUSY right after a loss: the terminated backend has not exited yet and still holds the run's lock;
      // LIVE_LOCK_LOST: the connection holding the run's live lock was lost (the batches' survived)
      const code = e instanceof BackfillError ? e.code : undefined;
      // (not a link another run writes now: waiting out its run is no reconnect)
      const busyRun = code === 'RUN_BUSY' && (e as BackfillError).details?.['link'] === undefined;
      const retryable = isConnectionLoss(e) || code === 'LIVE_LOCK_LOST' || (inARow > 0 && busyRun);
      if (!retryable || inARow >= attempts || o.signal?.aborted === true) throw e;
      // wait, then until the server answers again; every failed probe uses up an attempt as well
      let lost: unknown = e;
      for (;;) {
        attempt += 1;
        inARow += 1;
        const wait = Math.round(Math.min(10_000, backoff0 * 2 ** (inARow - 1)) * (0.75 + Math.random() * 0.5));
        if ((who.kind === 'apply' || who.kind === 'undo') && o.onProgress !== undefined) {
          o.onProgress({
            kind: who.kind,
            runId: who.runId ?? '',
            link: '',
            event: 'reconnect',
            attempt: inARow,
            of: attempts,
            waitMs: wait,
            error: messageOf(lost),
          });
        }
        await sleep(wait, o.signal);
        try {
          await db.query(pingStatement());
          if (tally !== undefined) tally.reconnected += 1;
          break;
        } catch (probe) {
          if (!isConnectionLoss(probe) || inARow >= attempts) throw probe;
          lost = probe;
        }
      }
    }
  }
}

export function messageOf(e: unknown): string {
  const own = e instanceof Error ? e.message : String(e);
  const cause = (e as { cause?: unknown } | null)?.cause;
  return cause instanceof Error && !own.includes(cause.message) ? `${own} (${cause.message})` : own;
}

/**
 * A run in one transaction whose connection was lost (a server or worker restart, a terminated backend): the
 * transaction rolled back with it, so nothing was written; said so, with what to do, instead of the driver's error.
 * Any other error is returned as it is.
 */
export function lostInOneTransaction(kind: 'apply' | 'undo', runId: string, e: unknown): unknown {
  if (!isConnectionLoss(e)) return e;
  return new BackfillError(
    'INTERRUPTED',
    `${kind} run ${runId} lost its database connection (${messageOf(e)}): its one transaction was rolled back, nothing was written. Run it again`,
    { cause: e, details: { runId } },
  );
}

/** The error a batched run ends with when the connection stayed lost: run `interrupted`, resume command named. */
export async function interruptedError(
  db: Queryable,
  kind: 'apply' | 'undo',
  runId: string,
  e: unknown,
  attempts: number,
  recorded: boolean,
): Promise<BackfillError> {
  const resume = `fk-backfill ${kind} --resume ${runId} --yes`;
  const first = messageOf(e);
  // what the committed batches wrote, when the database answers again (a trial: nothing said of the 30,000 rows written)
  const written = recorded ? await loggedChanges(db, runId, null).catch(() => null) : null;
  if (written !== null)
    await noteInterruptedSummary(db, runId, { [kind === 'apply' ? 'totalUpdated' : 'totalReverted']: written, resume }).catch(
      () => undefined,
    );
  const kept =
    written === null ? '' : `, the ${written} row(s) it ${kind === 'apply' ? 'linked' : 'set back'} in committed batches stay (logged)`;
  return new BackfillError(
    'INTERRUPTED',
    `${kind} run ${runId} lost its database connection (${first}) and ${attempts > 0 ? `could not continue after ${attempts} reconnect attempt(s)` : 'reconnecting is switched off'}; ${recorded ? `the run is marked interrupted${kept}` : 'the run could not be marked interrupted (database unreachable)'}: continue with \`${resume}\``,
    { cause: e, details: { runId, status: recorded ? 'interrupted' : 'unknown', resume, ...(written === null ? {} : { written }) } },
  );
}

/**
 * RUN_BUSY met while a batched run reconnected. Another process that took the run owns its record now: `e` as it is.
 * One writing a link of this run (taken meanwhile) leaves the run this process's: marked interrupted, to resume once
 * that one is done.
 */
export async function busyAfterReconnect(db: Queryable, kind: 'apply' | 'undo', runId: string, e: BackfillError): Promise<BackfillError> {
  if (e.details?.['link'] === undefined) return e;
  await interruptRun(db, runId, e.message);
  return new BackfillError('RUN_BUSY', `${e.message}; run ${runId} is interrupted: fk-backfill ${kind} --resume ${runId} once it is free`, {
    details: { ...e.details, written: true },
  });
}
