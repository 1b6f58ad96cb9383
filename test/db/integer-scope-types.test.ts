/**
 * A tenant column of two integer types: int in the documents, bigint in the masters (a new user's trial was refused
 * with SCHEMA_TYPE_MISMATCH, though PostgreSQL compares them, and an FK of int to bigint was accepted); likewise
 * varchar(n) beside text. One scope, as for the FK: plan, apply, verify, the guard, constrain --tenant-safe and undo,
 * no link across tenants.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, constrain, installGuard, plan, removeGuard, undo, verify } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();

describeEach('a scope column of two types PostgreSQL compares', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it.each([
    { docs: 'int', masters: 'bigint', one: '1', two: '2' },
    { docs: 'varchar(20)', masters: 'text', one: "'north'", two: "'south'" },
  ])(
    '$docs documents, $masters masters: linked within their tenant only; verify, guard, tenant-safe constraint and undo as usual',
    async (types) => {
      t = await freshDb(target);
      await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id ${types.masters} NOT NULL, customer_name text NOT NULL, UNIQUE (tenant_id, id));
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id ${types.docs} NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, ${types.one}, 'ABC'), (2, ${types.two}, 'ABC'), (3, ${types.two}, 'XYZ');
      INSERT INTO orders (id, tenant_id, customer_name) VALUES (1, ${types.one}, 'ABC'), (2, ${types.two}, 'ABC'), (3, ${types.one}, 'XYZ'), (4, ${types.two}, 'XYZ');`);
      const p = await plan(t.db, { config, allTenants: true });
      expect(p.results[0]!.recordsMatched).toBe(3);
      const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
      expect(a.totalUpdated).toBe(3);
      const linked = async (): Promise<(number | null)[]> =>
        (await t.db.query<{ c: number | null }>(`SELECT customer_id AS c FROM orders ORDER BY id`)).rows.map((r) => r.c);
      expect(await linked()).toEqual([1, 2, null, 3]);
      const v = await verify(t.db, { config, allTenants: true });
      expect(v.links[0]).toMatchObject({ orphans: 0, crossScope: 0 });
      await installGuard(t.db, { config });
      await t.db.exec(`INSERT INTO orders (id, tenant_id, customer_name) VALUES (5, ${types.two}, 'XYZ'), (6, ${types.one}, 'XYZ')`);
      expect(await linked()).toEqual([1, 2, null, 3, 3, null]);
      await removeGuard(t.db);
      await t.db.exec(`DELETE FROM orders WHERE id IN (5, 6)`);
      const c = await constrain(t.db, { config, tenantSafe: true });
      expect(c.links[0]!.orphans).toBe(0);
      const cross = await t.db.query(`INSERT INTO orders VALUES (7, ${types.one}, 'XYZ', 3)`).catch((e: unknown) => e);
      expect(cross).toMatchObject({ message: expect.stringMatching(/foreign key/) });
      expect((await undo(t.db, { runId: a.runId })).totalReverted).toBe(3);
      expect(await linked()).toEqual([null, null, null, null]);
    },
  );
});
