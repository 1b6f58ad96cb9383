/**
 * Partitioned sources end to end (issue #23), keys aside: plan / apply / undo on `sales_orders`
 * partitioned by range of order_date, and `constrain` with the recipe PostgreSQL 15 allows: index ON ONLY
 * the parent, per partition CREATE INDEX CONCURRENTLY (PostgreSQL) + ATTACH, FK NOT VALID + VALIDATE per
 * partition, then the parent's FK (which adopts them without a second scan). `--dry-run` prints exactly
 * the statements a live run executes. Before: `cannot create index on partitioned table concurrently`.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, constrain, plan, undo, verify } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

/** The primary key: `id` alone repeats across partitions (and is refused as a key, test/db/row-identity.test.ts). */
const KEY = ['id', 'order_date'];

const config: ConfigInput = {
  links: [
    {
      entity: 'sales_order',
      table: 'sales_orders',
      key: KEY,
      fk: 'customer_id',
      name: 'customer_name',
      scope: ['tenant_id'],
      target: { table: 'customers', key: 'id', name: 'customer_name', active: 'is_active' },
    },
  ],
};

async function schema(t: TestDb): Promise<void> {
  await t.db.exec(`
    CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
    CREATE TABLE sales_orders (id int NOT NULL, order_date date NOT NULL, tenant_id int NOT NULL, customer_name text, customer_id int,
                               updated_at timestamptz NOT NULL DEFAULT timestamptz '2026-01-20 09:00:00+00', PRIMARY KEY (id, order_date))
      PARTITION BY RANGE (order_date);
    CREATE TABLE sales_orders_2025 PARTITION OF sales_orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE sales_orders_2026 PARTITION OF sales_orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    INSERT INTO customers VALUES (1, 1, 'ABC Corp', true), (2, 1, 'XYZ Ltd', true), (3, 2, 'ABC Corp', true);
    INSERT INTO sales_orders (id, order_date, tenant_id, customer_name, customer_id)
      SELECT g, date '2025-06-01' + (g * 37 % 500), 1 + g % 2, CASE g % 4 WHEN 0 THEN 'ABC Corp' WHEN 1 THEN 'XYZ Ltd' WHEN 2 THEN 'ABC Corp' ELSE 'Nobody' END, NULL
        FROM generate_series(1, 60) g;`);
}

const hash = async (t: TestDb): Promise<string> =>
  (await t.db.query<{ h: string }>(`SELECT md5(string_agg(s::text, '|' ORDER BY s.id, s.order_date)) AS h FROM sales_orders s`)).rows[0]!.h;

describeEach('partitioned source tables', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('plan / apply / undo on a partitioned sales_orders: exact counts, undo byte for byte', async () => {
    t = await freshDb(target);
    await schema(t);
    const before = await hash(t);
    const p = await plan(t.db, { config, allTenants: true });
    expect(p.results[0]!.recordsMatched).toBe(30); // tenant 1's ABC Corp rows (even ids); the odd ids are tenant 2's XYZ Ltd (no master there) and Nobody
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId, batchSize: 7 });
    expect(a.status).toBe('done');
    expect(a.totalUpdated).toBe(p.results[0]!.recordsMatched);
    expect(a.results[0]!.walk).toBe('key');
    const wrong = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sales_orders s JOIN customers c ON c.id = s.customer_id WHERE c.tenant_id <> s.tenant_id OR c.customer_name <> s.customer_name`,
    );
    expect(wrong.rows[0]!.n).toBe(0);
    const u = await undo(t.db, { runId: a.runId, singleTransaction: false, batchSize: 5 });
    expect(u.totalReverted).toBe(a.totalUpdated);
    expect(await hash(t)).toBe(before);
  });

  it('constrain: index ON ONLY + per-partition index attached, FK per partition validated then adopted by the parent; dry run = live SQL; idempotent', async () => {
    t = await freshDb(target);
    await schema(t);
    await apply(t.db, { config, allTenants: true });

    const dry = await constrain(t.db, { config, dryRun: true });
    const planned = dry.links[0]!.steps.filter((s) => s.status === 'planned').flatMap((s) => s.sql);
    const cc = target !== 'pglite' ? ' CONCURRENTLY' : '';
    expect(planned).toEqual([
      `CREATE INDEX IF NOT EXISTS "sales_orders_customer_id_idx" ON ONLY "sales_orders" ("customer_id")`,
      `CREATE INDEX${cc} "sales_orders_2025_customer_id_idx" ON "public"."sales_orders_2025" ("customer_id")`,
      `ALTER INDEX "sales_orders_customer_id_idx" ATTACH PARTITION "public"."sales_orders_2025_customer_id_idx"`,
      `CREATE INDEX${cc} "sales_orders_2026_customer_id_idx" ON "public"."sales_orders_2026" ("customer_id")`,
      `ALTER INDEX "sales_orders_customer_id_idx" ATTACH PARTITION "public"."sales_orders_2026_customer_id_idx"`,
      `ALTER TABLE "public"."sales_orders_2025" ADD CONSTRAINT "sales_orders_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id") ON DELETE RESTRICT NOT VALID`,
      `ALTER TABLE "public"."sales_orders_2026" ADD CONSTRAINT "sales_orders_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id") ON DELETE RESTRICT NOT VALID`,
      `ALTER TABLE "public"."sales_orders_2025" VALIDATE CONSTRAINT "sales_orders_customer_id_fkey"`,
      `ALTER TABLE "public"."sales_orders_2026" VALIDATE CONSTRAINT "sales_orders_customer_id_fkey"`,
      `ALTER TABLE "sales_orders" ADD CONSTRAINT "sales_orders_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id") ON DELETE RESTRICT`,
    ]);
    const fkCount = async (): Promise<number> =>
      (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND confrelid = 'customers'::regclass`,
        )
      ).rows[0]!.n;
    expect(await fkCount()).toBe(0); // the dry run changed nothing

    const live = await constrain(t.db, { config });
    expect(live.links[0]!.steps.filter((s) => s.status === 'done' && s.step !== 'orphan-scan').flatMap((s) => s.sql)).toEqual(planned);
    const fk = await t.db.query<{ validated: boolean; def: string }>(
      `SELECT convalidated AS validated, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'sales_orders'::regclass AND contype = 'f'`,
    );
    expect(fk.rows).toEqual([{ validated: true, def: 'FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE RESTRICT' }]);
    const children = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND confrelid = 'customers'::regclass AND conparentid <> 0 AND convalidated`,
    );
    expect(children.rows[0]!.n).toBe(2); // the partitions' constraints, adopted
    const ix = await t.db.query<{ valid: boolean }>(
      `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'sales_orders_customer_id_idx'::regclass`,
    );
    expect(ix.rows).toEqual([{ valid: true }]);
    await expect(t.db.query(`DELETE FROM customers WHERE id = 1`)).rejects.toThrow(/foreign key/);

    const again = await constrain(t.db, { config });
    expect(again.nothingToDo).toBe(true);
    const v = await verify(t.db, { config, allTenants: true });
    expect(v.links[0]!.constraint).not.toBeNull();
    expect(v.links[0]!.index?.name).toBe('sales_orders_customer_id_idx');
  });

  it('constrain continues a partitioned recipe an earlier run left half done', async () => {
    t = await freshDb(target);
    await schema(t);
    await apply(t.db, { config, allTenants: true });
    await t.db.exec(`CREATE INDEX sales_orders_customer_id_idx ON ONLY sales_orders (customer_id);
      CREATE INDEX sales_orders_2025_customer_id_idx ON sales_orders_2025 (customer_id);
      ALTER INDEX sales_orders_customer_id_idx ATTACH PARTITION sales_orders_2025_customer_id_idx;
      ALTER TABLE sales_orders_2026 ADD CONSTRAINT sales_orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT NOT VALID;`);
    const r = await constrain(t.db, { config });
    const sql = r.links[0]!.steps.filter((s) => s.status === 'done' && s.step !== 'orphan-scan').flatMap((s) => s.sql);
    expect(sql.some((q) => q.includes('ON ONLY'))).toBe(false);
    expect(sql.filter((q) => q.includes('ATTACH PARTITION'))).toHaveLength(1);
    expect(sql.filter((q) => q.includes('sales_orders_2026" ADD CONSTRAINT'))).toHaveLength(0);
    expect(sql.filter((q) => q.includes('VALIDATE CONSTRAINT'))).toHaveLength(2);
    const fk = await t.db.query<{ validated: boolean }>(
      `SELECT convalidated AS validated FROM pg_constraint WHERE conrelid = 'sales_orders'::regclass AND contype = 'f'`,
    );
    expect(fk.rows).toEqual([{ validated: true }]);
    expect((await constrain(t.db, { config })).nothingToDo).toBe(true);
  });
});
