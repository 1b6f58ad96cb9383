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
 * Citus: the batch's timeouts again as SET LOCAL, which Citus sends on to the workers with the transaction
 * (citus.propagate_set_commands = 'local'; set_config's stay on the coordinator). The row locks are waited for on the
 * workers: with the coordinator's lock_timeout alone, a batch meeting a row another session kept locked waited its
 * whole statement_timeout (60 s by default) before it was retried, each time. A SET takes no parameter: the values
 * are whole milliseconds, checked here.
 */
export function citusBatchTimeoutsStatements(lockMs: number, statementMs: number): Statement[] {
  const ms = (n: number): string => {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`a timeout of ${n} ms`);
    return `'${n}ms'`;
  };
  return [
    { text: `SET LOCAL citus.propagate_set_commands = 'local'`, values: [] },
    { text: `SET LOCAL lock_timeout = ${ms(lockMs)}`, values: [] },
    { text: `SET LOCAL statement_timeout = ${ms(statementMs)}`, values: [] },
  ];
}

/**
 * A run's TimeZone (recorded with it, store/runs.ts createRun), set for each of its batches: the now() an apply writes into an
 * `updated_at` without time zone is the same wall time whichever session runs the batch (a resume from another zone,
 * a pooled connection with its own), and undo compares it in that zone (sql/undo.ts appliedTouch).
 */
export const runTimeZone = (runParam: string): string =>
  `coalesce((SELECT r.options ->> 'timeZone' FROM fk_backfill.runs r WHERE r.id = ${runParam}::int8), current_setting('TimeZone'))`;
const RUN_ZONE = `set_config('TimeZone', ${runTimeZone('$3')}, true)`;

/**
 * The first statement of a batch transaction: its SET LOCALs (the run's TimeZone too), application_name naming the run in
 * pg_stat_activity (SET LOCAL: the connection's own comes back after), and the run's advisory lock
 * (`got`: false when another process holds it). A parallel slice (`runLock` false) takes its slice's own lock
 * instead, after this statement, so slices of one run do not wait on each other.
 */
export function batchStartStatement(
  lockTimeout: string,
  statementTimeout: string,
  runId: string,
  runLock = true,
  live?: { runId: string; pid: number },
): Statement<{ got: boolean; live: boolean; pid: number }> {
  // the live lock (an undo's: on the run it reverts) still held by the backend that took it
  const held = live === undefined ? 'true' : `EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = $5::int AND ${liveInPgLocks('$4')})`;
  return {
    text: `SELECT ${batchSettings()}, set_config('application_name', 'fk-backfill run ' || $3::int8::text, true), ${RUN_ZONE}, ${runLock ? RUN_LOCK : 'true'} AS got, ${held} AS live, pg_backend_pid() AS pid`,
    values: [lockTimeout, statementTimeout, runId, ...(live === undefined ? [] : [live.runId, live.pid])],
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

/**
 * The key of the lock a live run holds for its whole life (session level, not per batch): (class, object) as two
 * int4, the object the run's id as the batch lock takes it. What tells a run being worked on right now from one a
 * kill -9 left 'running': its process's connection holds this lock, a dead process's connection released it.
 */
const LIVE_KEY = `hashtext('fk_backfill.live'), ($1::int8 % 2147483647)::int4`;

/**
 * A granted advisory lock of pg_locks row `l` taken with two int4 keys (objsubid 2), in this database: advisory locks are
 * the database's own, and another database's run or link of the same id is not this one.
 */
const ADVISORY_HERE = `l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())`;

/**
 * The live lock's key as pg_locks shows a two-int4 advisory key: classid/objid (oid, so a negative int4 reads modulo
 * 2^32), objsubid 2.
 */
function liveInPgLocks(runParam: string): string {
  return `${ADVISORY_HERE}
              AND l.classid = (hashtext('fk_backfill.live')::int8 & 4294967295)::oid
              AND l.objid = (((${runParam}::int8 % 2147483647)::int4)::int8 & 4294967295)::oid`;
}

/**
 * Over fk_backfill.runs: whether a process holds the live lock of a 'running' apply or undo (an undo's is on the run
 * it reverts); null for other runs. False: the process that ran it ended without finishing (killed, a double Ctrl-C,
 * the machine lost), and `--resume` or undo may take it at once.
 */
export const RUN_ALIVE_SQL = `CASE WHEN status = 'running' AND kind IN ('apply', 'backfill', 'undo', 'plan', 'constrain', 'masters')
    THEN EXISTS (SELECT 1 FROM pg_locks l WHERE ${liveInPgLocks("CASE WHEN kind = 'undo' THEN target_run_id ELSE id END")}) END`;

/** Takes a run's live lock if free (`got`), held by the session until released; `pid`: the session's backend. */
export function liveLockStatement(runId: string): Statement<{ got: boolean; pid: number }> {
  return { text: `SELECT pg_try_advisory_lock(${LIVE_KEY}) AS got, pg_backend_pid() AS pid`, values: [runId] };
}

export function liveUnlockStatement(runId: string): Statement<{ released: boolean }> {
  return { text: `SELECT pg_advisory_unlock(${LIVE_KEY}) AS released`, values: [runId] };
}

/**
 * The backend holding a run's live lock, and what it last ran, for the message that names it (null when no one holds
 * it).
 */
export function liveHolderStatement(runId: string): Statement<{ pid: number; application_name: string | null }> {
  return {
    text: `SELECT l.pid, a.application_name
             FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE ${liveInPgLocks('$1')}
            LIMIT 1`,
    values: [runId],
  };
}

/** Sets the session's application_name (not LOCAL: it outlives transactions) and returns the one it replaces. */
export function nameSessionStatement(name: string): Statement<{ previous: string }> {
  return {
    text: `SELECT current_setting('application_name') AS previous, set_config('application_name', $1, false) AS now`,
    values: [name],
  };
}

/**
 * The locks a live apply or undo holds on each link it writes (`link`: the source table's oid and the FK column), so
 * that a second one on the same rows is refused instead of walking beside it: two applies of one plan (a cron
 * overlap) split its rows between two change logs, each undo set back half, and two runs' updated_at could not both
 * come back. A run over every tenant takes the link's lock exclusively; a run of one tenant takes it shared and the
 * tenant's own lock exclusively, so runs of different tenants go on side by side (docs/scaling.md).
 */
const LINK_KEY = `hashtext('fk_backfill.link'), hashtext($1)`;

export function linkLockStatement(link: string, shared: boolean): Statement<{ got: boolean }> {
  return { text: `SELECT pg_try_advisory_lock${shared ? '_shared' : ''}(${LINK_KEY}) AS got`, values: [link] };
}

export function linkUnlockStatement(link: string, shared: boolean): Statement<{ released: boolean }> {
  return { text: `SELECT pg_advisory_unlock${shared ? '_shared' : ''}(${LINK_KEY}) AS released`, values: [link] };
}

/**
 * The backends (other than this one) holding a link's lock: in any mode, or only exclusively (`exclusive`: a run
 * over every tenant, not one tenant's run holding the link shared); each with its application_name (its run).
 */
export function linkWritersStatement(link: string, exclusive: boolean): Statement<{ pid: number; application_name: string | null }> {
  return {
    text: `SELECT DISTINCT l.pid, a.application_name
             FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE ${ADVISORY_HERE}
              AND l.pid <> pg_backend_pid()
              AND l.classid = (hashtext('fk_backfill.link')::int8 & 4294967295)::oid
              AND l.objid = (hashtext($1)::int8 & 4294967295)::oid
              AND (NOT $2::boolean OR l.mode = 'ExclusiveLock')
            ORDER BY l.pid`,
    values: [link, exclusive],
  };
}

/** A backend holding a link's lock and its application_name (which names its run), for the refusal. */
export function linkHolderStatement(link: string): Statement<{ pid: number; application_name: string | null }> {
  return {
    text: `SELECT l.pid, a.application_name
             FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE ${ADVISORY_HERE}
              AND l.pid <> pg_backend_pid()
              AND l.classid = (hashtext('fk_backfill.link')::int8 & 4294967295)::oid
              AND l.objid = (hashtext($1)::int8 & 4294967295)::oid
            LIMIT 1`,
    values: [link],
  };
}
