import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from '../port.js';

interface PGliteLike {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(fn: (tx: { query: PGliteLike['query'] }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function wrap(q: { query: PGliteLike['query'] }): Queryable {
  return {
    async query<R>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = await q.query<R>(text, values as unknown[] | undefined);
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
