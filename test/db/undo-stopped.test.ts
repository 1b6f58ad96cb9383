/**
 * An undo stopped before it finishes (Ctrl-C between batches, an abort signal) says how many rows the
 * run changed that it has not processed yet, per link and in total, in its result, its --json and its
 * text: changed = reverted + skipped + not yet processed, skipped 0 until the link completes. Before: it
 * printed "0 skipped" and nothing about the rest. Needs `npm run build` (the CLI case).
 */
import { afterEach, expect, it } from 'vitest';
import { apply } from '../../src/apply/apply.js';
import { resumeUndo, undo } from '../../src/undo/undo.js';
import type { UndoResult } from '../../src/undo/result.js';
import { cliStoppedAfterBatches } from '../helpers/cli.js';
import { describeEach, freshDb, reopen, type TestDb } from '../helpers/db.js';
import { createBatchFixture } from './apply-fixture.js';

/** The identity every undo result keeps, per link. */
function expectAddsUp(u: UndoResult): void {
  for (const r of u.results) {
    expect(r.reverted + r.skipped + (r.notYetProcessed ?? 0), r.entityType).toBe(r.changed);
    expect(r.reverted).toBeLessThanOrEqual(r.changed);
  }
  expect(u.totalNotYetProcessed).toBe(u.status === 'stopped' ? u.results.reduce((a, r) => a + (r.notYetProcessed ?? 0), 0) : undefined);
}

describeEach('undo stopped before it finishes', (target) => {
  let t: TestDb;
  afterEach(async () => {
    await t.dispose();
  });

  it(
    'library: a stopped undo reports the rows not yet processed per link (skipped 0 until complete); the resumed one counts the skipped row',
    { timeout: 120_000 },
    async () => {
      t = await freshDb(target);
      await createBatchFixture(t.db, 1200);
      const a = await apply(t.db, { allTenants: true, entities: ['sales_order', 'purchase_order'], batchSize: 100 });
      expect(a.status).toBe('done');
      // one row edited since: skipped, but only once its link is walked
      const edited = await t.db.query(
        `UPDATE sales_orders SET customer_id = NULL WHERE id = (SELECT row_key::uuid FROM fk_backfill.changes WHERE run_id = $1::int8 AND link = 'sales_order' ORDER BY row_key LIMIT 1)`,
        [a.runId],
      );
      expect(edited.rowCount).toBe(1);
      const ac = new AbortController();
      const u = await undo(t.db, {
        runId: a.runId,
        singleTransaction: false,
        batchSize: 50,
        signal: ac.signal,
        onProgress: (e) => e.event === 'batch' && ac.abort(),
      });
      expect(u.status).toBe('stopped');
      expectAddsUp(u);
      expect(u.totalSkipped).toBe(0);
      expect(u.totalReverted).toBeGreaterThan(0);
      expect(u.totalNotYetProcessed).toBe(a.totalUpdated - u.totalReverted);
      // links undone last-applied first: purchase_order was walked (and stopped), sales_order not reached
      const so = u.results.find((r) => r.entityType === 'sales_order')!;
      expect(so).toMatchObject({ reverted: 0, skipped: 0, notYetProcessed: so.changed, complete: false });
      const done = await resumeUndo(t.db, { runId: u.runId });
      expect(done.status).toBe('done');
      expectAddsUp(done);
      expect(done.results.every((r) => r.notYetProcessed === undefined && r.complete)).toBe(true);
      expect([done.totalReverted, done.totalSkipped]).toEqual([a.totalUpdated - 1, 1]);
    },
  );

  it(
    'an undo stopped, another undo of the same run to the end, then the first resumed: what the other set back is counted as such, not as changed since',
    { timeout: 120_000 },
    async () => {
      // a new user's trial: the resumed undo said "166742 skipped (changed since)" for rows the second undo had set back
      t = await freshDb(target);
      await createBatchFixture(t.db, 600);
      const a = await apply(t.db, { allTenants: true, entities: ['sales_order'], batchSize: 100 });
      const ac = new AbortController();
      const first = await undo(t.db, {
        runId: a.runId,
        singleTransaction: false,
        batchSize: 50,
        signal: ac.signal,
        onProgress: (e) => e.event === 'batch' && ac.abort(),
      });
      expect(first.status).toBe('stopped');
      const second = await undo(t.db, { runId: a.runId, singleTransaction: false, batchSize: 50 });
      expect(second.totalReverted).toBe(a.totalUpdated - first.totalReverted);
      const done = await resumeUndo(t.db, { runId: first.runId });
      expectAddsUp(done);
      const so = done.results[0]!;
      expect([so.reverted, so.skipped, so.alreadyReverted, so.alreadyRevertedBy]).toEqual([
        first.totalReverted,
        second.totalReverted,
        second.totalReverted,
        [second.runId],
      ]);
    },
  );

  it(
    'CLI: Ctrl-C prints the rows not yet processed (text: header and a column; --json: per link and in total), exit 1; --resume finishes',
    { timeout: 240_000 },
    async () => {
      t = await freshDb(target, { onDisk: true });
      await createBatchFixture(t.db, 1200);
      const linked = async (db: Pick<TestDb['db'], 'query'>): Promise<number> =>
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales_orders WHERE customer_id IS NOT NULL`)).rows[0]!.n;
      const before = await linked(t.db);
      const a = await apply(t.db, { allTenants: true, entities: ['sales_order'], batchSize: 100 });
      await t.release();
      const base = ['--db', t.url, '--yes'];
      const slow = ['--batch-size', '20', '--pause-ms', '30', '--json-progress'];

      const first = await cliStoppedAfterBatches(['undo', ...base, '--run', a.runId, ...slow], 2, 'SIGINT');
      expect(first.code).toBe(1);
      const head = /Undo run (\d+) reverted run \d+: (\d+) row\(s\) set back, 0 skipped; stopped: (\d+) row\(s\) not yet processed\./.exec(
        first.stdout,
      );
      expect(head, first.stdout).not.toBeNull();
      const [, undoRun, reverted, notYet] = head!;
      expect(Number(reverted)).toBeGreaterThan(0);
      expect(Number(reverted) + Number(notYet)).toBe(a.totalUpdated);
      expect(first.stdout).toMatch(/Skipped \| Not yet processed/);
      expect(first.stdout).toMatch(
        new RegExp(`sales_order +\\| sales_orders \\| +${a.totalUpdated} \\| +${reverted} \\| +0 \\| +${notYet}\\b`),
      );

      const second = await cliStoppedAfterBatches(['undo', ...base, '--resume', undoRun!, ...slow, '--json'], 2, 'SIGINT');
      expect(second.code).toBe(1);
      const u = JSON.parse(second.stdout) as UndoResult;
      expect(u.status).toBe('stopped');
      expectAddsUp(u);
      expect(u.totalReverted).toBeGreaterThan(Number(reverted));
      expect(u.results[0]).toMatchObject({
        entityType: 'sales_order',
        changed: a.totalUpdated,
        skipped: 0,
        notYetProcessed: a.totalUpdated - u.totalReverted,
        complete: false,
      });

      // the rest in one batch, unthrottled (a resume keeps the run's 20-row batches and pauses otherwise: ~50 of them):
      // what is tested is where it starts and that it ends, not how small it steps
      const third = await cliStoppedAfterBatches([
        'undo',
        ...base,
        '--resume',
        undoRun!,
        '--batch-size',
        '2000',
        '--pause-ms',
        '0',
        '--json',
      ]);
      expect(third.code).toBe(0);
      const d = JSON.parse(third.stdout) as UndoResult;
      expect(d).toMatchObject({ status: 'done', totalReverted: a.totalUpdated, totalSkipped: 0 });
      expect(d.totalNotYetProcessed).toBeUndefined();
      expect(d.results[0]!.notYetProcessed).toBeUndefined();
      const db = await reopen(t);
      try {
        expect(await linked(db)).toBe(before);
      } finally {
        await db.close();
      }
    },
  );
});
