/**
 * The change log keeps each row's old updated_at as text, written by the apply's session and read back by the
 * undo's. Written in that session's DateStyle, a date was read back in the other's: apply under `SQL, DMY` stored
 * 04/03/2020 (4 March), an undo under `SQL, MDY` put back 3 April. Stored as ISO 8601 (jsonb's form), it reads the
 * same in any DateStyle.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, openDatabase, plan, undo } from '../../src/index.js';
import type { Database } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({ updatedAt: 'updated_at' });

describeEach('undo across sessions with different DateStyles', (target) => {
  let t: TestDb;
  const opened: Database[] = [];
  afterEach(async () => {
    for (const d of opened.splice(0)) await d.close();
    await t.dispose();
  });

  /** A handle whose sessions use `style`: on PostgreSQL a connection option, on PGlite (one session) a SET. */
  async function withStyle(style: string): Promise<Database> {
    if (target === 'pglite') {
      await t.db.exec(`SET datestyle = '${style}'`);
      return t.db;
    }
    const u = new URL(t.url);
    u.searchParams.set('options', `-c datestyle=${style.replace(' ', '')}`);
    const d = await openDatabase(u.toString());
    opened.push(d);
    return d;
  }

  it('puts back the exact old updated_at whatever DateStyle the sessions wrote and read it in', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id), updated_at timestamptz);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Beta');
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL, '2020-03-04 05:06:07+00'), (2, 1, 'Beta', NULL, '2021-11-02 23:59:59.5+00');`);
    const before = (
      await t.db.query<{ v: string }>(
        `SELECT id || ' ' || to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS v FROM orders ORDER BY id`,
      )
    ).rows;
    const writer = await withStyle('SQL, DMY');
    const p = await plan(writer, { config, allTenants: true });
    const a = await apply(writer, { config, allTenants: true, planRunId: p.runId });
    expect(a.totalUpdated).toBe(2);
    const reader = await withStyle('SQL, MDY');
    const u = await undo(reader, { runId: a.runId });
    expect(u.totalReverted).toBe(2);
    if (target === 'pglite') await t.db.exec(`RESET datestyle`);
    const after = (
      await t.db.query<{ v: string }>(
        `SELECT id || ' ' || to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS v FROM orders ORDER BY id`,
      )
    ).rows;
    expect(after).toEqual(before);
    expect(before).toEqual([{ v: '1 2020-03-04 05:06:07.000' }, { v: '2 2021-11-02 23:59:59.500' }]);
  });
});
