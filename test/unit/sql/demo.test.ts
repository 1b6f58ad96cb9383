import { describe, expect, it } from 'vitest';
import {
  AXIS_SCHEMA_SQL,
  deleteCustomerShown,
  deleteCustomerStatement,
  demoDocumentsStatement,
  demoMastersStatement,
  demoTenantsStatement,
  dropDemoTableStatement,
  existingTablesStatement,
} from '../../../src/sql/demo.js';

describe('demo statements (whole text)', () => {
  it('the schema: seven tables, tenants first, documents after their masters', () => {
    expect(AXIS_SCHEMA_SQL.map((s) => /^CREATE TABLE (\w+) \(/.exec(s)?.[1])).toEqual([
      'tenants',
      'customers',
      'vendors',
      'sales_orders',
      'sales_invoices',
      'purchase_orders',
      'purchase_bills',
    ]);
    expect(AXIS_SCHEMA_SQL[3]).toBe(`CREATE TABLE sales_orders (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     tenant_id uuid NOT NULL REFERENCES tenants (id),
     order_number text NOT NULL,
     customer_name text,
     customer_id uuid REFERENCES customers (id) ON DELETE RESTRICT,
     total_amount numeric(14, 2) NOT NULL DEFAULT 0,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`);
  });
  it('the two tenants', () => {
    expect(demoTenantsStatement('a', 'b')).toEqual({
      text: `INSERT INTO tenants (id, name) VALUES ($1::uuid, 'Axis Demo'), ($2::uuid, 'Other Tenant')`,
      values: ['a', 'b'],
    });
  });
  it('masters from JSON', () => {
    expect(demoMastersStatement('vendors', 'vendor', '[]')).toEqual({
      text: `INSERT INTO vendors (tenant_id, vendor_number, vendor_name, is_active)
         SELECT x.tenant_id, x.number, x.name, x.active FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id uuid, number text, name text, active boolean)`,
      values: ['[]'],
    });
  });
  it('documents from JSON, a linked one pointing at the active master of its name', () => {
    const cols = { number: 'po_number', name: 'vendor_name', fk: 'vendor_id', master: 'vendors', masterName: 'vendor_name' };
    expect(demoDocumentsStatement('purchase_orders', cols, '[{}]', 't')).toEqual({
      text: `INSERT INTO purchase_orders (tenant_id, po_number, vendor_name, vendor_id, total_amount, created_at, updated_at)
         SELECT $2::uuid, x.number, x.name,
                CASE WHEN x.linked THEN (SELECT m.id FROM vendors m WHERE m.tenant_id = $2::uuid AND m.vendor_name = x.name AND m.is_active ORDER BY m.id LIMIT 1) END,
                x.amount, timestamptz '2026-01-20 09:00:00+00', timestamptz '2026-01-20 09:00:00+00'
           FROM jsonb_to_recordset($1::jsonb) AS x(number text, name text, linked boolean, amount numeric)`,
      values: ['[{}]', 't'],
    });
  });
  it('which demo tables exist, one parameter each', () => {
    expect(existingTablesStatement(['vendors', 'tenants'])).toEqual({
      text: `SELECT c.relname::text AS t FROM pg_class c WHERE c.oid IN (to_regclass($1), to_regclass($2))`,
      values: ['vendors', 'tenants'],
    });
  });
  it('drop a table', () => {
    expect(dropDemoTableStatement('tenants')).toEqual({ text: 'DROP TABLE IF EXISTS tenants CASCADE', values: [] });
  });
  it('the RESTRICT check, as run and as shown', () => {
    expect(deleteCustomerStatement('t', 'ABC Corp')).toEqual({
      text: `DELETE FROM customers WHERE tenant_id = $1::uuid AND customer_name = $2`,
      values: ['t', 'ABC Corp'],
    });
    expect(deleteCustomerShown('ABC Corp')).toBe(`DELETE FROM customers WHERE customer_name = 'ABC Corp'`);
  });
});
