/**
 * Undo never touches a row it did not write (issue #23): run A links rows; someone clears some of
 * those FKs; run B links them again, to the same masters. The rows hold A's value, but written by B:
 * undoing A leaves them (counted as skipped), undoing B then sets them back. Before: undo of A set back
 * B's 10 links, and undo of B found nothing to do. Single transaction and batched, both targets.
 */
import { afterEach, expect, it } from 'vitest';
import { undoText } from '../../src/cli/format.js';
import { apply, installGuard, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

// one tenant-less link: orders.customer_name → customers.name
const config = ordersConfig({ scope: [] }, { name: 'name' });

describeEach('undo of an older run after a later run re-linked its rows', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  for (const singleTransaction of [true, false]) {
    it(`leaves the later run's links (${singleTransaction ? 'single transaction' : 'batched'})`, async () => {
      t = await freshDb(target);
      await t.db.exec(`
        CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
        CREATE TABLE orders (id int PRIMARY KEY, customer_name text, customer_id int REFERENCES customers);
        INSERT INTO customers VALUES (1, 'ABC Corp'), (2, 'XYZ Ltd');
        INSERT INTO orders SELECT g, (ARRAY['ABC Corp', 'XYZ Ltd'])[g % 2 + 1], NULL FROM generate_series(1, 40) g;`);
      const batch = singleTransaction ? { singleTransaction: true } : { batchSize: 7 };
      const a = await apply(t.db, { config, allTenants: true, ...batch });
      expect(a.totalUpdated).toBe(40);
      await t.db.exec(`UPDATE orders SET customer_id = NULL WHERE id <= 10`);
      const b = await apply(t.db, { config, allTenants: true, ...batch });
      expect(b.totalUpdated).toBe(10);

      const ua = await undo(t.db, { runId: a.runId, ...batch });
      expect([ua.totalReverted, ua.totalSkipped]).toEqual([30, 10]);
      // said as such, naming run B and its undo (before: "10 skipped (changed since)" and no row named: a new user's
      // trial could not tell the application's edits from a later run's links)
      expect(ua.results[0]).toMatchObject({ rewrittenSince: 10, rewrittenBy: [{ run: b.runId, kind: 'apply', rows: 10 }] });
      expect(ua.results[0]!.editedSince).toBeUndefined();
      const text = undoText(ua);
      expect(text).toContain(`30 row(s) set back, 10 skipped (10 written again since by apply run ${b.runId}).`);
      expect(text).toContain(
        `  order: 10 skipped row(s) were written again after run ${a.runId} by apply run ${b.runId} (10): left as that run wrote them; its undo sets them back: fk-backfill undo --run ${b.runId} --yes`,
      );
      const linked = await t.db.query<{ ids: number[] }>(
        `SELECT array_agg(id ORDER BY id) AS ids FROM orders WHERE customer_id IS NOT NULL`,
      );
      expect(linked.rows[0]!.ids).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      const ub = await undo(t.db, { runId: b.runId, ...batch });
      expect([ub.totalReverted, ub.totalSkipped]).toEqual([10, 0]);
      const left = await t.db.query<{ n: number }>(`SELECT count(customer_id)::int AS n FROM orders`);
      expect(left.rows[0]!.n).toBe(0);
    });
  }

  it('leaves a link the guard wrote after the run, and says so', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, customer_name text, customer_id int REFERENCES customers);
      INSERT INTO customers VALUES (1, 'ABC Corp'), (2, 'XYZ Ltd');
      INSERT INTO orders SELECT g, (ARRAY['ABC Corp', 'abc corp', 'XYZ Ltd'])[g % 3 + 1], NULL FROM generate_series(1, 30) g;`);
    const normalized = ordersConfig({ scope: [], match: 'normalized' }, { name: 'name' });
    const a = await apply(t.db, { config: normalized, allTenants: true });
    expect(a.totalUpdated).toBe(30);
    const g = await installGuard(t.db, { config: normalized });
    // the application clears a row's FK, then writes its name as the master spells it: the guard links it again, to
    // the master run A wrote (no updated_at to tell the edit; the new name is one A's plan linked to that master)
    await t.db.exec(`UPDATE orders SET customer_id = NULL WHERE id IN (1, 4)`);
    await t.db.exec(`UPDATE orders SET customer_name = 'ABC Corp' WHERE id IN (1, 4)`);
    const back = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE id IN (1, 4) AND customer_id = 1`);
    expect(back.rows[0]!.n).toBe(2);
    const ua = await undo(t.db, { runId: a.runId });
    expect([ua.totalReverted, ua.totalSkipped]).toEqual([28, 2]);
    expect(ua.results[0]).toMatchObject({ rewrittenSince: 2, rewrittenBy: [{ run: g.runId, kind: 'guard', rows: 2 }] });
    expect(undoText(ua)).toContain(`28 row(s) set back, 2 skipped (2 written again since by guard run ${g.runId}).`);
    const linked = await t.db.query<{ ids: number[] }>(`SELECT array_agg(id ORDER BY id) AS ids FROM orders WHERE customer_id IS NOT NULL`);
    expect(linked.rows[0]!.ids).toEqual([1, 4]);
  });
});
