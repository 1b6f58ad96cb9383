/**
 * The guard on a link whose rows are keyed by (tenant_id, id), ids repeating across tenants: it logs a
 * link under the row's whole key (the change log's form, which undo takes apart), and its check for an
 * INSERT … ON CONFLICT about to be discarded looks for a row with that whole key, not the id alone (a row
 * of another tenant with the same id made it skip the log, so undo could never revert the link).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { installGuard, removeGuard, undo } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'order',
      table: 'orders',
      key: ['tenant_id', 'id'],
      fk: 'customer_id',
      name: 'customer_name',
      scope: ['tenant_id'],
      target: { table: 'customers', key: 'id', name: 'customer_name' },
    },
  ],
};

describeEach('guard on a composite row key', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (tenant_id int NOT NULL, id int NOT NULL, customer_name text, customer_id int, PRIMARY KEY (tenant_id, id));
      INSERT INTO customers VALUES (10, 1, 'ABC Corp'), (20, 2, 'ABC Corp');
      INSERT INTO orders VALUES (2, 1, 'Someone', NULL);`);
  });
  afterEach(async () => t.dispose());

  it("logs the row's whole key, also when another tenant has a row with the same id, and undo reverts it", async () => {
    const g = await installGuard(t.db, { config });
    await t.db.query(`INSERT INTO orders (tenant_id, id, customer_name) VALUES (1, 1, 'ABC Corp'), (1, 2, 'ABC Corp'), (1, 3, 'Nobody')`);
    const fks = async (): Promise<(number | null)[]> =>
      (await t.db.query<{ c: number | null }>(`SELECT customer_id AS c FROM orders WHERE tenant_id = 1 ORDER BY id`)).rows.map((r) => r.c);
    expect(await fks()).toEqual([10, 10, null]);
    const links = await t.db.query<{ k: string }>(
      `SELECT row_key AS k FROM fk_backfill.guard_links WHERE run_id = $1::int8 ORDER BY row_key`,
      [g.runId],
    );
    expect(links.rows.map((r) => r.k)).toEqual(['{1,1}', '{1,2}']);
    const misses = await t.db.query<{ k: string }>(`SELECT row_key AS k FROM fk_backfill.guard_misses WHERE run_id = $1::int8`, [g.runId]);
    expect(misses.rows.map((r) => r.k)).toEqual(['{1,3}']);
    const u = await undo(t.db, { runId: g.runId });
    expect(u.totalReverted).toBe(2);
    expect(await fks()).toEqual([null, null, null]);
    await removeGuard(t.db);
  });
});
