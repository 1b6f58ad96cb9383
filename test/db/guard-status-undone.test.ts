/**
 * `guard status` after an undo of the guard run: the links the undo set back are no longer counted as hits, but
 * apart (`undone`); links the guard makes after the undo count as hits again. Before: status counted every link the
 * run ever logged, those undone included.
 */
import { afterEach, expect, it } from 'vitest';
import { guardStatus, installGuard, removeGuard, undo } from '../../src/index.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const SO = ['sales_order'];

describeEach('guard status after an undo of its run', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('counts the undone links apart, not as hits; later links are hits', async () => {
    t = await freshDb(target);
    await createAxis(t.db);
    const db = t.db;
    const g = await installGuard(db, { entities: SO });
    const insert = (numbers: string[]): Promise<unknown> =>
      db.query(
        `INSERT INTO sales_orders (tenant_id, order_number, customer_name) SELECT $1::uuid, n, 'Acme Corporation' FROM unnest($2::text[]) n`,
        [DEMO_TENANT, numbers],
      );
    await insert(['G-1', 'G-2', 'G-3']);
    const before = (await guardStatus(db, { entities: SO })).guards[0]!;
    expect([before.hits, before.undone]).toEqual([3, 0]);
    const u = await undo(db, { runId: g.runId });
    expect(u.totalReverted).toBe(3);
    const after = (await guardStatus(db, { entities: SO })).guards[0]!;
    expect([after.hits, after.undone, after.byMethod]).toEqual([0, 3, {}]);
    // the guard is still installed: a new row is linked, a hit
    await insert(['G-4']);
    const later = (await guardStatus(db, { entities: SO })).guards[0]!;
    expect([later.hits, later.undone]).toEqual([1, 3]);
    await removeGuard(db);
  });
});
