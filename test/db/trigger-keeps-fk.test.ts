/**
 * A BEFORE UPDATE trigger that keeps the FK as it was ("posted documents are locked": NEW.customer_id :=
 * OLD.customer_id, or RETURN OLD) lets apply's UPDATE through without linking the row. A new user's trial: apply
 * counted such rows updated and logged NULL → NULL (its report said every row linked while status saw them NULL),
 * and left its own updated_at on them, which undo then could not set back; an undo of rows posted since counted them
 * reverted while they stayed linked. Now such rows are neither counted nor logged, keep their updated_at, and are
 * counted and named as refused by the table (left NULL by apply, left linked by undo).
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan, status, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({});
const BEFORE = '2020-01-02 03:04:05+00';

const triggers = {
  'keeps the FK (NEW.customer_id := OLD.customer_id)': `IF OLD.posted THEN NEW.customer_id := OLD.customer_id; END IF; RETURN NEW;`,
  'keeps the whole row (RETURN OLD)': `IF OLD.posted THEN RETURN OLD; END IF; RETURN NEW;`,
};

async function schema(t: TestDb, body: string): Promise<void> {
  await t.db.exec(`
    SET TIME ZONE 'UTC';
    CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int, posted boolean NOT NULL DEFAULT false,
                         updated_at timestamptz NOT NULL DEFAULT '${BEFORE}');
    INSERT INTO customers VALUES (1, 1, 'ABC'), (2, 1, 'XYZ');
    INSERT INTO orders (id, tenant_id, customer_name, posted) VALUES (1, 1, 'ABC', false), (2, 1, 'ABC', true), (3, 1, 'XYZ', false), (4, 1, 'XYZ', true), (5, 1, 'ABC', false);
    CREATE FUNCTION posted_locked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} END $$;
    CREATE TRIGGER posted_locked BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION posted_locked();`);
}

type Row = { id: number; customer_id: number | null; updated_at: string };
async function rows(t: TestDb): Promise<Row[]> {
  return (
    await t.db.query<Row>(
      `SELECT id, customer_id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS updated_at FROM orders ORDER BY id`,
    )
  ).rows;
}

describeEach('a trigger that keeps the FK', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  for (const [what, body] of Object.entries(triggers))
    for (const singleTransaction of [false, true])
      it(`${what}, ${singleTransaction ? 'one transaction' : 'batched'}: kept rows are refused by the table and named, not counted or logged, their updated_at as it was; undo exact`, async () => {
        t = await freshDb(target);
        await schema(t, body);
        const p = await plan(t.db, { config, tenantId: '1' });
        expect(p.results[0]!.recordsMatched).toBe(5);
        const a = await apply(t.db, { config, tenantId: '1', planRunId: p.runId, singleTransaction, batchSize: 2 });
        const r = a.results[0]!;
        expect([r.planned, r.updated, r.skipped]).toEqual([5, 3, 2]);
        // recorded as refused by the table, each named (a trigger that cancels the row, RETURN NULL, is counted as cancelled)
        expect(r.skipReasons?.refusedByTable).toBe(2);
        expect(r.refused?.map((x) => [x.key, x.message])).toEqual([
          ['2', 'a BEFORE UPDATE trigger kept customer_id NULL (the row left as it was)'],
          ['4', 'a BEFORE UPDATE trigger kept customer_id NULL (the row left as it was)'],
        ]);
        const after = await rows(t);
        expect(after.map((x) => x.customer_id)).toEqual([1, null, 2, null, 1]);
        // the posted rows are as they were, updated_at included
        expect(after.filter((x) => x.customer_id === null).map((x) => x.updated_at)).toEqual([
          '2020-01-02 03:04:05',
          '2020-01-02 03:04:05',
        ]);
        const logged = await t.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM fk_backfill.changes WHERE run_id = $1::int8`, [
          a.runId,
        ]);
        expect(logged.rows[0]!.n).toBe('3');
        const s = await status(t.db, { config, tenantId: '1' });
        expect([s.links[0]!.populatedFks, s.links[0]!.nullFks]).toEqual([3, 2]);
        const u = await undo(t.db, { runId: a.runId });
        expect(u.totalReverted).toBe(3);
        expect(await rows(t)).toEqual([1, 2, 3, 4, 5].map((id) => ({ id, customer_id: null, updated_at: '2020-01-02 03:04:05' })));
      });

  for (const [what, body] of Object.entries(triggers))
    it(`undo of rows posted since the apply, the trigger ${what.replace('keeps', 'keeping')}: they stay linked, refused by the table and named, updated_at as the apply left it; undone once unposted`, async () => {
      t = await freshDb(target);
      await schema(t, body);
      const unposted = `ALTER TABLE orders DISABLE TRIGGER posted_locked; UPDATE orders SET posted = false; ALTER TABLE orders ENABLE TRIGGER posted_locked`;
      await t.db.exec(unposted);
      const a = await apply(t.db, { config, tenantId: '1', batchSize: 2 });
      expect(a.results[0]!.updated).toBe(5);
      const applied = await rows(t);
      await t.db.exec(
        `ALTER TABLE orders DISABLE TRIGGER posted_locked; UPDATE orders SET posted = true WHERE id IN (2, 4); ALTER TABLE orders ENABLE TRIGGER posted_locked`,
      );
      const u = await undo(t.db, { runId: a.runId, batchSize: 2 });
      const r = u.results[0]!;
      expect([u.totalReverted, u.totalSkipped, r.refusedByTable]).toEqual([3, 2, 2]);
      expect(r.refused?.map((x) => [x.key, x.message])).toEqual([
        ['2', 'a BEFORE UPDATE trigger kept customer_id at 1 (the row left linked)'],
        ['4', 'a BEFORE UPDATE trigger kept customer_id at 2 (the row left linked)'],
      ]);
      const now = await rows(t);
      expect(now.filter((x) => x.id === 2 || x.id === 4)).toEqual(applied.filter((x) => x.id === 2 || x.id === 4));
      expect(now.filter((x) => x.customer_id === null).map((x) => [x.id, x.updated_at])).toEqual([
        [1, '2020-01-02 03:04:05'],
        [3, '2020-01-02 03:04:05'],
        [5, '2020-01-02 03:04:05'],
      ]);
      await t.db.exec(unposted);
      const again = await undo(t.db, { runId: a.runId });
      expect(again.totalReverted).toBe(2);
    });
});
