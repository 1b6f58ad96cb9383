import { afterEach, beforeEach, expect, it } from 'vitest';
import { AXIS_CONFIG } from '../../src/config/defaults.js';
import { createAxis, DEMO_TENANT, OTHER_TENANT } from '../../src/demo/axis.js';
import { apply } from '../../src/apply/apply.js';
import { revenueReport } from '../../src/report/revenue.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const withAmount = { links: AXIS_CONFIG.links.map((l) => ({ ...l, amount: 'total_amount' })) };

describeEach('revenue', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('per master: FK vs name join, with the rows the name join misses and double-counts', async () => {
    await createAxis(t.db);
    await apply(t.db, { tenantId: DEMO_TENANT });
    // After linking, the document's name is edited: the FK still holds, a name join loses it.
    await t.db.query(`UPDATE sales_orders SET customer_name = 'ABC Corporation' WHERE order_number = 'SO-2026-001'`);
    const r = await revenueReport(t.db, { tenantId: DEMO_TENANT, config: withAmount, entities: ['sales_order'] });
    const so = r.links[0]!;
    expect(so.documents).toEqual({
      total: 3,
      amount: 6149.5,
      linked: 3,
      linkedAmount: 6149.5,
      unlinked: 0,
      unlinkedAmount: 0,
      dangling: 0,
      danglingAmount: 0,
      noNameMatch: 1,
    });
    expect(
      so.masters.map((m) => [
        m.name,
        m.viaFk.documents,
        m.viaFk.amount,
        m.viaName.documents,
        m.viaName.amount,
        m.missedByName.documents,
        m.wrongByName.documents,
      ]),
    ).toEqual([
      ['ABC Corp', 1, 1250, 0, 0, 1, 0], // missed by the name join
      ['Test Customer', 0, 0, 1, 99.5, 0, 1], // CUST-005 (suspended): the name join attributes SO-TEST-001 here too
      ['Test Customer', 1, 99.5, 1, 99.5, 0, 1], // … and here: counted twice
      ['Acme Corporation', 1, 4800, 1, 4800, 0, 0],
    ]);
    expect(so.totals).toEqual({
      masters: 4,
      viaName: { documents: 3, amount: 4999 },
      missedByName: { documents: 1, amount: 1250 },
      wrongByName: { documents: 2, amount: 199 },
    });
    // Without an amount column, counts still work and amounts are 0.
    const noAmt = await revenueReport(t.db, { tenantId: DEMO_TENANT, entities: ['purchase_order'], limit: 1 });
    expect(noAmt.links[0]).toMatchObject({ amountColumn: null, documents: { total: 3, amount: 0, linked: 3 }, mastersTruncated: true });
    expect(noAmt.links[0]!.masters).toHaveLength(1);
  });

  it('all tenants, masters keyed per tenant ((tenant_id, id): each tenant numbers its own from 1): each master counts only its own tenant', async () => {
    await t.db.exec(`
      CREATE TABLE customers (tenant_id int NOT NULL, id int NOT NULL, name text NOT NULL, PRIMARY KEY (tenant_id, id));
      CREATE TABLE orders (tenant_id int NOT NULL, id int NOT NULL, customer_name text, customer_id int, amount numeric, PRIMARY KEY (tenant_id, id));
      INSERT INTO customers VALUES (1, 1, 'Alpha'), (2, 1, 'Beta');
      INSERT INTO orders VALUES (1, 1, 'Alpha', NULL, 10), (1, 2, 'Alpha', NULL, 10), (2, 1, 'Beta', NULL, 100), (2, 2, 'Beta', NULL, 100), (2, 3, 'Beta', NULL, 100);`);
    const config = {
      links: [
        {
          entity: 'order',
          table: 'orders',
          key: ['tenant_id', 'id'],
          fk: 'customer_id',
          name: 'customer_name',
          scope: ['tenant_id'],
          amount: 'amount',
          target: { table: 'customers', key: ['tenant_id', 'id'], name: 'name' },
        },
      ],
    };
    await apply(t.db, { config, allTenants: true });
    const r = await revenueReport(t.db, { config, allTenants: true });
    const rows = r.links[0]!.masters.map((m) => [m.name, m.viaFk.documents, m.viaFk.amount, m.viaName.documents, m.viaName.amount]);
    expect(rows.sort()).toEqual([
      ['Alpha', 2, 20, 2, 20],
      ['Beta', 3, 300, 3, 300],
    ]);
    expect(r.links[0]!.totals.viaName).toEqual({ documents: 5, amount: 320 });
  });

  it("linked by FK means to a master of the row's scope, as the per-master FK join counts: an FK to another tenant's master is dangling, in neither linked nor not linked", async () => {
    await createAxis(t.db);
    await apply(t.db, { tenantId: DEMO_TENANT });
    const other = (await t.db.query<{ id: string }>(`SELECT id::text FROM customers WHERE tenant_id = $1::uuid LIMIT 1`, [OTHER_TENANT]))
      .rows[0]!.id;
    await t.db.query(`UPDATE sales_orders SET customer_id = $1::uuid WHERE order_number = 'SO-2026-001'`, [other]);
    const r = await revenueReport(t.db, { tenantId: DEMO_TENANT, config: withAmount, entities: ['sales_order'] });
    const so = r.links[0]!;
    expect(so.documents).toEqual({
      total: 3,
      amount: 6149.5,
      linked: 2,
      linkedAmount: 4899.5,
      unlinked: 0,
      unlinkedAmount: 0,
      dangling: 1,
      danglingAmount: 1250,
      noNameMatch: 0,
    });
    // the masters' FK documents add up to the linked ones
    expect(so.masters.reduce((a, m) => a + m.viaFk.documents, 0)).toBe(so.documents.linked);
  });
});
