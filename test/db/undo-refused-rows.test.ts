/**
 * A row the table refuses to set back (a constraint or a trigger added after the apply that refuses a NULL FK
 * for some rows) is left linked with its reason, and every other row is set back: before, one such row failed
 * the whole undo (exit 1, nothing reverted, `--resume` failing the same way). As in apply (src/batch/refused.ts),
 * the failing batch is split down to the rows the table refuses, recorded in fk_backfill.refused_rows under the
 * undo run; they count as skipped. Undone again once the constraint is gone, they are set back.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan, resumeUndo, undo, type UndoOptions } from '../../src/index.js';
import { undoText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({ updatedAt: 'updated_at' });

async function linkedAll(t: TestDb): Promise<string> {
  await t.db.exec(`
    CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id),
                         updated_at timestamptz, kind text NOT NULL DEFAULT 'sale');
    INSERT INTO customers SELECT i, 1 + i % 2, 'C' || i FROM generate_series(1, 20) i;
    INSERT INTO orders (id, tenant_id, customer_name, updated_at)
      SELECT i, 1 + (1 + i % 20) % 2, 'C' || (1 + i % 20), '2020-01-01' FROM generate_series(1, 200) i;`);
  const p = await plan(t.db, { config, allTenants: true });
  const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
  expect(a.totalUpdated).toBe(200);
  // after the apply, the application marks some orders as posted: a posted order must keep its customer
  await t.db.exec(`UPDATE orders SET kind = 'posted' WHERE id IN (13, 77, 78, 150);`);
  return a.runId;
}

const CHECK = `ALTER TABLE orders ADD CONSTRAINT orders_posted_linked CHECK (customer_id IS NOT NULL OR kind <> 'posted');`;
const RAISING = `CREATE FUNCTION keep_posted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN IF NEW.kind = 'posted' AND NEW.customer_id IS NULL THEN RAISE EXCEPTION 'posted order % keeps its customer', NEW.id; END IF; RETURN NEW; END $$;
  CREATE TRIGGER keep_posted BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION keep_posted();`;

async function state(t: TestDb): Promise<{ linked: number; posted: number; restored: number }> {
  const r = await t.db.query<{ linked: number; posted: number; restored: number }>(
    `SELECT count(customer_id)::int AS linked, count(customer_id) FILTER (WHERE kind = 'posted')::int AS posted,
            count(*) FILTER (WHERE customer_id IS NULL AND updated_at = '2020-01-01')::int AS restored FROM orders`,
  );
  return r.rows[0]!;
}

describeEach('undo with rows the table refuses to set back', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  const cases: [string, string, Partial<UndoOptions>, RegExp][] = [
    ['a CHECK constraint, batched', CHECK, { singleTransaction: false, batchSize: 50 }, /orders_posted_linked/],
    ['a trigger that raises, batched', RAISING, { singleTransaction: false, batchSize: 50 }, /posted order 77 keeps its customer/],
    ['a CHECK constraint, one transaction', CHECK, { singleTransaction: true }, /orders_posted_linked/],
  ];
  for (const [what, ddl, opts, message] of cases) {
    it(`${what}: the refused rows stay linked with their reason, every other row is set back; undone again later, they are`, async () => {
      t = await freshDb(target);
      const runId = await linkedAll(t);
      await t.db.exec(ddl);
      const u = await undo(t.db, { runId, ...opts });
      expect(u.status).toBe('done');
      const r = u.results[0]!;
      expect([r.changed, r.reverted, r.skipped, r.refusedByTable]).toEqual([200, 196, 4, 4]);
      expect(r.refused?.map((x) => x.key).sort()).toEqual(['13', '150', '77', '78']);
      expect(r.refused?.find((x) => x.key === '77')?.message).toMatch(message);
      expect(await state(t)).toEqual({ linked: 4, posted: 4, restored: 196 });
      const text = undoText(u);
      expect(text).toContain('196 row(s) set back, 4 skipped (4 refused by the table, left linked)');
      expect(text).toMatch(/the table refused 4 row\(s\), left linked/);
      // once what refused them is gone, undoing the run again sets back exactly those rows
      await t.db.exec(`ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_posted_linked; DROP TRIGGER IF EXISTS keep_posted ON orders;`);
      const again = await undo(t.db, { runId, ...opts });
      expect([again.totalReverted, again.totalSkipped]).toEqual([4, 196]);
      expect(again.results[0]!.refusedByTable).toBeUndefined();
      expect(await state(t)).toEqual({ linked: 0, posted: 0, restored: 200 });
    });
  }

  it('a trigger that refuses every row of a batch stops the undo with its error and the way on; resumed once it is dropped, the undo ends exact', async () => {
    t = await freshDb(target);
    const runId = await linkedAll(t);
    await t.db.exec(`CREATE FUNCTION keep_all() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.customer_id IS NULL THEN RAISE EXCEPTION 'orders_linked: order % keeps its customer', NEW.id; END IF; RETURN NEW; END $$;
      CREATE TRIGGER keep_all BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION keep_all();`);
    let undoRun = '';
    const e = await undo(t.db, { runId, singleTransaction: false, batchSize: 150 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ROWS_REFUSED' });
    expect(String((e as Error).message)).toMatch(/orders_linked.*then continue: fk-backfill undo --resume (\d+) --yes/);
    undoRun = /undo --resume (\d+)/.exec((e as Error).message)![1]!;
    expect((await state(t)).linked).toBe(200);
    await t.db.exec(`DROP TRIGGER keep_all ON orders;`);
    const done = await resumeUndo(t.db, { runId: undoRun });
    expect([done.totalReverted, done.totalSkipped]).toEqual([200, 0]);
    expect(await state(t)).toEqual({ linked: 0, posted: 0, restored: 200 });
  });

  it('a CHECK over the FK that refuses every row is read before the update: all left linked, each named, none split; undone again once it is dropped', async () => {
    t = await freshDb(target);
    const runId = await linkedAll(t);
    await t.db.exec(`ALTER TABLE orders ADD CONSTRAINT orders_linked CHECK (customer_id IS NOT NULL);`);
    for (const singleTransaction of [false, true]) {
      const u = await undo(t.db, { runId, singleTransaction, batchSize: 150 });
      expect([u.status, u.totalReverted, u.totalSkipped, u.results[0]!.refusedByTable]).toEqual(['done', 0, 200, 200]);
      expect(u.results[0]!.refused?.[0]).toMatchObject({
        sqlstate: '23514',
        constraint: 'orders_linked',
        message: expect.stringContaining('left linked'),
      });
      expect(undoText(u)).toContain('200 refused by the table, left linked');
      expect((await state(t)).linked).toBe(200);
    }
    await t.db.exec(`ALTER TABLE orders DROP CONSTRAINT orders_linked;`);
    const again = await undo(t.db, { runId });
    expect([again.totalReverted, again.totalSkipped]).toEqual([200, 0]);
    expect(await state(t)).toEqual({ linked: 0, posted: 0, restored: 200 });
  });
});
