/**
 * Names cut by their column's length (issue #16, lab15): a `varchar(40)` column holds the first 40 characters of a
 * longer name. Exactly 40 characters that start one master's name only are that master, even cut after a whole word
 * (which a name of unknown length is not read as: "Boeing" beside Boeing UK may be the parent); never when two masters
 * start so.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

describeEach('a name cut at its varchar(40) column', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('links a 40-character name that starts one master only, and leaves one two masters start', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name varchar(40), customer_id int);
      INSERT INTO customers VALUES
        (1, 1, 'Consolidated Northern Freight Forwarding Services of Scotland'),
        (2, 1, 'Pacific Rim Agricultural Cooperative Association East'),
        (3, 1, 'Pacific Rim Agricultural Cooperative Association West'),
        (4, 1, 'Other Firm');
      -- cut after a whole word ("Forwarding"), and a prefix two masters share
      INSERT INTO orders VALUES
        (1, 1, left('Consolidated Northern Freight Forwarding Services of Scotland', 40), NULL),
        (2, 1, left('Consolidated Northern Freight Forwarding Services of Scotland', 40), NULL),
        (3, 1, left('Pacific Rim Agricultural Cooperative Association East', 40), NULL),
        (4, 1, 'Other Firm', NULL);`);
    const config = ordersConfig({ match: 'fuzzy' });
    const p = await plan(t.db, { config, tenantId: '1' });
    await apply(t.db, { config, tenantId: '1', planRunId: p.runId });
    const rows = await t.db.query<{ id: number; customer_id: number | null }>('SELECT id, customer_id FROM orders ORDER BY id');
    expect(rows.rows.map((r) => [Number(r.id), r.customer_id === null ? null : Number(r.customer_id)])).toEqual([
      [1, 1],
      [2, 1],
      [3, null],
      [4, 4],
    ]);
  });

  it('reads no cut in a text column whose names fill no common length', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Consolidated Northern Freight Forwarding Services of Scotland'), (2, 1, 'Other Firm');
      INSERT INTO orders VALUES (1, 1, left('Consolidated Northern Freight Forwarding Services of Scotland', 40), NULL);`);
    const config = ordersConfig({ match: 'fuzzy' });
    const p = await plan(t.db, { config, tenantId: '1' });
    await apply(t.db, { config, tenantId: '1', planRunId: p.runId });
    const rows = await t.db.query<{ customer_id: number | null }>('SELECT customer_id FROM orders');
    expect(rows.rows[0]!.customer_id).toBeNull();
  });
});

describeEach('names cut at a length a text column does not declare', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('reads the length three of its longest names share as the cut', async () => {
    t = await freshDb(target);
    const full = [
      'Consolidated Northern Freight Forwarding Services of Scotland',
      'Highland Mountain Spring Water Bottling Company of Inverness',
      'Eastern Provincial Agricultural Machinery Importers Guild',
    ];
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES ${full.map((n, i) => `(${i + 1}, 1, '${n}')`).join(', ')}, (9, 1, 'Other Firm');
      INSERT INTO orders VALUES ${full.map((n, i) => `(${i + 1}, 1, left('${n}', 40), NULL)`).join(', ')}, (9, 1, 'Other Firm', NULL);`);
    const config = ordersConfig({ match: 'fuzzy' });
    const p = await plan(t.db, { config, tenantId: '1' });
    await apply(t.db, { config, tenantId: '1', planRunId: p.runId });
    const rows = await t.db.query<{ id: number; customer_id: number | null }>('SELECT id, customer_id FROM orders ORDER BY id');
    expect(rows.rows.map((r) => Number(r.customer_id))).toEqual([1, 2, 3, 9]);
  });
});
