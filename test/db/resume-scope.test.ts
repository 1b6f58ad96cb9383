/**
 * `apply --resume R` with a scope flag. A new user's trial: `apply --resume 20 --all-tenants` (the run's own scope,
 * repeated as a script passes it to every command) was refused with USAGE. A scope flag equal to the run's scope is
 * accepted; one that differs is refused with one line (exit 2), nothing written.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, resumeApply } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';
import { createBatchFixture, DEMO_TENANT, OTHER_TENANT } from './apply-fixture.js';

/** A batched apply run stopped after its first batch: of every tenant, or of `tenantId`. */
async function stopped(t: TestDb, tenantId?: string): Promise<string> {
  await createBatchFixture(t.db, 200);
  const ac = new AbortController();
  const a = await apply(t.db, {
    ...(tenantId !== undefined ? { tenantId } : { allTenants: true }),
    entities: ['sales_order'],
    batchSize: 20,
    signal: ac.signal,
    onProgress: (e) => e.event === 'batch' && ac.abort(),
  });
  expect(a.status).toBe('stopped');
  return a.runId;
}

describeEach('apply --resume with a scope flag', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it("the run's own scope is accepted, another is refused (library)", async () => {
    t = await freshDb(target);
    const runId = await stopped(t, DEMO_TENANT);
    const before = await snapshot(t.db);
    await refused(
      resumeApply(t.db, { runId, allTenants: true }),
      'USAGE',
      new RegExp(
        `^apply run ${runId} is of tenant ${DEMO_TENANT}, not of every tenant \\(--all-tenants\\): resume it with --tenant ${DEMO_TENANT} or no scope flag$`,
      ),
    );
    await refused(
      resumeApply(t.db, { runId, tenantId: OTHER_TENANT }),
      'USAGE',
      new RegExp(`^apply run ${runId} is of tenant ${DEMO_TENANT}, not of tenant ${OTHER_TENANT} \\(--tenant\\)`),
    );
    expect(await snapshot(t.db)).toEqual(before);
    expect((await resumeApply(t.db, { runId, tenantId: DEMO_TENANT })).status).toBe('done');
  });

  it('apply --resume R --all-tenants of an all-tenants run resumes it; --tenant X is refused, exit 2 (CLI)', async () => {
    t = await freshDb(target, { onDisk: true });
    const runId = await stopped(t);
    await t.release();
    const db = ['--db', t.url];
    const other = await runCli(['apply', ...db, '--resume', runId, '--tenant', DEMO_TENANT, '--yes', '--json']);
    expect(other.code).toBe(2);
    expect(other.stderr.trim()).toBe(
      `fk-backfill: apply run ${runId} is of every tenant, not of tenant ${DEMO_TENANT} (--tenant): resume it with --all-tenants or no scope flag [USAGE]`,
    );
    const same = await runCli(['apply', ...db, '--resume', runId, '--all-tenants', '--yes', '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(same.json()).toMatchObject({ runId, status: 'done' });
  });
});
