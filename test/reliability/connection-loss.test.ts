/**
 * Connection loss is normal weather: the apply / undo backend is terminated in the middle of a batch
 * (what a DBA, a failover or a pooler restart does). Deterministic, no sleeps: a BEFORE UPDATE trigger
 * on the source terminates its own backend when a sequence (not rolled back with the batch) reaches a
 * given value, and only on connections whose application_name starts with 'fk-backfill' (so it also
 * checks that batches carry it). PostgreSQL only: an embedded PGlite has no connection to lose.
 * Needs `npm run build` (the CLI is dist/cli/main.js).
 */
import { afterEach, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { createBatchFixture, DEMO_TENANT, expectedLinkHash, linkHash, tableHash } from '../db/apply-fixture.js';

/** Terminates the backend updating sales_orders once the sequence reaches `at` (`always`: at every row after it). */
async function armKill(t: TestDb, at: number, always: boolean): Promise<void> {
  await t.db.exec(`
    DROP TRIGGER IF EXISTS fkb_kill ON sales_orders;
    DROP SEQUENCE IF EXISTS fkb_kill_seq;
    CREATE SEQUENCE fkb_kill_seq;
    CREATE OR REPLACE FUNCTION fkb_kill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('application_name') LIKE 'fk-backfill%' AND nextval('fkb_kill_seq') ${always ? '>=' : '='} ${at} THEN
        PERFORM pg_terminate_backend(pg_backend_pid());
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER fkb_kill BEFORE UPDATE ON sales_orders FOR EACH ROW EXECUTE FUNCTION fkb_kill();`);
}

async function kills(t: TestDb, at: number): Promise<boolean> {
  return (await t.db.query<{ past: boolean }>(`SELECT last_value >= ${at} AS past FROM fkb_kill_seq`)).rows[0]!.past;
}

async function runStatus(t: TestDb, id: string): Promise<string> {
  return (await t.db.query<{ status: string }>(`SELECT status FROM fk_backfill.runs WHERE id = $1::int8`, [id])).rows[0]!.status;
}

const NO_STACK = /\n\s+at |node:internal|Unhandled 'error' event/;

describeEach('connection loss during apply and undo', (target) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it.runIf(target !== 'pglite')(
    'backend terminated mid-batch: apply and undo reconnect and finish on their own, change log exact',
    async () => {
      t = await freshDb(target);
      await createBatchFixture(t.db, 3000);
      const before = await tableHash(t.db, 'sales_orders');
      const toLink = (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM sales_orders s JOIN customers c ON c.tenant_id = s.tenant_id AND c.customer_name = s.customer_name WHERE s.customer_id IS NULL AND s.tenant_id = $1`,
          [DEMO_TENANT],
        )
      ).rows[0]!.n;
      await armKill(t, 300, false);
      const base = ['--db', t.url, '--yes', '--batch-size', '200', '--reconnect-backoff-ms', '50', '--json', '--json-progress'];
      const r = await runCli(['apply', ...base, '--tenant', DEMO_TENANT, '--entity', 'sales_order']);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.code).toBe(0);
      expect(await kills(t, 300)).toBe(true);
      expect(r.stderr).toContain('"event":"reconnect"');
      const out = r.json<{ runId: string; status: string; totalUpdated: number; reconnected?: number }>();
      // the reconnection said in the result too, not only in the progress events on stderr
      expect(out).toMatchObject({ status: 'done', totalUpdated: toLink, reconnected: 1 });
      expect(await runStatus(t, out.runId)).toBe('done');
      const log = await t.db.query<{ n: number; keys: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT row_key)::int AS keys FROM fk_backfill.changes WHERE run_id = $1::int8`,
        [out.runId],
      );
      expect(log.rows[0]).toEqual({ n: toLink, keys: toLink });
      expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
        await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', DEMO_TENANT),
      );

      await armKill(t, 300, false);
      // in text, to a log (no terminal): the loss is said on stderr, as the bar says it on a terminal
      const u = await runCli(['undo', '--db', t.url, '--yes', '--batch-size', '200', '--reconnect-backoff-ms', '50', '--run', out.runId]);
      expect(u.stderr).not.toMatch(NO_STACK);
      expect(u.code).toBe(0);
      expect(await kills(t, 300)).toBe(true);
      expect(u.stderr).toMatch(/the connection was lost \(.+\); reconnecting in [\d.]+ s, attempt 1 of \d+/);
      expect(u.stdout).toMatch(new RegExp(`: ${toLink} row\\(s\\) set back, 0 skipped`));
      expect(u.stdout).toContain('Reconnected 1 time(s) after a lost connection (each walked on from the last committed batch).');
      await t.db.exec('DROP TRIGGER fkb_kill ON sales_orders');
      expect(await tableHash(t.db, 'sales_orders')).toBe(before);
    },
  );

  it.runIf(target !== 'pglite')(
    'connection lost at every attempt: exit 1, one JSON document, run interrupted, --resume completes it',
    async () => {
      t = await freshDb(target);
      await createBatchFixture(t.db, 3000);
      await armKill(t, 300, true);
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
        '2',
        '--reconnect-backoff-ms',
        '20',
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/apply --resume \d+ --yes/);
      const err = r.json<{
        error: { code: string; message: string; details: { runId: string; status: string; resume: string; written: number } };
      }>().error;
      expect(err.code).toBe('INTERRUPTED');
      expect(err.details).toMatchObject({ status: 'interrupted', resume: `fk-backfill apply --resume ${err.details.runId} --yes` });
      // what the committed batches wrote, as the change log holds it (a trial: nothing said of it)
      const logged = await t.db.query<{ n: number }>(
        `SELECT coalesce(sum(cardinality(row_keys)), 0)::int AS n FROM fk_backfill.change_sets WHERE run_id = $1::int8`,
        [err.details.runId],
      );
      expect(err.details.written).toBe(logged.rows[0]!.n);
      expect(err.message).toContain(`the ${logged.rows[0]!.n} row(s) it linked in committed batches stay (logged)`);
      expect(await runStatus(t, err.details.runId)).toBe('interrupted');
      // and `runs ID` says it too (its summary was empty)
      const one = await runCli(['runs', err.details.runId, '--db', t.url, '--json']);
      expect(one.json<{ summary: unknown }>().summary).toEqual({ totalUpdated: logged.rows[0]!.n, resume: err.details.resume });
      const runs = await runCli(['runs', '--db', t.url, '--json']);
      expect(runs.stdout).not.toContain('"running"');

      await t.db.exec('DROP TRIGGER fkb_kill ON sales_orders');
      const done = await runCli(['apply', ...base, '--resume', err.details.runId]);
      expect(done.code).toBe(0);
      expect(done.json()).toMatchObject({ runId: err.details.runId, status: 'done' });
      expect(await runStatus(t, err.details.runId)).toBe('done');
      expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
        await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', DEMO_TENANT),
      );
      const log = await t.db.query<{ n: number; keys: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT row_key)::int AS keys FROM fk_backfill.changes WHERE run_id = $1::int8`,
        [err.details.runId],
      );
      expect(log.rows[0]!.n).toBe(log.rows[0]!.keys);
    },
  );
});
