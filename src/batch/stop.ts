/**
 * A run in one transaction (apply --single-transaction, undo in one transaction) asked to stop (Ctrl-C, SIGTERM):
 * it rolls back and nothing is written. Batched runs stop between batches and resume; a run in one transaction has
 * no between: it went on to its end and committed everything, while the CLI said it was stopping. Now the statement
 * in flight is cancelled from another connection (where the handle has one: PGlite's one connection is busy running
 * it, and the stop is seen when it ends), the transaction rolls back, and the run fails with STOPPED (it is not
 * resumed: run it again).
 */
import type { Database, Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { backendPidStatement, cancelBackendStatement } from '../sql/session.js';
import { turn } from './sleep.js';

/** Runs `body` inside transaction `tx` of `db`, rolled back with STOPPED when `signal` aborts before it ends. */
export async function stoppable<T>(
  db: Database,
  tx: Queryable,
  signal: AbortSignal | undefined,
  what: string,
  body: () => Promise<T>,
): Promise<T> {
  if (signal === undefined) return body();
  const stopped = (): BackfillError =>
    new BackfillError(
      'STOPPED',
      `${what} stopped (Ctrl-C or SIGTERM) before its one transaction committed: rolled back, nothing was written; run it again to do it`,
    );
  if (signal.aborted) throw stopped();
  const pid = db.connections === 1 ? undefined : (await tx.query(backendPidStatement())).rows[0]?.pid;
  let cancelling: Promise<unknown> | undefined;
  const cancel = (): void => {
    if (pid !== undefined) cancelling = db.query(cancelBackendStatement(pid)).catch(() => undefined);
  };
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const out = await body();
    await turn(); // PGlite ran it without giving an abort from a timer or Ctrl-C's handler a turn (sleep.ts)
    if (signal.aborted) throw stopped();
    return out;
  } catch (e) {
    throw signal.aborted ? stopped() : e;
  } finally {
    // removed before the caller's COMMIT: a cancel never reaches it
    signal.removeEventListener('abort', cancel);
    // and one sent is delivered before the ROLLBACK gives the connection back: sent later, it cancelled the next
    // statement on that backend (CI: a test's SELECT after the stop failed with 57014). Bounded: a pool with no free
    // connection for it would otherwise hold the rollback for good
    if (cancelling !== undefined) await Promise.race([cancelling, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}
