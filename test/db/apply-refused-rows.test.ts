/**
 * A row the table itself refuses to link (a CHECK constraint, a unique index, a trigger that raises) is left
 * NULL with its reason, and every other row is linked: before, one such row failed the whole batched apply (exit
 * 1, nothing linked, `--resume` failing the same way). The failing batch is split down to the rows that fail
 * (savepoints, halves of the batch's rows), which are recorded in fk_backfill.refused_rows with the error, in the
 * batch's transaction. A table that refuses every row stops the run with the error (not one attempt per row).
 */
import { afterEach, expect, it } from 'vitest';
import { apply, resumeApply, plan, undo } from '../../src/index.js';
import { rollbackToSavepointStatement } from '../../src/sql/batch.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';
import { watched } from '../helpers/watched.js';
import { applyText } from '../../src/cli/format.js';

const config = ordersConfig({ updatedAt: 'updated_at' });

async function schema(t: TestDb, extra: string): Promise<void> {
  await t.db.exec(`
    CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id),
                         updated_at timestamptz, kind text NOT NULL DEFAULT 'sale');
    INSERT INTO customers SELECT i, 1 + i % 2, 'C' || i FROM generate_series(1, 20) i;
    INSERT INTO orders (id, tenant_id, customer_name, updated_at)
      SELECT i, 1 + (1 + i % 20) % 2, 'C' || (1 + i % 20), '2020-01-01' FROM generate_series(1, 200) i;
    UPDATE orders SET kind = 'void' WHERE id IN (13, 77, 78, 150);
    ${extra}`);
}

const CHECK = `ALTER TABLE orders ADD CONSTRAINT orders_void_unlinked CHECK (customer_id IS NULL OR kind <> 'void');`;
const RAISING = `CREATE FUNCTION refuse_void() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN IF NEW.kind = 'void' AND NEW.customer_id IS NOT NULL THEN RAISE EXCEPTION 'void order % cannot get a customer', NEW.id; END IF; RETURN NEW; END $$;
  CREATE TRIGGER refuse_void BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION refuse_void();`;
// the same refusal checked at COMMIT (a trial: a DEFERRABLE INITIALLY DEFERRED unique key failed the whole run)
const DEFERRED = RAISING.replace(
  'CREATE TRIGGER refuse_void BEFORE UPDATE ON orders FOR EACH ROW',
  'CREATE CONSTRAINT TRIGGER refuse_void AFTER UPDATE ON orders DEFERRABLE INITIALLY DEFERRED FOR EACH ROW',
);

async function linked(t: TestDb): Promise<{ linked: number; voids: number; untouched: number }> {
  const r = await t.db.query<{ linked: number; voids: number; untouched: number }>(
    `SELECT count(customer_id)::int AS linked, count(customer_id) FILTER (WHERE kind = 'void')::int AS voids,
            count(*) FILTER (WHERE customer_id IS NULL AND updated_at = '2020-01-01')::int AS untouched FROM orders`,
  );
  return r.rows[0]!;
}

describeEach('apply with rows the table refuses to link', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  const cases: [string, string, Record<string, unknown>, RegExp][] = [
    ['a CHECK constraint, key walk', CHECK, { batchSize: 50, walk: 'key' }, /orders_void_unlinked/],
    ['a CHECK constraint, ctid walk', CHECK, { batchSize: 50, walk: 'ctid' }, /orders_void_unlinked/],
    ['a trigger that raises, key walk', RAISING, { batchSize: 50, walk: 'key' }, /void order 77 cannot get a customer/],
    ['a CHECK constraint, one transaction', CHECK, { singleTransaction: true }, /orders_void_unlinked/],
    ['a CHECK constraint, two connections', CHECK, { batchSize: 20, walk: 'key', parallel: 2 }, /orders_void_unlinked/],
    ['a deferred constraint trigger, key walk', DEFERRED, { batchSize: 50, walk: 'key' }, /void order 77 cannot get a customer/],
    ['a deferred constraint trigger, one transaction', DEFERRED, { singleTransaction: true }, /void order 77 cannot get a customer/],
  ];
  for (const [what, ddl, opts, message] of cases) {
    it(`${what}: the refused rows stay NULL with their reason, every other row is linked, undo restores all`, async () => {
      t = await freshDb(target);
      await schema(t, ddl);
      const p = await plan(t.db, { config, allTenants: true });
      // plan names a trigger that can raise before apply meets it (a CHECK is counted instead)
      const raising = (p.notices ?? []).filter((n) => n.includes('trigger(s) refuse_void of orders fire on apply'));
      expect(raising.length).toBe(ddl.includes('TRIGGER refuse_void') ? 1 : 0);
      const passes: boolean[] = [];
      const a = await apply(t.db, {
        config,
        allTenants: true,
        planRunId: p.runId,
        ...opts,
        onProgress: (e) => {
          if (e.event === 'start') passes.push(e.catchUp === true);
        },
      });
      // no second pass over the table for rows it would refuse again (a ctid walk's catch-up, the final sweep)
      expect(passes.filter((x) => x)).toEqual([]);
      const r = a.results[0]!;
      expect(r.planned).toBe(200);
      expect(r.updated).toBe(196);
      expect(r.skipped).toBe(4);
      expect(r.skipReasons?.refusedByTable).toBe(4);
      expect(r.refused?.map((x) => x.key).sort()).toEqual(['13', '150', '77', '78']);
      expect(r.refused?.find((x) => x.key === '77')?.message).toMatch(message);
      expect(await linked(t)).toEqual({ linked: 196, voids: 0, untouched: 4 });
      const u = await undo(t.db, { runId: a.runId });
      expect(u.totalReverted).toBe(196);
      expect(await linked(t)).toEqual({ linked: 0, voids: 0, untouched: 200 });
    });
  }

  it('a resumed run keeps the rows an earlier batch recorded as refused, and a second apply leaves them alone', async () => {
    t = await freshDb(target);
    await schema(t, CHECK);
    const p = await plan(t.db, { config, allTenants: true });
    const stop = new AbortController();
    let batches = 0;
    const first = await apply(t.db, {
      config,
      allTenants: true,
      planRunId: p.runId,
      batchSize: 50,
      walk: 'key',
      signal: stop.signal,
      onProgress: (e) => {
        if (e.event === 'batch' && ++batches === 2) stop.abort();
      },
    });
    expect(first.status).toBe('stopped');
    // the voids it passed are said so far (before: "Skipped 0" and nothing about them), read off the rows it linked
    const passed = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE kind = 'void' AND id < (SELECT max(id) FROM orders WHERE customer_id IS NOT NULL)`,
    );
    expect(passed.rows[0]!.n).toBeGreaterThan(0);
    expect([first.results[0]!.refusedSoFar, first.results[0]!.refused?.length]).toEqual([passed.rows[0]!.n, passed.rows[0]!.n]);
    expect(applyText(first)).toContain(`the table refused ${passed.rows[0]!.n} row(s), left NULL so far`);
    const done = await resumeApply(t.db, { runId: first.runId });
    expect(done.results[0]!.updated).toBe(196);
    expect(done.results[0]!.skipReasons?.refusedByTable).toBe(4);
    const again = await apply(t.db, { config, allTenants: true, batchSize: 50 });
    expect(again.totalUpdated).toBe(0);
    expect(await linked(t)).toEqual({ linked: 196, voids: 0, untouched: 4 });
  });

  it('a table that refuses every row stops the run with its error, and nothing is linked', async () => {
    t = await freshDb(target);
    await schema(t, `${RAISING} UPDATE orders SET kind = 'void';`);
    const p = await plan(t.db, { config, allTenants: true });
    await expect(apply(t.db, { config, allTenants: true, planRunId: p.runId, batchSize: 200, walk: 'key' })).rejects.toThrow(
      /refused .*rows? of one batch.*void order \d+ cannot get a customer/,
    );
    expect((await linked(t)).linked).toBe(0);
  });

  it('a tenth of the rows refused beside a trigger: the batches halve until each works its refusals around, and the run ends linked', async () => {
    t = await freshDb(target);
    // a trial: a CHECK refusing 2.5 % of the rows beside a BEFORE UPDATE trigger stopped the run at the default size
    await schema(
      t,
      `${RAISING} INSERT INTO orders (id, tenant_id, customer_name, updated_at)
        SELECT i, 1 + (1 + i % 20) % 2, 'C' || (1 + i % 20), '2020-01-01' FROM generate_series(201, 1200) i;
      UPDATE orders SET kind = 'void' WHERE id % 10 = 0;`,
    );
    const voids = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE kind = 'void'`)).rows[0]!.n;
    const splits: number[] = [];
    const a = await apply(t.db, {
      config,
      allTenants: true,
      batchSize: 1200,
      walk: 'key',
      onProgress: (e) => {
        if (e.event === 'split' && e.reason === 'rows_refused') splits.push(e.batchSize);
      },
    });
    expect(splits).toEqual([600]);
    expect([a.status, a.results[0]!.updated, a.results[0]!.skipReasons?.refusedByTable]).toEqual(['done', 1200 - voids, voids]);
    expect(await linked(t)).toEqual({ linked: 1200 - voids, voids: 0, untouched: voids });
  });

  it('more refused rows than a batch works around (a trigger): the run stops saying what to do, and resuming with smaller batches does it', async () => {
    t = await freshDb(target);
    await schema(t, `${RAISING} UPDATE orders SET kind = 'void' WHERE id % 3 <> 0;`);
    const p = await plan(t.db, { config, allTenants: true });
    const e = await apply(t.db, { config, allTenants: true, planRunId: p.runId, batchSize: 400, walk: 'key' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ROWS_REFUSED', message: expect.stringMatching(/resume the run .* with a --batch-size small enough/) });
    expect((await linked(t)).linked).toBe(0);
    const run = (
      await t.db.query<{ id: string }>(`SELECT id::text AS id FROM fk_backfill.runs WHERE kind = 'apply' ORDER BY id DESC LIMIT 1`)
    ).rows[0]!.id;
    // the message names the run to resume (it said "RUN")
    expect((e as Error).message).toContain(`resume the run (fk-backfill apply --resume ${run} --yes)`);
    const done = await resumeApply(t.db, { runId: run, batchSize: 100 });
    expect([done.results[0]!.updated, done.results[0]!.skipReasons?.refusedByTable]).toEqual([64, 136]); // ids 78 and 150 were void already
    expect(await linked(t)).toEqual({ linked: 64, voids: 0, untouched: 136 });
  });

  it(
    'a trigger refusing 1.8 % of a large batch (more than 100 rows) is worked around, not a stop; a master table never analysed is',
    { timeout: 120_000 },
    async () => {
      t = await freshDb(target);
      await schema(
        t,
        `${RAISING} INSERT INTO orders (id, tenant_id, customer_name, updated_at, kind)
      SELECT i, 1 + (1 + i % 20) % 2, 'C' || (1 + i % 20), '2020-01-01', CASE WHEN i % 55 = 0 THEN 'void' ELSE 'sale' END FROM generate_series(201, 6200) i;`,
      );
      const voids = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE kind = 'void'`)).rows[0]!.n;
      expect(voids).toBeGreaterThan(100);
      const p = await plan(t.db, { config, allTenants: true });
      const stats = async (): Promise<number> =>
        (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'customers'`)).rows[0]!.n;
      expect(await stats()).toBe(0);
      // Ctrl-C while the batch's refused rows are being split out (its 20th refused part rolled back: a state, not half a
      // second, which a fast machine could finish the split within): the batch rolls back and the run stops there (it
      // went on splitting: a trial's SIGINT had no effect for minutes)
      const stop = new AbortController();
      let refusedParts = 0;
      const rollback = rollbackToSavepointStatement().text;
      const first = await apply(
        watched(t.db, (text) => {
          if (text === rollback && ++refusedParts === 20) stop.abort();
        }),
        { config, allTenants: true, planRunId: p.runId, batchSize: 20_000, walk: 'key', signal: stop.signal },
      );
      expect(refusedParts).toBe(20);
      expect([first.status, first.totalUpdated, (await linked(t)).linked]).toEqual(['stopped', 0, 0]);
      // the master table, never analysed, was (a trial's restored dump: its active filter estimated at 4 of 860 rows,
      // each batch statement nested a loop over the source per master entry, 23 s for 150 rows)
      expect(await stats()).toBeGreaterThan(0);
      const a = await resumeApply(t.db, { runId: first.runId });
      expect([a.totalUpdated, a.results[0]!.skipReasons?.refusedByTable]).toEqual([6200 - voids, voids]);
      expect(await linked(t)).toEqual({ linked: 6200 - voids, voids: 0, untouched: voids });
    },
  );

  it('a CHECK constraint over the FK is read before the update: any number of refused rows in one batch, each named with the constraint; undo exact', async () => {
    t = await freshDb(target);
    await schema(t, `${CHECK} UPDATE orders SET kind = 'void' WHERE id % 3 <> 0;`);
    const p = await plan(t.db, { config, allTenants: true });
    for (const singleTransaction of [false, true]) {
      const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId, batchSize: 400, singleTransaction });
      expect([a.results[0]!.updated, a.results[0]!.skipReasons?.refusedByTable]).toEqual([64, 136]);
      expect(a.results[0]!.refused?.[0]).toMatchObject({
        sqlstate: '23514',
        constraint: 'orders_void_unlinked',
        message: expect.stringContaining('found before the update'),
      });
      expect(await linked(t)).toEqual({ linked: 64, voids: 0, untouched: 136 });
      const u = await undo(t.db, { runId: a.runId });
      expect(u.totalReverted).toBe(64);
      expect(await linked(t)).toEqual({ linked: 0, voids: 0, untouched: 200 });
    }
  });

  it('a CHECK that reads a system column (tableoid) is left to the split: still each refused row named, the rest linked', async () => {
    t = await freshDb(target);
    await schema(t, `ALTER TABLE orders ADD CONSTRAINT orders_void_here CHECK (customer_id IS NULL OR kind <> 'void' OR tableoid = 0);`);
    const a = await apply(t.db, { config, allTenants: true, batchSize: 50 });
    expect([a.results[0]!.updated, a.results[0]!.skipReasons?.refusedByTable]).toEqual([196, 4]);
    expect(a.results[0]!.refused?.[0]).toMatchObject({ sqlstate: '23514', constraint: 'orders_void_here' });
    expect(a.results[0]!.refused?.[0]!.message).not.toContain('found before the update');
  });

  it('a CHECK over a generated column that follows the FK is left to the update: its value there is the new one', async () => {
    t = await freshDb(target);
    await schema(
      t,
      `ALTER TABLE orders ADD COLUMN linked boolean GENERATED ALWAYS AS (customer_id IS NOT NULL) STORED;
       ALTER TABLE orders ADD CONSTRAINT orders_linked_agrees CHECK (linked = (customer_id IS NOT NULL));`,
    );
    // read with the generated column's old value, every row would seem refused
    const a = await apply(t.db, { config, allTenants: true, batchSize: 50 });
    expect([a.results[0]!.updated, a.results[0]!.skipReasons?.refusedByTable ?? 0]).toEqual([200, 0]);
  });

  it('a BEFORE trigger that sets what a CHECK reads (a status with the FK) keeps the split: no row refused that the update accepts', async () => {
    t = await freshDb(target);
    await schema(
      t,
      `ALTER TABLE orders ADD COLUMN state text NOT NULL DEFAULT 'open';
       CREATE FUNCTION mark_linked() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.customer_id IS NOT NULL THEN NEW.state := 'linked'; END IF; RETURN NEW; END $$;
       CREATE TRIGGER mark_linked BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION mark_linked();
       ALTER TABLE orders ADD CONSTRAINT orders_linked_state CHECK (customer_id IS NULL OR state = 'linked');`,
    );
    const p = await plan(t.db, { config, allTenants: true });
    expect((p.notices ?? []).filter((n) => n.includes('can raise'))).toEqual([]); // its function raises nothing
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId, batchSize: 50 });
    expect([a.results[0]!.updated, a.results[0]!.skipReasons?.refusedByTable ?? 0]).toEqual([200, 0]);
  });

  it('a CHECK and a BEFORE trigger that both refuse rows (a trial): the CHECK points the split at its rows, each refused row named with its own reason', async () => {
    t = await freshDb(target);
    await schema(
      t,
      `${CHECK} UPDATE orders SET kind = 'locked' WHERE id IN (5, 6, 100);
       CREATE FUNCTION refuse_locked() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF OLD.kind = 'locked' AND NEW.customer_id IS DISTINCT FROM OLD.customer_id THEN RAISE EXCEPTION 'order % is locked', NEW.id; END IF; RETURN NEW; END $$;
       CREATE TRIGGER refuse_locked BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION refuse_locked();`,
    );
    const a = await apply(t.db, { config, allTenants: true, batchSize: 200, walk: 'key' });
    expect([a.results[0]!.updated, a.results[0]!.skipReasons?.refusedByTable]).toEqual([193, 7]);
    const refused = await t.db.query<{ row_key: string; message: string }>(
      `SELECT row_key, message FROM fk_backfill.refused_rows ORDER BY row_key::int`,
    );
    expect(
      refused.rows.map((r) => [
        r.row_key,
        /locked/.test(r.message) ? 'trigger' : /orders_void_unlinked/.test(r.message) ? 'check' : r.message,
      ]),
    ).toEqual([
      ['5', 'trigger'],
      ['6', 'trigger'],
      ['13', 'check'],
      ['77', 'check'],
      ['78', 'check'],
      ['100', 'trigger'],
      ['150', 'check'],
    ]);
    expect(await linked(t)).toEqual({ linked: 193, voids: 0, untouched: 7 });
  });
});
