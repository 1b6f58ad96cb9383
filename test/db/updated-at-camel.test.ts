/**
 * A table whose ORM names the column `updatedAt` (Prisma, Sequelize and TypeORM by default; a trial's Drizzle schema):
 * without `updatedAt` in the config, apply left it alone, so linked rows kept their old "updatedAt" and undo set back
 * the FK of a row the application had written since (it cannot tell one without the column). Now `updatedAt` is the
 * default when the table has no `updated_at`, as `updated_at` is.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();
const OLD = '2026-01-20 09:00:00+00';

describeEach('an "updatedAt" column (camelCase ORMs)', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('is set by apply, restored by undo, and a row the application wrote since is left to it', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int,
                           "updatedAt" timestamptz NOT NULL DEFAULT timestamptz '${OLD}');
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Bolt');
      INSERT INTO orders (id, tenant_id, customer_name) VALUES (1, 1, 'Acme'), (2, 1, 'Bolt'), (3, 1, 'Acme');`);
    const a = await apply(t.db, { config, allTenants: true });
    expect(a.totalUpdated).toBe(3);
    const touched = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE "updatedAt" > timestamptz '${OLD}'`);
    expect(touched.rows[0]!.n).toBe(3);

    // the application clears order 3's customer and sets it again, as its form saves it
    await t.db.exec(`UPDATE orders SET customer_id = NULL, "updatedAt" = now() WHERE id = 3;
                     UPDATE orders SET customer_id = 1, "updatedAt" = now() + interval '1 second' WHERE id = 3;`);
    const u = await undo(t.db, { runId: a.runId });
    expect([u.totalReverted, u.totalSkipped]).toEqual([2, 1]);
    const rows = await t.db.query<{ id: number; customer_id: number | null; old: boolean }>(
      `SELECT id, customer_id, "updatedAt" = timestamptz '${OLD}' AS old FROM orders ORDER BY id`,
    );
    expect(rows.rows).toEqual([
      { id: 1, customer_id: null, old: true },
      { id: 2, customer_id: null, old: true },
      { id: 3, customer_id: 1, old: false },
    ]);
  });
});
