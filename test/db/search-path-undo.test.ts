/**
 * A schema per tenant: one config naming `sales_orders` unqualified, run under each tenant's search_path. An undo (or
 * apply --resume) of a run under another search_path read the other schema's table: "0 set back, 100 skipped (changed
 * since)" for rows nobody had touched, and a row there holding the value the run wrote would have been set back. It
 * is refused now (LINK_RETARGETED, nothing written), naming the search_path the run had; under it, the undo is exact.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, openDatabase, type Database, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config = {
  links: [
    {
      entity: 'order',
      table: 'sales_orders',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      target: { table: 'customers', key: 'id', name: 'name' },
    },
  ],
};

describeEach('an undo under another search_path', (target) => {
  let t: TestDb;
  const opened: Database[] = [];
  let before: string | undefined;
  afterEach(async () => {
    for (const d of opened.splice(0)) await d.close();
    // the shared in-memory PGlite keeps its session's settings between tests: its search_path is set back as it was
    // (RESET gave PGlite's boot value, pg_catalog, and the next tests' tables went where no reset drops them)
    if (before !== undefined) await t.db.query(`SELECT set_config('search_path', $1, false)`, [before]);
    before = undefined;
    await t.dispose();
  });

  /** The database as a session whose search_path is `schema`. */
  async function under(schema: string): Promise<Database> {
    if (target === 'pglite') {
      before ??= (await t.db.query<{ p: string }>(`SELECT current_setting('search_path') AS p`)).rows[0]!.p;
      await t.db.exec(`SET search_path TO ${schema}`);
      return t.db;
    }
    const d = await openDatabase(`${t.url}?options=-csearch_path%3D${schema}`);
    opened.push(d);
    return d;
  }

  it('is refused, naming the search_path the run had, with nothing written; under that search_path it is exact', async () => {
    t = await freshDb(target);
    for (const s of ['ta', 'tb'])
      await t.db.exec(`
        CREATE SCHEMA ${s};
        CREATE TABLE ${s}.customers (id int PRIMARY KEY, name text NOT NULL);
        CREATE TABLE ${s}.sales_orders (id int PRIMARY KEY, customer_name text, customer_id int REFERENCES ${s}.customers (id));
        INSERT INTO ${s}.customers VALUES (1, 'ABC Corp'), (2, 'Beta Ltd');
        INSERT INTO ${s}.sales_orders (id, customer_name) VALUES (1, 'ABC Corp'), (2, 'Beta Ltd'), (3, 'ABC Corp');`);
    const a = await apply(await under('ta'), { config, allTenants: true });
    expect(a.totalUpdated).toBe(3);
    // tb's rows hold what run a wrote into ta's (another process linked them): not the run's to set back
    await t.db.exec(`UPDATE tb.sales_orders SET customer_id = CASE customer_name WHEN 'ABC Corp' THEN 1 ELSE 2 END`);
    const fks = async (s: string): Promise<(number | null)[]> =>
      (await t.db.query<{ c: number | null }>(`SELECT customer_id AS c FROM ${s}.sales_orders ORDER BY id`)).rows.map((r) => r.c);
    const refused = await undo(await under('tb'), { runId: a.runId }).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'LINK_RETARGETED',
      message: expect.stringMatching(
        /wrote into ta\.sales_orders .*resolves here to tb\.sales_orders.*nothing was written.*search_path=ta/,
      ),
    });
    expect(await fks('tb')).toEqual([1, 2, 1]);
    expect(await fks('ta')).toEqual([1, 2, 1]);
    const runs = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs WHERE kind = 'undo'`);
    expect(runs.rows[0]!.n).toBe(0);
    const u = await undo(await under('ta'), { runId: a.runId });
    expect(u.totalReverted).toBe(3);
    expect(await fks('ta')).toEqual([null, null, null]);
    expect(await fks('tb')).toEqual([1, 2, 1]);
  });
});
