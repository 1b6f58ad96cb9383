/**
 * An undo of a guard run leaves a row another run wrote since (a new user's trial): the guard linked a row, the
 * application cleared it, a later apply linked it again to the same master; `undo --run <guard>` set it back to NULL
 * (the guard's links are moved into change sets when the undo starts, so their change-log position came after the
 * apply's and the later write was not seen), and the apply's own undo then could not give it back.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, installGuard, removeGuard, undo } from '../../src/index.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const SO = ['sales_order'];

describeEach('undo of a guard run after a later apply', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db);
  });
  afterEach(async () => t.dispose());

  const fkOf = async (number: string): Promise<string | null> =>
    (await t.db.query<{ fk: string | null }>(`SELECT customer_id::text AS fk FROM sales_orders WHERE order_number = $1`, [number])).rows[0]!
      .fk;

  it('leaves the rows the later apply linked again (skipped), and that apply undoes them', async () => {
    const db = t.db;
    await apply(db, { allTenants: true, entities: SO, singleTransaction: true });
    const g = await installGuard(db, { entities: SO });
    await db.query(
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1::uuid, 'G-1', 'Acme Corporation'), ($1::uuid, 'G-2', 'Acme Corporation')`,
      [DEMO_TENANT],
    );
    const acme = await fkOf('G-1');
    expect(acme).not.toBeNull();
    // the application clears G-1 (the guard leaves a writer's clear alone); a later apply links it again
    await db.query(`UPDATE sales_orders SET customer_id = NULL WHERE order_number = 'G-1'`);
    expect(await fkOf('G-1')).toBeNull();
    const again = await apply(db, { allTenants: true, entities: SO });
    expect(again.totalUpdated).toBe(1);
    expect(await fkOf('G-1')).toBe(acme);

    const ug = await undo(db, { runId: g.runId });
    expect(ug).toMatchObject({ totalReverted: 1, totalSkipped: 1 });
    expect(await fkOf('G-1')).toBe(acme); // the later apply's
    expect(await fkOf('G-2')).toBeNull(); // the guard's own, set back

    const ua = await undo(db, { runId: again.runId });
    expect(ua).toMatchObject({ totalReverted: 1, totalSkipped: 0 });
    expect(await fkOf('G-1')).toBeNull();
    await removeGuard(db);
  });
});
