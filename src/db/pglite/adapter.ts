import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
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
}

/** Adapter over a PGlite instance (embedded Postgres in WASM, one connection). */
export function fromPglite(db: PGliteLike, opts: PgliteAdapterOptions): Database {
  const q = wrap(db);
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
      if (opts.owned) await db.close();
    },
  };
}

export function isPglite(x: unknown): x is PGliteLike {
  if (x instanceof PGlite) return true;
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o['exec'] === 'function' && typeof o['query'] === 'function' && typeof o['transaction'] === 'function' && 'waitReady' in o;
}

/** Opens embedded Postgres: in memory when dataDir is undefined, else on disk (created if missing). */
export async function openPglite(dataDir: string | undefined, description: string): Promise<Database> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  return fromPglite(db as unknown as PGliteLike, { owned: true, description });
}
