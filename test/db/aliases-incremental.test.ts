/**
 * The 'apply' aliases (what the guard trusts) are kept incrementally when a run finishes (migration 021): an
 * apply reads only its own change sets, an undo re-derives only the names the undone run held. Before, each
 * finished run recomputed them from every change set ever written for its links (minutes after a few
 * million-row runs). The incremental result must equal the full recompute, fk_backfill.refresh_aliases(),
 * after every step: applies that take names over from an earlier run, undos that give them back, a no-op run.
 * They are kept only for links with a guard installed (migration 023): without one, a run's end writes no alias
 * and `guard install` recomputes them; an install and a run's end at the same time lose none.
 */
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, installGuard, plan, undo } from '../../src/index.js';
import { AXIS_CONFIG } from '../../src/config/index.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import type { Database } from '../../src/db/index.js';
import { describeEach, freshDb, type Target, type TestDb } from '../helpers/db.js';

const SO = ['sales_order'];
const config = { links: AXIS_CONFIG.links.map((l) => ({ ...l, match: 'fuzzy' as const })) };

async function aliases(db: Database): Promise<string[]> {
  const r = await db.query<{ row: string }>(
    `SELECT concat_ws(' | ', link, scope_key::text, source_name, origin, target_key, run_id::text, decision_id::text) AS row
       FROM fk_backfill.aliases ORDER BY 1`,
  );
  return r.rows.map((x) => x.row);
}

/** The aliases as kept, then as the full recompute makes them: equal. */
async function expectSameAsRecompute(db: Database): Promise<string[]> {
  const kept = await aliases(db);
  await db.query(`SELECT fk_backfill.refresh_aliases(NULL)`);
  expect(await aliases(db)).toEqual(kept);
  return kept;
}

/** Rows the guard does not see (a bulk load with triggers off): the guard would link them at insert itself. */
async function insertUnguarded(db: Database, sql: string, params: unknown[]): Promise<void> {
  await db.query('ALTER TABLE sales_orders DISABLE TRIGGER USER');
  await db.query(sql, params);
  await db.query('ALTER TABLE sales_orders ENABLE TRIGGER USER');
}

const ownersOf = (rows: string[]): string[] =>
  [...new Set(rows.filter((r) => r.includes(' | apply | ')).map((r) => r.split(' | ')[5]!))].sort();

/** The Axis demo and one order named 'abc corp.' (linked by the fuzzy plan, not by exact equality). */
async function axisWithVariant(target: Target): Promise<TestDb> {
  const t = await freshDb(target);
  await createAxis(t.db);
  await t.db.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'U-0', 'abc corp.')`, [DEMO_TENANT]);
  return t;
}

describeEach('apply aliases kept incrementally', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await axisWithVariant(target);
    await installGuard(t.db, { entities: SO, config });
  });
  afterEach(async () => t.dispose());

  it('equal the full recompute after applies that take names over, a no-op run and undos in any order', async () => {
    const db = t.db;
    const p1 = await plan(db, { allTenants: true, entities: SO, config });
    const a1 = await apply(db, { planRunId: p1.runId, config, entities: SO });
    expect(a1.results[0]!.updated).toBeGreaterThan(0);
    expect(ownersOf(await expectSameAsRecompute(db))).toEqual([a1.runId]);

    // new rows under names a1 linked: a2 writes them and takes those names over
    await insertUnguarded(
      db,
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'U-1', 'abc corp.'), ($1, 'U-2', 'ABC Corp')`,
      [DEMO_TENANT],
    );
    const p2 = await plan(db, { allTenants: true, entities: SO, config });
    const a2 = await apply(db, { planRunId: p2.runId, config, entities: SO });
    expect(a2.results[0]!.updated).toBe(2);
    expect(ownersOf(await expectSameAsRecompute(db))).toEqual([a1.runId, a2.runId].sort());

    // a no-op run wrote nothing: it takes no name
    const a3 = await apply(db, { planRunId: p2.runId, config, entities: SO });
    expect(a3.results[0]!.updated).toBe(0);
    expect(ownersOf(await expectSameAsRecompute(db))).toEqual([a1.runId, a2.runId].sort());

    // undo the later run: its names go back to a1 where a1 wrote them, the others go
    await undo(db, { runId: a2.runId });
    expect(ownersOf(await expectSameAsRecompute(db))).toEqual([a1.runId]);

    // undo the first one too: no apply alias is left
    await undo(db, { runId: a1.runId });
    expect(ownersOf(await expectSameAsRecompute(db))).toEqual([]);
  });

  it("undoing the earlier run leaves the later run's names", async () => {
    const db = t.db;
    const p1 = await plan(db, { allTenants: true, entities: SO, config });
    const a1 = await apply(db, { planRunId: p1.runId, config, entities: SO });
    await insertUnguarded(db, `INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'U-1', 'abc corp.')`, [
      DEMO_TENANT,
    ]);
    const p2 = await plan(db, { allTenants: true, entities: SO, config });
    const a2 = await apply(db, { planRunId: p2.runId, config, entities: SO });
    expect(a2.results[0]!.updated).toBe(1);
    await undo(db, { runId: a1.runId });
    const rows = await expectSameAsRecompute(db);
    expect(ownersOf(rows)).toEqual([a2.runId]);
    expect(rows.some((r) => r.includes(' | abc corp. | apply | '))).toBe(true);
  });
});

describeEach('apply aliases without a guard', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await axisWithVariant(target);
  });
  afterEach(async () => t.dispose());

  it('a run ending without a guard keeps none; guard install recomputes them', async () => {
    const db = t.db;
    const p1 = await plan(db, { allTenants: true, entities: SO, config });
    const a1 = await apply(db, { planRunId: p1.runId, config, entities: SO });
    expect(a1.results[0]!.updated).toBeGreaterThan(0);
    expect(ownersOf(await aliases(db))).toEqual([]);
    const g = await installGuard(db, { entities: SO, config });
    expect(g.aliases.apply).toBeGreaterThan(0);
    expect(ownersOf(await expectSameAsRecompute(db))).toEqual([a1.runId]);
  });

  it.runIf(target === 'postgres')('a run ending while a guard is being installed waits for it, then keeps its aliases', async () => {
    const db = t.db;
    const p1 = await plan(db, { allTenants: true, entities: SO, config });
    // an install in progress: the alias table held as `guard install` holds it, its guard row not committed yet
    const installing = new pg.Client({ connectionString: t.url });
    await installing.connect();
    try {
      await installing.query('BEGIN');
      await installing.query('LOCK TABLE fk_backfill.aliases IN SHARE ROW EXCLUSIVE MODE');
      await installing.query(`SELECT fk_backfill.refresh_aliases($1::text[])`, [SO]);
      const applying = apply(db, { planRunId: p1.runId, config, entities: SO });
      // the run's end (the status update whose trigger keeps aliases) waits for the install's lock
      for (let waited = 0; ; waited += 50) {
        // pg_stat_activity is read once per transaction (this one stays open): read it afresh each time
        await installing.query('SELECT pg_stat_clear_snapshot()');
        const r = await installing.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pg_backend_pid() = ANY (pg_blocking_pids(pid))`,
        );
        if (r.rows[0]!.n > 0) break;
        if (waited > 20_000) throw new Error("the run's end never waited for the install");
        await new Promise((res) => setTimeout(res, 50));
      }
      await installing.query(
        `INSERT INTO fk_backfill.guards (link, run_id, table_oid, table_name, trigger_name, function_name)
         VALUES ('sales_order', $1::int8, 'sales_orders'::regclass, 'public.sales_orders', 'fkb_guard_test', 'fkb_guard_test')`,
        [p1.runId],
      );
      await installing.query('COMMIT');
      const a1 = await applying;
      expect(a1.results[0]!.updated).toBeGreaterThan(0);
      expect(ownersOf(await expectSameAsRecompute(db))).toEqual([a1.runId]);
    } finally {
      await installing.end();
    }
  });
});
