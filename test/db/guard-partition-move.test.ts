/**
 * The guard on a list-partitioned table (a new user's trial): an UPDATE that moves a NULL-FK row whose name it cannot
 * link to another partition fires it twice, BEFORE UPDATE on the old partition and BEFORE INSERT on the new one, and
 * each logged the miss: guard status counted it twice. Now the second call knows the row and logs nothing.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { guardStatus, installGuard, removeGuard, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { documentsConfig } from '../helpers/orders-config.js';

const config = documentsConfig({ key: ['tenant_id', 'id'] });

describeEach('guard on a partitioned table', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (tenant_id int NOT NULL, id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE documents (id int NOT NULL, tenant_id int NOT NULL, customer_name text, customer_id int, PRIMARY KEY (tenant_id, id))
        PARTITION BY LIST (tenant_id);
      CREATE TABLE documents_1 PARTITION OF documents FOR VALUES IN (1);
      CREATE TABLE documents_2 PARTITION OF documents FOR VALUES IN (2);
      CREATE TABLE documents_3 PARTITION OF documents FOR VALUES IN (3);
      INSERT INTO customers VALUES (1, 2, 'Beta'), (2, 5, 'Delta');`);
  });
  afterEach(async () => t.dispose());

  it('logs a miss once when an UPDATE moves the row to another partition; a row the move links is logged once', async () => {
    const db = t.db;
    const g = await installGuard(db, { config });
    await db.query(`INSERT INTO documents VALUES (2, 1, 'Nobody', NULL), (3, 1, 'Delta', NULL), (4, 1, 'Nobody', NULL)`);
    const misses = async (): Promise<string[]> =>
      (
        await db.query<{ m: string }>(
          `SELECT row_key || ' ' || reason AS m FROM fk_backfill.guard_misses WHERE run_id = $1::int8 ORDER BY missed_at, row_key`,
          [g.runId],
        )
      ).rows.map((r) => r.m);
    expect(await misses()).toEqual(['{1,2} unmatched', '{1,3} unmatched', '{1,4} unmatched']);
    // one statement moving three rows: two misses, and Delta found in tenant 2
    await db.query(`UPDATE documents SET tenant_id = 2 WHERE tenant_id = 1`);
    expect((await misses()).slice(3)).toEqual(['{2,2} unmatched', '{2,4} unmatched']);
    // in one transaction: a miss that moves nothing, a row inserted, a move (each logged once)
    await db.transaction(async (tx) => {
      await tx.query(`UPDATE documents SET customer_name = 'Nobody 4' WHERE id = 4`);
      await tx.query(`INSERT INTO documents VALUES (5, 3, 'Nobody', NULL)`);
      await tx.query(`UPDATE documents SET tenant_id = 3 WHERE id = 2`);
    });
    expect((await misses()).slice(5)).toEqual(['{2,4} unmatched', '{3,2} unmatched', '{3,5} unmatched']);
    const fks = (await db.query<{ k: string }>(`SELECT id || ':' || coalesce(customer_id::text, '-') AS k FROM documents ORDER BY id`))
      .rows;
    expect(fks.map((r) => r.k)).toEqual(['2:-', '3:5', '4:-', '5:-']);
    const s = (await guardStatus(db)).guards[0]!;
    expect([s.hits, s.misses]).toEqual([1, 8]);
    expect((await undo(db, { runId: g.runId })).totalReverted).toBe(1);
    await removeGuard(db);
  });
  it('a miss by an UPDATE that moves nothing leaves no mark: the same row deleted and inserted again in that statement time is linked (a review)', async () => {
    const db = t.db;
    const g = await installGuard(db, { config });
    await db.query(`INSERT INTO documents VALUES (1, 1, 'Nobody', NULL)`);
    // one transaction, one statement time (statement_timestamp() is the transaction's first statement's in a block)
    await db.exec(`DO $$ BEGIN
      UPDATE documents SET customer_name = 'Zed' WHERE id = 1;
      INSERT INTO customers VALUES (1, 9, 'Zed');
      DELETE FROM documents WHERE id = 1;
      INSERT INTO documents VALUES (1, 1, 'Zed', NULL);
    END $$`);
    expect((await db.query(`SELECT customer_id FROM documents WHERE id = 1`)).rows).toEqual([{ customer_id: 9 }]);
    const logged = await db.query(`SELECT row_key, new_value FROM fk_backfill.guard_links WHERE run_id = $1::int8`, [g.runId]);
    expect(logged.rows).toEqual([{ row_key: '{1,1}', new_value: '9' }]);
    await removeGuard(db);
  });
});
