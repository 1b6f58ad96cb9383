/**
 * The tool's own connections run without a statement_timeout and with a bounded lock wait (ownSessionSetup, a
 * session-level SET). Through a pooler in transaction mode (PgBouncer pool_mode = transaction) that SET stayed on the
 * pooled server backend, which the application's clients were given next: a trial's application role lost its
 * statement_timeout after one `fk-backfill status`. A pool whose connections share one backend now gets no session
 * setup (the role's settings hold); a direct pool still gets it. PostgreSQL only (PGlite has one session).
 */
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { fromPgPool, openPostgres } from '../../src/db/postgres/adapter.js';
import { ownSessionSetup } from '../../src/sql/session.js';
import type { Database } from '../../src/db/port.js';
import { admin, describeEach, freshDb, type TestDb } from '../helpers/db.js';

/** A pool whose every connection is one backend, as a transaction-mode pooler hands the idle server to each client. */
function onOneBackend(client: pg.Client): pg.Pool {
  const shared = Object.assign(client, { release: () => undefined }) as unknown as pg.PoolClient;
  return {
    options: { max: 4 },
    connect: async () => shared,
    query: client.query.bind(client),
    end: async () => undefined,
  } as unknown as pg.Pool;
}

describeEach('the session setup behind a transaction pooler', (target) => {
  let t: TestDb | undefined;
  let client: pg.Client | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    await client?.end().catch(() => undefined);
    await t?.dispose();
    [t, client, db] = [undefined, undefined, undefined];
  });

  it.runIf(target === 'postgres')('is left out where connections share a backend, so the role keeps its statement_timeout', async () => {
    t = await freshDb(target);
    const name = new URL(t.url).pathname.slice(1);
    await admin((c) => c.query(`ALTER DATABASE ${name} SET statement_timeout = '5s'`));
    const timeout = async (d: Database): Promise<string> =>
      (await d.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout;
    // a direct pool: the tool's own connections run without one
    db = openPostgres(t.url, 'direct');
    expect(await timeout(db)).toBe('0');
    await db.close();
    // one backend behind every connection: nothing set on it, as the application's next client finds it
    client = new pg.Client({ connectionString: t.url });
    await client.connect();
    db = fromPgPool(onOneBackend(client), { owned: false, description: 'pooled', setup: ownSessionSetup().text });
    expect(await timeout(db)).toBe('5s');
    expect((await client.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout).toBe('5s');
  });
});
