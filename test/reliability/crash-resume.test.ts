/**
 * kill -9 in the middle of a batched apply (the CLI as a child process), then `apply --resume`: the end
 * state equals an uninterrupted run and the change log has exactly one row per changed row.
 * Needs `npm run build` (the CLI is dist/cli/main.js).
 */
import { afterEach, expect, it } from 'vitest';
import type { Database } from '../../src/db/port.js';
import { cliStoppedAfterBatches } from '../helpers/cli.js';
import { describeEach, freshDb, reopen, type TestDb } from '../helpers/db.js';
import { createBatchFixture, DEMO_TENANT, expectedLinkHash, linkHash } from '../db/apply-fixture.js';

const cli = cliStoppedAfterBatches;

describeEach('crash and resume (kill -9)', (target) => {
  let t: TestDb;
  afterEach(async () => {
    await t.dispose();
  });

  it(
    'apply killed mid-run, resumed: same state as an uninterrupted run, one change row per changed row',
    { timeout: 180_000 },
    async () => {
      t = await freshDb(target, { onDisk: true });
      await createBatchFixture(t.db, 3000);
      const toLink = await t.db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM sales_orders s JOIN customers c ON c.tenant_id = s.tenant_id AND c.customer_name = s.customer_name WHERE s.customer_id IS NULL AND s.tenant_id = $1)::int
            + (SELECT count(*) FROM purchase_orders s JOIN vendors c ON c.tenant_id = s.tenant_id AND c.vendor_name = s.vendor_name WHERE s.vendor_id IS NULL AND s.tenant_id = $1)::int AS n`,
        [DEMO_TENANT],
      );
      await t.release();
      const base = ['--db', t.url, '--yes'];
      const first = await cli(
        ['apply', ...base, '--tenant', DEMO_TENANT, '--entity', 'sales_order', 'purchase_order', '--batch-size', '50', '--json-progress'],
        5,
      );
      expect(first.signal).toBe('SIGKILL');

      let db: Database = t.target !== 'pglite' ? t.db : await reopen(t);
      const runs = await db.query<{ id: string; status: string; n: number }>(
        `SELECT r.id::text, r.status, (SELECT count(*)::int FROM fk_backfill.changes c WHERE c.run_id = r.id) AS n FROM fk_backfill.runs r WHERE kind = 'apply'`,
      );
      expect(runs.rows).toHaveLength(1);
      const crashed = runs.rows[0]!;
      expect(crashed.status).toBe('running');
      expect(crashed.n).toBeGreaterThan(0);
      expect(crashed.n).toBeLessThan(toLink.rows[0]!.n);
      if (t.target === 'pglite') await db.close();

      // the rest in bigger batches: what is tested is where it starts, not how small it steps
      const second = await cli(['apply', ...base, '--resume', crashed.id, '--batch-size', '1000', '--json', '--json-progress']);
      expect(second.code).toBe(0);
      const result = JSON.parse(second.stdout) as { runId: string; status: string; totalUpdated: number };
      expect(result).toMatchObject({ runId: crashed.id, status: 'done', totalUpdated: toLink.rows[0]!.n });

      db = t.target !== 'pglite' ? t.db : await reopen(t);
      try {
        expect(await linkHash(db, 'sales_orders', 'customer_id')).toBe(
          await expectedLinkHash(db, 'sales_orders', 'customer_id', 'customers', 'customer_name', DEMO_TENANT),
        );
        expect(await linkHash(db, 'purchase_orders', 'vendor_id')).toBe(
          await expectedLinkHash(db, 'purchase_orders', 'vendor_id', 'vendors', 'vendor_name', DEMO_TENANT),
        );
        const log = await db.query<{ n: number; keys: number }>(
          `SELECT count(*)::int AS n, count(DISTINCT (link, row_key))::int AS keys FROM fk_backfill.changes WHERE run_id = $1::int8`,
          [crashed.id],
        );
        expect(log.rows[0]).toEqual({ n: toLink.rows[0]!.n, keys: toLink.rows[0]!.n });
        const run = await db.query<{ status: string }>(`SELECT status FROM fk_backfill.runs WHERE id = $1::int8`, [crashed.id]);
        expect(run.rows[0]!.status).toBe('done');
      } finally {
        if (t.target === 'pglite') await db.close();
      }
    },
  );

  it.runIf(target !== 'pglite')(
    'Ctrl-C finishes the current batch and stops cleanly (status stopped); resume completes; batched undo after a kill -9 resumes too',
    async () => {
      t = await freshDb(target);
      await createBatchFixture(t.db, 3000);
      const before = await t.db.query<{ h: string }>(`SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) AS h FROM sales_orders t`);
      const base = ['--db', t.url, '--yes'];
      const first = await cli(
        [
          'apply',
          ...base,
          '--all-tenants',
          '--entity',
          'sales_order',
          '--batch-size',
          '40',
          '--pause-ms',
          '20',
          '--json',
          '--json-progress',
        ],
        3,
        'SIGINT',
      );
      expect(first.code).toBe(1);
      const stopped = JSON.parse(first.stdout) as { runId: string; status: string; totalUpdated: number };
      expect(stopped.status).toBe('stopped');
      const log = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.changes WHERE run_id = $1::int8`, [
        stopped.runId,
      ]);
      expect(log.rows[0]!.n).toBe(stopped.totalUpdated);
      expect(
        (await t.db.query<{ status: string }>(`SELECT status FROM fk_backfill.runs WHERE id = $1::int8`, [stopped.runId])).rows[0]!.status,
      ).toBe('stopped');
      const done = await cli(['apply', ...base, '--resume', stopped.runId, '--json']);
      expect(done.code).toBe(0);
      expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
        await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', null),
      );

      const u1 = await cli(['undo', ...base, '--run', stopped.runId, '--batch-size', '40', '--json-progress'], 4);
      expect(u1.signal).toBe('SIGKILL');
      const undoRun = (
        await t.db.query<{ id: string; status: string }>(`SELECT id::text, status FROM fk_backfill.runs WHERE kind = 'undo'`)
      ).rows[0]!;
      expect(undoRun.status).toBe('running');
      const u2 = await cli(['undo', ...base, '--resume', undoRun.id, '--json']);
      expect(u2.code).toBe(0);
      expect(JSON.parse(u2.stdout)).toMatchObject({ status: 'done', totalSkipped: 0 });
      const after = await t.db.query<{ h: string }>(`SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) AS h FROM sales_orders t`);
      expect(after.rows[0]!.h).toBe(before.rows[0]!.h);
    },
  );
});
