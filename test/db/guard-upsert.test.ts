/**
 * The guard and INSERT … ON CONFLICT on the configured key (a new user's trial): the BEFORE INSERT filled the FK of a
 * row whose key existed, saw the key and did not log it, and `DO UPDATE SET customer_id = excluded.customer_id` wrote
 * that value into the existing row: linked, not in guard_links, not counted by status, left linked by undo. Now the
 * INSERT of an existing key is not filled; the DO UPDATE's BEFORE UPDATE links and logs the row, once.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { guardStatus, installGuard, removeGuard, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { DOCUMENTS_SCHEMA, documentsConfig } from '../helpers/orders-config.js';

const config = documentsConfig();

describeEach('guard and INSERT … ON CONFLICT', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(DOCUMENTS_SCHEMA);
    await t.db.exec(
      `INSERT INTO documents VALUES (2, 1, 'Beta', NULL), (3, 1, 'Gamma', NULL), (4, 1, 'Beta', NULL), (5, 1, 'Nobody', NULL);`,
    );
  });
  afterEach(async () => t.dispose());

  it('logs every FK an upsert writes through the guard, exactly once, and undo reverts all of them', async () => {
    const db = t.db;
    const g = await installGuard(db, { config: config });
    // the trial's statement: the FK from EXCLUDED
    await db.query(
      `INSERT INTO documents VALUES (2, 1, 'Beta', NULL) ON CONFLICT (id) DO UPDATE SET customer_name = excluded.customer_name, customer_id = excluded.customer_id`,
    );
    // the name only: the existing row's NULL FK, filled by the UPDATE
    await db.query(
      `INSERT INTO documents VALUES (3, 1, 'Gamma', NULL) ON CONFLICT (id) DO UPDATE SET customer_name = excluded.customer_name`,
    );
    // discarded: nothing filled, nothing logged (not even a miss)
    await db.query(`INSERT INTO documents VALUES (4, 1, 'Beta', NULL) ON CONFLICT (id) DO NOTHING`);
    // a name it cannot link: one miss, not one for the INSERT and one for its UPDATE
    await db.query(
      `INSERT INTO documents VALUES (5, 1, 'Nobody', NULL) ON CONFLICT (id) DO UPDATE SET customer_name = excluded.customer_name, customer_id = excluded.customer_id`,
    );
    // no conflict: an insert, linked and logged as any
    await db.query(
      `INSERT INTO documents VALUES (6, 1, 'Beta', NULL) ON CONFLICT (id) DO UPDATE SET customer_name = excluded.customer_name, customer_id = excluded.customer_id`,
    );
    const fks = async (): Promise<(number | null)[]> =>
      (await db.query<{ c: number | null }>(`SELECT customer_id AS c FROM documents ORDER BY id`)).rows.map((r) => r.c);
    expect(await fks()).toEqual([2, 3, null, null, 2]);
    const links = await db.query<{ k: string; v: string }>(
      `SELECT row_key AS k, new_value AS v FROM fk_backfill.guard_links WHERE run_id = $1::int8 ORDER BY row_key`,
      [g.runId],
    );
    expect(links.rows).toEqual([
      { k: '2', v: '2' },
      { k: '3', v: '3' },
      { k: '6', v: '2' },
    ]);
    const s = (await guardStatus(db)).guards[0]!;
    expect([s.hits, s.byReason]).toEqual([3, { unmatched: 1 }]);
    const u = await undo(db, { runId: g.runId });
    expect(u.totalReverted).toBe(3);
    expect(await fks()).toEqual([null, null, null, null, null]);
    await removeGuard(db);
  });
  it('a row already linked, sent again whole by a sync that does not know its FK: keeps its link, nothing logged', async () => {
    const db = t.db;
    await db.query(`UPDATE documents SET customer_id = 2 WHERE id = 2`);
    const g = await installGuard(db, { config });
    // the review's statement: the FK from EXCLUDED, and the name and tenant as they are
    await db.query(
      `INSERT INTO documents VALUES (2, 1, 'Beta', NULL) ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, customer_name = excluded.customer_name, customer_id = excluded.customer_id`,
    );
    expect((await db.query(`SELECT customer_id FROM documents WHERE id = 2`)).rows).toEqual([{ customer_id: 2 }]);
    // sent again under another name: that name is resolved by the DO UPDATE's trigger, linked and logged
    await db.query(
      `INSERT INTO documents VALUES (2, 1, 'Gamma', NULL) ON CONFLICT (id) DO UPDATE SET customer_name = excluded.customer_name, customer_id = excluded.customer_id`,
    );
    expect((await db.query(`SELECT customer_id FROM documents WHERE id = 2`)).rows).toEqual([{ customer_id: 3 }]);
    const logged = await db.query(`SELECT row_key, new_value FROM fk_backfill.guard_links WHERE run_id = $1::int8`, [g.runId]);
    expect(logged.rows).toEqual([{ row_key: '2', new_value: '3' }]);
    await removeGuard(db);
  });
});
