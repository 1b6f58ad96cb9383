/**
 * The live lock: a session-level advisory lock a process holds on a run for as long as it applies, resumes or undoes
 * it. Batches lock the run only inside their own transactions, so between two batches a live run looked exactly
 * like one a kill -9 left 'running': an `undo` of a run still being applied reverted the rows logged so far while
 * the apply went on linking, and a second `undo` or `--resume` walked beside the first. The lock is held on a
 * connection of its own (a pool's; the only one of a single client or PGlite), which the server releases when the
 * process dies, so a crashed run can still be resumed or undone at once.
 *
 * A lost connection loses the lock with it: the run goes on (it reconnects and resumes from its checkpoint) without
 * it, as before the lock existed.
 */
import type { Database, Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { liveHolderStatement, liveLockStatement, liveUnlockStatement, nameSessionStatement } from '../sql/batch.js';

/**
 * Runs `body` holding run `runId`'s live lock (an undo: the run it reverts; an apply: its own); refuses with RUN_BUSY,
 * before `body` starts, when another session holds it. `label` names the holder in pg_stat_activity meanwhile
 * (`fk-backfill apply run 12`), which is how the refusal names it.
 */
export async function whileLive<T>(db: Database, runId: string, label: string, body: () => Promise<T>): Promise<T> {
  // one connection (PGlite, a single client): every statement already runs in the session that takes the lock
  if (db.connections === 1) return holding(db, runId, label, body);
  return db.session((conn) => holding(conn, runId, label, body));
}

async function holding<T>(conn: Queryable, runId: string, label: string, body: () => Promise<T>): Promise<T> {
  if ((await conn.query(liveLockStatement(runId))).rows[0]?.got !== true) {
    const h = (await conn.query(liveHolderStatement(runId))).rows[0];
    const who = h === undefined ? 'another session' : `${h.application_name || 'another session'} (backend pid ${h.pid})`;
    throw new BackfillError(
      'RUN_BUSY',
      `run ${runId} is being worked on right now by ${who}; nothing was written. Let it finish or stop it (Ctrl-C where it runs), then try again`,
      { details: { run: runId, ...(h !== undefined ? { pid: h.pid } : {}) } },
    );
  }
  let named: string | undefined;
  try {
    // the holder names itself in pg_stat_activity, for the message another process prints
    named = (await conn.query(nameSessionStatement(label))).rows[0]?.previous ?? '';
    return await body();
  } finally {
    // the connection may be gone (a restart): its lock and name went with it
    if (named !== undefined) await conn.query(nameSessionStatement(named)).catch(() => undefined);
    await conn.query(liveUnlockStatement(runId)).catch(() => undefined);
  }
}
