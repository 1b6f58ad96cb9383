/**
 * Row identity (issue #23, item 1): a `key` that repeats (a partitioned table's `id` under the primary
 * key `(id, order_date)`) or may be NULL is refused before anything is written, naming a key that works;
 * a composite key makes apply + undo exact, hand-set FKs included. Masters keyed by `(tenant_id, id)`
 * are configured as such and linked within the tenant.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, decide, plan, undo } from '../../src/index.js';
import { BackfillError } from '../../src/errors.js';
import type { ConfigInput, LinkInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function config(key: LinkInput['key'], extra: Partial<LinkInput> = {}): ConfigInput {
  return {
    links: [
      {
        entity: 'order',
        table: 'orders',
        key,
        fk: 'customer_id',
        name: 'customer_name',
        scope: ['tenant_id'],
        target: { table: 'customers', key: 'id', name: 'customer_name' },
        ...extra,
      },
    ],
  };
}

/** ids 1..4 in both partitions; rows 1 and 2 of 2025 have FKs set by hand (one to the master the run would pick). */
async function partitioned(t: TestDb): Promise<void> {
  await t.db.exec(`
    CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
    CREATE TABLE orders (id int NOT NULL, order_date date NOT NULL, tenant_id int NOT NULL, customer_name text, customer_id int,
                         updated_at timestamptz NOT NULL DEFAULT timestamptz '2026-01-01 00:00:00+00',
                         PRIMARY KEY (id, order_date)) PARTITION BY RANGE (order_date);
    CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE orders_2026 PARTITION OF orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    INSERT INTO customers VALUES (10, 1, 'ABC Corp'), (11, 1, 'XYZ Ltd');
    INSERT INTO orders (id, order_date, tenant_id, customer_name, customer_id) VALUES
      (1, '2025-03-01', 1, 'ABC Corp', 10), (2, '2025-03-02', 1, 'ABC Corp', 11), (3, '2025-03-03', 1, 'Nobody', NULL),
      (1, '2026-03-01', 1, 'ABC Corp', NULL), (2, '2026-03-02', 1, 'ABC Corp', NULL), (3, '2026-03-03', 1, 'XYZ Ltd', NULL), (4, '2026-03-04', 1, 'Nobody', NULL);`);
}

const snapshot = async (t: TestDb): Promise<string> =>
  (await t.db.query<{ s: string }>(`SELECT string_agg(o::text, '|' ORDER BY o.id, o.order_date) AS s FROM orders o`)).rows[0]!.s;

const ownSchema = async (t: TestDb): Promise<number> =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'fk_backfill'`)).rows[0]!.n;

async function refused(p: Promise<unknown>): Promise<BackfillError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(BackfillError);
  return e as BackfillError;
}

describeEach('row identity: composite and non-unique keys', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('"key": "id" on a partitioned table keyed (id, order_date) is refused before anything is written, naming the key that works', async () => {
    t = await freshDb(target, { migrated: false });
    await partitioned(t);
    const before = await snapshot(t);
    // one call at a time: a second promise made up front rejects with nothing awaiting it yet (an unhandled rejection)
    for (const call of [
      () => plan(t.db, { config: config('id'), tenantId: '1' }),
      () => apply(t.db, { config: config('id'), tenantId: '1' }),
    ]) {
      const e = await refused(call());
      expect(e.code).toBe('SCHEMA_KEY_NOT_UNIQUE');
      expect(e.exitCode).toBe(2);
      expect(e.message).toBe(
        'order: "key": "id" does not identify one row: no unique index or primary key of orders is over "id" (it may repeat, e.g. across partitions); use "key": ["id","order_date"] ($.links[0].key)',
      );
    }
    expect(await ownSchema(t)).toBe(0);
    expect(await snapshot(t)).toBe(before);
  });

  it('with ["id", "order_date"]: apply links exactly the NULL rows, undo leaves the table as it was (hand-set FKs included), batched and in one transaction', async () => {
    t = await freshDb(target);
    await partitioned(t);
    const before = await snapshot(t);
    const cfg = config(['id', 'order_date']);
    for (const batched of [true, false]) {
      const a = await apply(t.db, { config: cfg, tenantId: '1', ...(batched ? { singleTransaction: false, batchSize: 1 } : {}) });
      expect(a.totalUpdated).toBe(3);
      const linked = await t.db.query<{ id: number; d: string; c: number }>(
        `SELECT id, order_date::text AS d, customer_id AS c FROM orders WHERE order_date >= '2026-01-01' AND customer_id IS NOT NULL ORDER BY id`,
      );
      expect(linked.rows).toEqual([
        { id: 1, d: '2026-03-01', c: 10 },
        { id: 2, d: '2026-03-02', c: 10 },
        { id: 3, d: '2026-03-03', c: 11 },
      ]);
      const log = await t.db.query<{ k: string }>(`SELECT row_key AS k FROM fk_backfill.changes WHERE run_id = $1::int8 ORDER BY row_key`, [
        a.runId,
      ]);
      expect(log.rows.map((r) => r.k)).toEqual(['{1,2026-03-01}', '{2,2026-03-02}', '{3,2026-03-03}']);
      const u = await undo(t.db, { runId: a.runId, ...(batched ? { singleTransaction: false, batchSize: 2 } : {}) });
      expect(u.totalReverted).toBe(3);
      expect(u.totalSkipped).toBe(0);
      expect(await snapshot(t)).toBe(before);
    }
  });

  it('a key column that may be NULL (no primary key) is refused; a unique key over NOT NULL columns is accepted', async () => {
    t = await freshDb(target, { migrated: false });
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int, doc_no text NOT NULL UNIQUE, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (10, 1, 'ABC Corp');
      INSERT INTO orders VALUES (1, 'A-1', 1, 'ABC Corp', NULL), (NULL, 'A-2', 1, 'ABC Corp', NULL);`);
    const e = await refused(apply(t.db, { config: config('id'), tenantId: '1' }));
    expect(e.message).toBe(
      'order: "key": "id" does not identify one row: no unique index or primary key of orders is over "id" (it may repeat, e.g. across partitions); use "key": "doc_no" ($.links[0].key)',
    );
    await t.db.exec(`CREATE UNIQUE INDEX ON orders (id)`);
    const n = await refused(apply(t.db, { config: config('id'), tenantId: '1' }));
    expect(n.message).toBe('order: "key": "id" does not identify one row: orders.id may be NULL; use "key": "doc_no" ($.links[0].key)');
    expect(await ownSchema(t)).toBe(0);
    const a = await apply(t.db, { config: config('doc_no'), tenantId: '1' });
    expect(a.totalUpdated).toBe(2);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(2);
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE customer_id IS NULL`)).rows[0]!.n).toBe(2);
  });

  it('undo refuses a run whose key stopped identifying one row, and sets back nothing', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int NOT NULL CONSTRAINT orders_pk PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (10, 1, 'ABC Corp');
      INSERT INTO orders VALUES (1, 1, 'ABC Corp', NULL), (2, 1, 'ABC Corp', NULL);`);
    const a = await apply(t.db, { config: config('id'), tenantId: '1' });
    expect(a.totalUpdated).toBe(2);
    // the application re-keys the table: id repeats now, one copy set by hand to the same master
    await t.db.exec(`ALTER TABLE orders DROP CONSTRAINT orders_pk; INSERT INTO orders VALUES (1, 1, 'ABC Corp', 10);`);
    const e = await refused(undo(t.db, { runId: a.runId }));
    expect(e.code).toBe('SCHEMA_KEY_NOT_UNIQUE');
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE customer_id = 10`)).rows[0]!.n).toBe(3);
  });

  it('masters keyed (tenant_id, id): "target.key": ["tenant_id", "id"] links within the tenant; a list without the scope is refused', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (tenant_id int NOT NULL, id int NOT NULL, customer_name text NOT NULL, PRIMARY KEY (tenant_id, id));
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'ABC Corp'), (1, 2, 'XYZ Ltd'), (2, 1, 'XYZ Ltd'), (2, 2, 'ABC Corp');
      INSERT INTO orders VALUES (1, 1, 'ABC Corp', NULL), (2, 1, 'XYZ Ltd', NULL), (3, 2, 'ABC Corp', NULL), (4, 2, 'XYZ Ltd', NULL);`);
    const cfg = config('id', { target: { table: 'customers', key: ['tenant_id', 'id'], name: 'customer_name' } });
    const a = await apply(t.db, { config: cfg, allTenants: true });
    expect(a.totalUpdated).toBe(4);
    const wrong = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders o JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id WHERE c.customer_name <> o.customer_name`,
    );
    expect(wrong.rows[0]!.n).toBe(0);
    expect((await t.db.query<{ s: string }>(`SELECT string_agg(customer_id::text, ',' ORDER BY id) AS s FROM orders`)).rows[0]!.s).toBe(
      '1,2,2,1',
    );
    // a person's alias to id 1 of tenant 2 (id 1 exists in both tenants): accepted, shown as tenant 2's master
    await t.db.exec(`INSERT INTO orders VALUES (5, 2, 'XYZ Limited', NULL)`);
    const d = await decide(t.db, {
      config: cfg,
      link: 'order',
      scopeKey: ['2'],
      name: 'XYZ Limited',
      action: 'alias',
      targetKey: '1',
      by: 'test',
    });
    expect(d.changed).toBe(true);
    const p2 = await plan(t.db, { config: cfg, allTenants: true });
    expect(p2.results[0]!.inferredLinks.map((i) => [i.scopeKey, i.name, i.targetKey, i.method])).toEqual([
      [['2'], 'XYZ Limited', '1', 'decision'],
    ]);
    await apply(t.db, { config: cfg, allTenants: true, planRunId: p2.runId });
    expect((await t.db.query<{ c: number }>(`SELECT customer_id AS c FROM orders WHERE id = 5`)).rows[0]!.c).toBe(1);
    await expect(
      decide(t.db, { config: cfg, link: 'order', scopeKey: ['2'], name: 'XYZ Limited', action: 'alias', targetKey: '3', by: 'test' }),
    ).rejects.toMatchObject({ message: expect.stringContaining('target key 3 is not a master') });
    const e = await refused(
      plan(t.db, {
        config: config('id', { scope: [], target: { table: 'customers', key: ['tenant_id', 'id'], name: 'customer_name' } }),
        allTenants: true,
      }),
    );
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(
      'target.key ["tenant_id","id"] names 2 columns that are not scope columns (tenant_id, id): customer_id points at one of them; the others belong in "scope"',
    );
    // only scope columns (a trial: "Region", the scope, as the key was told "must be one column")
    const only = await refused(
      plan(t.db, { config: config('id', { target: { table: 'customers', key: 'tenant_id', name: 'customer_name' } }), allTenants: true }),
    );
    expect(only.code).toBe('CONFIG_INVALID');
    expect(only.message).toContain(
      'target.key "tenant_id" holds only scope columns (tenant_id): it must name the column customer_id points at (the master\'s id), alone or after the scope columns',
    );
  });

  it('CLI: a repeating key exits 2 with one line naming the key that works, nothing written; --json gives one document', async () => {
    t = await freshDb(target, { onDisk: true });
    await partitioned(t);
    await t.release();
    const dir = mkdtempSync(join(tmpdir(), 'fkb-key-'));
    const file = join(dir, 'fk-backfill.json');
    writeFileSync(file, JSON.stringify(config('id')));
    const r = await runCli(['apply', '--db', t.url, '--config', file, '--tenant', '1', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('use "key": ["id","order_date"]');
    const j = await runCli(['plan', '--db', t.url, '--config', file, '--tenant', '1', '--json']);
    expect(j.code).toBe(2);
    expect(j.json<{ error: { code: string } }>().error.code).toBe('SCHEMA_KEY_NOT_UNIQUE');
  });
});
