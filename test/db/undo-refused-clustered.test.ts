/**
 * Refusals that cluster in the change log's order (a closed accounting period: a trigger that refuses to set back the
 * rows of some tenants' closed month) are judged over the whole undo, not per batch: they are left linked, recorded
 * and counted, and the undo completes (before: past 100 refused rows in one batch the batch halved, its split started
 * again, and at 500 rows the undo stopped with ROWS_REFUSED; a trial's 60,000 invoices took 343 s against an apply of
 * 9.8 s). A table that refuses every row still stops at once, after about 100 of them. Each refused row costs a few
 * statements (halves of its batch, level by level), counted here through the statements the batches send.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan, resumeUndo, undo, type UndoOptions, type UndoResult } from '../../src/index.js';
import type { Database } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';
import { watched } from '../helpers/watched.js';

const config = ordersConfig();

/** 600 orders linked by one apply whose change log follows their ids; `closed`: ids whose period is closed since. */
async function linked(t: TestDb, closed: string): Promise<string> {
  await t.db.exec(`
    CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id),
                         closed boolean NOT NULL DEFAULT false);
    INSERT INTO customers SELECT i, 1 + i % 2, 'C' || i FROM generate_series(1, 20) i;
    INSERT INTO orders (id, tenant_id, customer_name) SELECT i, 1 + (1 + i % 20) % 2, 'C' || (1 + i % 20) FROM generate_series(1, 600) i;`);
  const p = await plan(t.db, { config, allTenants: true });
  const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId, batchSize: 300, walk: 'key' });
  expect(a.totalUpdated).toBe(600);
  await t.db.exec(`UPDATE orders SET closed = true WHERE ${closed};
    CREATE FUNCTION refuse_closed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.closed THEN RAISE EXCEPTION 'order % is in a closed period', NEW.id; END IF; RETURN NEW; END $$;
    CREATE TRIGGER refuse_closed BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION refuse_closed();`);
  return a.runId;
}

/** `db`, counting the statements its transactions send that tried a part of a split batch (rolled back or released). */
const counted = (db: Database, n: { tried: number }): Database =>
  watched(db, (text) => {
    if (/^(ROLLBACK TO|RELEASE) SAVEPOINT/.test(text)) n.tried += 1;
  });

async function state(t: TestDb): Promise<{ linked: number; closed: number; refused: number }> {
  const r = await t.db.query<{ linked: number; closed: number; refused: number }>(
    `SELECT count(customer_id)::int AS linked, count(customer_id) FILTER (WHERE closed)::int AS closed,
            (SELECT count(*)::int FROM fk_backfill.refused_rows r JOIN fk_backfill.runs u ON u.id = r.run_id AND u.kind = 'undo') AS refused
       FROM orders`,
  );
  return r.rows[0]!;
}

const counts = (u: UndoResult): number[] => {
  const r = u.results[0]!;
  return [r.changed, r.reverted, r.skipped, r.refusedByTable ?? 0];
};

describeEach('undo beside refusals clustered in the change log', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());
  const batched: Partial<UndoOptions> = { singleTransaction: false, batchSize: 300 };

  it('a closed period holding 37 % of a batch (110 rows): left linked and reported, the rest set back, a few statements per refused row', async () => {
    t = await freshDb(target);
    const runId = await linked(t, 'id BETWEEN 151 AND 260');
    const n = { tried: 0 };
    const u = await undo(counted(t.db, n), { runId, ...batched });
    expect([u.status, ...counts(u)]).toEqual(['done', 600, 490, 110, 110]);
    expect(await state(t)).toEqual({ linked: 110, closed: 110, refused: 110 });
    // halves of a batch, level by level: refused rows that lie together cost about two statements each
    expect(n.tried).toBeLessThanOrEqual(3 * 110);
  });

  it('stopped part way and resumed, the undo ends as one run would: the same rows left linked, each counted once', async () => {
    t = await freshDb(target);
    const runId = await linked(t, 'id BETWEEN 101 AND 120 OR id > 580');
    const stop = new AbortController();
    const first = await undo(t.db, {
      runId,
      ...batched,
      signal: stop.signal,
      onProgress: (e) => {
        if (e.event === 'batch') stop.abort();
      },
    });
    expect(first.status).toBe('stopped');
    const done = await resumeUndo(t.db, { runId: first.runId });
    expect([done.status, ...counts(done)]).toEqual(['done', 600, 560, 40, 40]);
    expect(await state(t)).toEqual({ linked: 40, closed: 40, refused: 40 });
  });

  it('a table that refuses every row stops after about 100 of them, naming the way on; resumed once it is gone, the undo is exact', async () => {
    t = await freshDb(target);
    const runId = await linked(t, 'true');
    const n = { tried: 0 };
    const e = await undo(counted(t.db, n), { runId, ...batched }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ROWS_REFUSED' });
    expect((e as Error).message).toMatch(/refused at least 10\d of the 10\d rows tried so far.*order \d+ is in a closed period/);
    expect((e as Error).message).toMatch(/Drop or relax what refuses them .*then continue: fk-backfill undo --resume \d+ --yes/);
    expect(n.tried).toBeLessThan(250);
    expect(await state(t)).toEqual({ linked: 600, closed: 600, refused: 0 });
    await t.db.exec(`DROP TRIGGER refuse_closed ON orders;`);
    const undoRun = /undo --resume (\d+)/.exec((e as Error).message)![1]!;
    const done = await resumeUndo(t.db, { runId: undoRun });
    expect([done.status, ...counts(done)]).toEqual(['done', 600, 600, 0, 0]);
    expect((await state(t)).linked).toBe(0);
  });
});
