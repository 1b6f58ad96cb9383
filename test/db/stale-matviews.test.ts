/**
 * Materialized views over the documents keep the FKs they were refreshed with: after apply and after undo they show
 * the table as before the run. A new user's trial (trial15: a materialized view of order totals per customer) found it
 * stale after both, and nothing said so. Now apply and undo name each materialized view that reads the FK (directly,
 * through a view, or through a partition) with the REFRESH to run; one that reads other columns only is not named.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan, undo } from '../../src/index.js';
import { applyText, undoText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();
const stale = (notices: string[] | undefined): string[] => (notices ?? []).filter((n) => n.includes('materialized view'));

describeEach('materialized views left stale by apply and undo', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
  });
  afterEach(async () => t.dispose());

  it('names those that read the FK, directly or through a view, with the REFRESH to run; not one over other columns', async () => {
    await t.db.exec(`
      CREATE SCHEMA "Sales Ops";
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Beta');
      INSERT INTO orders (id, tenant_id, customer_name) VALUES (1, 1, 'Acme'), (2, 1, 'Beta'), (3, 1, 'Gamma');
      CREATE VIEW order_links AS SELECT id, customer_id FROM orders;
      CREATE MATERIALIZED VIEW "Order Totals" AS SELECT customer_id, count(*) AS n FROM order_links GROUP BY 1;
      CREATE MATERIALIZED VIEW "Sales Ops".everything AS SELECT * FROM orders;
      CREATE MATERIALIZED VIEW names_only AS SELECT customer_name FROM orders;`);
    const p = await plan(t.db, { config, allTenants: true });
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    expect(a.totalUpdated).toBe(2);
    const said = 'order: materialized view(s) "Sales Ops".everything, public."Order Totals" read orders.customer_id and show it as';
    expect(stale(a.notices)).toEqual([
      `${said} before this apply until refreshed: REFRESH MATERIALIZED VIEW "Sales Ops".everything; REFRESH MATERIALIZED VIEW public."Order Totals";`,
    ]);
    expect(applyText(a)).toContain('REFRESH MATERIALIZED VIEW public."Order Totals";');
    // what the notice says: the snapshot still has no FK; the REFRESH it names brings the links in
    const count = async (): Promise<number> =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Sales Ops".everything WHERE customer_id IS NOT NULL`)).rows[0]!.n;
    expect(await count()).toBe(0);
    await t.db.exec(`REFRESH MATERIALIZED VIEW "Sales Ops".everything`);
    expect(await count()).toBe(2);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(2);
    expect(stale(u.notices)).toEqual([
      `${said} before this undo until refreshed: REFRESH MATERIALIZED VIEW "Sales Ops".everything; REFRESH MATERIALIZED VIEW public."Order Totals";`,
    ]);
    expect(undoText(u)).toContain('show it as before this undo');
  });

  it('one over a partition of the documents; nothing said when none reads the FK or nothing was written', async () => {
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int, tenant_id int NOT NULL, customer_name text, customer_id int, PRIMARY KEY (tenant_id, id))
        PARTITION BY LIST (tenant_id);
      CREATE TABLE orders_t1 PARTITION OF orders FOR VALUES IN (1);
      CREATE TABLE orders_t2 PARTITION OF orders FOR VALUES IN (2);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 2, 'Beta');
      INSERT INTO orders (id, tenant_id, customer_name) VALUES (1, 1, 'Acme'), (2, 2, 'Beta');
      CREATE MATERIALIZED VIEW t2_links AS SELECT id, customer_id FROM orders_t2;
      CREATE MATERIALIZED VIEW names_only AS SELECT customer_name FROM orders;`);
    const keyed = ordersConfig({ key: ['tenant_id', 'id'] });
    const p = await plan(t.db, { config: keyed, allTenants: true });
    const a = await apply(t.db, { config: keyed, allTenants: true, planRunId: p.runId });
    expect(a.totalUpdated).toBe(2);
    expect(stale(a.notices)).toEqual([
      'order: materialized view(s) public.t2_links read orders.customer_id and show it as before this apply until refreshed: REFRESH MATERIALIZED VIEW public.t2_links;',
    ]);
    // an apply that writes nothing (the same plan again: already applied) names nothing, stale as the view is
    const again = await apply(t.db, { config: keyed, allTenants: true, planRunId: p.runId });
    expect([again.totalUpdated, again.alreadyAppliedBy]).toEqual([0, a.runId]);
    expect(stale(again.notices)).toEqual([]);
    // nor an undo when no materialized view reads the FK any more
    await t.db.exec(`DROP MATERIALIZED VIEW t2_links`);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(2);
    expect(stale(u.notices)).toEqual([]);
  });
});
