/**
 * The one error type fk-backfill throws on purpose. `code` is stable (scripts may switch on it);
 * `exitCode` is what the CLI exits with: 2 for bad input (usage, config, schema, connection), 3 for a problem found
 * in the data that stops a command before it changes anything (constrain's orphans, as verify and drift exit 3 for
 * what they find), 1 for failures while working.
 */
import { OWN_LOCK_WAIT } from './sql/session.js';

export type BackfillErrorCode =
  | 'USAGE'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'DB_URL_INVALID'
  | 'DB_UNREACHABLE'
  | 'DB_UNSUPPORTED'
  | 'CITUS_UNSUPPORTED'
  | 'GUARD_UNSUPPORTED'
  | 'SCHEMA_MISSING_TABLE'
  | 'SCHEMA_MISSING_COLUMN'
  | 'SCHEMA_TYPE_MISMATCH'
  | 'SCHEMA_NOT_A_TABLE'
  | 'SCHEMA_UNWRITABLE_COLUMN'
  | 'SCHEMA_KEY_NOT_UNIQUE'
  | 'SCHEMA_FK_CONFLICT'
  | 'SCHEMA_NO_REPLICA_IDENTITY'
  | 'INTEGRITY'
  | 'ROWS_REFUSED'
  | 'UNKNOWN_ENTITY'
  | 'UNKNOWN_TENANT'
  | 'TENANT_REQUIRED'
  | 'RUN_NOT_FOUND'
  | 'RUN_STATE'
  | 'RUN_BUSY'
  | 'LIVE_LOCK_LOST'
  | 'CONFIRMATION_REQUIRED'
  | 'PERMISSION_DENIED'
  | 'PLAN_STALE'
  | 'LINK_RETARGETED'
  | 'FK_NOT_NULL'
  | 'LOCK_TIMEOUT'
  | 'INTERRUPTED'
  | 'STOPPED'
  | 'DB_ERROR'
  | 'ORPHANS_FOUND'
  // constrain --not-null on a link whose rows not active (its own `active`) still have a NULL FK: nothing changed
  | 'NOT_ACTIVE_NULL_FKS'
  | 'TARGET_KEY_NOT_UNIQUE'
  // constrain --tenant-safe on a link whose masters may be shared (target.shared): nothing changed
  | 'TENANT_SAFE_SHARED'
  | 'MIGRATION_MISMATCH'
  | 'INVALID_INPUT'
  | 'FILE_UNUSABLE'
  | 'NOT_FOUND'
  // a library user's callback (onProgress, onStep) threw: the error's cause is what it threw; the run stopped there
  | 'CALLBACK_FAILED'
  | 'INTERNAL';

const USAGE_CODES: ReadonlySet<BackfillErrorCode> = new Set<BackfillErrorCode>([
  'USAGE',
  'CONFIG_NOT_FOUND',
  'CONFIG_INVALID',
  'DB_URL_INVALID',
  'DB_UNREACHABLE',
  'DB_UNSUPPORTED',
  'CITUS_UNSUPPORTED',
  'GUARD_UNSUPPORTED',
  'SCHEMA_MISSING_TABLE',
  'SCHEMA_MISSING_COLUMN',
  'SCHEMA_TYPE_MISMATCH',
  'SCHEMA_NOT_A_TABLE',
  'SCHEMA_UNWRITABLE_COLUMN',
  'SCHEMA_KEY_NOT_UNIQUE',
  // the FK column's own FOREIGN KEY constraint points at another table or column than the link's target
  'SCHEMA_FK_CONFLICT',
  'SCHEMA_NO_REPLICA_IDENTITY',
  'UNKNOWN_ENTITY',
  'UNKNOWN_TENANT',
  'TENANT_REQUIRED',
  'RUN_NOT_FOUND',
  // a run id that names the wrong kind of run, or one in the wrong state (resume of a finished run…)
  'RUN_STATE',
  // another process works on the run or writes its links: refused before this one wrote (taken over mid-run: `written`)
  'RUN_BUSY',
  // the plan no longer matches (another config, entries edited since, changed under a stopped run): plan again; refused before any write
  'PLAN_STALE',
  // the config points a link name at another master table than the one its decisions and runs were made for
  'LINK_RETARGETED',
  // undo would write NULL into an FK constrain --not-null made NOT NULL: refused before it writes
  'FK_NOT_NULL',
  'CONFIRMATION_REQUIRED',
  'PERMISSION_DENIED',
  'TARGET_KEY_NOT_UNIQUE',
  'TENANT_SAFE_SHARED',
  'MIGRATION_MISMATCH',
  'INVALID_INPUT',
  // a file or directory given cannot be read or written (none such, a directory for a file, no permission), a port in use
  'FILE_UNUSABLE',
  'NOT_FOUND',
]);

export class BackfillError extends Error {
  override readonly name = 'BackfillError';
  readonly code: BackfillErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: BackfillErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  /**
   * 2 = bad input, nothing was written; 3 = a problem found in the data (ORPHANS_FOUND), nothing changed; 1 = failure while working. A run that wrote batches before a usage-coded
   * failure (a privilege revoked mid-run) says so in `details.written`: exit 1, whatever the code.
   */
  get exitCode(): 1 | 2 | 3 {
    if (this.code === 'ORPHANS_FOUND' || this.code === 'NOT_ACTIVE_NULL_FKS') return 3;
    return USAGE_CODES.has(this.code) && this.details?.['written'] !== true ? 2 : 1;
  }

  toJSON(): { code: BackfillErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isBackfillError(e: unknown): e is BackfillError {
  return e instanceof BackfillError;
}

/** SQLSTATE lock_not_available: a lock_timeout ran out (or NOWAIT found the lock taken). */
export const LOCK_NOT_AVAILABLE = '55P03';

/** SQLSTATE of a driver error (pg and PGlite both expose `.code`). */
export function sqlState(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** Turns a driver error into a BackfillError with a one-line message; passes BackfillErrors through. */
export function wrapDbError(e: unknown, doing: string): BackfillError {
  if (e instanceof BackfillError) return e;
  const state = sqlState(e);
  const msg = e instanceof Error ? e.message : String(e);
  if (state === '42501') return new BackfillError('PERMISSION_DENIED', `${doing}: permission denied (${msg})`, { cause: e });
  if (state === '55P03')
    return new BackfillError(
      'LOCK_TIMEOUT',
      `${doing}: lock timeout (${msg}): another session held a lock on a table it needs (an ALTER TABLE, LOCK TABLE or VACUUM FULL of a migration, a long transaction) longer than this session waits (lock_timeout; the tool's own connections wait ${OWN_LOCK_WAIT} where none is set); run it again once that session ends`,
      { cause: e },
    );
  if (state === '25006') return new BackfillError('PERMISSION_DENIED', `${doing}: read-only transaction (${msg})`, { cause: e });
  if (cannotConnect(e))
    return new BackfillError('DB_UNREACHABLE', `${doing}: cannot connect to the database (${msg || String(code(e))})`, { cause: e });
  // lost outside the batches (which reconnect and resume): the statement in flight rolled back; not the input's fault (a
  // trial: "looking up table invoices ($.links[0].table): terminating connection…" read as a config error)
  if (isConnectionLoss(e))
    return new BackfillError(
      'DB_ERROR',
      `${doing}: the connection to the database was lost (${msg}${sqlState(e) === undefined ? '' : ` [SQLSTATE ${sqlState(e)}]`}); what it was doing rolled back: run it again`,
      { cause: e },
    );
  // the server's DETAIL names what the message does not ("Partition key of the failing row contains (tenant_id) = (3)")
  const detail = typeof e === 'object' && e !== null ? (e as { detail?: unknown }).detail : undefined;
  const more = typeof detail === 'string' && detail.trim() !== '' ? ` (${detail.trim()})` : '';
  return new BackfillError('DB_ERROR', `${doing}: ${msg}${more}${state ? ` [SQLSTATE ${state}]` : ''}`, { cause: e });
}

const code = (e: unknown): unknown => (typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined);

/**
 * A connection that could not be made at all (no server there, no such host or database, authentication failed): the
 * same DB_UNREACHABLE whichever handle the library was given as the CLI's URL gives (db/index.ts connectError).
 */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', '28P01', '28000', '3D000']);
export function cannotConnect(e: unknown): boolean {
  const c = code(e);
  return typeof c === 'string' && UNREACHABLE.has(c);
}

/** SQLSTATEs and socket errors that mean "the connection or the server went away", not "the statement was wrong". */
// 53300: too many connections (max_connections reached, reserved slots): as transient as a restart, retried the same way
const CONNECTION_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN', 'EHOSTUNREACH', 'ENETUNREACH']);
// the last four: a Citus coordinator that lost its connection to a worker (restarted, crashed) in the statement, which
// it reports as XX000 (a new user's trial: a worker restarted during a run in one transaction said DB_ERROR, not that
// nothing was written)
const CONNECTION_MESSAGES =
  /Connection terminated|not queryable|Client was closed|connection is closed|terminating connection|CONNECTION_(CLOSED|ENDED|DESTROYED)|failure on connection marked as essential|SSL SYSCALL error|server closed the connection unexpectedly|connection to the remote node .* failed/i;

/**
 * A terminated connection or a server restart (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
 * connect now, 53300 no connection slot free, class 08, a reset or refused socket, the driver's "Connection terminated"): the work in
 * flight was rolled back with its transaction, and the same work may be retried on a new connection.
 * Looks through BackfillError causes.
 */
export function isConnectionLoss(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x !== null && x !== undefined && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    if (typeof x !== 'object') return false;
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_STATES.has(code) || code.startsWith('08') || SOCKET_CODES.has(code))) return true;
    if (typeof code === 'string' && /^CONNECTION_/.test(code)) return true; // postgres.js
    if (!(x instanceof BackfillError) && x instanceof Error && CONNECTION_MESSAGES.test(x.message)) return true;
  }
  return false;
}
