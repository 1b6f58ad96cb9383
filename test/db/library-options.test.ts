/**
 * Batch options a library caller passes are checked as the CLI's flags are. A new user's trial: `batchSize: 0` (an
 * unset environment variable through Number()) ran 40,000 batches of one row; NaN failed in the middle of the run.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, getRun, plan, report, resumeApply, resumeUndo, reviewQueue, runReport, undo } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
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
      [{ autoParallelMinRows: 0 }, /autoParallelMinRows must be a whole number ≥ 1 \(got 0\)/],
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

  it('a malformed run id is USAGE naming the value and the form, before anything runs; a well-formed unknown one RUN_NOT_FOUND', async () => {
    // before: undo(db, { runId: 'abc' }) said RUN_NOT_FOUND, as if a run were missing
    t = await freshDb(target, { onDisk: true });
    await createBatchFixture(t.db, 10);
    const before = await snapshot(t.db);
    const form = /must be a run id, a whole number as listRuns\(\) and `fk-backfill runs` list them \(got "abc"\); nothing run/;
    const e = await refused(undo(t.db, { runId: 'abc' }), 'USAGE', new RegExp(`^undo\\(\\): runId ${form.source}`));
    expect(e.details).toMatchObject({ function: 'undo', option: 'runId' });
    await refused(resumeApply(t.db, { runId: 'abc' }), 'USAGE', form);
    await refused(resumeUndo(t.db, { runId: 'abc' }), 'USAGE', form);
    await refused(apply(t.db, { allTenants: true, planRunId: 'abc' }), 'USAGE', /planRunId must be a run id.*\(got "abc"\)/);
    await refused(reviewQueue(t.db, { allTenants: true, planRunId: '1; DROP TABLE customers' }), 'USAGE', /planRunId must be a run id/);
    await refused(runReport(t.db, { runId: '-1' }), 'USAGE', /runId must be a run id.*\(got "-1"\)/);
    await refused(report(t.db, { runId: '', format: 'json' }), 'USAGE', /runId must be a run id/);
    await refused(getRun(t.db, 'abc'), 'USAGE', /a run id is a whole number \(as `fk-backfill runs` lists them\), got "abc"/);
    expect(await snapshot(t.db)).toEqual(before);
    await refused(undo(t.db, { runId: '424242' }), 'RUN_NOT_FOUND', /run 424242 not found/);
    // the CLI says the same of its flags: one line, exit 2
    await t.release();
    const r = await runCli(['undo', '--db', t.url, '--run', 'abc', '--yes']);
    expect([r.code, r.stdout, r.stderr.trim()]).toEqual([
      2,
      '',
      'fk-backfill: --run must be a run id (a whole number, as `fk-backfill runs` lists them), got "abc" [USAGE]',
    ]);
  });
});
