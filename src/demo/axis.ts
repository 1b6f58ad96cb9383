/**
 * The seed's ERP (Axis): tenants, customers, vendors and the four document tables, uuid keys, nullable
 * FKs with ON DELETE RESTRICT, and the nine documents of the seed's migration report.
 */
import type { Queryable } from '../db/port.js';
import {
  AXIS_SCHEMA_SQL,
  demoDocumentsStatement,
  demoMastersStatement,
  demoTenantsStatement,
  dropDemoTableStatement,
} from '../sql/demo.js';

export { AXIS_SCHEMA_SQL };

export const DEMO_TENANT = '00000000-0000-4000-8000-00000000a001';
/** A second tenant with a same-named customer: proves nothing crosses tenants. */
export const OTHER_TENANT = '00000000-0000-4000-8000-00000000b002';

export const AXIS_TABLES = [
  'purchase_bills',
  'purchase_orders',
  'sales_invoices',
  'sales_orders',
  'vendors',
  'customers',
  'tenants',
] as const;

export interface DemoMaster {
  number: string;
  name: string;
  active?: boolean;
  tenant?: string;
}

export const DEMO_CUSTOMERS: DemoMaster[] = [
  { number: 'CUST-001', name: 'Acme Corporation' },
  { number: 'CUST-002', name: 'Beta Industries' },
  { number: 'CUST-003', name: 'ABC Corp' },
  { number: 'CUST-004', name: 'Test Customer' },
  // A suspended duplicate: the seed's active-only rule keeps it out (and out of any ambiguity).
  { number: 'CUST-005', name: 'Test Customer', active: false },
  { number: 'CUST-001', name: 'ABC Corp', tenant: OTHER_TENANT },
];

export const DEMO_VENDORS: DemoMaster[] = [
  { number: 'VEND-001', name: 'Global Supplies Inc' },
  { number: 'VEND-002', name: 'Delta Logistics' },
  { number: 'VEND-003', name: 'XYZ Supplies' },
  { number: 'VEND-004', name: 'Test Vendor' },
  { number: 'VEND-001', name: 'XYZ Supplies', tenant: OTHER_TENANT },
];

export interface DemoDocument {
  table: 'sales_orders' | 'sales_invoices' | 'purchase_orders' | 'purchase_bills';
  number: string;
  name: string;
  /** Already linked to the master with this name. */
  linked?: boolean;
  amount: number;
}

export const DEMO_DOCUMENTS: DemoDocument[] = [
  { table: 'sales_orders', number: 'SO-2026-001', name: 'ABC Corp', amount: 1250 },
  { table: 'sales_orders', number: 'SO-TEST-001', name: 'Test Customer', amount: 99.5 },
  { table: 'sales_orders', number: 'SO-WITH-FK-001', name: 'Acme Corporation', linked: true, amount: 4800 },
  { table: 'sales_invoices', number: 'INV-2026-002', name: 'ABC Corp', amount: 1250 },
  { table: 'sales_invoices', number: 'INV-TEST-001', name: 'Test Customer', amount: 99.5 },
  { table: 'purchase_orders', number: 'PO-2026-001', name: 'XYZ Supplies', amount: 730 },
  { table: 'purchase_orders', number: 'PO-TEST-001', name: 'Test Vendor', amount: 45 },
  { table: 'purchase_orders', number: 'PO-WITH-FK-001', name: 'Global Supplies Inc', linked: true, amount: 2100 },
  { table: 'purchase_bills', number: 'BILL-2026-001', name: 'XYZ Supplies', amount: 730 },
];

const DOC_COLUMNS = {
  sales_orders: { number: 'order_number', name: 'customer_name', fk: 'customer_id', master: 'customers', masterName: 'customer_name' },
  sales_invoices: { number: 'invoice_number', name: 'customer_name', fk: 'customer_id', master: 'customers', masterName: 'customer_name' },
  purchase_orders: { number: 'po_number', name: 'vendor_name', fk: 'vendor_id', master: 'vendors', masterName: 'vendor_name' },
  purchase_bills: { number: 'bill_number', name: 'vendor_name', fk: 'vendor_id', master: 'vendors', masterName: 'vendor_name' },
} as const;

export interface AxisData {
  customers: DemoMaster[];
  vendors: DemoMaster[];
  documents: DemoDocument[];
}

export const SEED_DATA: AxisData = { customers: DEMO_CUSTOMERS, vendors: DEMO_VENDORS, documents: DEMO_DOCUMENTS };

/** Creates the Axis tables (in the current schema) and loads the data, set-based, in one transaction. */
export async function createAxis(
  db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
  data: AxisData = SEED_DATA,
): Promise<void> {
  await db.transaction(async (tx) => {
    for (const stmt of AXIS_SCHEMA_SQL) await tx.query(stmt);
    await tx.query(demoTenantsStatement(DEMO_TENANT, OTHER_TENANT));
    for (const [table, prefix, list] of [
      ['customers', 'customer', data.customers],
      ['vendors', 'vendor', data.vendors],
    ] as const) {
      await tx.query(
        demoMastersStatement(
          table,
          prefix,
          JSON.stringify(
            list.map((m) => ({ tenant_id: m.tenant ?? DEMO_TENANT, number: m.number, name: m.name, active: m.active ?? true })),
          ),
        ),
      );
    }
    for (const [table, cols] of Object.entries(DOC_COLUMNS)) {
      const docs = data.documents.filter((d) => d.table === table);
      if (docs.length === 0) continue;
      await tx.query(
        demoDocumentsStatement(
          table,
          cols,
          JSON.stringify(docs.map((d) => ({ number: d.number, name: d.name, linked: d.linked ?? false, amount: d.amount }))),
          DEMO_TENANT,
        ),
      );
    }
  });
}

/** Drops the Axis tables (demo --reset, tests). */
export async function dropAxis(db: Queryable): Promise<void> {
  for (const t of AXIS_TABLES) await db.query(dropDemoTableStatement(t));
}
