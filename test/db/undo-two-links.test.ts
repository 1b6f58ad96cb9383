/**
 * Two links on one table both set its updated_at: the second logs, as the old value, the time the first
 * one wrote. Undo reverts the links last-applied first, so every row gets back its own updated_at
 * (single transaction and batched, apply and undo).
 */
import { afterEach, expect, it } from 'vitest';
import { apply, resumeUndo, undo } from '../../src/index.js';
import type { BackfillError } from '../../src/errors.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { undoText } from '../../src/cli/format.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'order_currency',
      table: 'orders',
      key: 'id',
      fk: 'currency_id',
      name: 'currency_name',
      target: { table: 'currencies', key: 'id', name: 'name' },
    },
    {
      entity: 'order_customer',
      table: 'orders',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      target: { table: 'customers', key: 'id', name: 'name' },
    },
  ],
};

async function schema(t: TestDb): Promise<void> {
  await t.db.exec(`
    CREATE TABLE currencies (id int PRIMARY KEY, name text NOT NULL);
    CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, customer_name text, customer_id int, currency_name text, currency_id int, updated_at timestamptz NOT NULL);
    INSERT INTO currencies VALUES (1, 'Euro'), (2, 'US Dollar');
    INSERT INTO customers VALUES (1, 'ABC Corp'), (2, 'XYZ Ltd');
    INSERT INTO orders SELECT g, (ARRAY['ABC Corp', 'XYZ Ltd', 'Nobody'])[g % 3 + 1], NULL, (ARRAY['Euro', 'US Dollar', 'Yen', 'Euro'])[g % 4 + 1], NULL,
                              timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour'
                         FROM generate_series(1, 60) g;`);
}

const snapshot = async (t: TestDb): Promise<string> =>
  (await t.db.query<{ s: string }>(`SELECT string_agg(o::text, '|' ORDER BY o.id) AS s FROM orders o`)).rows[0]!.s;

describeEach('undo of two links on one table', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it("a batched undo failing on a trigger's error after batches were set back says what stays and names its --resume; resumed, every row is back", async () => {
    // a new user's trial: a trigger's SQLSTATE 53100 ended the undo with DB_ERROR and no word of `undo --resume`
    t = await freshDb(target);
    await schema(t);
    const before = await snapshot(t);
    const a = await apply(t.db, { config: { links: [config.links[1]!] }, singleTransaction: false, batchSize: 7 });
    const last = (await t.db.query<{ id: number }>(`SELECT max(id)::int AS id FROM orders WHERE customer_id IS NOT NULL`)).rows[0]!.id;
    await t.db.exec(`CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        RAISE EXCEPTION 'could not extend file' USING ERRCODE = '53100'; END $$;
      CREATE TRIGGER full_disk BEFORE UPDATE ON orders FOR EACH ROW WHEN (OLD.id = ${last}) EXECUTE FUNCTION full_disk();`);
    const err = (await undo(t.db, { runId: a.runId, singleTransaction: false, batchSize: 5 }).catch((e: unknown) => e)) as BackfillError;
    const id = (await t.db.query<{ id: string }>(`SELECT max(id)::text AS id FROM fk_backfill.runs WHERE kind = 'undo'`)).rows[0]!.id;
    expect(err.code).toBe('DB_ERROR');
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(
      new RegExp(
        `undo run ${id} had set back batches before it \\(order_customer\\): they stay, logged\\. Fix it, then continue with fk-backfill undo --resume ${id} --yes$`,
      ),
    );
    await t.db.exec(`DROP TRIGGER full_disk ON orders`);
    const r = await resumeUndo(t.db, { runId: id });
    expect(r.status).toBe('done');
    expect(await snapshot(t)).toBe(before);
  });

  for (const singleTransaction of [true, false]) {
    it(`gives every row back its own updated_at (${singleTransaction ? 'single transaction' : 'batched'})`, async () => {
      t = await freshDb(target);
      await schema(t);
      const before = await snapshot(t);
      const a = await apply(t.db, { config, singleTransaction, ...(singleTransaction ? {} : { batchSize: 7 }) });
      const both = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE customer_id IS NOT NULL AND currency_id IS NOT NULL`,
      );
      expect(both.rows[0]!.n).toBeGreaterThan(0);
      const u = await undo(t.db, { runId: a.runId, singleTransaction, ...(singleTransaction ? {} : { batchSize: 5 }) });
      expect(u.totalReverted).toBe(a.totalUpdated);
      expect(u.results.map((r) => r.entityType)).toEqual(['order_currency', 'order_customer']);
      expect(await snapshot(t)).toBe(before);
    });
  }

  it('--entity naming only a link the run changed no row of: refused, no undo run recorded; the other link is undone', async () => {
    t = await freshDb(target);
    await schema(t);
    await t.db.exec(`UPDATE orders SET currency_id = 1`);
    const a = await apply(t.db, { config });
    const runs = async (): Promise<number> =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`)).rows[0]!.n;
    const n = await runs();
    await expect(undo(t.db, { runId: a.runId, entities: ['order_currency'] })).rejects.toMatchObject({
      code: 'RUN_STATE',
      exitCode: 2,
      message: `run ${a.runId} changed no row of order_currency: nothing to undo, nothing written`,
    });
    expect(await runs()).toBe(n);
    expect((await undo(t.db, { runId: a.runId, entities: ['order_customer'] })).totalReverted).toBe(a.totalUpdated);
  });

  it('two runs on the same rows: undoing the earlier first is said (a notice naming the later run); last applied first, every row is back exactly', async () => {
    t = await freshDb(target);
    await schema(t);
    const before = await snapshot(t);
    const first = await apply(t.db, { config, entities: ['order_customer'] });
    const second = await apply(t.db, { config, entities: ['order_currency'] });
    // last applied first: exact, and nothing to say
    const u2 = await undo(t.db, { runId: second.runId });
    expect(u2.notices ?? []).toEqual([]);
    const u1 = await undo(t.db, { runId: first.runId });
    expect(u1.notices ?? []).toEqual([]);
    expect(await snapshot(t)).toBe(before);
    // applied again, the earlier undone first: the notice names the later run and the table
    const again1 = await apply(t.db, { config, entities: ['order_customer'] });
    const again2 = await apply(t.db, { config, entities: ['order_currency'] });
    const early = await undo(t.db, { runId: again1.runId });
    expect(early.notices).toEqual([
      `run ${again2.runId}, applied after run ${again1.runId} and not undone, also set the updated_at of orders: rows both changed keep the time the later run wrote, and undoing that run afterwards sets back this run's time; undo the last applied run first for each row's own updated_at`,
    ]);
    expect(undoText(early)).toContain(`Notice: run ${again2.runId}, applied after run ${again1.runId}`);
  });

  it("two runs on other rows of the table: no notice (a new user's trial named a later run that changed no row in common)", async () => {
    t = await freshDb(target);
    await schema(t);
    // the customer link on orders 1-30, later the currency link on orders 31-60: no row in common
    await t.db.exec(`UPDATE orders SET currency_name = NULL WHERE id <= 30; UPDATE orders SET customer_name = NULL WHERE id > 30`);
    const before = await snapshot(t);
    const first = await apply(t.db, { config, entities: ['order_customer'] });
    const second = await apply(t.db, { config, entities: ['order_currency'] });
    expect([first.totalUpdated > 0, second.totalUpdated > 0]).toEqual([true, true]);
    const u1 = await undo(t.db, { runId: first.runId });
    expect(u1.notices ?? []).toEqual([]);
    await undo(t.db, { runId: second.runId });
    expect(await snapshot(t)).toBe(before);
  });

  it('names the rows it skipped because their FK changed since: the key, what the run wrote, what it holds now', async () => {
    t = await freshDb(target);
    await schema(t);
    const a = await apply(t.db, { config: { links: [config.links[1]!] }, singleTransaction: false, batchSize: 7 });
    // the application moves order 3 (ABC Corp, linked to 1) to customer 2 and clears order 4's (XYZ Ltd, 2)
    await t.db.exec(`UPDATE orders SET customer_id = 2 WHERE id = 3; UPDATE orders SET customer_id = NULL WHERE id = 4`);
    const u = await undo(t.db, { runId: a.runId, singleTransaction: false, batchSize: 5 });
    const line = u.results[0]!;
    expect([line.skipped, line.reverted]).toEqual([2, a.totalUpdated - 2]);
    expect(line.editedSince).toEqual([
      { key: '3', wrote: '1', now: '2' },
      { key: '4', wrote: '2', now: null },
    ]);
    const text = undoText(u);
    expect(text).toContain(`order_customer: skipped, their orders row changed since run ${a.runId} wrote it (the first 2):`);
    expect(text).toContain(`orders row 3: now 2 (run ${a.runId} wrote 1)`);
    expect(text).toContain(`orders row 4: now NULL (run ${a.runId} wrote 2)`);
  });

  it('leaves a row the application wrote after the apply (its own updated_at), and one it deleted and inserted again under the same key: changed since, named', async () => {
    // a new user's trial: undo set both FKs back to NULL (the application had re-picked the customer, and re-created a row)
    t = await freshDb(target);
    await schema(t);
    const a = await apply(t.db, { config: { links: [config.links[1]!] }, singleTransaction: false, batchSize: 7 });
    const linked = (await t.db.query<{ id: number }>(`SELECT id FROM orders WHERE customer_id IS NOT NULL ORDER BY id LIMIT 2`)).rows.map(
      (r) => r.id,
    );
    expect(linked.length).toBe(2);
    const [edited, recreated] = linked as [number, number];
    await t.db.query(`UPDATE orders SET updated_at = timestamptz '2030-01-01 00:00:00+00' WHERE id = $1`, [edited]);
    // deleted and inserted again by the application: every column as it was, its own updated_at
    await t.db.exec(`CREATE TABLE kept_row AS SELECT * FROM orders WHERE id = ${recreated};
      DELETE FROM orders WHERE id = ${recreated};
      UPDATE kept_row SET updated_at = timestamptz '2030-01-02 00:00:00+00';
      INSERT INTO orders SELECT * FROM kept_row;
      DROP TABLE kept_row;`);
    const before = await t.db.query(`SELECT id, customer_id, updated_at::text AS u FROM orders WHERE id = ANY($1::int[]) ORDER BY id`, [
      linked,
    ]);
    const u = await undo(t.db, { runId: a.runId, singleTransaction: false, batchSize: 5 });
    const line = u.results[0]!;
    expect([line.skipped, line.reverted]).toEqual([2, a.totalUpdated - 2]);
    // both left exactly as the application wrote them
    expect(
      (await t.db.query(`SELECT id, customer_id, updated_at::text AS u FROM orders WHERE id = ANY($1::int[]) ORDER BY id`, [linked])).rows,
    ).toEqual(before.rows);
    expect(line.editedSince?.map((x) => [x.key, x.now === x.wrote, x.touched !== undefined])).toEqual([
      [String(edited), true, true],
      [String(recreated), true, true],
    ]);
    expect(undoText(u)).toContain(
      `orders row ${edited}: FK still ${line.editedSince![0]!.now} as run ${a.runId} wrote it, but the row was written since`,
    );
    // every other row is back as it was: FK NULL and its own updated_at
    const wrong = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE NOT (id = ANY($1::int[])) AND (customer_id IS NOT NULL OR updated_at <> timestamptz '2026-01-01 00:00:00+00' + id * interval '1 hour')`,
      [linked],
    );
    expect(wrong.rows[0]!.n).toBe(0);
  });

  for (const singleTransaction of [true, false]) {
    it(`an undo after an \`undo --entity\` of the same run says which rows that one set back (${singleTransaction ? 'single transaction' : 'batched'})`, async () => {
      t = await freshDb(target);
      await schema(t);
      const before = await snapshot(t);
      const batch = singleTransaction ? {} : { batchSize: 7 };
      const a = await apply(t.db, { config, singleTransaction, ...batch });
      const customers = a.results.find((r) => r.entityType === 'order_customer')!.updated;
      const currencies = a.results.find((r) => r.entityType === 'order_currency')!.updated;
      expect(Math.min(customers, currencies)).toBeGreaterThan(0);
      const first = await undo(t.db, { runId: a.runId, entities: ['order_customer'], singleTransaction, ...batch });
      expect(first.totalReverted).toBe(customers);
      const u = await undo(t.db, { runId: a.runId, singleTransaction, ...batch });
      const line = (e: string) => u.results.find((r) => r.entityType === e)!;
      expect([line('order_customer').reverted, line('order_customer').skipped, line('order_customer').alreadyReverted]).toEqual([
        0,
        customers,
        customers,
      ]);
      expect(line('order_customer').alreadyRevertedBy).toEqual([first.runId]);
      expect([line('order_currency').reverted, line('order_currency').alreadyReverted]).toEqual([currencies, undefined]);
      const text = undoText(u);
      expect(text).toContain(`${customers} skipped (${customers} already set back by undo run ${first.runId})`);
      expect(text).not.toContain('changed since');
      expect(await snapshot(t)).toBe(before);
    });
  }

  it("a row a trigger keeps linked while it holds a later run's updated_at: left with that time (the undo wrote none on it), not the undone run's", async () => {
    t = await freshDb(target);
    await schema(t);
    const cur = await apply(t.db, { config: { links: [config.links[0]!] } });
    const cus = await apply(t.db, { config: { links: [config.links[1]!] } });
    const id = (
      await t.db.query<{ id: number }>(`SELECT min(id)::int AS id FROM orders WHERE currency_id IS NOT NULL AND customer_id IS NOT NULL`)
    ).rows[0]!.id;
    const held = async (): Promise<string> =>
      (await t.db.query<{ u: string }>(`SELECT updated_at::text AS u FROM orders WHERE id = $1`, [id])).rows[0]!.u;
    const later = await held();
    // the row is posted: its currency can no longer change
    await t.db.exec(`CREATE FUNCTION posted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF OLD.id = ${id} THEN NEW.currency_id := OLD.currency_id; END IF; RETURN NEW; END $$;
      CREATE TRIGGER posted BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION posted();`);
    const u = await undo(t.db, { runId: cur.runId });
    expect(u.results[0]!.refusedByTable).toBe(1);
    expect(await held()).toBe(later);
    expect(cus.totalUpdated).toBeGreaterThan(0);
  });
});
