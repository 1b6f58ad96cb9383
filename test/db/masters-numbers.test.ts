/**
 * `masters create` numbers new masters (CUST-006) after the highest number it finds. Per scope (tenant) when the
 * number is unique per tenant; but a number unique across the whole table (a unique index on it alone) was still
 * continued per tenant, so a tenant whose numbers lag another's got a number that tenant already has: the create
 * failed with the unique index's error (or, without one checked, two masters would share a number). The numbering
 * now follows the table's unique indexes.
 */
import { afterEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { createMasters, proposeMasters } from '../../src/masters/masters.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'order',
      table: 'orders',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      scope: ['tenant_id'],
      target: { table: 'customers', key: 'id', name: 'name', number: 'customer_no' },
    },
  ],
};

async function schema(t: TestDb, numberUnique: string): Promise<void> {
  await t.db.exec(`
    CREATE TABLE customers (id serial PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL, customer_no text NOT NULL${numberUnique});
    CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers);
    INSERT INTO customers (tenant_id, name, customer_no) VALUES
      (1, 'Alpha One', 'CUST-001'), (1, 'Alpha Two', 'CUST-002'), (2, 'Beta One', 'CUST-003'), (2, 'Beta Two', 'CUST-004'), (2, 'Beta Three', 'CUST-005');
    INSERT INTO orders VALUES (1, 1, 'Zephyr Kitchens', NULL), (2, 2, 'Quorum Tiles', NULL), (3, 1, 'Harbor Glassworks', NULL);`);
}

async function numbers(t: TestDb): Promise<string[]> {
  const r = await t.db.query<{ x: string }>(`SELECT tenant_id || ':' || customer_no AS x FROM customers ORDER BY id`);
  return r.rows.map((x) => x.x);
}

describeEach('masters create numbering', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('a number unique across the table continues after the highest of every tenant, for one tenant and for all', async () => {
    t = await freshDb(target);
    await schema(t, ', UNIQUE (customer_no)');
    const one = await proposeMasters(t.db, { config, tenantId: '1' });
    const r1 = await createMasters(t.db, { config, tenantId: '1', proposals: one, by: 'x' });
    expect(r1.created.map((c) => c.number).sort()).toEqual(['CUST-006', 'CUST-007']);
    await t.db.exec(`INSERT INTO orders VALUES (4, 2, 'Nimbus Freight', NULL), (5, 1, 'Orchid Dental', NULL)`);
    const all = await proposeMasters(t.db, { config, allTenants: true });
    const r2 = await createMasters(t.db, { config, allTenants: true, proposals: all, by: 'x' });
    expect(r2.created.map((c) => c.number).sort()).toEqual(['CUST-008', 'CUST-009', 'CUST-010']);
    expect(new Set(await numbers(t)).size).toBe(10);
  });

  it('a number unique per tenant continues each tenant on its own', async () => {
    t = await freshDb(target);
    await schema(t, ', UNIQUE (tenant_id, customer_no)');
    const one = await proposeMasters(t.db, { config, allTenants: true });
    const r = await createMasters(t.db, { config, allTenants: true, proposals: one, by: 'x' });
    expect(r.created.map((c) => `${c.scopeKey[0]}:${c.number}`).sort()).toEqual(['1:CUST-003', '1:CUST-004', '2:CUST-006']);
  });
});
