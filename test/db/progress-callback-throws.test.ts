/**
 * A library user's onProgress that throws: the call fails with CALLBACK_FAILED whose cause is the user's own error
 * (before: DB_ERROR "applying: boom", read as the database's), and the run stops as on any failure: the batches
 * committed stay, each row of them in the change log, and the run resumes to the end.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, BackfillError, getRun, resumeApply, resumeUndo, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { snapshot } from '../helpers/hostile.js';
import { createBatchFixture, DEMO_TENANT, expectedLinkHash, linkHash } from './apply-fixture.js';

const base = { tenantId: DEMO_TENANT, entities: ['sales_order'], batchSize: 50, walk: 'key' as const };

/** A listener that throws `boom` at the `n`th event of kind `event`. */
function throwing(boom: Error, event: string, n: number): (e: { event: string }) => void {
  let seen = 0;
  return (e) => {
    if (e.event === event && ++seen === n) throw boom;
  };
}

async function logged(t: TestDb, runId: string): Promise<number> {
  return (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.changes WHERE run_id = $1::int8`, [runId])).rows[0]!
    .n;
}

describeEach('an onProgress that throws', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it("batched apply and undo: the user's error (CALLBACK_FAILED, cause), committed batches kept and logged, resumable", async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 400);
    const start = await linkHash(t.db, 'sales_orders', 'customer_id');
    const boom = new Error('my dashboard is down');
    const e = await apply(t.db, { ...base, onProgress: throwing(boom, 'batch', 2) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackfillError);
    const err = e as BackfillError;
    expect(err.code).toBe('CALLBACK_FAILED');
    expect(err.cause).toBe(boom);
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/^apply\(\): the onProgress callback threw: my dashboard is down; run \d+ had written batches/);
    const runId = String(err.details!['runId']);
    expect((await getRun(t.db, runId)).status).toBe('failed');
    // two batches committed, every row they linked in the change log, nothing of the third
    const linked = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.changes WHERE run_id = $1::int8`, [runId]))
      .rows[0]!.n;
    expect(linked).toBeGreaterThan(0);
    expect(linked).toBeLessThanOrEqual(100);
    const r = await resumeApply(t.db, { runId });
    expect(r.status).toBe('done');
    expect(r.totalUpdated).toBe(await logged(t, runId));
    expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
      await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', DEMO_TENANT),
    );

    const u = await undo(t.db, { runId, singleTransaction: false, batchSize: 50, onProgress: throwing(boom, 'batch', 1) }).catch(
      (x: unknown) => x,
    );
    expect(u).toMatchObject({ code: 'CALLBACK_FAILED', cause: boom });
    expect((u as BackfillError).message).toMatch(
      /^undo\(\): the onProgress callback threw: my dashboard is down; undo run \d+ had set back/,
    );
    const undoRun = String((u as BackfillError).details!['runId']);
    expect((await resumeUndo(t.db, { runId: undoRun })).status).toBe('done');
    expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(start);
  });

  it('a single-transaction apply: the same error, nothing written', async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 60);
    const before = await snapshot(t.db, ['public']);
    const boom = new Error('boom');
    const e = await apply(t.db, { ...base, singleTransaction: true, onProgress: throwing(boom, 'start', 1) }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'CALLBACK_FAILED', cause: boom, message: 'apply(): the onProgress callback threw: boom' });
    expect(await snapshot(t.db, ['public'])).toEqual(before);
  });
});
