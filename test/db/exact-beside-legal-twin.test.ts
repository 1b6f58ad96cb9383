/**
 * Masters that differ only by a legal form ("Falcon Textiles" and "Falcon Textiles Oy"): under "normalized" and
 * "fuzzy" a document naming one of them exactly is ambiguous (dropping the legal form is the commonest variant, so the
 * bare name may mean either), where "exact" links it. A new user's trial saw 13,859 rows linked by exact and not by
 * normalized, without a word: the plan now says how many, why, and what exact would do.
 */
import { afterEach, expect, it } from 'vitest';
import { plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

describeEach('an exact name beside a master that differs only by its legal form', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('exact links every row; normalized and fuzzy leave them ambiguous and say so, naming what exact would do', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Falcon Textiles'), (2, 1, 'Falcon Textiles Oy'), (3, 1, 'Other Firm');
      INSERT INTO orders SELECT g, 1, CASE WHEN g <= 10 THEN 'Falcon Textiles Oy' WHEN g <= 20 THEN 'Falcon Textiles' ELSE 'Other Firm' END, NULL
        FROM generate_series(1, 25) g;`);
    const exact = await plan(t.db, { config: ordersConfig({ match: 'exact' }), tenantId: '1' });
    expect(exact.results[0]!.recordsMatched).toBe(25);
    expect(exact.notices ?? []).not.toContainEqual(expect.stringContaining('differs from it only by a legal form'));
    for (const match of ['normalized', 'fuzzy'] as const) {
      const p = await plan(t.db, { config: ordersConfig({ match }), tenantId: '1' });
      expect([p.results[0]!.recordsMatched, p.results[0]!.recordsAmbiguous]).toEqual([5, 20]);
      expect(p.notices).toContainEqual(
        'order: 2 name(s) (20 row(s)) are exactly one master\'s name but ambiguous: another master of the tenant differs from it only by a legal form (e.g. "Falcon Textiles" beside "Falcon Textiles Oy"), which the bare name may mean too; "match": "exact" links them to the exactly named master, which review export lists first for each',
      );
    }
  });

  it("the notice's example is a name of this plan, not the trial's (it named Falcon Textiles in every database)", async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Bolt Industries'), (2, 1, 'Bolt Industries Inc');
      INSERT INTO orders SELECT g, 1, 'Bolt Industries', NULL FROM generate_series(1, 3) g;`);
    const p = await plan(t.db, { config: ordersConfig({ match: 'normalized' }), tenantId: '1' });
    expect(p.notices).toContainEqual(
      expect.stringContaining(
        'order: 1 name(s) (3 row(s)) are exactly one master\'s name but ambiguous: another master of the tenant differs from it only by a legal form (e.g. "Bolt Industries" beside "Bolt Industries Inc"), which',
      ),
    );
  });

  it('a name two masters have exactly is not counted: exact would leave it ambiguous too', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Nordic Logistics AG'), (2, 1, 'Nordic Logistics AG'), (3, 1, 'Nordic Logistics GmbH'),
        (4, 1, 'Bolt Industries'), (5, 1, 'Bolt Industries Inc');
      INSERT INTO orders SELECT g, 1, CASE WHEN g <= 7 THEN 'Nordic Logistics AG' ELSE 'Bolt Industries' END, NULL FROM generate_series(1, 10) g;`);
    const p = await plan(t.db, { config: ordersConfig({ match: 'normalized' }), tenantId: '1' });
    expect(p.results[0]!.recordsAmbiguous).toBe(10);
    // trial14: "113 name(s) (6448 row(s))", one of them a name two vendors had exactly (119 rows)
    expect(p.notices).toContainEqual(expect.stringContaining("order: 1 name(s) (3 row(s)) are exactly one master's name but ambiguous"));
    const exact = await plan(t.db, { config: ordersConfig({ match: 'exact' }), tenantId: '1' });
    expect([exact.results[0]!.recordsMatched, exact.results[0]!.recordsAmbiguous]).toEqual([3, 7]);
  });
});
