/**
 * Columns an UPDATE cannot write are found at plan time (issue #23): an `updated_at` that is generated,
 * or not a timestamp fk-backfill can set, is left alone with a notice (exit 2 when the config names it);
 * a generated FK column is refused, naming it. Before: plan passed and apply's first batch failed with
 * `column "updated_at" can only be updated to DEFAULT`.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan } from '../../src/index.js';
import { BackfillError } from '../../src/errors.js';
import type { ConfigInput, LinkInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const T = '11111111-1111-1111-1111-111111111111';

async function schema(t: TestDb, updatedAt: string, fk = 'customer_id uuid'): Promise<void> {
  await t.db.exec(`
    CREATE TABLE customers (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid NOT NULL, customer_name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
    CREATE TABLE orders (id int PRIMARY KEY, tenant_id uuid NOT NULL, customer_name text, ${fk},
                         created_at timestamptz NOT NULL DEFAULT timestamptz '2026-01-20 09:00:00+00', ${updatedAt});
    INSERT INTO customers (tenant_id, customer_name) VALUES ('${T}', 'ABC Corp'), ('${T}', 'XYZ Ltd');
    INSERT INTO orders (id, tenant_id, customer_name) VALUES (1, '${T}', 'ABC Corp'), (2, '${T}', 'XYZ Ltd'), (3, '${T}', 'Nobody');`);
}

function config(extra: Partial<LinkInput> = {}): ConfigInput {
  return ordersConfig(extra, { active: 'is_active' });
}

async function refused(p: Promise<unknown>): Promise<BackfillError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(BackfillError);
  return e as BackfillError;
}

describeEach('unwritable columns found at plan time', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  for (const [what, col, reason] of [
    ['generated', `updated_at timestamptz GENERATED ALWAYS AS (created_at) STORED`, /generated column/],
    ['text', `updated_at text DEFAULT 'never'`, /is text, not a timestamp/],
    ['bigint (epoch)', `updated_at bigint DEFAULT 0`, /is bigint, not a timestamp/],
  ] as const) {
    it(`a ${what} updated_at is left alone with a notice; apply links and leaves it as it was`, async () => {
      t = await freshDb(target);
      await schema(t, col);
      const before = await t.db.query<{ u: string }>(`SELECT string_agg(updated_at::text, ',' ORDER BY id) AS u FROM orders`);
      const p = await plan(t.db, { config: config(), tenantId: T });
      expect(p.notices?.join('\n')).toMatch(reason);
      expect(p.notices?.[0]).toContain('orders.updated_at is left alone');
      const a = await apply(t.db, { config: config(), tenantId: T, planRunId: p.runId });
      expect(a.totalUpdated).toBe(2);
      expect(a.notices?.[0]).toMatch(reason);
      const after = await t.db.query<{ u: string }>(`SELECT string_agg(updated_at::text, ',' ORDER BY id) AS u FROM orders`);
      expect(after.rows[0]!.u).toBe(before.rows[0]!.u);
    });
  }

  it('a generated updated_at named in the config: exit 2 naming the column, nothing written', async () => {
    t = await freshDb(target, { migrated: false });
    await schema(t, `touched_at timestamptz GENERATED ALWAYS AS (created_at) STORED`);
    const e = await refused(plan(t.db, { config: config({ updatedAt: 'touched_at' }), tenantId: T }));
    expect(e.code).toBe('SCHEMA_UNWRITABLE_COLUMN');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('orders.touched_at cannot serve as updatedAt: it is a generated column');
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'fk_backfill'`)).rows[0]!.n).toBe(
      0,
    );
  });

  it('a text column named as updatedAt: exit 2; a timestamp without time zone and a date are set', async () => {
    t = await freshDb(target);
    await schema(t, `note text, stamped timestamp, stamped_on date`);
    const e = await refused(plan(t.db, { config: config({ updatedAt: 'note' }), tenantId: T }));
    expect(e.message).toContain('orders.note cannot serve as updatedAt: it is text');
    const a = await apply(t.db, { config: config({ updatedAt: 'stamped' }), tenantId: T });
    expect(a.totalUpdated).toBe(2);
    expect(a.notices).toBeUndefined();
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE stamped IS NOT NULL`)).rows[0]!.n).toBe(2);
  });

  it('a generated FK column is refused at plan time, naming it', async () => {
    t = await freshDb(target);
    await schema(t, `updated_at timestamptz`, `customer_id uuid GENERATED ALWAYS AS (NULL::uuid) STORED`);
    const e = await refused(plan(t.db, { config: config(), tenantId: T }));
    expect(e.code).toBe('SCHEMA_UNWRITABLE_COLUMN');
    expect(e.message).toContain('orders.customer_id cannot be written by an UPDATE: it is a generated column');
  });
});
