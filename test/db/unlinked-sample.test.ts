/**
 * plan's unmatchedRecords (the seed's list of rows it could not link): every unlinked row when there are no more
 * than --max-records, else the first --max-records found in the table's order; either way listed by document
 * number, each with its plan entry's outcome and reason, and the same list from two plans of the same table.
 */
import { afterEach, expect, it } from 'vitest';
import { plan } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [{ entity: 'order', table: 'orders', key: 'id', fk: 'customer_id', name: 'customer_name', document: 'order_no', scope: ['tenant_id'], target: { table: 'customers', key: 'id', name: 'customer_name' } }],
};

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
      await t.db.query<{ order_no: string; customer_name: string | null; tenant_id: number }>(
        `SELECT order_no, customer_name, tenant_id FROM orders WHERE customer_name IS NULL OR customer_name <> 'Known Ltd' OR (customer_name = 'Twin' AND tenant_id = 1) ORDER BY order_no`,
      )
    ).rows;
    expect(unlinked).toHaveLength(100);

    const all = (await plan(t.db, { config, allTenants: true, maxUnmatchedRecords: 1000 })).results[0]!;
    expect(all.unmatchedRecordsTruncated).toBe(false);
    expect(all.unmatchedRecords.map((r) => [r.documentNumber, r.entityName])).toEqual(unlinked.map((r) => [r.order_no, r.customer_name]));
    for (const r of all.unmatchedRecords) {
      const want = r.entityName === null ? 'unmatched' : r.entityName === 'Twin' && unlinked.find((u) => u.order_no === r.documentNumber)!.tenant_id === 1 ? 'ambiguous' : 'unmatched';
      expect([r.documentNumber, r.outcome]).toEqual([r.documentNumber, want]);
      if (r.entityName !== null) expect(r.reason).not.toBeNull();
    }

    const first = (await plan(t.db, { config, allTenants: true, maxUnmatchedRecords: 10 })).results[0]!;
    const again = (await plan(t.db, { config, allTenants: true, maxUnmatchedRecords: 10 })).results[0]!;
    expect(first.unmatchedRecordsTruncated).toBe(true);
    expect(first.unmatchedRecords).toHaveLength(10);
    const docs = first.unmatchedRecords.map((r) => r.documentNumber!);
    expect(docs).toEqual([...docs].sort());
    const known = new Map(all.unmatchedRecords.map((r) => [r.documentNumber, r]));
    for (const r of first.unmatchedRecords) expect(r).toEqual(known.get(r.documentNumber));
    expect(again.unmatchedRecords).toEqual(first.unmatchedRecords);
  });
});
