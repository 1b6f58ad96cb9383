/**
 * plan's unmatchedRecords (the seed's list of rows it could not link): rows without a name one counted line per
 * tenant first; then every named unlinked row when there are no more than --max-records, else the first found in
 * the table's order; either way listed by document number, each with its plan entry's outcome and reason, and
 * the same list from two plans of the same table.
 */
import { afterEach, expect, it } from 'vitest';
import { plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({ document: 'order_no' });

describeEach('unlinked sample', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('all unlinked rows under the limit; over it, the limit of unlinked rows only, by document number, the same each time', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, order_no text NOT NULL, customer_name text, customer_id int REFERENCES customers (id));
      INSERT INTO customers VALUES (1, 1, 'Known Ltd'), (2, 2, 'Known Ltd'), (3, 1, 'Twin'), (4, 1, 'Twin');
      -- 300 rows over two tenants, inserted out of document order: every third unlinked (unknown name, a twin name, or none)
      INSERT INTO orders (id, tenant_id, order_no, customer_name)
      SELECT g, 1 + g % 2, 'SO-' || lpad(((g * 7919) % 300)::text, 4, '0'),
             CASE WHEN g % 3 <> 0 THEN 'Known Ltd' WHEN g % 9 = 0 THEN NULL WHEN g % 9 = 3 THEN 'Twin' ELSE 'Nobody ' || g END
        FROM generate_series(1, 300) g;`);
    const unlinked = (
      await t.db.query<{ order_no: string; customer_name: string; tenant_id: number }>(
        `SELECT order_no, customer_name, tenant_id FROM orders WHERE customer_name <> 'Known Ltd' ORDER BY order_no`,
      )
    ).rows;
    const unnamed = (
      await t.db.query<{ tenant_id: number; n: number }>(
        `SELECT tenant_id, count(*)::int AS n FROM orders WHERE customer_name IS NULL GROUP BY 1 ORDER BY 1`,
      )
    ).rows;
    expect([unlinked.length, unnamed.length, unnamed.reduce((a, u) => a + u.n, 0)]).toEqual([67, 2, 33]);

    const all = (await plan(t.db, { config, allTenants: true, maxUnmatchedRecords: 1000 })).results[0]!;
    expect(all.unmatchedRecordsTruncated).toBe(false);
    expect(all.unmatchedRecords.slice(0, 2).map((r) => [r.documentNumber, r.entityName, r.scopeKey, r.rows, r.reason])).toEqual(
      unnamed.map((u) => [null, null, [String(u.tenant_id)], u.n, 'no name']),
    );
    const named = all.unmatchedRecords.slice(2);
    expect(named.map((r) => [r.documentNumber, r.entityName, r.rows])).toEqual(unlinked.map((r) => [r.order_no, r.customer_name, 1]));
    for (const r of named) {
      const want =
        r.entityName === 'Twin' && unlinked.find((u) => u.order_no === r.documentNumber)!.tenant_id === 1 ? 'ambiguous' : 'unmatched';
      expect([r.documentNumber, r.outcome]).toEqual([r.documentNumber, want]);
      expect(r.reason).not.toBeNull();
    }

    const first = (await plan(t.db, { config, allTenants: true, maxUnmatchedRecords: 12 })).results[0]!;
    const again = (await plan(t.db, { config, allTenants: true, maxUnmatchedRecords: 12 })).results[0]!;
    expect(first.unmatchedRecordsTruncated).toBe(true);
    expect(first.unmatchedRecords).toHaveLength(12);
    expect(first.unmatchedRecords.slice(0, 2)).toEqual(all.unmatchedRecords.slice(0, 2));
    const docs = first.unmatchedRecords.slice(2).map((r) => r.documentNumber!);
    expect(docs).toEqual([...docs].sort());
    const known = new Map(named.map((r) => [r.documentNumber, r]));
    for (const r of first.unmatchedRecords.slice(2)) expect(r).toEqual(known.get(r.documentNumber));
    expect(again.unmatchedRecords).toEqual(first.unmatchedRecords);
  });
});
