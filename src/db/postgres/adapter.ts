import pg from 'pg';
import { isConnectionLoss, sqlState } from '../../errors.js';
import { ownSessionSetup } from '../../sql/session.js';
import { type Database, type Queryable, type QueryArgs, type QueryResult, statementOf } from '../port.js';

type PgQueryable = Pick<pg.ClientBase, 'query'>;

function wrap(q: PgQueryable): Queryable {
  return {
    async query<R>(...args: QueryArgs<R>): Promise<QueryResult<R>> {
      const { text, values } = statementOf(...args);
      const res = await q.query(text, values as unknown[] | undefined);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
    },
  };
}

async function inTransaction<T>(client: PgQueryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const out = await fn(wrap(client));
    await client.query('COMMIT');
    return out;
  } catch (e) {
    try {
      await client.query('ROLLBACK');
    } catch {
      /* connection may be gone; the server rolls back on its own */
    }
    throw e;
  }
}

export interface PostgresAdapterOptions {
  /** Close the pool/client on close(): true when this adapter created it. */
  owned: boolean;
  description: string;
  /** A statement each new connection runs before its first use (the tool's own pools: ownSessionSetup). */
  setup?: string;
}

/** The application name every connection fk-backfill opens carries (batches add their run id). */
export const APPLICATION_NAME = 'fk-backfill';

const listened = new WeakSet<object>();

/**
 * Gives a client an 'error' listener (once). pg emits 'error' on a client whose connection ends while it
 * is checked out of a pool or held alone (pg_terminate_backend, a failover, a restart); without a
 * listener Node turns that into an uncaught exception. The query in flight rejects on its own, with
 * 57P01 or "Connection terminated unexpectedly", which is what callers see and handle.
 */
export function listenForErrors(client: pg.ClientBase): void {
  if (listened.has(client)) return;
  listened.add(client);
  client.on('error', () => undefined);
}

const setUp = new WeakSet<object>();

/**
 * Whether two connections of `pool` are given one server backend: a pooler in transaction or statement mode (PgBouncer
 * `pool_mode = transaction`) hands each client's next transaction to whichever server is idle, so a session-level SET
 * of ours would stay on a backend the application's own clients are given next (a trial: the application's role lost
 * its statement_timeout after `fk-backfill status` through PgBouncer). A direct connection or a session-mode pooler
 * never shares one. Asked once per pool, before its first setup; what holds session state is refused later, where
 * it is taken (src/batch/live.ts).
 */
async function sharesBackends(pool: pg.Pool): Promise<boolean> {
  const a = await pool.connect();
  listenForErrors(a);
  let b: pg.PoolClient | undefined;
  try {
    b = await pool.connect();
    listenForErrors(b);
    const pid = async (c: pg.PoolClient): Promise<number> =>
      Number((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
    return (await pid(a)) === (await pid(b));
  } finally {
    a.release();
    b?.release();
  }
}
const pooledBy = new WeakMap<object, Promise<boolean>>();

/**
 * The session setup (statement_timeout 0 among it) still runs under the role's or database's statement_timeout, the one
 * it lifts: a bound of a few milliseconds cancels the SET itself now and then on a busy server (57014, "cannot
 * connect": a CI run, under a database's 1 ms). Tried again, at most SETUP_ATTEMPTS times: a SET is idempotent.
 */
async function runSetup(client: pg.PoolClient, setup: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(setup);
      return;
    } catch (e) {
      if (sqlState(e) !== '57014' || attempt >= SETUP_ATTEMPTS) throw e;
    }
  }
}
const SETUP_ATTEMPTS = 5;

/** Takes a connection from the pool for `fn` (a new one runs `setup` first); one that broke is destroyed rather than reused. */
async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, setup?: string): Promise<T> {
  // behind a transaction pooler the setup would leak to other clients' sessions: left out (the role's settings hold)
  if (setup !== undefined) {
    let shared = pooledBy.get(pool);
    if (shared === undefined) pooledBy.set(pool, (shared = sharesBackends(pool)));
    if (await shared.catch(() => false)) setup = undefined;
  }
  const client = await pool.connect();
  listenForErrors(client);
  let broken = false;
  try {
    if (setup !== undefined && !setUp.has(client)) {
      await runSetup(client, setup);
      setUp.add(client);
    }
    return await fn(client);
  } catch (e) {
    broken = isConnectionLoss(e);
    throw e;
  } finally {
    client.release(broken);
  }
}

/** Adapter over a `pg.Pool`: each transaction takes its own connection from the pool. */
export function fromPgPool(pool: pg.Pool, opts: PostgresAdapterOptions): Database {
  const setup = opts.setup;
  const q: Queryable =
    setup === undefined
      ? wrap(pool)
      : {
          query<R>(...args: QueryArgs<R>): Promise<QueryResult<R>> {
            const { text, values } = statementOf(...args);
            return withClient(pool, (c) => wrap(c).query<R>(text, values), setup);
          },
        };
  return {
    kind: 'postgres',
    description: opts.description,
    connections: pool.options.max ?? 10,
    query: q.query,
    transaction: (fn) => withClient(pool, (client) => inTransaction(client, fn), setup),
    session: (fn) => withClient(pool, (client) => fn(wrap(client)), setup),
    async exec(sql) {
      await pool.query(sql);
    },
    async close() {
      if (opts.owned) await pool.end();
    },
  };
}

/** The transactions and sessions of each one-connection client, in turn (fromPgClient). */
const CLIENT_QUEUES = new WeakMap<object, { chain: Promise<unknown> }>();

/** Adapter over one `pg.Client` (already connected by the application, or by us). */
export function fromPgClient(client: pg.Client | pg.PoolClient, opts: PostgresAdapterOptions): Database {
  listenForErrors(client);
  const q = wrap(client);
  // One connection: transactions and sessions must not interleave, whichever adapter of that client runs them (each
  // library call adapts the handle anew: two calls at once on one client each had their own queue, and one's COMMIT
  // ended the other's batch transaction)
  const queue = CLIENT_QUEUES.get(client) ?? { chain: Promise.resolve() };
  CLIENT_QUEUES.set(client, queue);
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.chain.then(fn);
    queue.chain = next.catch(() => undefined);
    return next;
  };
  return {
    kind: 'postgres',
    description: opts.description,
    connections: 1,
    driver: client,
    query: q.query,
    transaction: (fn) => serial(() => inTransaction(client, fn)),
    session: (fn) => serial(() => fn(q)),
    async exec(sql) {
      await client.query(sql);
    },
    async close() {
      if (opts.owned && 'end' in client && typeof client.end === 'function') await client.end();
    },
  };
}

export function isPgPool(x: unknown): x is pg.Pool {
  return x instanceof pg.Pool || (isObj(x) && typeof x['connect'] === 'function' && 'totalCount' in x && 'idleCount' in x);
}

export function isPgClient(x: unknown): x is pg.Client {
  return (
    x instanceof pg.Client ||
    (isObj(x) && typeof x['query'] === 'function' && typeof x['connect'] === 'function' && 'connectionParameters' in x)
  );
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** Opens a pool for a postgres:// URL: 4 connections, or `connections` (a parallel apply: one per slice and two more). */
export function openPostgres(url: string, description: string, connections = 4): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: Math.max(4, connections),
    connectionTimeoutMillis: 10_000,
    application_name: APPLICATION_NAME,
  });
  // An idle client dropped by the server must not crash the process (checked-out ones: listenForErrors).
  pool.on('error', () => undefined);
  pool.on('connect', (c) => listenForErrors(c));
  // A role's or database's statement_timeout bounds the application's statements, not this tool's: its batches bound
  // themselves (SET LOCAL, --statement-timeout), and a plan, a lookup table or verify's scans of a big table may take
  // longer. Its own connections run without one, as pg_dump's do (a SET, not a startup option: PgBouncer refuses those),
  // and wait for a lock a bounded time (ownSessionSetup).
  return fromPgPool(pool, { owned: true, description, setup: ownSessionSetup().text });
}
