import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan, status } from '../../src/index.js';
import { createAxis, DEMO_TENANT, SEED_DATA, type AxisData } from '../../src/demo/axis.js';
import { createMasters, proposeMasters } from '../../src/masters/masters.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const MISSING = new Set(['CUST-003', 'CUST-004', 'VEND-003', 'VEND-004']);

/** The demo with the seed's four missing masters removed (only in the demo tenant). */
const WITHOUT_MASTERS: AxisData = {
  customers: SEED_DATA.customers.filter((c) => c.tenant !== undefined || !MISSING.has(c.number)),
  vendors: SEED_DATA.vendors.filter((v) => v.tenant !== undefined || !MISSING.has(v.number)),
  documents: SEED_DATA.documents,
};

describeEach('masters propose/create', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('proposes the seed missing masters with their rows, creates them numbered, re-plan reaches 100 %', async () => {
    await createAxis(t.db, WITHOUT_MASTERS);
    const before = await plan(t.db, { tenantId: DEMO_TENANT });
    expect(before.results.reduce((a, r) => a + r.recordsMatched, 0)).toBe(0);

    const file = await proposeMasters(t.db, { tenantId: DEMO_TENANT });
    const summary = file.proposals.map((p) => [p.targetTable, p.name, p.rows, p.names.flatMap((n) => n.documents).sort()]);
    expect(summary).toEqual([
      ['customers', 'ABC Corp', 2, ['INV-2026-002', 'SO-2026-001']],
      ['customers', 'Test Customer', 2, ['INV-TEST-001', 'SO-TEST-001']],
      ['vendors', 'XYZ Supplies', 2, ['BILL-2026-001', 'PO-2026-001']],
      ['vendors', 'Test Vendor', 1, ['PO-TEST-001']],
    ]);
    expect(file.proposals.every((p) => JSON.stringify(p.scopeKey) === JSON.stringify([DEMO_TENANT]))).toBe(true);
    // The suspended CUST-005 'Test Customer' is flagged and not approved: a person chooses between
    // reactivating it and creating a new one (here: creating, as the seed's data expects)
    const tc = file.proposals.find((p) => p.name === 'Test Customer')!;
    expect(tc.inactiveMatches.map((m) => m.number)).toEqual(['CUST-005']);
    expect([tc.action, tc.approved]).toEqual(['create', false]);
    expect(tc.reason).toMatch(/soft-deleted master has this name: "Test Customer"/);
    expect(file.proposals.filter((p) => p.approved).map((p) => p.name)).toEqual(['ABC Corp', 'XYZ Supplies', 'Test Vendor']);
    expect(file.proposals.find((p) => p.name === 'ABC Corp')!.inactiveMatches).toEqual([]);
    tc.approved = true;

    const res = await createMasters(t.db, { tenantId: DEMO_TENANT, proposals: JSON.parse(JSON.stringify(file)), by: 'tester' });
    expect(res.created.map((c) => [c.name, c.number]).sort()).toEqual(
      [
        ['ABC Corp', 'CUST-006'],
        ['Test Customer', 'CUST-007'],
        ['Test Vendor', 'VEND-004'],
        ['XYZ Supplies', 'VEND-003'],
      ].sort(),
    );
    const rate = res.plan.results.map((r) => [r.entityType, r.matchRate]);
    expect(rate).toEqual([
      ['sales_order', '100.0%'],
      ['sales_invoice', '100.0%'],
      ['purchase_order', '100.0%'],
      ['purchase_bill', '100.0%'],
    ]);
    const a = await apply(t.db, { tenantId: DEMO_TENANT, planRunId: res.plan.runId });
    expect(a.totalUpdated).toBe(7);
    expect((await status(t.db, { tenantId: DEMO_TENANT })).total.populationRate).toBe('100.0%');
    // the inactive duplicate stayed inactive and unreferenced
    const inactive = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sales_orders o JOIN customers c ON c.id = o.customer_id WHERE c.customer_number = 'CUST-005'`,
    );
    expect(inactive.rows[0]!.n).toBe(0);
    // proposing again finds nothing
    expect((await proposeMasters(t.db, { tenantId: DEMO_TENANT })).proposals).toEqual([]);
  });

  it("a name that holds an active master's whole name with more words (a site, a branch) is proposed but not approved", async () => {
    // a new user's trial: in a large scope 2,071 of 2,681 approved proposals were a master's name and a city
    await t.db.exec(`
      CREATE TABLE vendors (id serial PRIMARY KEY, org text NOT NULL, name text NOT NULL);
      CREATE TABLE bills (id int PRIMARY KEY, org text NOT NULL, vendor text, vendor_id int);
      INSERT INTO vendors (org, name) VALUES ('o1', 'Garcia Plastics'), ('o1', 'Red Tools');
      INSERT INTO bills VALUES (1, 'o1', 'Garcia Plastics LLC Atlanta', NULL), (2, 'o1', 'Garcia Plastics LLC Atlanta', NULL),
                               (3, 'o1', 'Brand New Ltd', NULL), (4, 'o1', 'Red Hat Tools', NULL);`);
    const config = {
      links: [
        {
          entity: 'bill',
          table: 'bills',
          key: 'id',
          fk: 'vendor_id',
          name: 'vendor',
          scope: ['org'],
          match: 'exact' as const,
          target: { table: 'vendors', key: 'id', name: 'name' },
        },
      ],
    };
    const file = await proposeMasters(t.db, { config, tenantId: 'o1' });
    const by = Object.fromEntries(file.proposals.map((p) => [p.name, p]));
    expect(by['Garcia Plastics LLC Atlanta']).toMatchObject({ approved: false, rows: 2 });
    expect(by['Garcia Plastics LLC Atlanta']!.reason).toMatch(
      /^not approved: it holds the whole name of an active master of its scope, with more words: "Garcia Plastics" \(key 1\); a site, branch or division of it\?/,
    );
    // not a master's words in a row: approved as before
    expect([by['Brand New Ltd']?.approved, by['Red Hat Tools']?.approved]).toEqual([true, true]);
  });

  it('clusters spelling variants into one master; reactivation instead of a duplicate; bad files write nothing', async () => {
    await createAxis(t.db, {
      ...WITHOUT_MASTERS,
      documents: [
        ...WITHOUT_MASTERS.documents,
        { table: 'sales_orders', number: 'SO-V-1', name: 'ABC Corp.', amount: 1 },
        { table: 'sales_invoices', number: 'INV-V-2', name: 'A.B.C. Corp', amount: 1 },
      ],
    });
    const file = await proposeMasters(t.db, { tenantId: DEMO_TENANT });
    const abc = file.proposals.find((p) => p.name === 'ABC Corp')!;
    expect(abc.rows).toBe(4);
    expect(new Set(abc.names.map((n) => n.name))).toEqual(new Set(['ABC Corp', 'ABC Corp.', 'A.B.C. Corp']));
    const tc = file.proposals.find((p) => p.name === 'Test Customer')!;
    tc.action = 'reactivate';
    tc.reactivateKey = tc.inactiveMatches[0]!.key;
    tc.approved = true;

    const customersBefore = await t.db.query(`SELECT count(*)::int AS n FROM customers`);
    const bad = JSON.parse(JSON.stringify(file));
    bad.proposals[0].scopeKey = ['00000000-0000-4000-8000-00000000ffff'];
    await expect(createMasters(t.db, { tenantId: DEMO_TENANT, proposals: bad, by: 't' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(createMasters(t.db, { tenantId: DEMO_TENANT, proposals: { version: 2 }, by: 't' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM customers`)).rows).toEqual(customersBefore.rows);

    const res = await createMasters(t.db, { tenantId: DEMO_TENANT, proposals: file, by: 'tester' });
    expect(res.created.find((c) => c.name === 'Test Customer')!.action).toBe('reactivate');
    expect(res.plan.results.every((r) => r.matchRate === '100.0%')).toBe(true);
    const a = await apply(t.db, { tenantId: DEMO_TENANT, planRunId: res.plan.runId });
    expect(a.totalUpdated).toBe(9);
    const tcRows = await t.db.query<{ customer_number: string }>(
      `SELECT DISTINCT c.customer_number FROM sales_orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_name = 'Test Customer'`,
    );
    expect(tcRows.rows).toEqual([{ customer_number: 'CUST-005' }]);
    const cust = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM customers WHERE tenant_id = $1 AND customer_name = 'ABC Corp'`,
      [DEMO_TENANT],
    );
    expect(cust.rows[0]!.n).toBe(1);
  });
});
