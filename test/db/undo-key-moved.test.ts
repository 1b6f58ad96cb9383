/**
 * Undo after the application updated a column of the row key (a partitioned table's key holds its partition key): a
 * new user's trial moved orders to another partition by their order_date; undo counted them "no longer found", as if
 * deleted, while they still held the FK the run wrote. It now says so in a notice.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({ key: ['id', 'order_date'] });

describeEach('undo of rows whose key the application changed', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('says a row not found by its key may have a new key and still hold the FK the run wrote', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int NOT NULL, order_date date NOT NULL, tenant_id int NOT NULL, customer_name text, customer_id int,
                           PRIMARY KEY (id, order_date)) PARTITION BY RANGE (order_date);
      CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      CREATE TABLE orders_2026 PARTITION OF orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
      INSERT INTO customers VALUES (1, 1, 'Acme');
      INSERT INTO orders SELECT g, date '2025-12-01', 1, 'Acme', NULL FROM generate_series(1, 4) g;`);
    const a = await apply(t.db, { config, allTenants: true });
    expect(a.totalUpdated).toBe(4);
    await t.db.exec(`UPDATE orders SET order_date = date '2026-01-05' WHERE id = 1; DELETE FROM orders WHERE id = 2;`);
    const u = await undo(t.db, { runId: a.runId });
    expect([u.totalReverted, u.totalSkipped]).toEqual([2, 2]);
    expect(u.results[0]!.notFound).toBe(2);
    expect(u.notices).toContainEqual(
      `orders: 2 row(s) run ${a.runId} changed were not found by their key (id, order_date), so not set back: deleted since, or a column of that key updated by the application (on a partitioned table, a new partition key moves the row); a row whose key changed keeps the customer_id the run wrote`,
    );
    const moved = await t.db.query<{ fk: number | null }>(`SELECT customer_id AS fk FROM orders WHERE id = 1`);
    expect(moved.rows[0]!.fk).toBe(1);
  });
});
