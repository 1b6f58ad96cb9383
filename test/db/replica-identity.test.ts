/**
 * A source in a publication that publishes UPDATEs, without a replica identity (no primary key: a unique index only).
 * PostgreSQL refuses every UPDATE of it (55000). trial14: apply wrote its first link's 24,500 rows, then failed on
 * that table with the server's error. Now plan says so in a notice with the ALTER TABLE to run, and apply and undo
 * refuse before anything is written (SCHEMA_NO_REPLICA_IDENTITY, exit 2); a partition without one is named too.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused } from '../helpers/hostile.js';
import { ordersConfig } from '../helpers/orders-config.js';

const exactly = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

describeEach('a published source without a replica identity', (target) => {
  let t: TestDb;
  afterEach(async () => {
    await t.db.exec(`DROP PUBLICATION IF EXISTS fkb_pub`).catch(() => undefined);
    await t.dispose();
  });

  it('plan says so, apply and undo refuse before writing; with a replica identity they run', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int NOT NULL, tenant_id int NOT NULL, customer_name text, customer_id int);
      CREATE UNIQUE INDEX orders_id ON orders (id);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Beta');
      INSERT INTO orders SELECT g, 1, CASE WHEN g % 2 = 0 THEN 'Acme' ELSE 'Beta' END, NULL FROM generate_series(1, 10) g;`);
    const config = ordersConfig();
    const applied = await apply(t.db, { config, tenantId: '1' });
    expect(applied.results[0]!.updated).toBe(10);
    await t.db.exec(`CREATE PUBLICATION fkb_pub FOR TABLE orders`);
    const why =
      'orders: public.orders is in publication fkb_pub, which publishes UPDATEs, and has no replica identity (no primary key), so PostgreSQL refuses every UPDATE of it: give it one first, ALTER TABLE public.orders REPLICA IDENTITY USING INDEX orders_id (or FULL)';
    const p = await plan(t.db, { config, tenantId: '1' });
    expect(p.notices).toContain(`${why}; apply refuses it until then`);
    const runs = async (): Promise<number> =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`)).rows[0]!.n;
    const before = await runs();
    await refused(apply(t.db, { config, planRunId: p.runId }), 'SCHEMA_NO_REPLICA_IDENTITY', exactly(`apply: ${why}; nothing written`));
    await refused(undo(t.db, { runId: applied.runId }), 'SCHEMA_NO_REPLICA_IDENTITY', exactly(`undo: ${why}; nothing written`));
    expect(await runs()).toBe(before);
    expect((await t.db.query<{ n: number }>(`SELECT count(customer_id)::int AS n FROM orders`)).rows[0]!.n).toBe(10);
    // an UPDATE publication only counts: one of inserts alone is no reason to refuse
    await t.db.exec(`ALTER PUBLICATION fkb_pub SET (publish = 'insert')`);
    expect((await plan(t.db, { config, tenantId: '1' })).notices ?? []).not.toContainEqual(expect.stringContaining('replica identity'));
    await t.db.exec(
      `ALTER PUBLICATION fkb_pub SET (publish = 'insert, update'); ALTER TABLE orders REPLICA IDENTITY USING INDEX orders_id`,
    );
    expect((await undo(t.db, { runId: applied.runId })).results[0]!.reverted).toBe(10);
  });

  it('a partition of a published table without one is named', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int NOT NULL, tenant_id int NOT NULL, customer_name text, customer_id int) PARTITION BY LIST (tenant_id);
      CREATE UNIQUE INDEX orders_id ON orders (id, tenant_id);
      CREATE TABLE orders_1 PARTITION OF orders FOR VALUES IN (1);
      CREATE TABLE orders_2 PARTITION OF orders FOR VALUES IN (2);
      ALTER TABLE orders_2 REPLICA IDENTITY FULL;
      INSERT INTO customers VALUES (1, 1, 'Acme');
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL);
      CREATE PUBLICATION fkb_pub FOR TABLE orders;`);
    const p = await plan(t.db, { config: ordersConfig({ key: ['id', 'tenant_id'] }), tenantId: '1' });
    expect(p.notices).toContainEqual(
      expect.stringContaining(
        'orders: public.orders_1 is in publication fkb_pub, which publishes UPDATEs, and has no replica identity (no primary key), so PostgreSQL refuses every UPDATE of it: give it one first, ALTER TABLE public.orders_1 REPLICA IDENTITY USING INDEX orders_1_id_tenant_id_idx (or FULL)',
      ),
    );
  });
});
