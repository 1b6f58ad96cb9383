/**
 * The undo of a --tenant run reads that tenant's rows only: a row the application moved to another tenant since is not
 * found, not set back, and keeps the FK the run wrote (a master of the run's tenant). A trial saw "1 of them no longer
 * found" for a row that was there, and a cross-tenant link left without a word: the undo now says where it may be.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, undo, verify } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({}, { name: 'name' });

describeEach('undo of a --tenant run, a row moved to another tenant since', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.query(`CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL)`);
    await t.db.query(`CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int)`);
    await t.db.query(`INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 2, 'Other')`);
    await t.db.query(`INSERT INTO orders VALUES (1, 1, 'Acme', NULL), (2, 1, 'Acme', NULL)`);
  });
  afterEach(async () => t.dispose());

  it('is not set back, and the undo says it was not found in the tenant, maybe moved, with the FK the run wrote', async () => {
    const a = await apply(t.db, { tenantId: '1', config });
    expect(a.totalUpdated).toBe(2);
    await t.db.query(`UPDATE orders SET tenant_id = 2 WHERE id = 1`);
    const u = await undo(t.db, { runId: a.runId });
    expect([u.totalReverted, u.totalSkipped, u.results[0]!.notFound]).toEqual([1, 1, 1]);
    expect(u.notices ?? []).toContain(
      'orders: 1 row(s) run ' +
        a.runId +
        ' changed were not found in tenant 1, so not set back: deleted since, or moved to another tenant by the application (a moved row keeps the customer_id the run wrote, a master of tenant 1: fk-backfill verify --all-tenants counts it as cross-tenant)',
    );
    // what the notice says: the moved row still holds the run's value, which verify calls cross-tenant
    expect((await t.db.query<{ customer_id: number | null }>(`SELECT customer_id FROM orders ORDER BY id`)).rows).toEqual([
      { customer_id: 1 },
      { customer_id: null },
    ]);
    expect((await verify(t.db, { allTenants: true, config })).links[0]!.crossScope).toBe(1);
  });
});
