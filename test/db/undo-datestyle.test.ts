/**
 * The change log keeps each row's old updated_at as text, written by the apply's session and read back by the
 * undo's. Written in that session's DateStyle, a date was read back in the other's: apply under `SQL, DMY` stored
 * 04/03/2020 (4 March), an undo under `SQL, MDY` put back 3 April. Stored as ISO 8601 (jsonb's form), it reads the
 * same in any DateStyle. So does a reactivated master's old active value, which masters undo puts back.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, openDatabase, plan, resumeApply, undo } from '../../src/index.js';
import { createMasters, proposeMasters } from '../../src/masters/masters.js';
import type { Database } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';
import type { ConfigInput, LinkInput } from '../../src/config/schema.js';

const config = ordersConfig({ updatedAt: 'updated_at' });

/** sales_orders.account_no → accounts by name, per org (the masters tests' link), with `target` fields added. */
const accountsConfig = (target: Partial<LinkInput['target']> = {}): ConfigInput => ({
  links: [
    {
      entity: 'order',
      table: 'sales_orders',
      key: 'id',
      fk: 'account_no',
      name: 'account_name',
      scope: ['org'],
      target: { table: 'accounts', key: 'acct_no', name: 'name', ...target },
    },
  ],
});

describeEach('undo across sessions with different DateStyles', (target) => {
  let t: TestDb;
  const opened: Database[] = [];
  afterEach(async () => {
    for (const d of opened.splice(0)) await d.close();
    await t.dispose();
  });

  /** A handle whose sessions use `style`: on PostgreSQL a connection option, on PGlite (one session) a SET. */
  async function withStyle(style: string, setting = 'datestyle', more = ''): Promise<Database> {
    if (target === 'pglite') {
      await t.db.exec(`SET ${setting} = '${style}'`);
      return t.db;
    }
    const u = new URL(t.url);
    u.searchParams.set('options', `-c ${setting}=${style.replace(' ', '')}${more}`);
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

  it('puts back an updated_at without time zone though the apply and the undo ran in different time zones', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id), updated_at timestamp);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Beta');
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL, '2024-03-01 10:00:00'), (2, 1, 'Beta', NULL, '2024-03-01 10:00:00'), (3, 1, 'Acme', NULL, '2024-03-01 10:00:00');`);
    const state = `SELECT id || ' ' || coalesce(customer_id::text, '-') || ' ' || updated_at::text AS v FROM orders ORDER BY id`;
    const before = (await t.db.query<{ v: string }>(state)).rows;
    for (const singleTransaction of [true, false]) {
      const writer = await withStyle('America/New_York', 'TimeZone');
      const a = await apply(writer, { config, allTenants: true, batchSize: 2 });
      expect(a.totalUpdated).toBe(3);
      const reader = await withStyle('UTC', 'TimeZone');
      const u = await undo(reader, { runId: a.runId, singleTransaction });
      expect([u.totalReverted, u.totalSkipped]).toEqual([3, 0]);
      if (target === 'pglite') await t.db.exec(`RESET TimeZone`);
      expect([singleTransaction, (await t.db.query<{ v: string }>(state)).rows]).toEqual([singleTransaction, before]);
    }
  });

  it('the same for a domain over timestamptz, and for a run stopped in one zone and resumed in another', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE DOMAIN audit_ts AS timestamptz;
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id), updated_at audit_ts);
      CREATE TABLE invoices (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id), updated_at timestamp);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Beta');
      INSERT INTO orders SELECT g, 1, CASE WHEN g % 2 = 0 THEN 'Acme' ELSE 'Beta' END, NULL, '2024-03-01 10:00:00+00' FROM generate_series(1, 4) g;
      INSERT INTO invoices SELECT g, 1, CASE WHEN g % 2 = 0 THEN 'Acme' ELSE 'Beta' END, NULL, '2024-03-01 10:00:00' FROM generate_series(1, 40) g;`);
    const state = (table: string): string =>
      `SELECT string_agg(id || ' ' || coalesce(customer_id::text, '-') || ' ' || updated_at::text, '|' ORDER BY id) AS v FROM ${table}`;
    const before = [(await t.db.query<{ v: string }>(state('orders'))).rows, (await t.db.query<{ v: string }>(state('invoices'))).rows];
    // a domain over timestamptz, applied in New York, undone in UTC
    const writer = await withStyle('America/New_York', 'TimeZone');
    const a = await apply(writer, { config, allTenants: true });
    const reader = await withStyle('UTC', 'TimeZone');
    expect((await undo(reader, { runId: a.runId })).totalReverted).toBe(4);
    // a timestamp without time zone: stopped in New York after one batch, resumed and undone in UTC
    const invoices = ordersConfig({ updatedAt: 'updated_at', table: 'invoices' });
    const ac = new AbortController();
    const writer2 = await withStyle('America/New_York', 'TimeZone');
    const b = await apply(writer2, {
      config: invoices,
      allTenants: true,
      batchSize: 10,
      signal: ac.signal,
      onProgress: (e) => e.event === 'batch' && ac.abort(),
    });
    expect(b.status).toBe('stopped');
    const resumer = await withStyle('UTC', 'TimeZone');
    expect((await resumeApply(resumer, { runId: b.runId })).status).toBe('done');
    const u = await undo(resumer, { runId: b.runId, singleTransaction: false });
    expect([u.totalReverted, u.totalSkipped]).toEqual([40, 0]);
    if (target === 'pglite') await t.db.exec(`RESET TimeZone`);
    expect([(await t.db.query<{ v: string }>(state('orders'))).rows, (await t.db.query<{ v: string }>(state('invoices'))).rows]).toEqual(
      before,
    );
  });

  it('a key holding a date (a partitioned table keyed by (id, bill_date)): undo finds every row whatever DateStyle wrote the log', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE invoices (id int NOT NULL, bill_date date NOT NULL, billed_at timestamp NOT NULL, tenant_id int NOT NULL, customer_name text,
                             customer_id int REFERENCES customers (id), updated_at timestamptz, PRIMARY KEY (id, bill_date, billed_at))
        PARTITION BY RANGE (bill_date);
      CREATE TABLE invoices_2024 PARTITION OF invoices FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Beta');
      INSERT INTO invoices VALUES (1, '2024-03-05', '2024-03-05 08:00', 1, 'Acme', NULL, '2024-03-05 08:00+00'),
                                  (2, '2024-03-20', '2024-03-20 17:30:15.25', 1, 'Beta', NULL, '2024-03-20 17:30+00'),
                                  (3, '2024-11-02', '2024-11-02 00:00', 1, 'Acme', NULL, '2024-11-02 00:00+00');`);
    const cfg: ConfigInput = {
      links: [
        {
          entity: 'invoice',
          table: 'invoices',
          key: ['id', 'bill_date', 'billed_at'],
          fk: 'customer_id',
          name: 'customer_name',
          scope: ['tenant_id'],
          updatedAt: 'updated_at',
          target: { table: 'customers', key: 'id', name: 'customer_name' },
        },
      ],
    };
    const state = `SELECT id || ' ' || coalesce(customer_id::text, '-') || ' ' || to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS v FROM invoices ORDER BY id`;
    const before = (await t.db.query<{ v: string }>(state)).rows;
    const writer = await withStyle('SQL, DMY');
    const a = await apply(writer, { config: cfg, allTenants: true, batchSize: 2 });
    expect(a.totalUpdated).toBe(3);
    const reader = await withStyle('ISO, MDY');
    const u = await undo(reader, { runId: a.runId, singleTransaction: false });
    expect([u.totalReverted, u.totalSkipped]).toEqual([3, 0]);
    if (target === 'pglite') await t.db.exec(`RESET datestyle`);
    expect((await t.db.query<{ v: string }>(state)).rows).toEqual(before);
  });

  it("masters undo puts back a reactivated master's old deleted_at exactly, whatever DateStyle created and undid it", async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE accounts (acct_no int GENERATED BY DEFAULT AS IDENTITY (START WITH 500) PRIMARY KEY, org text NOT NULL, name text NOT NULL, deleted_at timestamptz);
      CREATE TABLE sales_orders (id int PRIMARY KEY, org text NOT NULL, account_name text, account_no int REFERENCES accounts);
      INSERT INTO accounts (acct_no, org, name, deleted_at) VALUES (101, 'o1', 'Gone Ltd', '2024-03-01 10:00:00+00');
      INSERT INTO sales_orders VALUES (1, 'o1', 'Gone Ltd', NULL);`);
    const cfg = accountsConfig({ active: { column: 'deleted_at', activeWhen: 'null' } });
    const writer = await withStyle('SQL, DMY');
    const file = await proposeMasters(writer, { config: cfg, tenantId: 'o1' });
    Object.assign(file.proposals[0]!, { action: 'reactivate', reactivateKey: '101', approved: true });
    const made = await createMasters(writer, { config: cfg, tenantId: 'o1', proposals: file, by: 'ana' });
    const reader = await withStyle('SQL, MDY');
    const u = await undo(reader, { runId: made.runId });
    expect(u.totalReverted).toBe(1);
    if (target === 'pglite') await t.db.exec(`RESET datestyle`);
    const r = await t.db.query<{ v: string }>(`SELECT to_char(deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS v FROM accounts`);
    expect(r.rows).toEqual([{ v: '2024-03-01 10:00' }]);
  });

  it('masters undo deletes a created master with timestamptz and float columns though the undo runs in another time zone and float precision', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE accounts (acct_no int GENERATED BY DEFAULT AS IDENTITY (START WITH 500) PRIMARY KEY, org text NOT NULL, name text NOT NULL,
                             created_at timestamptz NOT NULL DEFAULT now(), open_for interval NOT NULL DEFAULT interval '1 day 02:00',
                             rate float8 NOT NULL DEFAULT 0.1::float8 + 0.2::float8);
      CREATE TABLE sales_orders (id int PRIMARY KEY, org text NOT NULL, account_name text, account_no int REFERENCES accounts);
      INSERT INTO sales_orders VALUES (1, 'o1', 'Nova Works', NULL);`);
    const cfg = accountsConfig();
    const writer = await withStyle('America/New_York', 'timezone');
    const file = await proposeMasters(writer, { config: cfg, tenantId: 'o1' });
    Object.assign(file.proposals[0]!, { approved: true });
    const made = await createMasters(writer, { config: cfg, tenantId: 'o1', proposals: file, by: 'ana' });
    expect(made.created.length).toBe(1);
    if (target === 'pglite') await t.db.exec(`SET intervalstyle = 'iso_8601'; SET extra_float_digits = 0`);
    const reader = await withStyle('Asia/Tokyo', 'timezone', ' -c extra_float_digits=0');
    const u = await undo(reader, { runId: made.runId });
    expect([u.totalReverted, u.totalSkipped]).toEqual([1, 0]);
    // the session's own settings are back after the fingerprint read
    expect(
      (
        await reader.query<{ tz: string; f: string }>(
          `SELECT current_setting('TimeZone') AS tz, current_setting('extra_float_digits') AS f`,
        )
      ).rows[0],
    ).toEqual({ tz: 'Asia/Tokyo', f: '0' });
    if (target === 'pglite') await t.db.exec(`RESET timezone; RESET intervalstyle; RESET extra_float_digits`);
    expect((await t.db.query(`SELECT * FROM accounts`)).rows).toEqual([]);
  });
});
