import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BackfillError, sqlState } from '../errors.js';
import type { Database } from './port.js';
import { fromPgClient, fromPgPool, isPgClient, isPgPool, openPostgres } from './postgres/adapter.js';
import { fromPostgresJs, isPostgresJs } from './postgres/postgresjs.js';
import { fromPglite, isPglite, openPglite } from './pglite/adapter.js';

export type { Database, Queryable, QueryResult, Row, DatabaseKind } from './port.js';
export { num } from './port.js';

export const DEFAULT_DB_URL = 'pglite://./.fk-backfill/db';

/** A URL with its password replaced, for messages and run records. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

/**
 * Opens a database by URL: `postgres://` / `postgresql://` → server (pg); `pglite://DIR` → embedded
 * on disk; `memory://` → embedded in memory. Checks the connection before returning. `create: false`
 * refuses to create a new embedded database directory (commands that expect existing data).
 */
export async function openDatabase(url: string, opts: { create?: boolean; connections?: number } = {}): Promise<Database> {
  if (typeof url !== 'string' || url.length === 0) {
    throw new BackfillError(
      'DB_URL_INVALID',
      `openDatabase needs a database URL (postgres://…, pglite://DIR or memory://), got ${url === '' ? 'an empty string' : typeof url === 'string' ? 'a string' : String(url)}`,
    );
  }
  const shown = redactUrl(url);
  let db: Database;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    db = openPostgres(url, shown, opts.connections);
  } else if (/^pglite:\/\//i.test(url)) {
    const dir = url.slice('pglite://'.length);
    if (dir.length === 0) throw new BackfillError('DB_URL_INVALID', `pglite:// needs a directory, e.g. pglite://./data (got ${shown})`);
    const path = resolve(dir);
    if (opts.create === false && !existsSync(path)) {
      throw new BackfillError(
        'DB_UNREACHABLE',
        `embedded database ${path} does not exist: point --db (or DATABASE_URL) at your database, or create one with \`fk-backfill demo --db ${url}\``,
      );
    }
    db = await openPgliteChecked(path, shown);
  } else if (/^memory:\/\/?$/i.test(url) || url === 'memory:') {
    db = await openPgliteChecked(undefined, shown);
  } else {
    throw new BackfillError(
      'DB_URL_INVALID',
      `unsupported database URL ${shown}: use postgres://…, postgresql://…, pglite://DIR or memory://`,
    );
  }
  try {
    await db.query('SELECT 1');
  } catch (e) {
    await db.close().catch(() => undefined);
    throw connectError(e, shown);
  }
  return db;
}

async function openPgliteChecked(dir: string | undefined, shown: string): Promise<Database> {
  try {
    return await openPglite(dir, shown);
  } catch (e) {
    throw new BackfillError('DB_UNREACHABLE', `cannot open embedded database ${shown}: ${whyNotPglite(dir) ?? (e as Error).message}`, {
      cause: e,
    });
  }
}

/** The PostgreSQL major version of the embedded PGlite (test/db/adapters.test.ts checks it). */
export const PGLITE_PG_MAJOR = '17';

/**
 * Why a directory PGlite failed to open is not one it can open, from what is in it (null: nothing to say). PGlite
 * said only "unreachable" for a data directory of another PostgreSQL version (a server's, or an older PGlite's),
 * and "Program terminated with exit(1)" for a directory of other files.
 */
function whyNotPglite(dir: string | undefined): string | null {
  if (dir === undefined || !existsSync(dir)) return null;
  const versionFile = join(dir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const v = readFileSync(versionFile, 'utf8').trim();
    if (v === PGLITE_PG_MAJOR) return null;
    return `it is a PostgreSQL ${v} data directory (a server's, or another PGlite version's), and the embedded PGlite runs PostgreSQL ${PGLITE_PG_MAJOR} and opens only its own; run a PostgreSQL ${v} server on it and use --db postgres://…, or give pglite:// a new directory`;
  }
  if (readdirSync(dir).length > 0) {
    return 'it is not an embedded database (no PG_VERSION, and other files are in it): give pglite:// a new or empty directory, or one fk-backfill made';
  }
  return null;
}

function connectError(e: unknown, shown: string): BackfillError {
  const state = sqlState(e);
  const msg = e instanceof Error ? e.message : String(e);
  const why =
    state === '28P01' || state === '28000'
      ? 'authentication failed'
      : state === '3D000'
        ? 'database does not exist'
        : msg || (e as { code?: string }).code || 'connection failed';
  return new BackfillError('DB_UNREACHABLE', `cannot connect to ${shown}: ${why}`, { cause: e });
}

/**
 * Wraps what an application already holds: a Drizzle Postgres database (node-postgres, postgres-js
 * or PGlite driver), a `pg` Pool or Client, a PGlite instance, or a Database from `openDatabase`.
 * The handle stays the application's: `close()` on the result does not close it.
 */
export function adapt(handle: unknown): Database {
  if (isDatabase(handle)) return handle;
  const inner = isObj(handle) && '$client' in handle ? handle['$client'] : handle;
  if (isPglite(inner)) {
    refuseOpenTransaction(inner, 'PGlite instance');
    return fromPglite(inner, { owned: false, description: 'PGlite instance' });
  }
  if (isPgPool(inner)) return fromPgPool(inner, { owned: false, description: 'pg Pool' });
  if (isPgClient(inner)) {
    refuseOpenTransaction(inner, 'pg Client');
    return fromPgClient(inner, { owned: false, description: 'pg Client' });
  }
  // postgres.js's transaction (sql.begin(tx => …)): only it has savepoint(). postgres.js 4's was taken as a client: a run joined the
  // application's transaction (a fresh database: an opaque 25P02; a migrated one: rows reported linked that its ROLLBACK undid)
  if (
    typeof inner === 'function' &&
    ['unsafe', 'savepoint'].every((m) => typeof (inner as unknown as Record<string, unknown>)[m] === 'function')
  )
    throw transactionRefused();
  if (isPostgresJs(inner)) return fromPostgresJs(inner, 'postgres.js client');
  if (typeof handle === 'string')
    throw new BackfillError(
      'DB_UNSUPPORTED',
      'a URL is not a database handle: open it first (const db = await openDatabase(url)) and pass db, or pass a Drizzle Postgres db, a pg Pool or Client, or a PGlite instance',
    );
  // a transaction (Drizzle's or PGlite's tx): no client of its own; fk-backfill commits its own batches
  if (isObj(handle) && typeof handle['rollback'] === 'function') throw transactionRefused();
  throw new BackfillError(
    'DB_UNSUPPORTED',
    'unsupported database handle: pass a Drizzle Postgres db, a pg Pool or Client, a PGlite instance, or a Database from openDatabase(url)',
  );
}

/**
 * A one-connection handle (a pg Client or PoolClient, a PGlite instance, or a Drizzle db over one) that the application
 * has inside an open transaction is refused before anything runs on it. fk-backfill's own BEGIN … COMMIT on that
 * connection would commit the application's transaction (PostgreSQL only warns "there is already a transaction in
 * progress"), so the application's ROLLBACK afterwards undid nothing; on PGlite the call waited for the application's
 * transaction, which waited for the call, for ever (a new user's trial).
 */
function refuseOpenTransaction(inner: unknown, what: string): void {
  if (!isObj(inner)) return;
  // pg ≥ 8.12: the status of the last ReadyForQuery ('I' idle, 'T' in a transaction, 'E' in a failed one)
  const pgStatus =
    typeof inner['getTransactionStatus'] === 'function' ? (inner['getTransactionStatus'] as () => unknown).call(inner) : null;
  // PGlite (0.3 and later): isInTransaction()
  const liteOpen = typeof inner['isInTransaction'] === 'function' && (inner['isInTransaction'] as () => unknown).call(inner) === true;
  if (pgStatus === 'T' || pgStatus === 'E' || liteOpen) {
    throw new BackfillError(
      'DB_UNSUPPORTED',
      `this ${what} is inside an open transaction: fk-backfill runs and commits its own transactions on the connection it is given, which would commit yours (or wait for it for ever); call it after your transaction ends, or pass a pool (its own connections then neither see your uncommitted rows nor may write rows your transaction has locked)`,
    );
  }
}

function transactionRefused(): BackfillError {
  return new BackfillError(
    'DB_UNSUPPORTED',
    'a transaction (tx) is not a database handle: pass the db itself; fk-backfill runs and commits its own transactions (one per batch, or one for the run with singleTransaction)',
  );
}

export function isDatabase(x: unknown): x is Database {
  return (
    isObj(x) &&
    (x['kind'] === 'postgres' || x['kind'] === 'pglite') &&
    typeof x['transaction'] === 'function' &&
    typeof x['exec'] === 'function' &&
    typeof x['description'] === 'string'
  );
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}
