/**
 * A stopped apply run undone, then resumed. A new user's trial: the resume walked on from the old checkpoint, the rows
 * the undo had set back stayed NULL, and the run said it had updated them all (status done, the report too). Now the
 * resume is refused (RUN_STATE, exit 2, nothing written); a new plan links the rest.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, resumeApply, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';
import { createBatchFixture, expectedLinkHash, linkHash } from './apply-fixture.js';

describeEach('resume after undo', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('a stopped apply run that was undone is not resumed; a new plan links every row', async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 600);
    const ac = new AbortController();
    const a = await apply(t.db, {
      allTenants: true,
      entities: ['sales_order'],
      batchSize: 50,
      signal: ac.signal,
      onProgress: (e) => e.event === 'batch' && ac.abort(),
    });
    expect(a.status).toBe('stopped');
    expect(a.totalUpdated).toBeGreaterThan(0);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(a.totalUpdated);

    const before = await snapshot(t.db);
    await refused(
      resumeApply(t.db, { runId: a.runId }),
      'RUN_STATE',
      new RegExp(
        `run ${a.runId} was undone by run ${u.runId} \\(done\\): it cannot be resumed\\. Plan again .*fk-backfill apply --all-tenants --yes`,
      ),
    );
    expect(await snapshot(t.db)).toEqual(before);

    const again = await apply(t.db, { allTenants: true, entities: ['sales_order'], batchSize: 200 });
    expect(again.status).toBe('done');
    expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
      await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', null),
    );
  });
});
