/**
 * An FK the writer clears stays cleared (a new user's trial): an UPDATE that set customer_id = NULL and also wrote the
 * name and tenant (an ORM saving the whole row) fired the guard, which linked the row again and logged a new link.
 * Clearing it is the writer's decision; an UPDATE that clears it and gives another name asks about that new name.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { guardStatus, installGuard, removeGuard } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { DOCUMENTS_SCHEMA, documentsConfig } from '../helpers/orders-config.js';

const config = documentsConfig();

describeEach('guard and a cleared FK', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(DOCUMENTS_SCHEMA);
  });
  afterEach(async () => t.dispose());

  it('leaves NULL an FK the writer cleared while writing the same name and tenant; a new name in the same UPDATE is linked', async () => {
    const db = t.db;
    const g = await installGuard(db, { config });
    await db.query(`INSERT INTO documents VALUES (2, 1, 'Beta', NULL), (3, 1, 'Beta', 2)`);
    const fk = async (id: number): Promise<number | null> =>
      (await db.query<{ c: number | null }>(`SELECT customer_id AS c FROM documents WHERE id = $1`, [id])).rows[0]!.c;
    expect(await fk(2)).toBe(2);
    // the trial's full-row save: the guard's own link, cleared
    await db.query(`UPDATE documents SET customer_id = NULL, customer_name = 'Beta', tenant_id = 1 WHERE id = 2`);
    expect(await fk(2)).toBeNull();
    // the writer's own FK, cleared
    await db.query(`UPDATE documents SET customer_id = NULL, customer_name = customer_name WHERE id = 3`);
    expect(await fk(3)).toBeNull();
    // while it is NULL, a write of the name is resolved again as before
    await db.query(`UPDATE documents SET customer_name = 'Beta' WHERE id = 3`);
    expect(await fk(3)).toBe(2);
    // cleared with another name: that name is linked
    await db.query(`UPDATE documents SET customer_id = NULL, customer_name = 'Gamma' WHERE id = 3`);
    expect(await fk(3)).toBe(3);
    const links = await db.query<{ k: string; v: string }>(
      `SELECT row_key AS k, new_value AS v FROM fk_backfill.guard_links WHERE run_id = $1::int8 ORDER BY linked_at, row_key, new_value`,
      [g.runId],
    );
    expect(links.rows).toEqual([
      { k: '2', v: '2' },
      { k: '3', v: '2' },
      { k: '3', v: '3' },
    ]);
    // a clear is no miss
    expect((await guardStatus(db)).guards[0]).toMatchObject({ hits: 3, misses: 0 });
    await removeGuard(db);
  });
});
