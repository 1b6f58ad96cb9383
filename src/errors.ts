/**
 * The one error type fk-backfill throws on purpose. `code` is stable (scripts may switch on it);
 * `exitCode` is what the CLI exits with: 2 for bad input (usage, config, schema, connection), 1 for
 * failures while working.
 */
export type BackfillErrorCode =
  | 'USAGE'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'DB_URL_INVALID'
  | 'DB_UNREACHABLE'
  | 'DB_UNSUPPORTED'
  | 'SCHEMA_MISSING_TABLE'
  | 'SCHEMA_MISSING_COLUMN'
  | 'SCHEMA_TYPE_MISMATCH'
  | 'SCHEMA_NOT_A_TABLE'
  | 'UNKNOWN_ENTITY'
  | 'UNKNOWN_TENANT'
  | 'TENANT_REQUIRED'
  | 'RUN_NOT_FOUND'
  | 'RUN_STATE'
  | 'RUN_BUSY'
  | 'CONFIRMATION_REQUIRED'
  | 'PERMISSION_DENIED'
  | 'PLAN_STALE'
  | 'LOCK_TIMEOUT'
  | 'INTERRUPTED'
  | 'DB_ERROR'
  | 'ORPHANS_FOUND'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'INTERNAL';

const USAGE_CODES: ReadonlySet<BackfillErrorCode> = new Set<BackfillErrorCode>([
  'USAGE',
  'CONFIG_NOT_FOUND',
  'CONFIG_INVALID',
  'DB_URL_INVALID',
  'DB_UNREACHABLE',
  'DB_UNSUPPORTED',
  'SCHEMA_MISSING_TABLE',
  'SCHEMA_MISSING_COLUMN',
  'SCHEMA_TYPE_MISMATCH',
  'SCHEMA_NOT_A_TABLE',
  'UNKNOWN_ENTITY',
  'UNKNOWN_TENANT',
  'TENANT_REQUIRED',
  'RUN_NOT_FOUND',
  'CONFIRMATION_REQUIRED',
  'PERMISSION_DENIED',
  'INVALID_INPUT',
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

  /** 2 = bad input, nothing was written; 1 = failure while working. */
  get exitCode(): 1 | 2 {
    return USAGE_CODES.has(this.code) ? 2 : 1;
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
  if (state === '55P03') return new BackfillError('LOCK_TIMEOUT', `${doing}: lock timeout (${msg})`, { cause: e });
  if (state === '25006') return new BackfillError('PERMISSION_DENIED', `${doing}: read-only transaction (${msg})`, { cause: e });
  return new BackfillError('DB_ERROR', `${doing}: ${msg}${state ? ` [SQLSTATE ${state}]` : ''}`, { cause: e });
}
