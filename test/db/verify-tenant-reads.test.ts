/**
 * `verify --tenant X` counts a row of X pointing to another tenant's master (cross-tenant) and one pointing to no
 * master (orphan) as before, but reads other tenants' masters only for FKs no master of X has: before, every verify
 * --tenant read every tenant's masters (on Citus a multi-shard read) for its cross-tenant count.
 */
import { afterEach, expect, it } from 'vitest';
import pg from 'pg';
import { verify } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { admin, describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'order',
      table: 'orders',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      scope: ['tenant_id'],
      target: { table: 'customers', key: ['tenant_id', 'id'], name: 'name' },
    },
  ],
};

/** Masters partitioned by tenant (keys repeat across tenants): tenant 2's are a partition of their own. */
async function schema(t: TestDb): Promise<void> {
  await t.db.exec(`
    CREATE TABLE customers (tenant_id int NOT NULL, id int NOT NULL, name text NOT NULL, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (tenant_id);
    CREATE TABLE customers_1 PARTITION OF customers FOR VALUES IN (1);
    CREATE TABLE customers_2 PARTITION OF customers FOR VALUES IN (2);
    INSERT INTO customers VALUES (1, 1, 'ABC Corp'), (1, 2, 'XYZ Ltd'), (2, 3, 'Other Co'), (2, 4, 'Fourth');
    CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
    INSERT INTO orders VALUES (1, 1, 'ABC Corp', 1), (2, 1, 'XYZ Ltd', 2), (3, 2, 'Other Co', 3), (4, 2, 'Fourth', 4);`);
}

describeEach('verify --tenant reads', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it("a row of the tenant pointing to another tenant's master is cross-tenant, one pointing to no master an orphan; the other tenant's own rows are not counted", async () => {
    t = await freshDb(target);
    await schema(t);
    const ok = await verify(t.db, { config, tenantId: '1' });
    expect([ok.links[0]!.crossScope, ok.links[0]!.orphans]).toEqual([0, 0]);
    // order 2 of tenant 1 now points to master 3 (tenant 2's), order 1 to 99 (no master); tenant 2's order 4 to 1 (tenant 1's)
    await t.db.exec(`UPDATE orders SET customer_id = 3 WHERE id = 2; UPDATE orders SET customer_id = 99 WHERE id = 1;
      UPDATE orders SET customer_id = 1 WHERE id = 4`);
    const v1 = await verify(t.db, { config, tenantId: '1' });
    expect([v1.links[0]!.crossScope, v1.links[0]!.orphans]).toEqual([1, 1]);
    const v2 = await verify(t.db, { config, tenantId: '2' });
    expect([v2.links[0]!.crossScope, v2.links[0]!.orphans]).toEqual([1, 0]);
    // the whole database as before
    const all = await verify(t.db, { config, allTenants: true });
    expect([all.links[0]!.crossScope, all.links[0]!.orphans]).toEqual([2, 1]);
  });

  if (target === 'postgres')
    it("verify --tenant 1 with nothing to tell reads no master of tenant 2 (another session holds tenant 2's masters locked)", async () => {
      t = await freshDb(target);
      await schema(t);
      // a read of tenant 2's masters would wait for the lock: 2 s, then fail (before: lock timeout)
      const name = new URL(t.url).pathname.slice(1);
      await admin((c) => c.query(`ALTER DATABASE ${name} SET lock_timeout = '2s'`));
      const other = new pg.Client({ connectionString: t.url });
      await other.connect();
      try {
        await other.query(`BEGIN; LOCK TABLE customers_2 IN ACCESS EXCLUSIVE MODE`);
        const v = await verify(t.db, { config, tenantId: '1' });
        expect([v.links[0]!.crossScope, v.links[0]!.orphans, v.links[0]!.nullFks]).toEqual([0, 0, 0]);
      } finally {
        await other.end();
      }
    });
});
