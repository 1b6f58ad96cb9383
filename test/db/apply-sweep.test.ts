/**
 * A batched apply's final sweep (issue #17): rows that still match everything when the walk ends but
 * were passed by (moved behind a ctid walk by another session's update of any column, or behind a key
 * walk by a key update) are linked by one more keyed statement, logged like any batch, so undo reverts
 * them too. A run nothing disturbed does not sweep. Here a trigger moves a planned row behind the walk
 * during the first batch, in the batch's own transaction (both targets: PGlite has one connection).
 */
import { afterEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { apply, plan, undo } from '../../src/index.js';
import type { ProgressEvent } from '../../src/batch/progress.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'order',
      table: 'sales_orders',
      key: 'id',
      fk: 'account_no',
      name: 'account_name',
      scope: ['org'],
      target: { table: 'accounts', key: 'acct_no', name: 'name' },
    },
  ],
};

async function schema(t: TestDb): Promise<void> {
  await t.db.exec(`
    CREATE TABLE accounts (acct_no int PRIMARY KEY, org text NOT NULL, name text NOT NULL);
    CREATE TABLE sales_orders (id int PRIMARY KEY, org text NOT NULL, account_name text, account_no int REFERENCES accounts);
    INSERT INTO accounts VALUES (1, 'o1', 'A'), (2, 'o1', 'B'), (3, 'o1', 'C'), (4, 'o1', 'D');
    INSERT INTO sales_orders (id, org, account_name) SELECT i, 'o1', (ARRAY['A','B','C','D'])[1 + (i - 1) % 4] FROM generate_series(1, 20) i;`);
}

describeEach('apply: final sweep', (target) => {
  let t: TestDb;
  afterEach(async () => {
    await t.dispose();
  });

  it('a planned row moved behind a key walk during the run is linked by the sweep, logged, and undone', async () => {
    t = await freshDb(target);
    await schema(t);
    const p = await plan(t.db, { config, tenantId: 'o1' });
    await t.db.exec(`
      CREATE SEQUENCE fkb_once;
      CREATE FUNCTION move_behind_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('fkb_once') = 1 THEN UPDATE sales_orders SET id = -19 WHERE id = 19; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER move_behind_once BEFORE UPDATE ON sales_orders FOR EACH ROW EXECUTE FUNCTION move_behind_once();`);
    const events: ProgressEvent[] = [];
    const a = await apply(t.db, {
      config,
      tenantId: 'o1',
      planRunId: p.runId,
      batchSize: 8,
      walk: 'key',
      onProgress: (e) => events.push(e),
    });
    expect(a.status).toBe('done');
    expect([a.results[0]!.planned, a.results[0]!.updated, a.results[0]!.skipped]).toEqual([20, 20, 0]);
    const starts = events.filter((e) => e.event === 'start') as { catchUp?: boolean }[];
    expect(starts.map((e) => e.catchUp === true)).toEqual([false, true]);
    const row0 = await t.db.query<{ fk: number | null }>(`SELECT account_no AS fk FROM sales_orders WHERE id = -19`);
    expect(row0.rows[0]!.fk).toBe(3);
    await t.db.exec(`DROP TRIGGER move_behind_once ON sales_orders`);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(20);
    const left = await t.db.query<{ n: number }>(`SELECT count(account_no)::int AS n FROM sales_orders`);
    expect(left.rows[0]!.n).toBe(0);
  });

  it('an undisturbed run does not sweep; rows edited since the plan stay skipped, not swept', async () => {
    t = await freshDb(target);
    await schema(t);
    const p = await plan(t.db, { config, tenantId: 'o1' });
    await t.db.exec(`UPDATE sales_orders SET account_name = 'A edited' WHERE id = 1`);
    const events: ProgressEvent[] = [];
    const a = await apply(t.db, {
      config,
      tenantId: 'o1',
      planRunId: p.runId,
      batchSize: 8,
      walk: 'key',
      onProgress: (e) => events.push(e),
    });
    expect([a.results[0]!.updated, a.results[0]!.skipped, a.results[0]!.skipReasons?.changedSincePlan]).toEqual([19, 1, 1]);
    expect(events.filter((e) => e.event === 'start')).toHaveLength(1);
  });
});
