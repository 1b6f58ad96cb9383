/**
 * The FK column's own FOREIGN KEY constraint says what its values mean. A link whose target is another column of the
 * master (customers.id where the constraint reads customers.legacy_no), or another table, would point every row at the
 * wrong master, and verify said OK (a new user's trial): refused before anything is written, naming the constraint
 * and the column it references. A constraint that agrees with the link (plain or composite) is fine.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

describeEach("the FK column's own constraint", (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  const runs = async (): Promise<number> =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0]!.n;

  it("refuses a link whose target key is not the column the FK's constraint references, or another table; nothing written", async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE regions (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE customers (id int PRIMARY KEY, legacy_no int UNIQUE NOT NULL, tenant_id int NOT NULL, customer_name text NOT NULL);
      INSERT INTO regions VALUES (1, 'North');
      INSERT INTO customers VALUES (1, 3, 1, 'Acme'), (2, 1, 1, 'Bolt'), (3, 2, 1, 'Corp');
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text,
                           customer_id int REFERENCES customers (legacy_no), region_id int REFERENCES regions (id));
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL, NULL), (2, 1, 'Bolt', NULL, NULL), (3, 1, 'Corp', NULL, NULL);`);
    const before = await runs();
    for (const [config, said] of [
      [ordersConfig(), 'orders.customer_id already references customers.legacy_no (constraint orders_customer_id_fkey), not customers.id'],
      [
        ordersConfig({ fk: 'region_id' }),
        'orders.region_id already references regions.id (constraint orders_region_id_fkey), not customers.id',
      ],
    ] as const) {
      for (const run of [() => plan(t.db, { config, allTenants: true }), () => apply(t.db, { config, allTenants: true })]) {
        const e = await run().catch((x: unknown) => x);
        expect(e).toMatchObject({ code: 'SCHEMA_FK_CONFLICT', exitCode: 2 });
        expect((e as Error).message).toContain(said);
      }
    }
    expect(await runs()).toBe(before);
    const n = await t.db.query<{ n: number }>(`SELECT count(customer_id)::int AS n FROM orders`);
    expect(n.rows[0]!.n).toBe(0);
    // the key the constraint names: linked as the constraint reads it
    const a = await apply(t.db, { config: ordersConfig({}, { key: 'legacy_no' }), allTenants: true });
    expect(a.totalUpdated).toBe(3);
    const linked = await t.db.query<{ name: string; ok: boolean }>(
      `SELECT o.customer_name AS name, c.customer_name = o.customer_name AS ok FROM orders o JOIN customers c ON c.legacy_no = o.customer_id ORDER BY o.id`,
    );
    expect(linked.rows.map((r) => r.ok)).toEqual([true, true, true]);
  });

  it('a composite constraint (tenant_id, customer_id) → (tenant_id, id) agrees with a link to id scoped by tenant_id', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (tenant_id int NOT NULL, id int NOT NULL, customer_name text NOT NULL, PRIMARY KEY (tenant_id, id));
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Bolt');
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int,
                           FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id));
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL), (2, 2, 'Bolt', NULL);`);
    const a = await apply(t.db, { config: ordersConfig({}, { key: ['tenant_id', 'id'] }), allTenants: true });
    expect(a.totalUpdated).toBe(2);
  });

  it('an FK to a partitioned master (PostgreSQL copies it for each partition), and a link to one of its partitions, agree (a review)', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (tenant_id int NOT NULL, id int NOT NULL, customer_name text NOT NULL, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (tenant_id);
      CREATE TABLE customers_1 PARTITION OF customers FOR VALUES IN (1);
      CREATE TABLE customers_2 PARTITION OF customers FOR VALUES IN (2);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Bolt');
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int,
                           FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id));
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL), (2, 2, 'Bolt', NULL);`);
    const p = await plan(t.db, { config: ordersConfig({}, { key: ['tenant_id', 'id'] }), allTenants: true });
    expect(p.results[0]!.recordsMatched).toBe(2);
    const one = await plan(t.db, { config: ordersConfig({}, { table: 'customers_1', key: ['tenant_id', 'id'] }), tenantId: '1' });
    expect(one.results[0]!.recordsMatched).toBe(1);
  });
});
