/**
 * The statements of the demo ERP (Axis, demo/axis.ts): its tables, their rows loaded set-based from
 * JSON, the check that its tables exist, their DROP, and the RESTRICT check the demo runs (and shows).
 * Identifiers are the demo's own fixed table and column names, written as they are.
 */
import type { Statement } from './statement.js';

export const AXIS_SCHEMA_SQL = [
  `CREATE TABLE tenants (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     name text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE customers (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     tenant_id uuid NOT NULL REFERENCES tenants (id),
     customer_number text NOT NULL,
     customer_name text NOT NULL,
     is_active boolean NOT NULL DEFAULT true,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (tenant_id, customer_number))`,
  `CREATE TABLE vendors (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     tenant_id uuid NOT NULL REFERENCES tenants (id),
     vendor_number text NOT NULL,
     vendor_name text NOT NULL,
     is_active boolean NOT NULL DEFAULT true,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (tenant_id, vendor_number))`,
  `CREATE TABLE sales_orders (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     tenant_id uuid NOT NULL REFERENCES tenants (id),
     order_number text NOT NULL,
     customer_name text,
     customer_id uuid REFERENCES customers (id) ON DELETE RESTRICT,
     total_amount numeric(14, 2) NOT NULL DEFAULT 0,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE sales_invoices (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     tenant_id uuid NOT NULL REFERENCES tenants (id),
     invoice_number text NOT NULL,
     customer_name text,
     customer_id uuid REFERENCES customers (id) ON DELETE RESTRICT,
     total_amount numeric(14, 2) NOT NULL DEFAULT 0,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE purchase_orders (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     tenant_id uuid NOT NULL REFERENCES tenants (id),
     po_number text NOT NULL,
     vendor_name text,
     vendor_id uuid REFERENCES vendors (id) ON DELETE RESTRICT,
     total_amount numeric(14, 2) NOT NULL DEFAULT 0,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE purchase_bills (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     tenant_id uuid NOT NULL REFERENCES tenants (id),
     bill_number text NOT NULL,
     vendor_name text,
     vendor_id uuid REFERENCES vendors (id) ON DELETE RESTRICT,
     total_amount numeric(14, 2) NOT NULL DEFAULT 0,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
];

/** The demo's two tenants. */
export function demoTenantsStatement(demoTenant: string, otherTenant: string): Statement<Record<string, never>> {
  return {
    text: `INSERT INTO tenants (id, name) VALUES ($1::uuid, 'Axis Demo'), ($2::uuid, 'Other Tenant')`,
    values: [demoTenant, otherTenant],
  };
}

/** Masters (customers or vendors) from `json`: a JSON array of { tenant_id, number, name, active }. */
export function demoMastersStatement(
  table: 'customers' | 'vendors',
  prefix: 'customer' | 'vendor',
  json: string,
): Statement<Record<string, never>> {
  return {
    text: `INSERT INTO ${table} (tenant_id, ${prefix}_number, ${prefix}_name, is_active)
         SELECT x.tenant_id, x.number, x.name, x.active FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id uuid, number text, name text, active boolean)`,
    values: [json],
  };
}

/** The columns of a demo document table and of the master it names. */
export interface DemoDocumentColumns {
  number: string;
  name: string;
  fk: string;
  master: string;
  masterName: string;
}

/**
 * Documents of one table and tenant from `json`: a JSON array of { number, name, linked, amount }; a
 * linked one gets the FK of the tenant's active master of that name.
 */
export function demoDocumentsStatement(
  table: string,
  cols: DemoDocumentColumns,
  json: string,
  tenant: string,
): Statement<Record<string, never>> {
  return {
    text: `INSERT INTO ${table} (tenant_id, ${cols.number}, ${cols.name}, ${cols.fk}, total_amount, created_at, updated_at)
         SELECT $2::uuid, x.number, x.name,
                CASE WHEN x.linked THEN (SELECT m.id FROM ${cols.master} m WHERE m.tenant_id = $2::uuid AND m.${cols.masterName} = x.name AND m.is_active ORDER BY m.id LIMIT 1) END,
                x.amount, timestamptz '2026-01-20 09:00:00+00', timestamptz '2026-01-20 09:00:00+00'
           FROM jsonb_to_recordset($1::jsonb) AS x(number text, name text, linked boolean, amount numeric)`,
    values: [json, tenant],
  };
}

/** Drops one demo table and what depends on it. */
export function dropDemoTableStatement(table: string): Statement<Record<string, never>> {
  return { text: `DROP TABLE IF EXISTS ${table} CASCADE`, values: [] };
}

/** Which of `tables` exist (in the search path): one row each. */
export function existingTablesStatement(tables: readonly string[]): Statement<{ t: string }> {
  return {
    text: `SELECT c.relname::text AS t FROM pg_class c WHERE c.oid IN (${tables.map((_, i) => `to_regclass($${i + 1})`).join(', ')})`,
    values: [...tables],
  };
}

/** The demo's RESTRICT check: deletes a tenant's customer by name (run in a transaction rolled back). */
export function deleteCustomerStatement(tenant: string, name: string): Statement<Record<string, never>> {
  return { text: `DELETE FROM customers WHERE tenant_id = $1::uuid AND customer_name = $2`, values: [tenant, name] };
}

/** The RESTRICT check as the demo shows it to a reader (not run: deleteCustomerStatement is). */
export function deleteCustomerShown(name: string): string {
  return `DELETE FROM customers WHERE customer_name = '${name}'`;
}
