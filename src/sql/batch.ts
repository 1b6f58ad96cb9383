/**
 * Batch: what opens every batch transaction of a batched run (apply, undo): its timeouts, its name in
 * pg_stat_activity, and the run's advisory lock.
 */
import type { Statement } from './statement.js';

/** Advisory lock key of a run: (class, object) as two int4. */
const RUN_LOCK = `pg_try_advisory_xact_lock(hashtext('fk_backfill.run'), ($3::int8 % 2147483647)::int4)`;

/**
 * The SET LOCALs of a batch transaction, as select-list items ($1 lock_timeout, $2 statement_timeout).
 * work_mem at least 64 MB: the changed rows pass through a CTE into the change set; at the default
 * 4 MB a 50 000-row batch spills them to a temp file and reads them back. Not plan_cache_mode: every
 * adapter sends unnamed statements, planned with their parameters anyway, and force_custom_plan would
 * also replan the FK trigger's cached check once per row (+10 s per 1 M rows).
 */
export function batchSettings(): string {
  return [
    `set_config('lock_timeout', $1, true)`,
    `set_config('statement_timeout', $2, true)`,
    `CASE WHEN pg_size_bytes(current_setting('work_mem')) < 67108864 THEN set_config('work_mem', '64MB', true) END`,
  ].join(', ');
}

/**
 * The first statement of a batch transaction: its SET LOCALs, application_name naming the run in
 * pg_stat_activity (SET LOCAL: the connection's own comes back after), and the run's advisory lock
 * (`got`: false when another process holds it). A parallel slice (`runLock` false) takes its slice's own lock
 * instead, after this statement, so slices of one run do not wait on each other.
 */
export function batchStartStatement(
  lockTimeout: string,
  statementTimeout: string,
  runId: string,
  runLock = true,
): Statement<{ got: boolean }> {
  return {
    text: `SELECT ${batchSettings()}, set_config('application_name', 'fk-backfill run ' || $3::int8::text, true), ${runLock ? RUN_LOCK : 'true'} AS got`,
    values: [lockTimeout, statementTimeout, runId],
  };
}

/** The savepoint a batch takes before a statement the table may refuse a row of (src/batch/refused.ts). */
export const SAVEPOINT = 'fkb_rows';

export function savepointStatement(): Statement {
  return { text: `SAVEPOINT ${SAVEPOINT}`, values: [] };
}

export function releaseSavepointStatement(): Statement {
  return { text: `RELEASE SAVEPOINT ${SAVEPOINT}`, values: [] };
}

export function rollbackToSavepointStatement(): Statement {
  return { text: `ROLLBACK TO SAVEPOINT ${SAVEPOINT}`, values: [] };
}
