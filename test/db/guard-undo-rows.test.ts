/**
 * An undo of a guard run counts rows, not change-log entries: the guard logs a row each time it links it (linked,
 * cleared and renamed by the application, linked again), and undo printed "changed 2, reverted 1, skipped 1" for one
 * row it set back. Changed is the rows the run changed; reverted ≤ changed is checked by the code that prints it.
 */
import { afterEach, expect, it } from 'vitest';
import { installGuard, removeGuard, undo } from '../../src/index.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { undoText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const SO = ['sales_order'];

describeEach('undo of a guard run that linked one row twice', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  for (const singleTransaction of [true, false]) {
    it(`counts the row once: changed 2 rows, reverted 2, skipped 0 (${singleTransaction ? 'single transaction' : 'batched'})`, async () => {
      t = await freshDb(target);
      await createAxis(t.db);
      const db = t.db;
      const g = await installGuard(db, { entities: SO });
      await db.query(
        `INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1::uuid, 'G-1', 'Acme Corporation'), ($1::uuid, 'G-2', 'Beta Industries')`,
        [DEMO_TENANT],
      );
      // the application clears G-1 and names another customer: the guard links it again (a second log entry, one row)
      await db.query(`UPDATE sales_orders SET customer_id = NULL, customer_name = 'Beta Industries' WHERE order_number = 'G-1'`);
      const linked = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sales_orders WHERE order_number IN ('G-1', 'G-2') AND customer_id IS NOT NULL`,
      );
      expect(linked.rows[0]!.n).toBe(2);
      await removeGuard(db);
      const u = await undo(db, { runId: g.runId, singleTransaction, ...(singleTransaction ? {} : { batchSize: 1 }) });
      expect(u.results.map((r) => [r.changed, r.reverted, r.skipped])).toEqual([[2, 2, 0]]);
      expect(u).toMatchObject({ totalReverted: 2, totalSkipped: 0 });
      expect(u.reconnected).toBeUndefined(); // no connection lost: not said
      expect(undoText(u)).toContain(`Undo run ${u.runId} reverted run ${g.runId}: 2 row(s) set back, 0 skipped.`);
      const left = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sales_orders WHERE order_number IN ('G-1', 'G-2') AND customer_id IS NOT NULL`,
      );
      expect(left.rows[0]!.n).toBe(0);
    });
  }
});
