/**
 * A trial: the guard re-linked names of an undone apply. A re-apply of the same plan that changed no row
 * used to contribute every linked name of the plan as an 'apply' alias, and kept them in force after the
 * run that wrote the links was undone. An apply run contributes only the names whose links it wrote, and
 * only while it is not undone.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, installGuard, plan, undo } from '../../src/index.js';
import { AXIS_CONFIG } from '../../src/config/index.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const SO = ['sales_order'];
const config = { links: AXIS_CONFIG.links.map((l) => ({ ...l, match: 'fuzzy' as const })) };

describeEach('guard aliases of undone runs', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db);
    // a name linked other than by exact equality (the guard links exact names anyway)
    await t.db.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'U-0', 'abc corp.')`, [DEMO_TENANT]);
  });
  afterEach(async () => t.dispose());

  it('a no-op re-apply contributes no alias; undoing the run that wrote the links withdraws its names', async () => {
    const db = t.db;
    const p = await plan(db, { allTenants: true, entities: SO, config });
    const fuzzy = (
      await db.query<{ name: string }>(
        `SELECT source_name AS name FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND link = 'sales_order' AND outcome = 'linked' AND method <> 'exact' ORDER BY source_name LIMIT 1`,
        [p.runId],
      )
    ).rows[0]?.name;
    expect(fuzzy).toBeDefined();
    // a guard installed: the runs' ends keep its link's aliases (migration 023)
    await installGuard(db, { entities: SO, config });
    const first = await apply(db, { planRunId: p.runId, config, entities: SO, singleTransaction: true });
    expect(first.results[0]!.updated).toBeGreaterThan(0);
    const again = await apply(db, { planRunId: p.runId, config, entities: SO, singleTransaction: true });
    expect(again.results[0]!.updated).toBe(0);
    // the no-op run wrote nothing: the names are the first run's
    const owners = await db.query<{ run_id: string }>(`SELECT DISTINCT run_id::text FROM fk_backfill.aliases WHERE origin = 'apply'`);
    expect(owners.rows.map((r) => r.run_id)).toEqual([first.runId]);

    await undo(db, { runId: first.runId });
    const g = await installGuard(db, { entities: SO });
    expect(g.aliases.apply).toBe(0);
    const r = await db.query<{ fk: string | null }>(
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1::uuid, 'U-1', $2) RETURNING customer_id::text AS fk`,
      [DEMO_TENANT, fuzzy],
    );
    expect(r.rows[0]!.fk).toBeNull();
  });
});
