/**
 * Every statement on user tables filters by the tenant when one is given: the review card's count of rows
 * already linked to a duplicate master reads the queue's tenant only (before: every tenant's, the caller
 * picked the card's scope afterwards). verify's read of "any master with this key" stays unfiltered: it is
 * how a link to another tenant's master is told from an orphan.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAxis, DEMO_TENANT, OTHER_TENANT } from '../../src/demo/axis.js';
import { prepare, shape } from '../../src/context/context.js';
import { linkedRowsSql } from '../../src/sql/review.js';
import { verify } from '../../src/verify/verify.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

describeEach('statements on user tables filter by the tenant', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("review card: rows linked to a master are counted in the queue's tenant only", async () => {
    const ctx = await prepare(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
    const demo = (
      await t.db.query<{ id: string }>(`SELECT id::text FROM customers WHERE tenant_id = $1 ORDER BY customer_number LIMIT 1`, [
        DEMO_TENANT,
      ])
    ).rows[0]!.id;
    // a document of the other tenant linked to that master (no tenant-safe FK holds it off)
    await t.db.query(
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name, customer_id) VALUES ($2::uuid, 'SO-OTHER-1', 'ABC Corp', $1::uuid)`,
      [demo, OTHER_TENANT],
    );
    await t.db.query(`UPDATE sales_orders SET customer_id = $1::uuid WHERE tenant_id = $2::uuid AND order_number = 'SO-2026-001'`, [
      demo,
      DEMO_TENANT,
    ]);
    const mine = (
      await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales_orders WHERE tenant_id = $1::uuid AND customer_id = $2::uuid`, [
        DEMO_TENANT,
        demo,
      ])
    ).rows[0]!.n;
    expect(mine).toBeGreaterThan(0);
    const st = linkedRowsSql([shape(ctx.links[0]!)], [demo], 'uuid', ctx.filter);
    const rows = (await t.db.query<{ scope_key: string[]; key: string; n: unknown }>(st.text, st.values)).rows;
    expect(rows.map((r) => [r.scope_key, r.key, Number(r.n)])).toEqual([[[DEMO_TENANT], demo, mine]]);
  });

  it("verify with a tenant: the read of any master with the key still covers every tenant (a link to another tenant's master is cross-scope, not an orphan)", async () => {
    // its read of the row's own master now names the tenant too (test/unit/sql/verify.test.ts); PostgreSQL already derived
    // that filter from the row's tenant through the join, so what verify counts is the same with and without it
    const other = (await t.db.query<{ id: string }>(`SELECT id::text FROM customers WHERE tenant_id = $1 LIMIT 1`, [OTHER_TENANT])).rows[0]!
      .id;
    await t.db.query(`UPDATE sales_orders SET customer_id = $1::uuid WHERE tenant_id = $2::uuid AND order_number = 'SO-2026-001'`, [
      other,
      DEMO_TENANT,
    ]);
    const v = await verify(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
    expect([v.links[0]!.crossScope, v.links[0]!.orphans]).toEqual([1, 0]);
  });
});
