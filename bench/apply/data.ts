/**
 * The bench database: the Axis schema (src/demo/axis.ts) with 100 tenants, 20 000 customers (or another Shape) and N sales
 * orders (uuid keys, random order, ~10 % names with no customer), generated set-based in SQL. A pristine
 * copy (bench_orders_src) lets every measurement start from the same table.
 */
import type pg from 'pg';
import { AXIS_SCHEMA_SQL } from '../../src/demo/axis.js';

export interface Shape {
  tenants: number;
  customersPerTenant: number;
  /** An index on sales_orders (tenant_id), as ERPs keep for per-tenant screens (issue #23: many small tenants). */
  tenantIndex: boolean;
}

export const DEFAULT_SHAPE: Shape = { tenants: 100, customersPerTenant: 200, tenantIndex: false };

const SALES_ORDERS_DDL = AXIS_SCHEMA_SQL.find((s) => s.includes('CREATE TABLE sales_orders'))!;

export async function generate(c: pg.Client, rows: number, shape: Shape = DEFAULT_SHAPE): Promise<void> {
  const TENANTS = shape.tenants;
  const CUSTOMERS_PER_TENANT = shape.customersPerTenant;
  for (const stmt of AXIS_SCHEMA_SQL) await c.query(stmt);
  // The seed looks customers up by (tenant, name): give the per-row loop and the name join their index.
  await c.query(`CREATE INDEX customers_tenant_name ON customers (tenant_id, customer_name)`);
  await c.query(`INSERT INTO tenants (id, name) SELECT gen_random_uuid(), 'Tenant ' || i FROM generate_series(1, ${TENANTS}) i`);
  await c.query(`CREATE TABLE bench_tenant_no AS SELECT id, row_number() OVER (ORDER BY name) AS n FROM tenants`);
  await c.query(
    `INSERT INTO customers (tenant_id, customer_number, customer_name)
     SELECT t.id, 'C-' || i, 'Customer ' || t.n || '-' || i || ' ' || (ARRAY['Ltd', 'Inc', 'GmbH', 'LLC', 'Corp'])[1 + i % 5]
       FROM bench_tenant_no t, generate_series(1, ${CUSTOMERS_PER_TENANT}) i`,
  );
  await c.query(`CREATE TABLE bench_orders_src (LIKE sales_orders)`);
  await c.query(
    `INSERT INTO bench_orders_src (id, tenant_id, order_number, customer_name, customer_id, total_amount, created_at, updated_at)
     SELECT gen_random_uuid(), t.id, 'SO-' || g,
            CASE WHEN g % 10 = 3 THEN 'Walk-in ' || (g % 997)
                 ELSE 'Customer ' || t.n || '-' || ci || ' ' || (ARRAY['Ltd', 'Inc', 'GmbH', 'LLC', 'Corp'])[1 + ci % 5] END,
            NULL, (g % 100000) / 100.0, timestamptz '2026-01-01' + g * interval '1 second', timestamptz '2026-01-01' + g * interval '1 second'
       FROM generate_series(1, $1::int8) g
       JOIN bench_tenant_no t ON t.n = 1 + (g * 7919) % ${TENANTS}
      CROSS JOIN LATERAL (SELECT 1 + ((g / ${TENANTS}) * 104729) % ${CUSTOMERS_PER_TENANT} AS ci) x`,
    [rows],
  );
  await c.query('ANALYZE');
}

/** Drops and rebuilds sales_orders from the pristine copy (same rows, same physical order), then checkpoints. */
export async function resetOrders(c: pg.Client, order: 'random' | 'key' = 'random', shape: Shape = DEFAULT_SHAPE): Promise<void> {
  await c.query('DROP TABLE IF EXISTS sales_orders CASCADE');
  await c.query(SALES_ORDERS_DDL);
  if (shape.tenantIndex) await c.query('CREATE INDEX sales_orders_tenant ON sales_orders (tenant_id)');
  // random: uuid v4 keys in insertion order, uncorrelated with the heap (the Axis case); key: heap in key order (serial / uuid v7 keys).
  await c.query(`INSERT INTO sales_orders SELECT * FROM bench_orders_src${order === 'key' ? ' ORDER BY id' : ''}`);
  await c.query('VACUUM ANALYZE sales_orders');
  await c.query('CHECKPOINT');
}

export async function walLsn(c: pg.Client): Promise<string> {
  return (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
}

export async function walSince(c: pg.Client, lsn: string): Promise<number> {
  return Number((await c.query<{ b: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::int8 AS b', [lsn])).rows[0]!.b);
}

/** Checkpoints started so far (timed or requested): one during a measured phase adds full-page images to its WAL. */
export async function checkpoints(c: pg.Client): Promise<number> {
  const v = Number((await c.query<{ v: string }>('SHOW server_version_num')).rows[0]!.v);
  const sql =
    v >= 170000
      ? 'SELECT (num_timed + num_requested)::int8 AS n FROM pg_stat_checkpointer'
      : 'SELECT (checkpoints_timed + checkpoints_req)::int8 AS n FROM pg_stat_bgwriter';
  return Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
}
