/** The demo data with fuzzy variants (review queue fixture shared by the review tests). */
import { AXIS_CONFIG, type ConfigInput } from '../../src/config/index.js';
import { DEMO_TENANT, SEED_DATA, type AxisData } from '../../src/demo/axis.js';

export const XSS_MASTER = '<img src=x onerror=alert(1)>';

export const FUZZY_DEMO: AxisData = {
  customers: [...SEED_DATA.customers, { number: 'CUST-006', name: XSS_MASTER }],
  vendors: SEED_DATA.vendors,
  documents: [
    ...SEED_DATA.documents,
    { table: 'sales_orders', number: 'SO-F-001', name: 'ABC Corporation', amount: 10 }, // normalised: linked
    { table: 'sales_orders', number: 'SO-F-002', name: 'Acme Copr', amount: 10 }, // normalised: linked
    { table: 'sales_orders', number: 'SO-F-003', name: 'Tset Cstmr Hldgs', amount: 10 }, // review 0.60 (a one-edit typo such as 'Tst Customer' now links: a typo with one reading in the scope)
    { table: 'sales_orders', number: 'SO-F-004', name: 'Tset Cstmr Hldgs', amount: 10 },
    { table: 'sales_orders', number: 'SO-F-005', name: 'Zeta Widgets', amount: 500 }, // unmatched; the biggest amount
    { table: 'sales_orders', number: 'SO-F-006', name: 'Beta Industry', amount: 10 }, // review 0.61
    { table: 'sales_orders', number: 'SO-F-007', name: '<img src=y onerror=alert(2)>', amount: 10 }, // review 0.72 → XSS master
    { table: 'sales_orders', number: 'SO-F-008', name: '<script>alert(1)</script>', amount: 10 }, // unmatched
    { table: 'sales_invoices', number: 'INV-F-001', name: 'Test Customers Group', amount: 10 }, // review 0.70
    { table: 'purchase_orders', number: 'PO-F-001', name: 'XYZ Suppl Trading', amount: 10 }, // review 0.64 ("XYZ Suppl" alone now links: an abbreviation of the one XYZ Supplies)
  ],
};

export const FUZZY_CONFIG: ConfigInput = { links: AXIS_CONFIG.links.map((l) => ({ ...l, match: 'fuzzy' as const })) };

export { DEMO_TENANT };

/**
 * A generated queue of `n` distinct names in sales_orders of the demo tenant (1–4 rows each, amounts
 * varying): a third near "Test Customer" (review), a third near "Acme Corporation", a third unmatched. ("Acme Corp
 * Partner N", not "Branch N": a branch's number is a site of the one Acme, linked by containment.)
 */
export async function addBigQueue(db: { query(text: string, values?: unknown[]): Promise<unknown> }, n: number): Promise<void> {
  await db.query(
    `INSERT INTO sales_orders (tenant_id, order_number, customer_name, total_amount)
     SELECT $1::uuid, 'BIG-' || i || '-' || r,
            CASE i % 3 WHEN 0 THEN 'Test Customer ' || i WHEN 1 THEN 'Acme Corp Partner ' || i ELSE 'Zulu Trading ' || i END,
            (i % 97) + r
       FROM generate_series(1, $2::int) AS i, generate_series(1, 1 + i % 4) AS r`,
    [DEMO_TENANT, n],
  );
}
