/**
 * Decisions whose master is gone. A new user's trial: customer 305 was merged into 29 (FKs re-pointed, 305 deleted);
 * the review decisions aliasing "Iron Bridge Construction Inc." to 305 stayed in force, so the guard left every new row
 * of the name NULL ("decision target unavailable") and a plan sent it to review, while drift said nothing and exited 0.
 * drift now lists such decisions (deleted or inactive master), with the NULL-FK rows of the name, and exits 3.
 */
import { afterEach, expect, it } from 'vitest';
import { decide, drift } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({}, { active: 'is_active' });

describeEach('drift: decisions whose master is gone', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('a decision to a master merged away (deleted) or deactivated is listed with its waiting rows; a replaced one, another tenant, no', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (29, 1, 'Iron Bridge Construction'), (305, 1, 'Iron Bridge Construction Inc'),
        (7, 1, 'Kestrel Ltd'), (8, 2, 'Lumen SA'), (9, 1, 'Mara Foods');`);
    const d = (name: string, targetKey: string, scope = '1') =>
      decide(t.db, { config, link: 'order', scopeKey: [scope], name, action: 'alias', targetKey, by: 'ana' });
    await d('Iron Bridge Constr. Inc.', '305');
    await d('Kestrel Limited', '7');
    await d('Lumen S.A.', '8', '2');
    await d('Mara Food', '9');
    expect((await drift(t.db, { config, allTenants: true })).links[0]!.decisions.groups).toBe(0);
    // the application merges 305 into 29, deactivates Kestrel and Lumen; Mara's decision is replaced (another master)
    await t.db.exec(`
      DELETE FROM customers WHERE id = 305;
      UPDATE customers SET is_active = false WHERE id IN (7, 8);
      INSERT INTO orders VALUES (1, 1, 'Iron Bridge Constr. Inc.', NULL), (2, 1, 'Iron Bridge Constr. Inc.', NULL),
        (3, 1, 'Iron Bridge Constr. Inc.', 29), (4, 2, 'Iron Bridge Constr. Inc.', NULL);
      DELETE FROM customers WHERE id = 9;
      INSERT INTO customers VALUES (10, 1, 'Mara Foods Group');`);
    await d('Mara Food', '10');
    const r = await drift(t.db, { config, tenantId: '1' });
    expect(r.found).toBe(true);
    const c = r.links[0]!.decisions;
    expect([c.groups, c.rows]).toEqual([2, 2]);
    expect(c.samples).toEqual([
      { scopeKey: ['1'], sourceName: 'Iron Bridge Constr. Inc.', targetKey: '305', masterName: null, rows: 2 },
      { scopeKey: ['1'], sourceName: 'Kestrel Limited', targetKey: '7', masterName: 'Kestrel Ltd', rows: 0 },
    ]);
    const all = (await drift(t.db, { config, allTenants: true })).links[0]!.decisions;
    expect(all.samples.map((g) => [g.scopeKey[0], g.sourceName])).toEqual([
      ['1', 'Iron Bridge Constr. Inc.'],
      ['1', 'Kestrel Limited'],
      ['2', 'Lumen S.A.'],
    ]);
  });

  it("a deleted tenant's decisions are no drift (its masters and documents gone: nothing to link, and --tenant refuses it)", async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Bolt'), (3, 2, 'Cobalt');
      INSERT INTO orders VALUES (1, 1, 'Acme', 1), (2, 2, 'Cobalt', 3);`);
    const d = (name: string, targetKey: string, scope: string) =>
      decide(t.db, { config, link: 'order', scopeKey: [scope], name, action: 'alias', targetKey, by: 'ana' });
    await d('Bolt Inc', '2', '1');
    await d('Cobalt Ltd', '3', '2');
    // tenant 2 leaves: its documents and masters are deleted; in tenant 1, Bolt is merged away
    await t.db.exec(`DELETE FROM orders WHERE tenant_id = 2; DELETE FROM customers WHERE tenant_id = 2 OR id = 2;`);
    const r = await drift(t.db, { config, allTenants: true });
    expect(r.links[0]!.decisions.samples.map((g) => [g.scopeKey[0], g.sourceName])).toEqual([['1', 'Bolt Inc']]);
  });
});
