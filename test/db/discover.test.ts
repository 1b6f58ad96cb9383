import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAxis } from '../../src/demo/axis.js';
import { discover } from '../../src/pipeline/discover.js';
import { plan } from '../../src/pipeline/plan.js';
import { parseConfig } from '../../src/config/load.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

/**
 * A differently named ERP: clients/suppliers, company_id scope, integer keys, no FK constraints, and
 * decoys that a naive discoverer would link.
 */
export const ERP2_SQL = [
  `CREATE SCHEMA erp2`,
  `CREATE TABLE erp2.companies (id int PRIMARY KEY, name text NOT NULL)`,
  `CREATE TABLE erp2.clients (id int PRIMARY KEY, company_id int NOT NULL, client_name text NOT NULL, active boolean NOT NULL DEFAULT true, region_code text)`,
  `CREATE TABLE erp2.suppliers (supplier_key bigint PRIMARY KEY, company_id int NOT NULL, name text NOT NULL, enabled boolean NOT NULL DEFAULT true, deleted_at timestamptz)`,
  `CREATE TABLE erp2.invoices (id int PRIMARY KEY, company_id int NOT NULL, invoice_no text NOT NULL, client_name text, client_id int,
     created_by_id text, total numeric(12, 2), region_code text)`,
  `CREATE TABLE erp2.bills (bill_id bigint PRIMARY KEY, company_id int NOT NULL, reference text, supplier_name text, supplier_id bigint, amount numeric(12, 2))`,
  // Decoys.
  `CREATE TABLE erp2.categories (id int PRIMARY KEY, company_id int NOT NULL, name text NOT NULL, parent_id int)`,
  `CREATE TABLE erp2.regions (code text PRIMARY KEY, region_name text NOT NULL)`,
  `CREATE TABLE erp2.projects (code text PRIMARY KEY, company_id int NOT NULL, project_name text NOT NULL)`,
  `CREATE TABLE erp2.timesheets (id int PRIMARY KEY, company_id int NOT NULL, project_id int, project_name text, hours numeric)`,
  `CREATE TABLE erp2.warehouses (id int PRIMARY KEY, company_id int NOT NULL, warehouse_name text NOT NULL)`,
  `CREATE TABLE erp2.users (id uuid PRIMARY KEY, name text NOT NULL)`,
  `INSERT INTO erp2.companies VALUES (1, 'One'), (2, 'Two')`,
  `INSERT INTO erp2.clients VALUES (10, 1, 'Northwind', true, 'EU'), (11, 1, 'Contoso', true, 'US'), (12, 2, 'Northwind', true, 'EU'), (13, 1, 'Fabrikam', false, 'EU')`,
  `INSERT INTO erp2.suppliers VALUES (100, 1, 'Acme Parts', true, NULL), (101, 1, 'Globex', true, NULL), (102, 2, 'Initech', true, NULL)`,
  `INSERT INTO erp2.invoices VALUES (1, 1, 'IN-1', 'Northwind', NULL, 'u1', 100, 'EU'), (2, 1, 'IN-2', 'Contoso', 11, 'u1', 50, 'US'),
     (3, 2, 'IN-3', 'Northwind', NULL, 'u2', 70, 'EU'), (4, 1, 'IN-4', 'northwind ', NULL, NULL, 10, NULL)`,
  `INSERT INTO erp2.bills VALUES (1, 1, 'B-1', 'Acme Parts', NULL, 20), (2, 1, 'B-2', 'Globex', 101, 30), (3, 2, 'B-3', 'Initech', NULL, 40)`,
  `INSERT INTO erp2.categories VALUES (1, 1, 'Root', NULL), (2, 1, 'Child', 1)`,
  `INSERT INTO erp2.timesheets VALUES (1, 1, NULL, 'Apollo', 3)`,
];

describeEach('discover', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('finds the four Axis links and the clients/suppliers links, and nothing among the decoys', async () => {
    await createAxis(t.db);
    for (const s of ERP2_SQL) await t.db.query(s);
    const r = await discover(t.db);
    const found = r.proposals.map((p) => `${p.source}.${p.fk} -> ${p.target}.${p.targetKey} [${p.name}~${p.targetName}] scope(${p.scope.join(',')})`);
    expect(found).toEqual([
      'erp2.bills.supplier_id -> erp2.suppliers.supplier_key [supplier_name~name] scope(company_id)',
      'erp2.invoices.client_id -> erp2.clients.id [client_name~client_name] scope(company_id)',
      'public.purchase_bills.vendor_id -> public.vendors.id [vendor_name~vendor_name] scope(tenant_id)',
      'public.purchase_orders.vendor_id -> public.vendors.id [vendor_name~vendor_name] scope(tenant_id)',
      'public.sales_invoices.customer_id -> public.customers.id [customer_name~customer_name] scope(tenant_id)',
      'public.sales_orders.customer_id -> public.customers.id [customer_name~customer_name] scope(tenant_id)',
    ]);
    const byFk = Object.fromEntries(r.proposals.map((p) => [`${p.source}.${p.fk}`, p]));
    // Axis: constraint + naming + full overlap; documents, amounts and active flags.
    const so = byFk['public.sales_orders.customer_id']!;
    expect(so.evidence.constraint).toBe('sales_orders_customer_id_fkey');
    expect(so.evidence.overlap).toMatchObject({ sampled: 3, found: 3, ratio: 1 });
    expect(so.confidence).toBe(1);
    expect([so.document, so.amount, so.active]).toEqual(['order_number', 'total_amount', 'is_active']);
    expect(byFk['public.purchase_orders.vendor_id']!.document).toBe('po_number');
    expect(byFk['public.purchase_bills.vendor_id']!.document).toBe('bill_number');
    const inv = byFk['erp2.invoices.client_id']!;
    expect(inv.evidence.constraint).toBeNull();
    expect(inv.evidence.overlap).toMatchObject({ sampled: 2, found: 2 }); // 'northwind ' folds into 'northwind'
    expect([inv.document, inv.amount, inv.active, inv.fkType]).toEqual(['invoice_no', 'total', 'active', 'integer']);
    const bill = byFk['erp2.bills.supplier_id']!;
    expect([bill.document, bill.amount, bill.active, bill.fkType, bill.deletedFlags]).toEqual(['reference', 'amount', 'enabled', 'bigint', ['deleted_at']]);
    // Decoys are rejected with a reason, never proposed.
    const why = Object.fromEntries(r.rejected.map((x) => [`${x.source}.${x.column}`, x.reason]));
    expect(why['erp2.categories.parent_id']).toMatch(/no table named like "parent"/);
    expect(why['erp2.invoices.created_by_id']).toMatch(/no table named like "created_by"/);
    expect(why['erp2.timesheets.project_id']).toMatch(/integer but projects.code is text/);
    expect(Object.keys(why).some((k) => k.includes('region_code') || k.includes('warehouse'))).toBe(false);
    expect(r.schemas).toEqual(['erp2', 'public']);
    // Entities: singular table names; the config validates and `plan` accepts it unchanged.
    expect(r.proposals.map((p) => p.entity).sort()).toEqual(['bill', 'invoice', 'purchase_bill', 'purchase_order', 'sales_invoice', 'sales_order']);
    const cfg = parseConfig(r.config);
    expect(cfg.links.find((l) => l.entity === 'sales_order')).toEqual({
      entity: 'sales_order',
      table: 'sales_orders',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      document: 'order_number',
      amount: 'total_amount',
      target: { table: 'customers', key: 'id', name: 'customer_name', active: 'is_active', number: 'customer_number' },
      scope: ['tenant_id'],
      match: 'exact',
    });
    const p = await plan(t.db, { config: r.config!, allTenants: true, entities: ['invoice', 'bill'] });
    expect(p.results.map((x) => [x.entityType, x.recordsWithNullFK, x.recordsMatched])).toEqual([
      ['bill', 2, 2],
      ['invoice', 3, 2], // 'northwind ' is not an exact match
    ]);
  });

  it('--schema narrows the search; fk_backfill and empty schemas yield nothing', async () => {
    await createAxis(t.db);
    for (const s of ERP2_SQL) await t.db.query(s);
    await plan(t.db, { tenantId: '00000000-0000-4000-8000-00000000a001' }); // creates fk_backfill tables
    const only = await discover(t.db, { schemas: ['erp2'] });
    expect(only.proposals.map((p) => p.entity)).toEqual(['bill', 'invoice']);
    expect(only.config!.links.map((l) => l.table)).toEqual(['erp2.bills', 'erp2.invoices']);
    const all = await discover(t.db);
    expect(all.proposals.some((p) => p.source.startsWith('fk_backfill.'))).toBe(false);
    const none = await discover(t.db, { schemas: ['nothing_here'] });
    expect(none).toMatchObject({ proposals: [], config: null });
  });
});
