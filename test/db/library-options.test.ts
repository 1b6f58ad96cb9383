/**
 * Batch options a library caller passes are checked as the CLI's flags are. A new user's trial: `batchSize: 0` (an
 * unset environment variable through Number()) ran 40,000 batches of one row; NaN failed in the middle of the run.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';
import { createBatchFixture } from './apply-fixture.js';

describeEach('library batch options', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('a bad value is USAGE, exit 2, before anything is written', async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 60);
    const before = await snapshot(t.db);
    const base = { allTenants: true, entities: ['sales_order'] };
    for (const [opts, names] of [
      [{ batchSize: 0 }, /batchSize must be a whole number ≥ 1 \(got 0\)/],
      [{ batchSize: Number.NaN }, /batchSize must be a whole number ≥ 1 \(got NaN\)/],
      [{ batchSize: 0.5 }, /batchSize must be a whole number/],
      [{ lockTimeoutMs: -1 }, /lockTimeoutMs must be a whole number from 1 to 2147483647/],
      // the server's int4 setting: failed at the first batch, the run recorded (a review)
      [{ statementTimeoutMs: 3_000_000_000 }, /statementTimeoutMs must be a whole number from 1 to 2147483647 \(got 3000000000\)/],
      [{ maxRate: 0 }, /maxRate must be a number > 0/],
      [{ walk: 'bogus' as 'key' }, /walk must be 'auto', 'key' or 'ctid'/],
      [{ parallel: 0 }, /parallel must be 'auto' or a whole number from 1 to 32/],
    ] as const)
      await refused(apply(t.db, { ...base, ...opts }), 'USAGE', names);
    await refused(plan(t.db, { ...base, maxUnmatchedRecords: -1 }), 'USAGE', /maxUnmatchedRecords must be a whole number ≥ 0/);
    expect(await snapshot(t.db)).toEqual(before);
    const a = await apply(t.db, { ...base, batchSize: 25, pauseMs: 0 });
    expect(a.status).toBe('done');
    await refused(
      undo(t.db, { runId: a.runId, singleTransaction: false, batchSize: -5 }),
      'USAGE',
      /batchSize must be a whole number ≥ 1 \(got -5\)/,
    );
  });
});
