/**
 * A tenant given as the user types it (`01`, ` 1`, an upper-case uuid) is the scope column's value as its type spells
 * it: a plan made for `--tenant 01` is applied with `--tenant 1` (a new user's trial: "plan 3 was made for tenant
 * 01, not tenant 1"). Text tenants are taken as written.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

describeEach('tenant as the scope type spells it', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('an integer tenant typed 01 or " 1" is tenant 1: the plan applies under either spelling', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 2, 'Acme');
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL), (2, 2, 'Acme', NULL);`);
    const p = await plan(t.db, { config: ordersConfig(), tenantId: '01' });
    expect(p.tenantId).toBe('1');
    const a = await apply(t.db, { config: ordersConfig(), tenantId: ' 1', planRunId: p.runId });
    expect(a.totalUpdated).toBe(1);
    const r = await t.db.query<{ id: number; customer_id: number | null }>(`SELECT id, customer_id FROM orders ORDER BY id`);
    expect(r.rows.map((x) => x.customer_id)).toEqual([1, null]);
  });
});
