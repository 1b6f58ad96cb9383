/**
 * A plan applied again, a run undone again: "already applied" / "already undone" only when that is the whole story. A
 * new user's trial: a plan applied, undone, its masters renamed, then applied again printed "Nothing to do: plan 1 was
 * already applied by run 2" over rows all left NULL because their masters were renamed (the reason only in --json).
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan, undo } from '../../src/index.js';
import { applyText, undoText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { createBatchFixture, DEMO_TENANT } from './apply-fixture.js';

const OPTS = { tenantId: DEMO_TENANT, entities: ['sales_order'] };

describeEach('applied again, undone again', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('a plan applied, undone, then applied again after its masters were renamed: the reasons, not "already applied"', async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 200);
    const p = await plan(t.db, OPTS);
    const a = await apply(t.db, { planRunId: p.runId });
    expect(a.totalUpdated).toBeGreaterThan(0);
    await undo(t.db, { runId: a.runId });
    await t.db.query(`UPDATE customers SET customer_name = customer_name || ' (renamed)' WHERE tenant_id = $1`, [DEMO_TENANT]);
    const again = await apply(t.db, { planRunId: p.runId });
    expect(again.totalUpdated).toBe(0);
    expect(again.alreadyAppliedBy).toBeUndefined();
    const r = again.results[0]!;
    expect(r.skipped).toBe(r.planned);
    expect(r.skipReasons?.masterRenamed).toBe(r.planned);
    expect(applyText(again)).toMatch(new RegExp(`^Applied plan ${p.runId} as run ${again.runId}: 0 row\\(s\\) updated\\.`));
    expect(applyText(again)).toContain(`${r.planned} master renamed`);
  });

  it('an undo of a run an earlier undo set back all but an edited row: that row counted, not "already undone"', async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 200);
    const a = await apply(t.db, OPTS);
    // the application points one linked row at another master after the run
    const edited = await t.db.query<{ order_number: string }>(
      `UPDATE sales_orders s SET customer_id = (SELECT c.id FROM customers c WHERE c.tenant_id = s.tenant_id AND c.id <> s.customer_id LIMIT 1)
        WHERE s.order_number = (SELECT c.row_key FROM fk_backfill.changes c WHERE c.run_id = $1::int8 ORDER BY c.row_key LIMIT 1)
           OR s.id::text = (SELECT c.row_key FROM fk_backfill.changes c WHERE c.run_id = $1::int8 ORDER BY c.row_key LIMIT 1)
        RETURNING s.order_number`,
      [a.runId],
    );
    expect(edited.rows).toHaveLength(1);
    const u1 = await undo(t.db, { runId: a.runId });
    expect(u1.totalSkipped).toBe(1);
    const u2 = await undo(t.db, { runId: a.runId });
    expect(u2.totalReverted).toBe(0);
    expect(u2.alreadyUndoneBy).toBeUndefined();
    expect(u2.results[0]!.alreadyReverted).toBe(u1.totalReverted);
    expect(u2.results[0]!.skipped).toBe(u1.totalReverted + 1);
    expect(undoText(u2)).not.toContain('Nothing to revert');
  });
});
