/**
 * Session and transaction settings the stages set around their statements, and the probe of a lost
 * connection: fixed text, no parameters (SET takes none).
 */
import type { Statement } from './statement.js';

type NoRows = Record<string, never>;

/** Hash joins for the rest of the transaction (the review queue, whose fresh entries have no statistics; apply's batches). */
export function noNestedLoopsStatement(): Statement<NoRows> {
  return { text: 'SET LOCAL enable_nestloop = off', values: [] };
}

/**
 * A batch's deferred constraints checked at each statement, not at COMMIT: a DEFERRABLE INITIALLY DEFERRED unique key
 * the batch breaks then refuses the statement, which apply splits down to the rows it refuses (src/batch/refused.ts),
 * instead of failing the whole batch, and the run, at its COMMIT.
 */
export function constraintsImmediateStatement(): Statement<NoRows> {
  return { text: 'SET CONSTRAINTS ALL IMMEDIATE', values: [] };
}

/** The rest of the transaction reads only: plan's count of the rows a CHECK would refuse evaluates the table's own expressions. */
export function readOnlyStatement(): Statement<NoRows> {
  return { text: 'SET TRANSACTION READ ONLY', values: [] };
}

/** The lock wait of apply's rolled-back probe of rows passed over (src/apply/skips.ts): short, it only labels them. */
export function probeLockTimeoutStatement(): Statement<NoRows> {
  return { text: `SET LOCAL lock_timeout = '2s'`, values: [] };
}

/** Back to the server's lock_timeout after a session set its own (constrain's CONCURRENTLY steps). */
export function resetLockTimeoutStatement(): Statement<NoRows> {
  return { text: 'RESET lock_timeout', values: [] };
}

/**
 * The limits of verify's trial DELETE of a referenced master (a transaction always rolled back): short
 * lock and statement timeouts and, on Citus, one connection per node.
 */
export function trialDeleteSettingsStatements(citus: boolean): Statement<NoRows>[] {
  return [
    { text: `SET LOCAL lock_timeout = '2s'`, values: [] },
    { text: `SET LOCAL statement_timeout = '30s'`, values: [] },
    // a DEFERRABLE INITIALLY DEFERRED FK checks at COMMIT, which the always rolled back trial never reaches: checked at
    // the DELETE instead (a trial: verify called such an FK's delete "not refused", exit 3)
    { text: 'SET CONSTRAINTS ALL IMMEDIATE', values: [] },
    ...(citus ? [{ text: `SET LOCAL citus.multi_shard_modify_mode TO 'sequential'`, values: [] }] : []),
  ];
}

/** How long a statement of the tool's own connections waits for a lock, where the role, database or PGOPTIONS set no bound. */
export const OWN_LOCK_WAIT = '30s';

/**
 * What each of the tool's own connections (openPostgres) runs first: no statement_timeout (the role's or database's
 * bounds the application's statements, not this tool's: its batches bound themselves, and a plan, a lookup table or
 * verify's scans of a big table may take longer), and a lock wait bounded by OWN_LOCK_WAIT unless one is set already.
 * Without it a command met a table another session held (an ALTER TABLE, a LOCK TABLE, a VACUUM FULL in a migration)
 * and waited silently, with no end, before its first batch; now it fails with LOCK_TIMEOUT, naming the wait. Batches
 * set their own (SET LOCAL, --lock-timeout) and retry.
 */
export function ownSessionSetup(): Statement {
  return {
    text: `SET statement_timeout = 0; SELECT set_config('lock_timeout', '${OWN_LOCK_WAIT}', false) WHERE current_setting('lock_timeout') = '0'`,
    values: [],
  };
}

/** The session's backend, which another connection may cancel the statement of (src/batch/stop.ts). */
export function backendPidStatement(): Statement<{ pid: number }> {
  return { text: 'SELECT pg_backend_pid() AS pid', values: [] };
}

/** Cancels the statement backend `pid` is running, if any (an idle one is left alone). */
export function cancelBackendStatement(pid: number): Statement<{ cancelled: boolean }> {
  return { text: 'SELECT pg_cancel_backend($1::int) AS cancelled', values: [pid] };
}

/** The session's idle_session_timeout in ms (PostgreSQL 14+; no row before, 0: off). */
export function idleSessionTimeoutStatement(): Statement<{ ms: number }> {
  return { text: `SELECT setting::int AS ms FROM pg_settings WHERE name = 'idle_session_timeout'`, values: [] };
}

/** Does the server answer (a reconnect's probe). */
export function pingStatement(): Statement<{ '?column?': number }> {
  return { text: 'SELECT 1', values: [] };
}

/** The session's settings a value's text form follows (to set back after renderingFixedStatement). */
export interface RenderingSettings {
  tz: string;
  istyle: string;
  floats: string;
}

/** The session's TimeZone, IntervalStyle and extra_float_digits. */
export function renderingSettingsStatement(): Statement<RenderingSettings> {
  return {
    text: `SELECT current_setting('TimeZone') AS tz, current_setting('IntervalStyle') AS istyle, current_setting('extra_float_digits') AS floats`,
    values: [],
  };
}

/**
 * For the rest of the transaction, or until set back by renderingRestoreStatement: UTC, the default interval style
 * and float digits, so a value's text form (in jsonb: a master's fingerprint) is the same whichever session reads
 * it (a role or database may set any of them).
 */
export function renderingFixedStatement(): Statement {
  return {
    text: `SELECT set_config('TimeZone', 'UTC', true), set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '1', true)`,
    values: [],
  };
}

/** Sets back what renderingSettingsStatement read, for the rest of the transaction. */
export function renderingRestoreStatement(s: RenderingSettings): Statement {
  return {
    text: `SELECT set_config('TimeZone', $1, true), set_config('IntervalStyle', $2, true), set_config('extra_float_digits', $3, true)`,
    values: [s.tz, s.istyle, s.floats],
  };
}

/**
 * The search_path of the guard's functions for the rest of the transaction: what the catalog prints there
 * (pg_get_expr of a CHECK) comes schema-qualified wherever the function runs it.
 */
export function pinnedSearchPathStatement(): Statement {
  return { text: `SELECT set_config('search_path', 'pg_catalog, pg_temp', true)`, values: [] };
}

/**
 * A run in one transaction on Citus that writes a reference table: its multi-shard statements on one connection per
 * worker, so that a later statement of the transaction may read the reference table it wrote. In the default
 * parallel mode a distributed link's UPDATE after a reference link's, then a link joining that reference table,
 * failed: "cannot perform query with placements that were modified over multiple connections" (a new user's trial).
 */
export function citusSequentialStatement(): Statement {
  return { text: `SET LOCAL citus.multi_shard_modify_mode = 'sequential'`, values: [] };
}
