/** Runs a planned step: each statement in its own short transaction under `SET LOCAL lock_timeout`, or outside any (CONCURRENTLY). */
import type { Database } from '../db/port.js';
import { durationMs, lockTimeoutSql } from '../sql/constrain.js';
import { BackfillError, sqlState } from '../errors.js';
import { resetLockTimeoutStatement } from '../sql/session.js';
import type { Context } from '../context/context.js';
import type { Planned } from './steps.js';

/**
 * The longest an index build or drop CONCURRENTLY waits for its lock. It blocks no writer (SHARE UPDATE EXCLUSIVE) and
 * waits for every transaction older than it to end: under the steps' lock_timeout (5 s) a report or a pg_dump open that
 * long failed constrain and left an invalid index for every write to keep up (a new user's trial); with no timeout one
 * idle-in-transaction session would hold constrain without a word.
 */
export const INDEX_WAIT_MS = 300_000;

/** Runs `sql` outside any transaction (CONCURRENTLY requires it) on one connection, lock_timeout reset afterwards. */
async function runOutsideTransaction(db: Database, lockTimeout: string, sql: string): Promise<void> {
  const waitMs = Math.max(INDEX_WAIT_MS, durationMs(lockTimeout));
  // CONCURRENTLY cannot run inside a transaction: one dedicated connection in autocommit mode.
  await db.session(async (conn) => {
    await conn.query(lockTimeoutSql(`${waitMs}ms`, false));
    try {
      await conn.query(sql);
    } catch (e) {
      if (sqlState(e) !== '55P03') throw e;
      throw new BackfillError(
        'LOCK_TIMEOUT',
        `${sql.split(' ON ')[0] ?? sql}: waited ${Math.round(waitMs / 1000)} s for transactions older than it to end (an index built CONCURRENTLY blocks no writer, but waits for them: see pg_stat_activity's oldest xact_start, idle in transaction ones first); constrain again once they are done (its invalid leftover is dropped and rebuilt)`,
        { cause: e },
      );
    } finally {
      await conn.query(resetLockTimeoutStatement()).catch(() => undefined);
    }
  });
}

async function runInTransaction(db: Database, lockTimeout: string, statements: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(lockTimeoutSql(lockTimeout, true));
    for (const s of statements) await tx.query(s);
  });
}

export async function execute(ctx: Context, p: Planned, lockTimeout: string): Promise<void> {
  if (p.outside === true) {
    for (const sql of p.sql) await runOutsideTransaction(ctx.db, lockTimeout, sql);
    return;
  }
  if (p.step === 'not-null' || p.each === true) {
    // Each statement its own short transaction: the validating scan must not hold the SET NOT NULL lock.
    for (const sql of p.sql) await runInTransaction(ctx.db, lockTimeout, [sql]);
    return;
  }
  await runInTransaction(ctx.db, lockTimeout, p.sql);
}
