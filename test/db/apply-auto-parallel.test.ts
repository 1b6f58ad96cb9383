/**
 * Without --parallel, a batched run over every tenant walks a link of 100 000 planned rows or more on two
 * connections (src/apply/parallel.ts, AUTO_PARALLEL): the same end state, change log and undo as one
 * connection, and a notice says so. One tenant, a throttled run, a smaller link, and a database handle with
 * one connection (PGlite) walk on one, without that notice.
 *
 * The threshold is lowered with the library option autoParallelMinRows (MIN_ROWS below): the same code path as at
 * 100 000, in seconds instead of a minute (the default's value is test/unit/link-parallelism.test.ts's; a link below
 * it, without the option, walks on one connection here too). `npm run bench:apply` runs the default at 1 M rows.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, undo } from '../../src/index.js';
import { AUTO_PARALLEL_MIN_ROWS } from '../../src/apply/parallel.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const MIN_ROWS = 4_000;
const ROWS = MIN_ROWS + 500;
const config = ordersConfig();
const auto = { config, allTenants: true, autoParallelMinRows: MIN_ROWS } as const;

describeEach('apply: two connections by default for a big link', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  async function schema(rows: number): Promise<void> {
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      INSERT INTO customers SELECT g, g % 10, 'customer ' || g FROM generate_series(1, 200) g;
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO orders SELECT g, (g % 200 + 1) % 10, 'customer ' || (g % 200 + 1) FROM generate_series(1, ${rows}) g;
      ANALYZE orders;`);
  }
  const slices = async (runId: string): Promise<number> =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.run_slices WHERE run_id = $1::int8`, [runId])).rows[0]!.n;
  const state = async (): Promise<string> =>
    (
      await t.db.query<{ h: string }>(
        `SELECT md5(string_agg(id || ':' || coalesce(customer_id::text, '-'), ',' ORDER BY id)) AS h FROM orders`,
      )
    ).rows[0]!.h;

  it(
    `${ROWS} planned rows over all tenants: ${target === 'pglite' ? 'one connection (PGlite has one)' : 'two connections, said in a notice; undo exact'}; throttled or one tenant: one`,
    { timeout: 120_000 },
    async () => {
      t = await freshDb(target);
      await schema(ROWS);
      const before = await state();
      const a = await apply(t.db, auto);
      expect([a.status, a.totalUpdated]).toEqual(['done', ROWS]);
      const said = (a.notices ?? []).filter((n) => /2 connections at once/.test(n));
      if (target === 'pglite') {
        expect([await slices(a.runId), said]).toEqual([0, []]);
      } else {
        expect(await slices(a.runId)).toBeGreaterThan(1);
        expect(said).toEqual(['order: 2 connections at once (the default for a link of 4,000 planned rows or more; --parallel 1 for one)']);
      }
      expect(
        (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE customer_id = ((id % 200) + 1)`)).rows[0]!.n,
      ).toBe(ROWS);
      const u = await undo(t.db, { runId: a.runId });
      expect(u.results.map((r) => [r.changed, r.reverted])).toEqual([[ROWS, ROWS]]);
      expect(await state()).toBe(before);

      if (target === 'pglite') return;
      const throttled = await apply(t.db, { ...auto, maxRate: 10_000_000 });
      expect([throttled.totalUpdated, await slices(throttled.runId)]).toEqual([ROWS, 0]);
      await undo(t.db, { runId: throttled.runId });
      const oneTenant = await apply(t.db, { config, tenantId: '3', autoParallelMinRows: 1 });
      expect([oneTenant.totalUpdated > 0, await slices(oneTenant.runId)]).toEqual([true, 0]);
    },
  );

  it('a link below the threshold: one connection, no notice (the lowered one, and the default without the option)', async () => {
    t = await freshDb(target);
    await schema(MIN_ROWS - 1);
    const below = (a: Awaited<ReturnType<typeof apply>>): Promise<unknown[]> =>
      Promise.all([a.totalUpdated, slices(a.runId), (a.notices ?? []).filter((n) => /connections at once/.test(n))]);
    const a = await apply(t.db, auto);
    expect(await below(a)).toEqual([MIN_ROWS - 1, 0, []]);
    await undo(t.db, { runId: a.runId });
    // ROWS is far below the default threshold: without the option, one connection
    await t.db.exec(
      `INSERT INTO orders SELECT g, (g % 200 + 1) % 10, 'customer ' || (g % 200 + 1) FROM generate_series(${MIN_ROWS}, ${ROWS}) g`,
    );
    expect(ROWS).toBeLessThan(AUTO_PARALLEL_MIN_ROWS);
    expect(await below(await apply(t.db, { config, allTenants: true }))).toEqual([ROWS, 0, []]);
  });
});
