import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, backfillForeignKeys, plan, status, undo, verify } from '../../src/index.js';
import { createAxis, DEMO_TENANT, OTHER_TENANT, SEED_DATA, type AxisData } from '../../src/demo/axis.js';
import { runDemo } from '../../src/demo/run.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

async function rowsOf(t: TestDb, table: string): Promise<Record<string, unknown>[]> {
  return (await t.db.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
}

describeEach('foundation', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('demo reproduces the seed numbers', async () => {
    const r = await runDemo(target !== 'pglite' ? { url: t.url } : {});
    expect(r.before.total).toEqual({ totalRecords: 9, nullFks: 7, populatedFks: 2, populationRate: '22.2%' });
    // the demo's links are the built-in ones on purpose: no "no config given" notice in its status tables
    expect([r.before.notices, r.after.notices]).toEqual([undefined, undefined]);
    expect(r.before.links.map((l) => [l.table, l.totalRecords, l.nullFks, l.populatedFks, l.populationRate])).toEqual([
      ['sales_orders', 3, 2, 1, '33.3%'],
      ['sales_invoices', 2, 2, 0, '0.0%'],
      ['purchase_orders', 3, 2, 1, '33.3%'],
      ['purchase_bills', 1, 1, 0, '0.0%'],
    ]);
    expect(r.dryRun).toMatchObject({ dryRun: true, totalRecordsProcessed: 7, totalRecordsUpdated: 0, overallMatchRate: '100.0%' });
    expect(
      r.dryRun.results.map((x) => [
        x.entityType,
        x.totalRecords,
        x.recordsWithNullFK,
        x.recordsMatched,
        x.recordsUnmatched,
        x.recordsUpdated,
        x.matchRate,
      ]),
    ).toEqual([
      ['sales_order', 3, 2, 2, 0, 0, '100.0%'],
      ['sales_invoice', 2, 2, 2, 0, 0, '100.0%'],
      ['purchase_order', 3, 2, 2, 0, 0, '100.0%'],
      ['purchase_bill', 1, 1, 1, 0, 0, '100.0%'],
    ]);
    expect(r.applied).toMatchObject({ dryRun: false, totalRecordsProcessed: 7, totalRecordsUpdated: 7, overallMatchRate: '100.0%' });
    expect(r.applied.results.map((x) => x.recordsUpdated)).toEqual([2, 2, 2, 1]);
    expect(r.after.total).toEqual({ totalRecords: 9, nullFks: 0, populatedFks: 9, populationRate: '100.0%' });
    expect(r.restrictVerified).toBe(true);
    for (const x of r.dryRun.results) expect(x.unmatchedRecords).toEqual([]);
  });

  it('plan -> apply -> status 100 %, one audit row per change, undo restores exactly, verify', async () => {
    await createAxis(t.db);
    const before = await rowsOf(t, 'sales_orders');
    const p = await plan(t.db, { tenantId: DEMO_TENANT });
    expect(p.results.reduce((a, r) => a + r.recordsMatched, 0)).toBe(7);
    // dry run wrote nothing to user tables
    expect(await rowsOf(t, 'sales_orders')).toEqual(before);

    const v0 = await verify(t.db, { tenantId: DEMO_TENANT });
    expect(v0.ok).toBe(false);
    expect(v0.links[0]!.nullFks).toBe(2);

    const a = await apply(t.db, { tenantId: DEMO_TENANT, planRunId: p.runId });
    expect(a.totalUpdated).toBe(7);
    expect((await status(t.db, { tenantId: DEMO_TENANT })).total.populationRate).toBe('100.0%');
    const changes = await t.db.query<{ n: number; keys: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (link, row_key))::int AS keys FROM fk_backfill.changes WHERE run_id = $1::int8`,
      [a.runId],
    );
    expect(changes.rows[0]).toEqual({ n: 7, keys: 7 });
    const linked = await t.db.query<{ order_number: string; customer_number: string; updated: boolean }>(
      `SELECT o.order_number, c.customer_number, o.updated_at > timestamptz '2026-01-21' AS updated
         FROM sales_orders o JOIN customers c ON c.id = o.customer_id ORDER BY 1`,
    );
    expect(linked.rows).toEqual([
      { order_number: 'SO-2026-001', customer_number: 'CUST-003', updated: true },
      { order_number: 'SO-TEST-001', customer_number: 'CUST-004', updated: true },
      { order_number: 'SO-WITH-FK-001', customer_number: 'CUST-001', updated: false },
    ]);
    const v1 = await verify(t.db, { tenantId: DEMO_TENANT });
    expect(v1.links.map((l) => l.problems)).toEqual([[], [], [], []]);
    expect(v1.ok).toBe(true);

    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(7);
    expect(u.totalSkipped).toBe(0);
    expect(await rowsOf(t, 'sales_orders')).toEqual(before);
    // a second undo finds nothing left to revert
    expect((await undo(t.db, { runId: a.runId })).totalReverted).toBe(0);
  });

  it('undo skips rows edited since the apply', async () => {
    await createAxis(t.db);
    const a = await apply(t.db, { tenantId: DEMO_TENANT });
    const other = await t.db.query<{ id: string }>(`SELECT id::text FROM customers WHERE customer_number = 'CUST-002' AND tenant_id = $1`, [
      DEMO_TENANT,
    ]);
    await t.db.query(`UPDATE sales_orders SET customer_id = $1 WHERE order_number = 'SO-2026-001'`, [other.rows[0]!.id]);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(6);
    expect(u.totalSkipped).toBe(1);
    const so = await t.db.query<{ customer_id: string }>(`SELECT customer_id::text FROM sales_orders WHERE order_number = 'SO-2026-001'`);
    expect(so.rows[0]!.customer_id).toBe(other.rows[0]!.id);
  });

  it('ambiguous names stay NULL with their candidates; inactive masters never linked; other tenants and set FKs untouched', async () => {
    const data: AxisData = {
      customers: [
        ...SEED_DATA.customers,
        { number: 'CUST-010', name: 'Twin Ltd' },
        { number: 'CUST-011', name: 'Twin Ltd' },
        { number: 'CUST-012', name: 'Sleepy Co', active: false },
      ],
      vendors: SEED_DATA.vendors,
      documents: [
        ...SEED_DATA.documents,
        { table: 'sales_orders', number: 'SO-TWIN', name: 'Twin Ltd', amount: 1 },
        { table: 'sales_orders', number: 'SO-SLEEPY', name: 'Sleepy Co', amount: 1 },
        { table: 'sales_orders', number: 'SO-CASE', name: 'abc corp', amount: 1 },
      ],
    };
    await createAxis(t.db, data);
    // a document of the other tenant named like a master of ours, and an already linked row
    await t.db.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'SO-OTHER', 'ABC Corp')`, [
      OTHER_TENANT,
    ]);
    const linkedBefore = await t.db.query(`SELECT id, customer_id FROM sales_orders WHERE customer_id IS NOT NULL ORDER BY id`);

    const r = await backfillForeignKeys(t.db, { tenantId: DEMO_TENANT, dryRun: false, userId: 'u1', entities: ['sales_order'] });
    const so = r.results[0]!;
    expect(so.recordsMatched).toBe(2);
    expect(so.recordsAmbiguous).toBe(1);
    expect(so.recordsUpdated).toBe(2);
    const twin = so.unmatchedRecords.find((u) => u.documentNumber === 'SO-TWIN')!;
    expect(twin.outcome).toBe('ambiguous');
    expect(twin.candidates).toHaveLength(2);
    const keys = await t.db.query<{ id: string }>(`SELECT id::text FROM customers WHERE customer_name = 'Twin Ltd' ORDER BY id::text`);
    expect((twin.candidates as { key: string }[]).map((c) => c.key)).toEqual(keys.rows.map((k) => k.id));
    expect(so.unmatchedRecords.map((u) => [u.documentNumber, u.outcome])).toEqual([
      ['SO-CASE', 'unmatched'],
      ['SO-SLEEPY', 'unmatched'],
      ['SO-TWIN', 'ambiguous'],
    ]);
    const nulls = await t.db.query<{ order_number: string }>(`SELECT order_number FROM sales_orders WHERE customer_id IS NULL ORDER BY 1`);
    expect(nulls.rows.map((x) => x.order_number)).toEqual(['SO-CASE', 'SO-OTHER', 'SO-SLEEPY', 'SO-TWIN']);
    const linkedAfter = await t.db.query(
      `SELECT id, customer_id FROM sales_orders WHERE id IN (SELECT id FROM sales_orders) AND order_number = 'SO-WITH-FK-001'`,
    );
    expect(linkedAfter.rows).toEqual(linkedBefore.rows);
    // no FK points across tenants
    const cross = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sales_orders o JOIN customers c ON c.id = o.customer_id WHERE c.tenant_id <> o.tenant_id`,
    );
    expect(cross.rows[0]!.n).toBe(0);
  });

  it('a config for another schema: integer keys, schema-qualified quoted tables, two scope columns', async () => {
    await t.db.query(`CREATE SCHEMA "Books"`);
    await t.db.query(
      `CREATE TABLE "Books"."Client List" ("Client No" serial PRIMARY KEY, company_id int NOT NULL, branch text NOT NULL, "Client Name" text NOT NULL, active boolean NOT NULL DEFAULT true)`,
    );
    await t.db.query(
      `CREATE TABLE "Books".invoices (invoice_id bigserial PRIMARY KEY, company_id int NOT NULL, branch text NOT NULL, inv_no text, client text, client_fk int REFERENCES "Books"."Client List" ("Client No") ON DELETE RESTRICT)`,
    );
    await t.db.query(
      `INSERT INTO "Books"."Client List" (company_id, branch, "Client Name") VALUES (1, 'north', 'O''Brien & Sons'), (1, 'south', 'O''Brien & Sons'), (2, 'north', 'O''Brien & Sons')`,
    );
    await t.db.query(
      `INSERT INTO "Books".invoices (company_id, branch, inv_no, client) VALUES (1, 'north', 'I-1', 'O''Brien & Sons'), (1, 'south', 'I-2', 'O''Brien & Sons'), (2, 'north', 'I-3', 'O''Brien & Sons'), (1, 'east', 'I-4', 'O''Brien & Sons')`,
    );
    const config = {
      links: [
        {
          entity: 'invoice',
          table: '"Books".invoices',
          key: 'invoice_id',
          fk: 'client_fk',
          name: 'client',
          document: 'inv_no',
          target: { table: '"Books"."Client List"', key: 'Client No', name: 'Client Name', active: 'active' },
          scope: ['company_id', 'branch'],
        },
      ],
    };
    const dry = await backfillForeignKeys(t.db, { tenantId: '1', config });
    expect(dry.results[0]).toMatchObject({ totalRecords: 3, recordsWithNullFK: 3, recordsMatched: 2, recordsUnmatched: 1 });
    expect(dry.results[0]!.unmatchedRecords.map((u) => u.documentNumber)).toEqual(['I-4']);
    const live = await backfillForeignKeys(t.db, { tenantId: '1', config, dryRun: false });
    expect(live.totalRecordsUpdated).toBe(2);
    const rows = await t.db.query<{ inv_no: string; ok: boolean }>(
      `SELECT i.inv_no, (c.company_id = i.company_id AND c.branch = i.branch) AS ok FROM "Books".invoices i JOIN "Books"."Client List" c ON c."Client No" = i.client_fk ORDER BY 1`,
    );
    expect(rows.rows).toEqual([
      { inv_no: 'I-1', ok: true },
      { inv_no: 'I-2', ok: true },
    ]);
    const u = await undo(t.db, { runId: live.runId });
    expect(u.totalReverted).toBe(2);
  });
});
