/**
 * drift over the rows an apply linked (a new user's trial): right after an apply, with nothing changed, it
 * reported the rows linked through a known alias (FKs set before, "Wolf Co.s" for "Wolf Co.") as "master
 * renamed"; and when a master was renamed it missed the rows linked by exact equality to its old name, the
 * fuzzy re-score still matching the two names. For a name an applied run linked to its master, drift now
 * compares the master's name with the one that run's plan recorded.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, drift, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({ match: 'fuzzy' });

describeEach('drift of the rows an apply linked', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('no drift the day of the apply (alias links included); a renamed master is found, by its recorded name; undone, judged as before the apply', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Evans Machinery Incorporated'), (2, 1, 'Wolf Co.'), (3, 1, 'Other Vendor Ltd');
      INSERT INTO orders SELECT g, 1, 'Evans Machinery Incorporated', NULL FROM generate_series(1, 5) g;
      INSERT INTO orders VALUES (6, 1, 'Wolf Co.s', 2), (9, 1, 'Wolf Co.s', 2), (7, 1, 'Wolf Co.s', NULL), (8, 1, 'Wolf Co.s', NULL);`);
    const a = await apply(t.db, { config, allTenants: true });
    expect(a.totalUpdated).toBe(7);
    const day0 = await drift(t.db, { config, allTenants: true });
    expect(day0.links[0]!.renamed.rows).toBe(0);
    expect(day0.found).toBe(false);

    await t.db.exec(`UPDATE customers SET customer_name = 'Evans Heavy Machinery Incorporated' WHERE id = 1`);
    const renamed = await drift(t.db, { config, allTenants: true });
    expect(renamed.found).toBe(true);
    expect(renamed.links[0]!.renamed.rows).toBe(5);
    expect(renamed.links[0]!.renamed.samples[0]).toMatchObject({ sourceName: 'Evans Machinery Incorporated', targetKey: '1' });

    // after the run is undone its plan no longer speaks for those rows: the Evans rows are NULL again, and the row
    // whose FK was set by hand before is judged as before the apply (its name is not its master's)
    await undo(t.db, { runId: a.runId });
    const after = await drift(t.db, { config, allTenants: true });
    expect(after.links[0]!.renamed.samples.map((x) => [x.sourceName, x.rows])).toEqual([['Wolf Co.s', 2]]);
  });

  it("an FK set to another tenant's master is said as such, not as a missing master (a trial); a deleted master is missing", async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 2, 'Bolt');
      INSERT INTO orders VALUES (1, 2, 'Bolt', 1), (2, 1, 'Acme', 9);`);
    const d = await drift(t.db, { config: ordersConfig(), allTenants: true });
    const l = d.links[0]!;
    expect([l.otherScope.rows, l.missing.rows]).toEqual([1, 1]);
    expect(l.otherScope.samples[0]).toMatchObject({ scopeKey: ['2'], sourceName: 'Bolt', targetKey: '1' });
    expect(d.found).toBe(true);
  });

  it('with master keys that repeat per tenant ((tenant_id, id)), a deleted master stays missing: another tenant having that id says nothing (a review)', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (tenant_id int NOT NULL, id int NOT NULL, customer_name text NOT NULL, PRIMARY KEY (tenant_id, id));
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (2, 5, 'Bolt');
      INSERT INTO orders VALUES (1, 1, 'Acme', 5);`);
    const l = (await drift(t.db, { config: ordersConfig({}, { key: ['tenant_id', 'id'] }), allTenants: true })).links[0]!;
    expect([l.otherScope.rows, l.missing.rows]).toEqual([0, 1]);
  });
});
