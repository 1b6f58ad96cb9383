/**
 * The write-time guard and the drift report (issue #20) on both targets: plain-SQL writes after
 * `apply` + `guard install` get the FK the project trusts (exact active name, accepted alias), never
 * the rest; the guard's links are audited and undone like an apply's; `guard remove` leaves nothing.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, decide, drift, guardStatus, installGuard, plan, removeGuard, undo } from '../../src/index.js';
import { createAxis, DEMO_TENANT, OTHER_TENANT } from '../../src/demo/axis.js';
import { getRun } from '../../src/store/runs.js';
import type { Queryable } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const SO = ['sales_order'];

async function idOf(db: Queryable, name: string, tenant = DEMO_TENANT): Promise<string> {
  const r = await db.query<{ id: string }>(
    `SELECT id::text AS id FROM customers WHERE customer_name = $1 AND tenant_id = $2 AND is_active ORDER BY id LIMIT 1`,
    [name, tenant],
  );
  return r.rows[0]!.id;
}

/** Inserts one order by plain SQL and returns its customer_id. */
async function insert(
  db: Queryable,
  number: string,
  name: string | null,
  opts: { tenant?: string; fk?: string } = {},
): Promise<string | null> {
  const r = await db.query<{ fk: string | null }>(
    `INSERT INTO sales_orders (tenant_id, order_number, customer_name, customer_id) VALUES ($1::uuid, $2, $3, $4::uuid) RETURNING customer_id::text AS fk`,
    [opts.tenant ?? DEMO_TENANT, number, name, opts.fk ?? null],
  );
  return r.rows[0]!.fk;
}

async function fkOf(db: Queryable, number: string): Promise<string | null> {
  return (await db.query<{ fk: string | null }>(`SELECT customer_id::text AS fk FROM sales_orders WHERE order_number = $1`, [number]))
    .rows[0]!.fk;
}

async function guardObjects(db: Queryable): Promise<{ triggers: number; functions: number }> {
  const r = await db.query<{ triggers: string; functions: string }>(
    `SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'zz\\_fkb\\_guard\\_%')::text AS triggers,
            (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'fk_backfill' AND p.proname LIKE 'guard\\_%')::text AS functions`,
  );
  return { triggers: Number(r.rows[0]!.triggers), functions: Number(r.rows[0]!.functions) };
}

describeEach('guard', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target, { migrated: false });
    await createAxis(t.db);
    await t.db.query(
      `INSERT INTO customers (tenant_id, customer_number, customer_name, is_active) VALUES
         ($1, 'CUST-010', 'Dup Co', true), ($1, 'CUST-011', 'Dup Co', true), ($1, 'CUST-012', 'Gone Inc', false),
         ($2, 'CUST-013', 'Other Only', true)`,
      [DEMO_TENANT, OTHER_TENANT],
    );
    await t.db.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'SO-OLD-BETA', 'Beta Industries')`, [
      DEMO_TENANT,
    ]);
  });
  afterEach(async () => t.dispose());

  it("fills a NULL FK from an exact active name or an accepted alias; keeps an explicit FK; never an ambiguous, inactive, never-decided or other tenant's name", async () => {
    const db = t.db;
    const a = await apply(db, { allTenants: true, entities: SO, singleTransaction: true });
    expect(a.results[0]!.updated).toBeGreaterThan(0);
    const acme = await idOf(db, 'Acme Corporation');
    const beta = await idOf(db, 'Beta Industries');
    const testCustomer = await idOf(db, 'Test Customer');
    await decide(db, { link: 'sales_order', scopeKey: [DEMO_TENANT], name: 'ACME', action: 'alias', targetKey: acme, by: 'ana' });
    await decide(db, { link: 'sales_order', scopeKey: [DEMO_TENANT], name: 'ABC Corp', action: 'never', by: 'ana' });
    // the master the apply linked "Beta Industries" to is renamed: the name stays an accepted alias
    await db.query(`UPDATE customers SET customer_name = 'Beta Industries AG' WHERE id = $1`, [beta]);

    const g = await installGuard(db, { entities: SO, executedBy: 'test' });
    expect(g.guards.map((x) => x.entityType)).toEqual(SO);
    // the table named as guardStatus (and removeGuard) name it, schema-qualified: before, install said `sales_orders`
    expect(g.guards.map((x) => x.table)).toEqual(['public.sales_orders']);
    expect((await guardStatus(db)).guards.map((x) => x.table)).toEqual(['public.sales_orders']);
    // the 'never' is not an alias (a trial: install counted it among the aliases from decisions)
    expect([g.aliases.decision, g.aliases.never]).toEqual([1, 1]);
    expect(g.aliases.apply).toBeGreaterThan(0);
    expect((await getRun(db, g.runId)).kind).toBe('guard');

    expect(await insert(db, 'G-EXACT', 'Acme Corporation')).toBe(acme);
    expect(await insert(db, 'G-DECIDED', 'ACME')).toBe(acme);
    expect(await insert(db, 'G-APPLIED', 'Beta Industries')).toBe(beta);
    expect(await insert(db, 'G-ACTIVE-DUP', 'Test Customer')).toBe(testCustomer); // its inactive namesake does not count
    expect(await insert(db, 'G-EXPLICIT', 'Acme Corporation', { fk: testCustomer })).toBe(testCustomer);
    expect(await insert(db, 'G-AMBIGUOUS', 'Dup Co')).toBeNull();
    expect(await insert(db, 'G-INACTIVE', 'Gone Inc')).toBeNull();
    expect(await insert(db, 'G-NEVER', 'ABC Corp')).toBeNull(); // a person's 'never' beats the exact name
    expect(await insert(db, 'G-OTHER-NAME', 'Other Only')).toBeNull(); // another tenant's master
    expect(await insert(db, 'G-OTHER-TENANT', 'Acme Corporation', { tenant: OTHER_TENANT })).toBeNull();
    expect(await insert(db, 'G-NO-NAME', null)).toBeNull();
    // 1,000 rows in one statement
    await db.query(
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name) SELECT $1::uuid, 'G-BULK-' || i, CASE WHEN i % 2 = 0 THEN 'Acme Corporation' ELSE 'Nobody ' || i END FROM generate_series(1, 1000) i`,
      [DEMO_TENANT],
    );
    const bulk = (
      await db.query<{ linked: string; nulls: string }>(
        `SELECT count(*) FILTER (WHERE customer_id = $1::uuid)::text AS linked, count(*) FILTER (WHERE customer_id IS NULL)::text AS nulls FROM sales_orders WHERE order_number LIKE 'G-BULK-%'`,
        [acme],
      )
    ).rows[0]!;
    expect(bulk).toEqual({ linked: '500', nulls: '500' });

    // renaming re-resolves only while the FK is NULL
    await db.query(`UPDATE sales_orders SET customer_name = 'Acme Corporation' WHERE order_number = 'G-INACTIVE'`);
    expect(await fkOf(db, 'G-INACTIVE')).toBe(acme);
    await db.query(`UPDATE sales_orders SET customer_name = 'Beta Industries' WHERE order_number = 'G-EXPLICIT'`);
    expect(await fkOf(db, 'G-EXPLICIT')).toBe(testCustomer);
    await db.query(`UPDATE sales_orders SET customer_name = 'Dup Co' WHERE order_number = 'G-EXACT'`);
    expect(await fkOf(db, 'G-EXACT')).toBe(acme);
    // an update that does not touch the name or scope never fires it
    await db.query(`UPDATE sales_orders SET total_amount = 5 WHERE order_number = 'G-AMBIGUOUS'`);
    expect(await fkOf(db, 'G-AMBIGUOUS')).toBeNull();
    // INSERT … ON CONFLICT on an existing key: the existing row is not logged as the guard's
    const exact = (await db.query<{ id: string }>(`SELECT id::text AS id FROM sales_orders WHERE order_number = 'G-EXACT'`)).rows[0]!.id;
    await db.query(
      `INSERT INTO sales_orders (id, tenant_id, order_number, customer_name) VALUES ($1::uuid, $2::uuid, 'G-DUP', 'Acme Corporation') ON CONFLICT (id) DO NOTHING`,
      [exact, DEMO_TENANT],
    );

    const s = await guardStatus(db);
    expect(s.guards).toHaveLength(1);
    const st = s.guards[0]!;
    expect(st.active).toBe(true);
    // hits: exact, decided, applied, active-dup, 500 bulk, the re-resolved G-INACTIVE
    expect(st.hits).toBe(505);
    expect(st.byMethod).toEqual({ exact: 503, decision: 1, alias: 1 });
    // G-INACTIVE: only an inactive master has its name (a trial: it was counted as unmatched)
    expect(st.byReason).toEqual({ ambiguous: 1, inactive: 1, unmatched: 502, decision: 1 });

    // undo reverts exactly the guard's links (the explicit FK and the applied rows stay)
    const u = await undo(db, { runId: g.runId });
    expect(u.totalReverted).toBe(505);
    // the guard stays installed, its run 'running' (not taken for a run whose process died)
    expect((await getRun(db, g.runId)).status).toBe('running');
    expect((await guardStatus(db)).guards[0]!.active).toBe(true);
    expect(await fkOf(db, 'G-EXACT')).toBeNull();
    expect(await fkOf(db, 'G-DECIDED')).toBeNull();
    expect(await fkOf(db, 'G-EXPLICIT')).toBe(testCustomer);
    expect(await fkOf(db, 'SO-OLD-BETA')).toBe(beta);
    // undo's own update does not re-fire the guard (it does not touch the name)
    expect(
      (
        await db.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM sales_orders WHERE order_number LIKE 'G-BULK-%' AND customer_id IS NOT NULL`,
        )
      ).rows[0]!.n,
    ).toBe('0');

    const r = await removeGuard(db);
    expect(r.removed.map((x) => x.entityType)).toEqual(SO);
    expect(await guardObjects(db)).toEqual({ triggers: 0, functions: 0 });
    expect(await insert(db, 'G-AFTER', 'Acme Corporation')).toBeNull();
    expect((await getRun(db, g.runId)).status).toBe('done');
    expect((await guardStatus(db)).guards).toHaveLength(0);
  });

  it("logs its links in guard_links (shown by fk_backfill.changes); undo moves them into change sets and reverts them, an apply's undo ignores them", async () => {
    const db = t.db;
    const a = await apply(db, { allTenants: true, entities: SO, singleTransaction: true });
    const g = await installGuard(db, { entities: SO });
    const acme = await idOf(db, 'Acme Corporation');
    expect(await insert(db, 'L-1', 'Acme Corporation')).toBe(acme);
    await db.query(
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name) SELECT $1::uuid, 'L-BULK-' || i, 'Acme Corporation' FROM generate_series(1, 30) i`,
      [DEMO_TENANT],
    );
    const logged = async (): Promise<{ staged: number; inSets: number; shown: number }> => {
      const r = await db.query<{ staged: string; in_sets: string; shown: string }>(
        `SELECT (SELECT count(*) FROM fk_backfill.guard_links WHERE run_id = $1::int8)::text AS staged,
                (SELECT coalesce(sum(cardinality(row_keys)), 0) FROM fk_backfill.change_sets WHERE run_id = $1::int8)::text AS in_sets,
                (SELECT count(*) FROM fk_backfill.changes WHERE run_id = $1::int8 AND new_value = $2 AND old_value IS NULL)::text AS shown`,
        [g.runId, acme],
      );
      return { staged: Number(r.rows[0]!.staged), inSets: Number(r.rows[0]!.in_sets), shown: Number(r.rows[0]!.shown) };
    };
    expect(await logged()).toEqual({ staged: 31, inSets: 0, shown: 31 });
    expect((await guardStatus(db)).guards[0]!.byMethod).toEqual({ exact: 31 });

    // undoing the apply touches only the apply's rows: the guard's staged links are not in its change log
    const ua = await undo(db, { runId: a.runId });
    expect(ua.totalReverted).toBe(a.results[0]!.updated);
    expect(await fkOf(db, 'L-1')).toBe(acme);

    // a batched undo of the guard run (batches of 7) moves the 31 links into change sets, then reverts them
    const ug = await undo(db, { runId: g.runId, singleTransaction: false, batchSize: 7 });
    expect(ug).toMatchObject({ status: 'done', totalReverted: 31, totalSkipped: 0 });
    expect(await fkOf(db, 'L-1')).toBeNull();
    expect(await logged()).toEqual({ staged: 0, inSets: 31, shown: 31 });
    // the links that undo set back are counted apart, not as hits
    expect((await guardStatus(db)).guards[0]).toMatchObject({ hits: 0, undone: 31, byMethod: {} });

    // a link written after that undo stays in guard_links until the next undo of the run
    expect(await insert(db, 'L-2', 'Acme Corporation')).toBe(acme);
    expect((await logged()).staged).toBe(1);
    expect((await guardStatus(db)).guards[0]).toMatchObject({ hits: 1, undone: 31, byMethod: { exact: 1 } });
    const again = await undo(db, { runId: g.runId });
    expect(again.totalReverted).toBe(1);
    expect(await fkOf(db, 'L-2')).toBeNull();
    expect(await logged()).toEqual({ staged: 0, inSets: 32, shown: 32 });
    expect((await guardStatus(db)).guards[0]).toMatchObject({ hits: 0, undone: 32 });
    await removeGuard(db);
  });

  it('keeps its alias table current with review decisions and applies; reinstall replaces, remove of one link leaves the others', async () => {
    const db = t.db;
    await apply(db, { allTenants: true, singleTransaction: true });
    const g = await installGuard(db);
    expect(await guardObjects(db)).toEqual({ triggers: 4, functions: 4 });
    const acme = await idOf(db, 'Acme Corporation');
    // a decision taken after install is used by the next write; revoking it stops that
    const d = await decide(db, {
      link: 'sales_order',
      scopeKey: [DEMO_TENANT],
      name: 'Acme Co',
      action: 'alias',
      targetKey: acme,
      by: 'ana',
    });
    expect(await insert(db, 'K-1', 'Acme Co')).toBe(acme);
    await db.query(`UPDATE fk_backfill.decisions SET revoked_at = now() WHERE id = $1::int8`, [d.decision.id]);
    expect(await insert(db, 'K-2', 'Acme Co')).toBeNull();
    // a decision whose master was deactivated since is not followed
    await decide(db, { link: 'sales_order', scopeKey: [DEMO_TENANT], name: 'Acme Co', action: 'alias', targetKey: acme, by: 'ana' });
    await db.query(`UPDATE customers SET is_active = false WHERE id = $1::uuid`, [acme]);
    expect(await insert(db, 'K-3', 'Acme Co')).toBeNull();
    expect(await insert(db, 'K-4', 'Acme Corporation')).toBeNull();
    await db.query(`UPDATE customers SET is_active = true WHERE id = $1::uuid`, [acme]);

    const again = await installGuard(db, { entities: SO });
    expect(again.guards[0]!.replaced).toBe(true);
    expect(await guardObjects(db)).toEqual({ triggers: 4, functions: 4 });
    expect((await getRun(db, g.runId)).status).toBe('running'); // still the run of the three other links
    await removeGuard(db, { entities: SO });
    expect(await guardObjects(db)).toEqual({ triggers: 3, functions: 3 });
    expect((await getRun(db, again.runId)).status).toBe('done');
    await expect(removeGuard(db, { entities: SO })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await removeGuard(db);
    expect(await guardObjects(db)).toEqual({ triggers: 0, functions: 0 });
  });

  // A soft-delete column, and a status whose values are literals in the guard's PL/pgSQL body (a label with a quote
  // and the body's own $fkb_guard$ delimiter): a deactivated master is never linked, by the guard or in drift.
  for (const { what, setup, active, deactivate } of [
    {
      what: 'a soft-delete column',
      setup: [`ALTER TABLE customers ADD COLUMN deleted_at timestamptz`],
      active: { column: 'deleted_at', activeWhen: 'null' as const },
      deactivate: `UPDATE customers SET deleted_at = now() WHERE id = $1::uuid`,
    },
    {
      what: 'a status whose value holds a quote and $fkb_guard$',
      setup: [
        `CREATE TYPE cust_state AS ENUM ('open', 'it''s $fkb_guard$ shut')`,
        `ALTER TABLE customers ADD COLUMN state cust_state NOT NULL DEFAULT 'open'`,
      ],
      active: { column: 'state', activeWhen: { notIn: ["it's $fkb_guard$ shut"] } },
      deactivate: `UPDATE customers SET state = 'it''s $fkb_guard$ shut' WHERE id = $1::uuid`,
    },
    {
      what: 'two signals that must both hold, the second one switched off',
      setup: [`ALTER TABLE customers ADD COLUMN deleted_at timestamptz, ADD COLUMN archived boolean NOT NULL DEFAULT false`],
      active: [
        { column: 'deleted_at', activeWhen: 'null' as const },
        { column: 'archived', activeWhen: false },
      ],
      deactivate: `UPDATE customers SET archived = true WHERE id = $1::uuid`,
    },
  ]) {
    it(`follows the link's active predicate (${what}): a deactivated master is never linked, by the guard or in drift`, async () => {
      const db = t.db;
      for (const q of setup) await db.query(q);
      const config = {
        links: [
          {
            entity: 'sales_order',
            table: 'sales_orders',
            key: 'id',
            fk: 'customer_id',
            name: 'customer_name',
            target: { table: 'customers', key: 'id', name: 'customer_name', active },
            scope: ['tenant_id'],
          },
        ],
      };
      await apply(db, { config, allTenants: true, singleTransaction: true });
      await installGuard(db, { config });
      const beta = await idOf(db, 'Beta Industries');
      await db.query(deactivate, [beta]);
      // Gone Inc has is_active = false, which is not this link's predicate: active
      expect(await insert(db, 'P-GONE', 'Gone Inc')).not.toBeNull();
      expect(await insert(db, 'P-BETA', 'Beta Industries')).toBeNull();
      const d = await drift(db, { config, allTenants: true });
      expect(d.links[0]!.inactive.samples.map((x) => x.targetKey)).toEqual([beta]);
      await removeGuard(db);
    });
  }

  it('drift: a clean database finds nothing; a renamed master, a deactivated master and new unmatched names are found', async () => {
    const db = t.db;
    await db.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'D-EARLY', 'Early Bird')`, [DEMO_TENANT]);
    // before any plan, without fk-backfill's schema: read-only, nothing created; no plan has seen the name
    const none = await drift(db, { allTenants: true, entities: SO });
    expect(none.found).toBe(true);
    expect(none.links[0]!.newNames.samples).toEqual([{ scopeKey: [DEMO_TENANT], sourceName: 'Early Bird', rows: 1 }]);
    expect((await db.query<{ ok: boolean }>(`SELECT to_regnamespace('fk_backfill') IS NULL AS ok`)).rows[0]!.ok).toBe(true);

    await apply(db, { allTenants: true, entities: SO, singleTransaction: true });
    const clean = await drift(db, { allTenants: true, entities: SO });
    expect(clean.found).toBe(false);

    const beta = await idOf(db, 'Beta Industries');
    const acme = await idOf(db, 'Acme Corporation');
    await db.query(`UPDATE customers SET customer_name = 'Beta Holdings' WHERE id = $1::uuid`, [beta]);
    await db.query(`UPDATE customers SET is_active = false WHERE id = $1::uuid`, [acme]);
    await db.query(
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'D-NEW', 'Brand New Ltd'), ($1, 'D-NEW2', 'Brand New Ltd'), ($1, 'D-EXACT', 'Test Customer')`,
      [DEMO_TENANT],
    );
    const r = await drift(db, { allTenants: true, entities: SO });
    expect(r.found).toBe(true);
    const l = r.links[0]!;
    expect(l.renamed.rows).toBe(1);
    expect(l.renamed.samples[0]).toMatchObject({ sourceName: 'Beta Industries', targetKey: beta, masterName: 'Beta Holdings' });
    expect(l.inactive.rows).toBe(1); // SO-WITH-FK-001
    expect(l.inactive.samples[0]).toMatchObject({ targetKey: acme });
    // 'Test Customer' would link (one active master): not unmatched
    expect(l.newNames.samples).toEqual([{ scopeKey: [DEMO_TENANT], sourceName: 'Brand New Ltd', rows: 2 }]);
    // one tenant only: the other tenant has no drift
    expect((await drift(db, { tenantId: OTHER_TENANT, entities: SO })).found).toBe(false);
    // a decision aliasing the name to the renamed master settles it
    await decide(db, {
      link: 'sales_order',
      scopeKey: [DEMO_TENANT],
      name: 'Beta Industries',
      action: 'alias',
      targetKey: beta,
      by: 'ana',
    });
    expect((await drift(db, { allTenants: true, entities: SO })).links[0]!.renamed.rows).toBe(0);
    // a new plan has seen the name: no longer "new"
    await plan(db, { allTenants: true, entities: SO });
    expect((await drift(db, { allTenants: true, entities: SO })).links[0]!.newNames.names).toBe(0);
  });
});
