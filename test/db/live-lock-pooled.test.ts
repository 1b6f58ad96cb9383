/**
 * The live lock (src/batch/live.ts) is a session-level advisory lock held on a connection of its own. Through a pooler
 * in transaction mode (PgBouncer pool_mode = transaction) that connection's backend goes back to the pool between
 * statements: the batches ran on it, the lock stayed on the pooled backend after the process exited (every later
 * apply or undo of the run or its links: RUN_BUSY naming a process long gone), and a second apply of the same plan at
 * once took the lock again on the same backend and split the rows between two runs. Such a handle is refused now.
 *
 * And a run whose live lock's connection is lost until its reconnect attempts are used up ends `interrupted` with the
 * `--resume` to run (INTERRUPTED, as a lost batch connection does), not `failed` with the internal LIVE_LOCK_LOST.
 * PostgreSQL only: PGlite has one session and no connection to lose.
 */
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { apply, type Database, plan, type Queryable } from '../../src/index.js';
import type { QueryResult } from '../../src/db/port.js';
import { BackfillError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { createBatchFixture, DEMO_TENANT, expectedLinkHash, linkHash, tableHash } from './apply-fixture.js';

/**
 * A handle that claims a pool of 4 connections but runs every statement on one backend, as a transaction-mode pooler
 * hands one idle server to each client in turn.
 */
function transactionPooled(client: pg.Client): Database {
  const q: Queryable = {
    async query<R>(text: unknown, values?: unknown): Promise<QueryResult<R>> {
      const s =
        typeof text === 'string' ? { text, values: values as unknown[] | undefined } : (text as { text: string; values?: unknown[] });
      const r = await client.query(s.text, s.values);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
    },
  } as Queryable;
  return {
    kind: 'postgres',
    description: 'a transaction-pooled handle',
    connections: 4,
    query: q.query,
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        const out = await fn(q);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    },
    session: (fn) => fn(q),
    async exec(sql) {
      await client.query(sql);
    },
    async close() {},
  } as Database;
}

const advisoryLocks = async (t: TestDb): Promise<number> =>
  (
    await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    )
  ).rows[0]!.n;

describeEach('the live lock through a transaction pooler', (target) => {
  let t: TestDb | undefined;
  let client: pg.Client | undefined;
  afterEach(async () => {
    await client?.end().catch(() => undefined);
    client = undefined;
    await t?.dispose();
    t = undefined;
  });

  it.runIf(target !== 'pglite')('a handle whose connections share one backend: refused, nothing written, no lock left behind', async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 600);
    const before = await tableHash(t.db, 'sales_orders');
    const p = await plan(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
    client = new pg.Client({ connectionString: t.url });
    await client.connect();
    const pooled = transactionPooled(client);
    const e = await apply(pooled, { tenantId: DEMO_TENANT, entities: ['sales_order'], planRunId: p.runId, batchSize: 100 }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(BackfillError);
    expect((e as BackfillError).code).toBe('DB_UNSUPPORTED');
    expect((e as BackfillError).exitCode).toBe(2);
    expect((e as BackfillError).message).toMatch(/pooler in transaction or statement mode/);
    expect(await tableHash(t.db, 'sales_orders')).toBe(before);
    expect(await advisoryLocks(t)).toBe(0);
    const runs = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs WHERE kind = 'apply'`);
    expect(runs.rows[0]!.n).toBe(0);
    // the same apply on the pool of its own connections goes through
    const done = await apply(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'], planRunId: p.runId, batchSize: 100 });
    expect(done.status).toBe('done');
  });

  it.runIf(target !== 'pglite')(
    'the live lock lost with no reconnect left: run interrupted, INTERRUPTED with its --resume, which finishes it',
    async () => {
      t = await freshDb(target);
      await createBatchFixture(t.db, 3000);
      // the batch that updates the 300th row terminates the connection holding the run's live lock (not its own)
      await t.db.exec(`
        CREATE SEQUENCE fkb_kill_seq;
        CREATE FUNCTION fkb_kill_holder() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF nextval('fkb_kill_seq') = 300 THEN
            PERFORM pg_terminate_backend(pid, 5000) FROM pg_stat_activity
              WHERE datname = current_database() AND application_name LIKE 'fk-backfill apply run %';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER fkb_kill_holder BEFORE UPDATE ON sales_orders FOR EACH ROW EXECUTE FUNCTION fkb_kill_holder();`);
      const base = ['--db', t.url, '--yes', '--json'];
      const r = await runCli([
        'apply',
        ...base,
        '--tenant',
        DEMO_TENANT,
        '--entity',
        'sales_order',
        '--batch-size',
        '200',
        '--reconnect-attempts',
        '0',
      ]);
      expect(r.code).toBe(1);
      const err = r.json<{ error: { code: string; details: { runId: string; status: string; resume: string } } }>().error;
      expect(err.code).toBe('INTERRUPTED');
      expect(err.details).toMatchObject({ status: 'interrupted', resume: `fk-backfill apply --resume ${err.details.runId} --yes` });
      expect(r.stderr).toMatch(/apply --resume \d+ --yes/);
      const status = await t.db.query<{ status: string }>(`SELECT status FROM fk_backfill.runs WHERE id = $1::int8`, [err.details.runId]);
      expect(status.rows[0]!.status).toBe('interrupted');

      await t.db.exec('DROP TRIGGER fkb_kill_holder ON sales_orders');
      const done = await runCli(['apply', ...base, '--resume', err.details.runId]);
      expect(done.code).toBe(0);
      expect(done.json()).toMatchObject({ runId: err.details.runId, status: 'done' });
      expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
        await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', DEMO_TENANT),
      );
    },
  );
});
