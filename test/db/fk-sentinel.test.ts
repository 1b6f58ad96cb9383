/**
 * A NOT NULL FK with a default that stands for "not set" (an int FK defaulting to 0, a uuid FK to the nil uuid).
 * trial14: status said 100.0 % populated and plan had nothing to do for 20,000 goods receipts, 16,000 of them holding
 * warehouse_id 0; only verify, as orphans, showed it. status, plan and verify now say why nothing is filled and how to
 * make those rows NULL. A NOT NULL FK without a default (constrain --not-null's) says nothing.
 */
import { afterEach, expect, it } from 'vitest';
import { plan, status, verify } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

describeEach('a NOT NULL FK with a default', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('status, plan and verify say that its rows are never filled, with the statements that make them NULL', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id bigint PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int4 NOT NULL DEFAULT 0);
      INSERT INTO customers VALUES (1, 1, 'Acme');
      INSERT INTO orders (id, tenant_id, customer_name) SELECT g, 1, 'Acme' FROM generate_series(1, 4) g;`);
    const config = ordersConfig();
    const said =
      'order: orders.customer_id is NOT NULL with default 0: fk-backfill fills NULL FKs only, so a row holding 0 is never linked (verify counts it as an FK pointing nowhere); if 0 stands for "not set", make those rows NULL first: ALTER TABLE "orders" ALTER COLUMN "customer_id" DROP NOT NULL, ALTER COLUMN "customer_id" DROP DEFAULT; UPDATE "orders" SET "customer_id" = NULL WHERE "customer_id" = 0';
    const st = await status(t.db, { config, tenantId: '1' });
    expect(st.notices).toContain(said);
    expect(st.links[0]!.nullFks).toBe(0);
    expect((await plan(t.db, { config, tenantId: '1' })).notices).toContain(said);
    expect((await verify(t.db, { config, tenantId: '1' })).notices).toContain(said);
    // as told: the rows become NULL and are linked
    await t.db.exec(
      `ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL, ALTER COLUMN customer_id DROP DEFAULT; UPDATE orders SET customer_id = NULL WHERE customer_id = 0`,
    );
    const p = await plan(t.db, { config, tenantId: '1' });
    expect(p.results[0]!.recordsMatched).toBe(4);
    expect(p.notices ?? []).not.toContainEqual(expect.stringContaining('NOT NULL with default'));
    // NOT NULL without a default (what constrain --not-null leaves): nothing said
    await t.db.exec(`UPDATE orders SET customer_id = 1; ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL`);
    expect((await status(t.db, { config, tenantId: '1' })).notices ?? []).not.toContainEqual(
      expect.stringContaining('NOT NULL with default'),
    );
  });
});
