/**
 * An FK column of another integer type than the master's key, or a domain over it (PostgreSQL accepts an FK
 * constraint between them): plan, apply, verify, constrain --tenant-safe and undo work; a text FK against an integer
 * key is still refused, naming both types. (A new user's trial: "orders.customer_id is integer but customers.id is
 * bigint" refused a schema its own FK constraint allowed.)
 */
import { afterEach, expect, it } from 'vitest';
import { apply, constrain, installGuard, plan, undo, verify } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

describeEach('FK and key of two integer types', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('integer → bigint and a domain over integer: linked, verified, constrained tenant-safe, undone', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE DOMAIN cust_ref AS integer;
      CREATE TABLE customers (id bigint PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id cust_ref, note_ref text);
      INSERT INTO customers SELECT i, 1 + i % 3, 'Cust ' || i FROM generate_series(1, 30) i;
      INSERT INTO orders SELECT i, 1 + (i % 30 + 1) % 3, 'Cust ' || (i % 30 + 1), NULL, NULL FROM generate_series(1, 90) i;`);
    const config = ordersConfig();
    const p = await plan(t.db, { config, allTenants: true });
    expect(p.results[0]!.recordsMatched).toBe(90);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId, batchSize: 20 });
    expect(a.totalUpdated).toBe(90);
    const v = await verify(t.db, { config, allTenants: true });
    expect([v.links[0]!.orphans, v.links[0]!.crossScope]).toEqual([0, 0]);
    await constrain(t.db, { config, allTenants: true, tenantSafe: true });
    // order 2 is tenant 1, customer 2 is tenant 3: the tenant-safe FK refuses the cross-tenant value
    await expect(t.db.exec(`UPDATE orders SET customer_id = 2 WHERE id = 2`)).rejects.toThrow(/foreign key/);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(90);
    const n = await t.db.query<{ n: number }>(`SELECT count(customer_id)::int AS n FROM orders`);
    expect(n.rows[0]!.n).toBe(0);
    await expect(plan(t.db, { config: ordersConfig({ fk: 'note_ref' }), allTenants: true })).rejects.toMatchObject({
      code: 'SCHEMA_TYPE_MISMATCH',
      message: expect.stringContaining('orders.note_ref is text but customers.id is bigint'),
    });
  });

  it('a text FK beside a uuid key (uuids kept as text): refused with the ALTER that retypes it; after it, linked', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE "Patients" (id uuid PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE "Visits" (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, "Patient Ref" varchar(36));
      INSERT INTO "Patients" VALUES ('00000000-0000-0000-0000-00000000000a', 1, 'Ann Lee'), ('00000000-0000-0000-0000-00000000000b', 1, 'Bo Chan');
      INSERT INTO "Visits" VALUES (1, 1, 'Ann Lee', NULL), (2, 1, 'Bo Chan', ''), (3, 1, 'Cy Moe', NULL);`);
    const config = ordersConfig({ table: 'Visits', fk: 'Patient Ref' }, { table: 'Patients' });
    const e = await plan(t.db, { config, allTenants: true }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'SCHEMA_TYPE_MISMATCH' });
    const sql = /e\.g\. (ALTER TABLE .*) \(\$\.links\[0\]\.fk\)$/.exec((e as Error).message)?.[1];
    expect(sql).toBe(`ALTER TABLE "Visits" ALTER COLUMN "Patient Ref" TYPE uuid USING nullif(btrim("Patient Ref"), '')::uuid`);
    await t.db.exec(sql!);
    const p = await plan(t.db, { config, allTenants: true });
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    expect(a.totalUpdated).toBe(2);
  });

  for (const match of ['exact', 'fuzzy'] as const) {
    it(`${match}: a smallint FK beside an integer key: a master whose key it cannot hold is left unmatched, saying why; the rest linked, and the guard never fails an insert`, async () => {
      t = await freshDb(target);
      await t.db.exec(`
        CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
        CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id smallint);
        INSERT INTO customers VALUES (1, 1, 'Alpha Tools'), (40000, 1, 'Delta Works'), (-40000, 1, 'Minus Ltd');
        INSERT INTO orders VALUES (1, 1, 'Alpha Tools', NULL), (2, 1, 'Delta Works', NULL), (3, 1, 'Minus Ltd', NULL), (4, 1, 'Alpha Tools', NULL);`);
      const config = ordersConfig({ match });
      const p = await plan(t.db, { config, allTenants: true });
      const r = p.results[0]!;
      expect([r.recordsMatched, r.recordsUnmatched]).toEqual([2, 2]);
      expect(r.unmatchedRecords.map((u) => [u.entityName, u.reason])).toEqual([
        ['Delta Works', "its master's key does not fit customer_id (smallint, -32768 to 32767): widen the column to link it"],
        ['Minus Ltd', "its master's key does not fit customer_id (smallint, -32768 to 32767): widen the column to link it"],
      ]);
      const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
      expect([a.status, a.totalUpdated]).toEqual(['done', 2]);
      const linked = await t.db.query<{ id: number; customer_id: number | null }>(`SELECT id, customer_id FROM orders ORDER BY id`);
      expect(linked.rows).toEqual([
        { id: 1, customer_id: 1 },
        { id: 2, customer_id: null },
        { id: 3, customer_id: null },
        { id: 4, customer_id: 1 },
      ]);
      // the application's inserts after the guard: the one it can link is linked, the other left NULL as a miss
      await installGuard(t.db, { config });
      await t.db.exec(`INSERT INTO orders VALUES (5, 1, 'Delta Works', NULL), (6, 1, 'Alpha Tools', NULL)`);
      const guarded = await t.db.query<{ id: number; customer_id: number | null }>(
        `SELECT id, customer_id FROM orders WHERE id > 4 ORDER BY id`,
      );
      expect(guarded.rows).toEqual([
        { id: 5, customer_id: null },
        { id: 6, customer_id: 1 },
      ]);
      const miss = await t.db.query<{ reason: string }>(`SELECT reason FROM fk_backfill.guard_misses WHERE source_name = 'Delta Works'`);
      expect(miss.rows).toEqual([{ reason: 'key does not fit smallint' }]);
    });
  }

  for (const [what, fkType, keyType, keys, reason] of [
    [
      'a numeric(12,0) FK beside a numeric(16,2) key',
      'numeric(12,0)',
      'numeric(16,2)',
      ["'7'", "'1.50'", "'1234567890123.00'"],
      "its master's key does not fit customer_id (numeric(12,0), at most 12 digit(s) before the point and 0 after it): widen the column to link it",
    ],
    [
      'a varchar(4) FK beside a text key',
      'character varying(4)',
      'text',
      ["'C-07'", "'C-0001'", "'CUST-9'"],
      "its master's key does not fit customer_id (character varying(4), at most 4 character(s)): widen the column to link it",
    ],
  ] as const) {
    for (const match of ['exact', 'fuzzy'] as const) {
      it(`${match}: ${what}: a key it cannot hold is left unmatched, saying why (a trial: apply failed, or a code was cut to the FK's width and counted as "master deleted"); the guard never fails an insert`, async () => {
        t = await freshDb(target);
        await t.db.exec(`
          CREATE TABLE customers (id ${keyType} PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
          CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id ${fkType});
          INSERT INTO customers VALUES (${keys[0]}, 1, 'Alpha Tools'), (${keys[1]}, 1, 'Delta Works'), (${keys[2]}, 1, 'Minus Ltd');
          INSERT INTO orders VALUES (1, 1, 'Alpha Tools', NULL), (2, 1, 'Delta Works', NULL), (3, 1, 'Minus Ltd', NULL), (4, 1, 'Alpha Tools', NULL);`);
        const config = ordersConfig({ match });
        const p = await plan(t.db, { config, allTenants: true });
        const r = p.results[0]!;
        expect([r.recordsMatched, r.recordsUnmatched]).toEqual([2, 2]);
        expect(r.unmatchedRecords.map((u) => [u.entityName, u.reason])).toEqual([
          ['Delta Works', reason],
          ['Minus Ltd', reason],
        ]);
        const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
        expect([a.status, a.totalUpdated, a.results[0]!.skipped]).toEqual(['done', 2, 0]);
        const linked = await t.db.query<{ id: number; ok: boolean | null }>(
          `SELECT o.id, (SELECT c.customer_name FROM customers c WHERE c.id = o.customer_id) = o.customer_name AS ok FROM orders o ORDER BY o.id`,
        );
        expect(linked.rows).toEqual([
          { id: 1, ok: true },
          { id: 2, ok: null },
          { id: 3, ok: null },
          { id: 4, ok: true },
        ]);
        await installGuard(t.db, { config });
        await t.db.exec(`INSERT INTO orders VALUES (5, 1, 'Delta Works', NULL), (6, 1, 'Alpha Tools', NULL)`);
        const guarded = await t.db.query<{ n: number }>(`SELECT count(customer_id)::int AS n FROM orders WHERE id > 4`);
        expect(guarded.rows[0]!.n).toBe(1);
        const miss = await t.db.query<{ reason: string }>(`SELECT reason FROM fk_backfill.guard_misses WHERE source_name = 'Delta Works'`);
        expect(miss.rows).toEqual([{ reason: `key does not fit ${fkType}` }]);
      });
    }
  }

  it('a domain over a narrower type (numeric(5,0), varchar(4)) as the FK: its own modifier bounds the keys, in plan, apply and the guard (a review: the guard linked 12.5 as 13, or failed the insert)', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE DOMAIN money_id AS numeric(5,0);
      CREATE DOMAIN code4 AS varchar(4);
      CREATE TABLE customers (id numeric(10,2) PRIMARY KEY, code text UNIQUE NOT NULL, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id money_id, customer_code code4);
      INSERT INTO customers VALUES (12.5, 'ABCDEFG', 1, 'Half'), (13, 'T13', 1, 'Thirteen');
      INSERT INTO orders VALUES (1, 1, 'Half', NULL, NULL), (2, 1, 'Thirteen', NULL, NULL);`);
    for (const [fk, key, reason] of [
      [
        'customer_id',
        'id',
        "its master's key does not fit customer_id (numeric(5,0), at most 5 digit(s) before the point and 0 after it): widen the column to link it",
      ],
      [
        'customer_code',
        'code',
        "its master's key does not fit customer_code (character varying(4), at most 4 character(s)): widen the column to link it",
      ],
    ] as const) {
      const config = ordersConfig({ fk, entity: `order_${fk}` }, { key });
      const p = await plan(t.db, { config, allTenants: true });
      expect(p.results[0]!.unmatchedRecords.map((u) => [u.entityName, u.reason])).toEqual([['Half', reason]]);
      const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
      expect([a.totalUpdated, a.results[0]!.skipped]).toEqual([1, 0]);
      await installGuard(t.db, { config });
    }
    // the application's inserts: Thirteen linked, Half left NULL (not 13, and no failed insert)
    await t.db.exec(`INSERT INTO orders VALUES (3, 1, 'Half', NULL, NULL), (4, 1, 'Thirteen', NULL, NULL)`);
    const rows = await t.db.query<{ id: number; fk: string | null; code: string | null }>(
      `SELECT id, customer_id::text AS fk, customer_code AS code FROM orders WHERE id > 2 ORDER BY id`,
    );
    expect(rows.rows).toEqual([
      { id: 3, fk: null, code: null },
      { id: 4, fk: '13', code: 'T13' },
    ]);
  });
});
