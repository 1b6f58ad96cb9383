import { mkdirSync, realpathSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { hstore } from '@electric-sql/pglite/contrib/hstore';
import { ltree } from '@electric-sql/pglite/contrib/ltree';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';
import { parse as parseArray } from 'postgres-array';
import { type Database, type Queryable, type QueryArgs, type QueryResult, statementOf } from '../port.js';

type Parsers = Record<number, (value: string, typeId: number) => unknown>;

interface PGliteLike {
  query<R>(text: string, params?: unknown[], options?: { parsers?: Parsers }): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(fn: (tx: { query: PGliteLike['query'] }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * PGlite 0.3 reads an unquoted NULL element of a text[] as the string "NULL" (node-postgres gives null): a scope key
 * `{NULL}` then became the scope "NULL", and rows without a tenant were matched with masters without one. Text and
 * varchar arrays are parsed as node-postgres parses them.
 */
const PARSERS: Parsers = { 1009: (v) => parseArray(v, (x) => x), 1015: (v) => parseArray(v, (x) => x) };

function wrap(q: { query: PGliteLike['query'] }): Queryable {
  return {
    async query<R>(...args: QueryArgs<R>): Promise<QueryResult<R>> {
      const { text, values } = statementOf(...args);
      const res = await q.query<R>(text, values as unknown[] | undefined, { parsers: PARSERS });
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
  };
}

export interface PgliteAdapterOptions {
  owned: boolean;
  description: string;
  /** Called by close() (once) instead of closing the instance: a handle on an instance shared in this process. */
  release?: () => Promise<void>;
}

/** Adapter over a PGlite instance (embedded Postgres in WASM, one connection). */
export function fromPglite(db: PGliteLike, opts: PgliteAdapterOptions): Database {
  const q = wrap(db);
  let closed = false;
  return {
    kind: 'pglite',
    description: opts.description,
    connections: 1,
    driver: db,
    query: q.query,
    transaction(fn) {
      return db.transaction((tx) => fn(wrap(tx)));
    },
    session(fn) {
      // One connection already; PGlite serialises queries itself.
      return fn(q);
    },
    async exec(sql) {
      await db.exec(sql);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (opts.release !== undefined) await opts.release();
      else if (opts.owned) await db.close();
    },
  };
}

export function isPglite(x: unknown): x is PGliteLike {
  if (x instanceof PGlite) return true;
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o['exec'] === 'function' && typeof o['query'] === 'function' && typeof o['transaction'] === 'function' && 'waitReady' in o;
}

/**
 * The contrib extensions an application's schema commonly uses (a citext name, a pg_trgm index on it, hstore, ltree,
 * btree_gist exclusion constraints, uuid-ossp defaults), registered when a data directory is opened: PGlite loads only
 * the extensions it is given, and a directory whose schema used one failed every plan with `could not access file
 * "$libdir/citext"` (exit 1, DB_ERROR). Each bundle is a few kB, unpacked at start; nothing is created in the database.
 */
const CONTRIB = { citext, pg_trgm, hstore, ltree, btree_gin, btree_gist, uuid_ossp, fuzzystrmatch };

/**
 * The data directories this process has open, each with its one instance and how many handles use it. Two PGlite
 * instances on one directory would each take it for their own (neither sees the other's writes; the later close
 * overwrites the earlier's files), so a second open of a directory already open here shares its instance, and the
 * last handle closed closes it. One connection either way: PGlite runs one statement at a time.
 */
const openDirs = new Map<string, { instance: Promise<PGlite>; handles: number }>();

/** Opens embedded Postgres: in memory when dataDir is undefined, else on disk (created if missing; shared if open here). */
export async function openPglite(dataDir: string | undefined, description: string): Promise<Database> {
  if (dataDir === undefined) {
    const db = new PGlite();
    await db.waitReady;
    return fromPglite(db as unknown as PGliteLike, { owned: true, description });
  }
  mkdirSync(dataDir, { recursive: true });
  const key = realpathSync(dataDir);
  let entry = openDirs.get(key);
  if (entry === undefined) {
    const instance = (async () => {
      const db = new PGlite(dataDir, { extensions: CONTRIB });
      await db.waitReady;
      return db;
    })();
    entry = { instance, handles: 0 };
    openDirs.set(key, entry);
  }
  const shared = entry;
  shared.handles++;
  let db: PGlite;
  try {
    db = await shared.instance;
  } catch (e) {
    if (--shared.handles === 0 && openDirs.get(key) === shared) openDirs.delete(key);
    throw e;
  }
  return fromPglite(db as unknown as PGliteLike, {
    owned: true,
    description,
    async release() {
      if (--shared.handles > 0) return;
      if (openDirs.get(key) === shared) openDirs.delete(key);
      await db.close();
    },
  });
}
