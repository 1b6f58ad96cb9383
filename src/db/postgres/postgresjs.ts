import { type Database, type Queryable, type QueryArgs, type QueryResult, statementOf } from '../port.js';

/** The parts of a postgres.js `sql` instance we use (no dependency on the package itself). */
export interface PostgresJsLike {
  unsafe(text: string, params?: unknown[]): Promise<unknown[] & { count?: number }>;
  begin<T>(fn: (sql: PostgresJsLike) => Promise<T>): Promise<T>;
  reserve?: () => Promise<PostgresJsLike & { release(): void }>;
  end?: () => Promise<void>;
  /** A parameter of an explicit type oid (postgres.js 3: `sql.typed`). */
  typed?: (value: unknown, type: number) => unknown;
}

export function isPostgresJs(x: unknown): x is PostgresJsLike {
  return (
    typeof x === 'function' &&
    typeof (x as unknown as Record<string, unknown>)['unsafe'] === 'function' &&
    typeof (x as unknown as Record<string, unknown>)['begin'] === 'function'
  );
}

/** The text oid: a parameter sent as text, which the statement casts where it needs another type. */
const TEXT_OID = 25;

/** A string holding a JSON object or array (what fk-backfill sends to its `$n::jsonb` parameters). */
function jsonText(v: string): boolean {
  if (!/^\s*[[{]/.test(v)) return false;
  try {
    JSON.parse(v);
    return true;
  } catch {
    return false;
  }
}

/**
 * postgres.js serialises a value bound to a parameter the server types json or jsonb with JSON.stringify: the JSON
 * text fk-backfill sends (its checkpoints, summaries, plan entries) was stored as a JSON string of itself, and read
 * back it broke apply ("path element at position 1 is not an integer"). Such a value is sent typed as text, which every
 * statement of fk-backfill casts (`$n::jsonb`). Drizzle's postgres-js driver had hidden it: it replaces the client's
 * json serialisers.
 */
function params(sql: PostgresJsLike, values: readonly unknown[] | undefined): unknown[] | undefined {
  const typed = sql.typed;
  if (values === undefined || typed === undefined) return values as unknown[] | undefined;
  return values.map((v) => (typeof v === 'string' && jsonText(v) ? typed(v, TEXT_OID) : v));
}

function wrap(sql: PostgresJsLike): Queryable {
  return {
    async query<R>(...args: QueryArgs<R>): Promise<QueryResult<R>> {
      const { text, values } = statementOf(...args);
      const res = await sql.unsafe(text, params(sql, values));
      const rows = [...res] as R[];
      return { rows, rowCount: typeof res.count === 'number' ? res.count : rows.length };
    },
  };
}

/**
 * Adapter over a postgres.js client (e.g. the `$client` of a Drizzle postgres-js database). postgres.js
 * emits no 'error' events: a lost connection rejects the query in flight (CONNECTION_CLOSED, 57P01),
 * which apply / undo treat as retryable (isConnectionLoss), and it reconnects on the next query itself.
 */
export function fromPostgresJs(sql: PostgresJsLike, description: string): Database {
  const q = wrap(sql);
  return {
    kind: 'postgres',
    description,
    query: q.query,
    transaction: (fn) => sql.begin((tx) => fn(wrap(tx))),
    async session(fn) {
      if (sql.reserve === undefined) return fn(q);
      const conn = await sql.reserve();
      try {
        return await fn(wrap(conn));
      } finally {
        conn.release();
      }
    },
    async exec(text) {
      await sql.unsafe(text);
    },
    async close() {
      /* the application owns it */
    },
  };
}
