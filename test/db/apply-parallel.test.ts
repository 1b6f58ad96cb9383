/**
 * `apply --all-tenants --parallel N` (issue #18): the same end state and change log as one connection,
 * an exact undo, kill -9 then --resume, Ctrl-C then --resume, and bad N refused (exit 2, nothing written).
 * On PGlite (one connection) --parallel runs with 1 and says so. Needs `npm run build` (the CLI cases).
 */
import { afterEach, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/port.js';
import { apply } from '../../src/apply/apply.js';
import { undo } from '../../src/undo/undo.js';
import { cliStoppedAfterBatches, runCli } from '../helpers/cli.js';
import { describeEach, freshDb, reopen, type TestDb } from '../helpers/db.js';
import { createBatchFixture, expectedLinkHash, linkHash, tableHash } from './apply-fixture.js';

const ENTITIES = ['sales_order', 'purchase_order'];

/** The change log of a run as (link, row key, new value, method), sorted: equal lists mean equal logs. */
async function changeLog(db: Queryable, runId: string): Promise<string[]> {
  const r = await db.query<{ x: string }>(
    `SELECT concat_ws('|', link, row_key, new_value, method) AS x FROM fk_backfill.changes WHERE run_id = $1::int8 ORDER BY 1`,
    [runId],
  );
  return r.rows.map((x) => x.x);
}

async function tables(db: Queryable): Promise<string> {
  return `${await tableHash(db, 'sales_orders')}/${await tableHash(db, 'purchase_orders')}`;
}

const cli = cliStoppedAfterBatches;

describeEach('apply --parallel', (target) => {
  let t: TestDb;
  afterEach(async () => {
    await t.dispose();
  });

  it(
    '--parallel 4 ends in the same state with the same change log as --parallel 1 (key and ctid walks); undo of each restores exactly',
    { timeout: 240_000 },
    async () => {
      t = await freshDb(target);
      await createBatchFixture(t.db, 6000);
      const before = await tables(t.db);
      const walks = target === 'postgres' ? (['key', 'ctid'] as const) : (['key'] as const);
      for (const walk of walks) {
        const one = await apply(t.db, { allTenants: true, entities: ENTITIES, parallel: 1, batchSize: 150, walk });
        const state1 = await tables(t.db);
        const log1 = await changeLog(t.db, one.runId);
        expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
          await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', null),
        );
        await undo(t.db, { runId: one.runId, batchSize: 500 });
        expect(await tables(t.db)).toBe(before);

        const four = await apply(t.db, { allTenants: true, entities: ENTITIES, parallel: 4, batchSize: 150, walk });
        expect(four.status).toBe('done');
        expect(four.totalUpdated).toBe(one.totalUpdated);
        expect(four.results.map((r) => [r.entityType, r.planned, r.updated, r.skipped])).toEqual(
          one.results.map((r) => [r.entityType, r.planned, r.updated, r.skipped]),
        );
        expect(await changeLog(t.db, four.runId)).toEqual(log1);
        expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
          await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', null),
        );
        const slices = await t.db.query<{ n: number; done: number; changed: number }>(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE (checkpoint ->> 'done')::boolean)::int AS done, coalesce(sum((checkpoint ->> 'changed')::int), 0)::int AS changed FROM fk_backfill.run_slices WHERE run_id = $1::int8`,
          [four.runId],
        );
        if (target === 'pglite') {
          // one connection: ran as one, said so, no slices
          expect(four.notices?.some((n) => n.includes('--parallel 4: PGlite has one connection; ran with 1'))).toBe(true);
          expect(slices.rows[0]!.n).toBe(0);
        } else {
          expect(slices.rows[0]!.n).toBeGreaterThan(4);
          expect(slices.rows[0]).toMatchObject({ done: slices.rows[0]!.n, changed: four.totalUpdated });
        }
        expect(state1).not.toBe(before);
        await undo(t.db, { runId: four.runId, batchSize: 500 });
        expect(await tables(t.db)).toBe(before);
        const reverted = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.changes WHERE run_id = $1::int8`, [
          four.runId,
        ]);
        expect(reverted.rows[0]!.n).toBe(four.totalUpdated);
      }
    },
  );

  it('bad --parallel: one line, exit 2, nothing written', async () => {
    t = await freshDb(target, { onDisk: true, migrated: false });
    await createBatchFixture(t.db, 200);
    await t.release();
    const base = ['apply', '--db', t.url, '--yes'];
    const cases = [
      [...base, '--all-tenants', '--parallel', '0'],
      [...base, '--all-tenants', '--parallel', '-1'],
      [...base, '--all-tenants', '--parallel', '1.5'],
      [...base, '--all-tenants', '--parallel', 'two'],
      [...base, '--all-tenants', '--parallel', '33'],
      [...base, '--parallel', '2'],
      [...base, '--tenant', '11111111-1111-1111-1111-111111111111', '--parallel', '2'],
      [...base, '--all-tenants', '--single-transaction', '--parallel', '2'],
    ];
    for (const args of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/--parallel/);
    }
    const db = await reopen(t);
    try {
      const runs = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'fk_backfill' AND tablename = 'runs'`,
      );
      expect(runs.rows[0]!.n).toBe(0); // not even the tool's own schema was created
    } finally {
      await db.close();
    }
  });

  it.runIf(target !== 'pglite')(
    'kill -9 in the middle of a --parallel 4 run, then --resume: every slice continues from its checkpoint; the same end state, the change log exact; Ctrl-C stops every slice at its batch',
    { timeout: 240_000 },
    async () => {
      t = await freshDb(target);
      await createBatchFixture(t.db, 6000);
      const base = ['--db', t.url, '--yes'];
      const first = await cli(
        ['apply', ...base, '--all-tenants', '--entity', ...ENTITIES, '--parallel', '4', '--batch-size', '60', '--json-progress'],
        12,
      );
      expect(first.signal).toBe('SIGKILL');
      const run = (await t.db.query<{ id: string; status: string }>(`SELECT id::text, status FROM fk_backfill.runs WHERE kind = 'apply'`))
        .rows[0]!;
      expect(run.status).toBe('running');
      const part = await t.db.query<{ slices: number; started: number; logged: number; counted: number }>(
        `SELECT count(*)::int AS slices, count(*) FILTER (WHERE (checkpoint ->> 'batches')::int > 0)::int AS started,
              (SELECT count(*)::int FROM fk_backfill.changes c WHERE c.run_id = $1::int8) AS logged,
              coalesce(sum((checkpoint ->> 'changed')::int), 0)::int AS counted
         FROM fk_backfill.run_slices WHERE run_id = $1::int8`,
        [run.id],
      );
      expect(part.rows[0]!.started).toBeGreaterThan(1); // several slices were under way at once
      expect(part.rows[0]!.counted).toBe(part.rows[0]!.logged); // each batch committed with its slice's checkpoint

      // resumed with 2 connections, stopped by Ctrl-C, then resumed with the run's own setting
      const second = await cli(
        ['apply', ...base, '--resume', run.id, '--parallel', '2', '--pause-ms', '30', '--json', '--json-progress'],
        3,
        'SIGINT',
      );
      expect(second.code).toBe(1);
      expect(JSON.parse(second.stdout)).toMatchObject({ runId: run.id, status: 'stopped' });
      expect(
        (await t.db.query<{ status: string }>(`SELECT status FROM fk_backfill.runs WHERE id = $1::int8`, [run.id])).rows[0]!.status,
      ).toBe('stopped');
      const third = await cli(['apply', ...base, '--resume', run.id, '--json']);
      expect(third.code).toBe(0);
      const done = JSON.parse(third.stdout) as { status: string; totalUpdated: number };
      expect(done.status).toBe('done');
      expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
        await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', null),
      );
      expect(await linkHash(t.db, 'purchase_orders', 'vendor_id')).toBe(
        await expectedLinkHash(t.db, 'purchase_orders', 'vendor_id', 'vendors', 'vendor_name', null),
      );
      const log = await t.db.query<{ n: number; keys: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT (link, row_key))::int AS keys FROM fk_backfill.changes WHERE run_id = $1::int8`,
        [run.id],
      );
      expect(log.rows[0]).toEqual({ n: done.totalUpdated, keys: done.totalUpdated });
      const nulls = await t.db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM sales_orders s JOIN customers c ON c.tenant_id = s.tenant_id AND c.customer_name = s.customer_name WHERE s.customer_id IS NULL)::int AS n`,
      );
      expect(nulls.rows[0]!.n).toBe(0);
    },
  );
});
