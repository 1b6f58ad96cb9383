/** Runs a planned step: each statement in its own short transaction under `SET LOCAL lock_timeout`, or outside any (CONCURRENTLY). */
import type { Database } from '../db/port.js';
import { lockTimeoutSql } from '../sql/constrain.js';
import { resetLockTimeoutStatement } from '../sql/session.js';
import type { Context } from '../context/context.js';
import type { Planned } from './steps.js';

/**
 * Runs `sql` outside any transaction (CONCURRENTLY requires it) on one connection, with no lock_timeout (reset
 * afterwards). A build or drop CONCURRENTLY blocks no writer (SHARE UPDATE EXCLUSIVE), and waits for every transaction
 * older than it to end: under the steps' lock_timeout a report or a pg_dump open for 5 s failed constrain with
 * LOCK_TIMEOUT and left an invalid index for every write to keep up (a new user's trial).
 */
async function runOutsideTransaction(db: Database, sql: string): Promise<void> {
  // CONCURRENTLY cannot run inside a transaction: one dedicated connection in autocommit mode.
  await db.session(async (conn) => {
    await conn.query(lockTimeoutSql('0', false));
    try {
      await conn.query(sql);
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
    for (const sql of p.sql) await runOutsideTransaction(ctx.db, sql);
    return;
  }
  if (p.step === 'not-null' || p.each === true) {
    // Each statement its own short transaction: the validating scan must not hold the SET NOT NULL lock.
    for (const sql of p.sql) await runInTransaction(ctx.db, lockTimeout, [sql]);
    return;
  }
  await runInTransaction(ctx.db, lockTimeout, p.sql);
}
