/**
 * review export reads the latest plan of its links. A new user's trial: after an apply and an undo it exported names
 * from the plan made before them, saying nothing (names the apply had linked, row counts of today). Now a notice
 * names the runs since, and --fresh plans again first.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, exportQueueCsv, plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { createBatchFixture, DEMO_TENANT } from './apply-fixture.js';

describeEach('review export after runs since its plan', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('says which runs changed the links since the plan it reads; --fresh plans again', async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 400);
    const opts = { tenantId: DEMO_TENANT, entities: ['sales_order'] };
    const p = await plan(t.db, opts);
    const first = await exportQueueCsv(t.db, opts);
    expect([first.planRunId, first.notices]).toEqual([p.runId, []]);
    const a = await apply(t.db, { ...opts, planRunId: p.runId });
    const stale = await exportQueueCsv(t.db, opts);
    expect(stale.planRunId).toBe(p.runId);
    expect(stale.notices).toEqual([
      `plan ${p.runId} was made before run ${a.runId} (apply) changed these links: names linked since may still be listed and names set back since may be missing, and row counts are today's; review export --fresh plans again first`,
    ]);
    const fresh = await exportQueueCsv(t.db, { ...opts, fresh: true });
    expect(Number(fresh.planRunId)).toBeGreaterThan(Number(a.runId));
    expect(fresh.notices).toEqual([]);
    // and the plan made fresh is the one read next, without a notice
    expect(await exportQueueCsv(t.db, opts)).toMatchObject({ planRunId: fresh.planRunId, notices: [] });
  });
});
