/**
 * Masters with validity dates (`valid_from` / `valid_to`): an expired record and its successor of the same name were
 * ambiguous (a Limitation: left for review, linked to neither), and a master whose validity ended was linked like any
 * other. `"activeWhen": "notPast"` (the end) and `"notFuture"` (the start) make a master active while it is valid now:
 * the successor is linked, an expired or not-yet-valid master never is, the end day itself still counts for a date.
 * Plan, apply, the guard and discover read them alike; a column of another type is one clear error.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, discover, installGuard, plan } from '../../src/index.js';
import type { BackfillError } from '../../src/errors.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const valid = [
  { column: 'valid_from', activeWhen: 'notFuture' },
  { column: 'valid_to', activeWhen: 'notPast' },
] as const;
const config = ordersConfig({}, { active: valid });

describeEach('validity dates as the active predicate', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL, valid_from date, valid_to date);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers);
      INSERT INTO customers VALUES
        (1, 1, 'Acme', '2015-01-01', '2020-12-31'),   -- expired: its successor below has the name now
        (2, 1, 'Acme', '2021-01-01', NULL),
        (3, 1, 'Beta', NULL, current_date),            -- ends today: still valid today
        (4, 1, 'Gamma', current_date + 30, NULL),      -- not valid yet
        (5, 1, 'Delta', NULL, current_date - 1),       -- ended yesterday
        (6, 1, 'Omega', NULL, NULL),
        (7, 2, 'Acme', '2015-01-01', '2020-12-31');    -- another tenant's, expired
      INSERT INTO orders (id, tenant_id, customer_name) VALUES
        (1, 1, 'Acme'), (2, 1, 'Beta'), (3, 1, 'Gamma'), (4, 1, 'Delta'), (5, 1, 'Omega'), (6, 2, 'Acme');`);
  });
  afterEach(async () => t.dispose());

  const links = async (): Promise<[number, number | null][]> =>
    (await t.db.query<{ id: number; fk: number | null }>(`SELECT id, customer_id AS fk FROM orders ORDER BY id`)).rows.map((r) => [
      r.id,
      r.fk,
    ]);

  it('links the master valid now: the successor, one ending today; never an expired or not-yet-valid one', async () => {
    // without the predicate the expired record and its successor make Acme ambiguous, and expired Delta (and tenant 2's
    // expired Acme) are linked
    const before = await plan(t.db, { config: ordersConfig(), allTenants: true });
    expect([before.results[0]!.recordsMatched, before.results[0]!.recordsAmbiguous]).toEqual([5, 1]);
    const p = await plan(t.db, { config, allTenants: true });
    expect([p.results[0]!.recordsMatched, p.results[0]!.recordsAmbiguous]).toEqual([3, 0]);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    expect(a.totalUpdated).toBe(3);
    expect(await links()).toEqual([
      [1, 2],
      [2, 3],
      [3, null],
      [4, null],
      [5, 6],
      [6, null],
    ]);
  });

  it('the guard links a new document to the master valid now, and leaves a name only an expired master has NULL', async () => {
    await installGuard(t.db, { config });
    await t.db.exec(`INSERT INTO orders (id, tenant_id, customer_name) VALUES (10, 1, 'Acme'), (11, 1, 'Delta'), (12, 1, 'Beta')`);
    const rows = await t.db.query<{ fk: number | null }>(`SELECT customer_id AS fk FROM orders WHERE id >= 10 ORDER BY id`);
    expect(rows.rows.map((r) => r.fk)).toEqual([2, null, 3]);
  });

  it('discover proposes both dates; a column that is not a date or timestamp is one clear error', async () => {
    const r = await discover(t.db);
    const link = r.proposals.find((x) => x.fk === 'customer_id')!.link;
    expect(link.target.active).toEqual([
      { column: 'valid_to', activeWhen: 'notPast' },
      { column: 'valid_from', activeWhen: 'notFuture' },
    ]);
    await t.db.exec(`ALTER TABLE customers ADD COLUMN ends text`);
    const e = (await plan(t.db, {
      config: ordersConfig({}, { active: { column: 'ends', activeWhen: 'notPast' } }),
      allTenants: true,
    }).catch((x: unknown) => x)) as BackfillError;
    expect([e.code, e.exitCode, e.message]).toEqual([
      'SCHEMA_TYPE_MISMATCH',
      2,
      'customers.ends must be a date or timestamp to serve as a validity date ("activeWhen": "notPast"), is text ($.links[0].target.active)',
    ]);
  });

  it('a timestamp validity ends at its time, not its day', async () => {
    await t.db.exec(`
      ALTER TABLE customers ALTER COLUMN valid_to TYPE timestamptz USING valid_to::timestamptz;
      UPDATE customers SET valid_to = now() - interval '1 hour' WHERE id = 3;   -- Beta ended an hour ago
      UPDATE customers SET valid_to = now() + interval '1 hour' WHERE id = 5;   -- Delta ends in an hour`);
    const p = await plan(t.db, { config, allTenants: true });
    await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    expect(await links()).toEqual([
      [1, 2],
      [2, null],
      [3, null],
      [4, 5],
      [5, 6],
      [6, null],
    ]);
  });
});
