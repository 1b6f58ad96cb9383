import type { ConfigInput } from './schema.js';

/** The seed's four links (Axis ERP): used when no config file is given. */
export const AXIS_CONFIG: ConfigInput = {
  links: [
    {
      entity: 'sales_order',
      table: 'sales_orders',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      document: 'order_number',
      target: { table: 'customers', key: 'id', name: 'customer_name', active: 'is_active', number: 'customer_number' },
      scope: ['tenant_id'],
    },
    {
      entity: 'sales_invoice',
      table: 'sales_invoices',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      document: 'invoice_number',
      target: { table: 'customers', key: 'id', name: 'customer_name', active: 'is_active', number: 'customer_number' },
      scope: ['tenant_id'],
    },
    {
      entity: 'purchase_order',
      table: 'purchase_orders',
      key: 'id',
      fk: 'vendor_id',
      name: 'vendor_name',
      document: 'po_number',
      target: { table: 'vendors', key: 'id', name: 'vendor_name', active: 'is_active', number: 'vendor_number' },
      scope: ['tenant_id'],
    },
    {
      entity: 'purchase_bill',
      table: 'purchase_bills',
      key: 'id',
      fk: 'vendor_id',
      name: 'vendor_name',
      document: 'bill_number',
      target: { table: 'vendors', key: 'id', name: 'vendor_name', active: 'is_active', number: 'vendor_number' },
      scope: ['tenant_id'],
    },
  ],
};
