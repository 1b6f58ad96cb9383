/**
 * Data for the batched apply tests: the Axis schema with `n` sales orders and n/2 purchase orders over
 * two tenants whose customers share names (so a run on one tenant that leaked would show), ~10 %
 * unmatched names, ~5 % already linked, fixed timestamps (so table hashes compare exactly).
 */
import type { Queryable } from '../../src/db/port.js';
import { createAxis, DEMO_TENANT, OTHER_TENANT } from '../../src/demo/axis.js';

export { DEMO_TENANT, OTHER_TENANT };

export async function createBatchFixture(db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }, n: number): Promise<void> {
  await createAxis(db, { customers: [], vendors: [], documents: [] });
  await db.transaction(async (tx) => {
    for (const [table, prefix] of [
      ['customers', 'customer'],
      ['vendors', 'vendor'],
    ] as const) {
      await tx.query(
        `INSERT INTO ${table} (tenant_id, ${prefix}_number, ${prefix}_name)
         SELECT t, 'N-' || i, '${prefix} ' || i FROM unnest(ARRAY[$1::uuid, $2::uuid]) t, generate_series(1, 40) i`,
        [DEMO_TENANT, OTHER_TENANT],
      );
    }
    const docs = [
      ['sales_orders', 'order_number', 'customer_name', 'customer_id', 'customers', 'customer', n],
      ['purchase_orders', 'po_number', 'vendor_name', 'vendor_id', 'vendors', 'vendor', Math.floor(n / 2)],
    ] as const;
    for (const [table, num, name, fk, master, prefix, count] of docs) {
      // Names 1..40 exist (per tenant); 41..44 do not (~10 % unmatched). Every 20th row is already linked.
      await tx.query(
        `INSERT INTO ${table} (tenant_id, ${num}, ${name}, ${fk}, total_amount, created_at, updated_at)
         SELECT CASE WHEN i % 2 = 0 THEN $1::uuid ELSE $2::uuid END, 'D-' || i, '${prefix} ' || (i % 44 + 1),
                CASE WHEN i % 20 = 0 THEN (SELECT m.id FROM ${master} m WHERE m.tenant_id = CASE WHEN i % 2 = 0 THEN $1::uuid ELSE $2::uuid END AND m.${name} = '${prefix} ' || (i % 44 + 1)) END,
                i % 1000, timestamptz '2026-01-20 09:00:00+00', timestamptz '2026-01-20 09:00:00+00'
           FROM generate_series(1, ${count}) i`,
        [DEMO_TENANT, OTHER_TENANT],
      );
    }
  });
}

/** md5 over every column of every row (updated_at included): equal hashes mean identical tables. */
export async function tableHash(db: Queryable, table: string, where = 'true'): Promise<string> {
  const res = await db.query<{ h: string }>(
    `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) AS h FROM ${table} t WHERE ${where}`,
  );
  return res.rows[0]!.h;
}

/** md5 over (id, fk) only: the link state, independent of updated_at. */
export async function linkHash(db: Queryable, table: string, fk: string): Promise<string> {
  const res = await db.query<{ h: string }>(
    `SELECT md5(coalesce(string_agg(t.id::text || ':' || coalesce(t.${fk}::text, '-'), '|' ORDER BY t.id), '')) AS h FROM ${table} t`,
  );
  return res.rows[0]!.h;
}

/** The link state an exact plan must produce: every NULL FK whose name names one active master of its tenant. */
export async function expectedLinkHash(
  db: Queryable,
  table: string,
  fk: string,
  master: string,
  name: string,
  tenant: string | null,
): Promise<string> {
  const res = await db.query<{ h: string }>(
    `SELECT md5(coalesce(string_agg(t.id::text || ':' || coalesce(coalesce(t.${fk}, CASE WHEN $1::uuid IS NULL OR t.tenant_id = $1::uuid THEN
              (SELECT m.id FROM ${master} m WHERE m.tenant_id = t.tenant_id AND m.${name} = t.${name} AND m.is_active) END)::text, '-'), '|' ORDER BY t.id), '')) AS h
       FROM ${table} t`,
    [tenant],
  );
  return res.rows[0]!.h;
}
