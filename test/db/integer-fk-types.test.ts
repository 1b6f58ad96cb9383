/**
 * An FK column of another integer type than the master's key, or a domain over it (PostgreSQL accepts an FK
 * constraint between them): plan, apply, verify, constrain --tenant-safe and undo work; a text FK against an integer
 * key is still refused, naming both types. (A new user's trial: "orders.customer_id is integer but customers.id is
 * bigint" refused a schema its own FK constraint allowed.)
 */
import { afterEach, expect, it } from 'vitest';
import { apply, constrain, plan, undo, verify } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

describeEach('FK and key of two integer types', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('integer → bigint and a domain over integer: linked, verified, constrained tenant-safe, undone', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE DOMAIN cust_ref AS integer;
      CREATE TABLE customers (id bigint PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id cust_ref, note_ref text);
      INSERT INTO customers SELECT i, 1 + i % 3, 'Cust ' || i FROM generate_series(1, 30) i;
      INSERT INTO orders SELECT i, 1 + (i % 30 + 1) % 3, 'Cust ' || (i % 30 + 1), NULL, NULL FROM generate_series(1, 90) i;`);
    const config = ordersConfig();
    const p = await plan(t.db, { config, allTenants: true });
    expect(p.results[0]!.recordsMatched).toBe(90);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId, batchSize: 20 });
    expect(a.totalUpdated).toBe(90);
    const v = await verify(t.db, { config, allTenants: true });
    expect([v.links[0]!.orphans, v.links[0]!.crossScope]).toEqual([0, 0]);
    await constrain(t.db, { config, allTenants: true, tenantSafe: true });
    // order 2 is tenant 1, customer 2 is tenant 3: the tenant-safe FK refuses the cross-tenant value
    await expect(t.db.exec(`UPDATE orders SET customer_id = 2 WHERE id = 2`)).rejects.toThrow(/foreign key/);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(90);
    const n = await t.db.query<{ n: number }>(`SELECT count(customer_id)::int AS n FROM orders`);
    expect(n.rows[0]!.n).toBe(0);
    await expect(plan(t.db, { config: ordersConfig({ fk: 'note_ref' }), allTenants: true })).rejects.toMatchObject({
      code: 'SCHEMA_TYPE_MISMATCH',
      message: expect.stringContaining('orders.note_ref is text but customers.id is bigint'),
    });
  });
});
