/**
 * Ctrl-C or SIGTERM during a run in one transaction (apply --single-transaction, undo in one transaction): rolled
 * back, nothing written, STOPPED. Before, the signal was never looked at: the run went on and committed everything
 * while the CLI said it would stop and could be resumed.
 */
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { apply } from '../../src/index.js';
import { stoppable } from '../../src/batch/stop.js';
import { getRun } from '../../src/store/runs.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { createBatchFixture, DEMO_TENANT, tableHash } from './apply-fixture.js';

/**
 * Another session holding a row the apply links (its name has a master: a tenth of the fixture's names have none, and
 * a lock on one of those was never waited for, so the apply finished before it could be stopped), in an open
 * transaction: ROLLBACK and end it.
 */
async function lockLinkedRow(url: string): Promise<pg.Client> {
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  await other.query('BEGIN');
  await other.query(
    `SELECT 1 FROM sales_orders s WHERE s.tenant_id = $1 AND s.customer_id IS NULL
        AND EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = s.tenant_id AND c.customer_name = s.customer_name)
      ORDER BY s.id DESC LIMIT 1 FOR UPDATE`,
    [DEMO_TENANT],
  );
  return other;
}

describeEach('a run in one transaction asked to stop', (target) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('what the transaction wrote is rolled back and the caller gets STOPPED', async () => {
    t = await freshDb(target);
    const db = t.db;
    await db.exec('CREATE TABLE notes (n int)');
    const ac = new AbortController();
    const out = await db
      .transaction((tx) =>
        stoppable(db, tx, ac.signal, 'a test run', async () => {
          await tx.query('INSERT INTO notes VALUES (1)');
          ac.abort();
          await tx.query('INSERT INTO notes VALUES (2)');
          return 'committed';
        }),
      )
      .catch((e: unknown) => e);
    expect(out).toMatchObject({ code: 'STOPPED' });
    expect((out as Error).message).toBe(
      'a test run stopped (Ctrl-C or SIGTERM) before its one transaction committed: rolled back, nothing was written; run it again to do it',
    );
    expect((await db.query('SELECT * FROM notes')).rows).toEqual([]);
  });

  it.runIf(target === 'postgres')('the statement in flight is cancelled from another connection, not waited for', async () => {
    t = await freshDb(target);
    const db = t.db;
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 300);
    const out = await db
      .transaction((tx) => stoppable(db, tx, ac.signal, 'a test run', () => tx.query('SELECT pg_sleep(20)')))
      .catch((e: unknown) => e);
    expect(out).toMatchObject({ code: 'STOPPED' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.runIf(target === 'postgres')(
    'apply --single-transaction waiting on a locked row: stopped, nothing written, the run failed with STOPPED; applied again later',
    async () => {
      t = await freshDb(target);
      await createBatchFixture(t.db, 2000);
      const before = await tableHash(t.db, 'sales_orders');
      const other = await lockLinkedRow(t.url);
      try {
        const ac = new AbortController();
        // stop once the apply waits for the row
        const waiting = setInterval(() => {
          void other
            .query(
              // waiting for this session's row lock (other test files run beside this one on the server)
              `SELECT count(*)::int AS n FROM pg_locks l WHERE NOT l.granted AND l.locktype = 'transactionid' AND pg_backend_pid() = ANY(pg_blocking_pids(l.pid))`,
            )
            .then((r) => (r.rows[0] as { n: number }).n > 0 && ac.abort());
        }, 100);
        const out = await apply(t.db, {
          tenantId: DEMO_TENANT,
          entities: ['sales_order'],
          singleTransaction: true,
          signal: ac.signal,
        }).catch((e: unknown) => e);
        clearInterval(waiting);
        expect(out).toMatchObject({ code: 'STOPPED' });
        await other.query('ROLLBACK');
        expect(await tableHash(t.db, 'sales_orders')).toBe(before);
        const runId = (await t.db.query<{ id: string }>(`SELECT max(id)::text AS id FROM fk_backfill.runs WHERE kind = 'apply'`)).rows[0]!
          .id;
        expect((await getRun(t.db, runId)).status).toBe('failed');
        const again = await apply(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'], singleTransaction: true });
        expect(again.status).toBe('done');
        expect(again.totalUpdated).toBeGreaterThan(0);
      } finally {
        await other.end();
      }
    },
  );

  it.runIf(target === 'postgres')(
    'apply --single-transaction whose connection is lost (its backend terminated): said to be rolled back, nothing written (INTERRUPTED)',
    async () => {
      // a new user's trial (a Citus worker restarted): the driver's 08006 as DB_ERROR, with nothing about what was written
      t = await freshDb(target);
      await createBatchFixture(t.db, 2000);
      const before = await tableHash(t.db, 'sales_orders');
      const other = await lockLinkedRow(t.url);
      try {
        const admin = new pg.Client({ connectionString: t.url });
        await admin.connect();
        const kill = setInterval(() => {
          void admin
            .query(
              // this test's database only: other test files run beside it on the same server
              `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid' AND pid <> pg_backend_pid() AND pid IN (SELECT a.pid FROM pg_stat_activity a WHERE a.datname = current_database())`,
            )
            .catch(() => undefined);
        }, 100);
        const out = await apply(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'], singleTransaction: true }).catch(
          (e: unknown) => e,
        );
        clearInterval(kill);
        await admin.end();
        expect(out).toMatchObject({ code: 'INTERRUPTED' });
        expect((out as Error).message).toMatch(
          /lost its database connection .*: its one transaction was rolled back, nothing was written\. Run it again$/,
        );
        await other.query('ROLLBACK');
        expect(await tableHash(t.db, 'sales_orders')).toBe(before);
      } finally {
        await other.end();
      }
    },
  );
});
