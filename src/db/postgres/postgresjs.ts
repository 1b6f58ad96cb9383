import { type Database, type Queryable, type QueryArgs, type QueryResult, statementOf } from '../port.js';

/** The parts of a postgres.js `sql` instance we use (no dependency on the package itself). */
export interface PostgresJsLike {
  unsafe(text: string, params?: unknown[]): Promise<unknown[] & { count?: number }>;
  begin<T>(fn: (sql: PostgresJsLike) => Promise<T>): Promise<T>;
  reserve?: () => Promise<PostgresJsLike & { release(): void }>;
  end?: () => Promise<void>;
}

export function isPostgresJs(x: unknown): x is PostgresJsLike {
  return (
    typeof x === 'function' &&
    typeof (x as unknown as Record<string, unknown>)['unsafe'] === 'function' &&
    typeof (x as unknown as Record<string, unknown>)['begin'] === 'function'
  );
}

function wrap(sql: PostgresJsLike): Queryable {
  return {
    async query<R>(...args: QueryArgs<R>): Promise<QueryResult<R>> {
      const { text, values } = statementOf(...args);
      const res = await sql.unsafe(text, values as unknown[] | undefined);
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
