/**
 * With a guard installed, an apply's (or undo's) final status update keeps the guard's aliases (the runs_aliases
 * trigger, migrations 023/024): the run's change sets, unnested, joined with its plan's entries. A new user's trial:
 * "the days after", an apply of 9,943 rows with the guard on took 36 s, 20 s of it in that status update: the planner
 * estimated each unnest at a handful of values and merge-joined the two on the link alone, comparing every pair (57 M).
 * Now hashed: 0.75 s.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, installGuard } from '../../src/index.js';
import { finishRun } from '../../src/store/runs.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig, ordersOfNames } from '../helpers/orders-config.js';

const config = ordersConfig();
const NAMES = 8000;

describeEach("an apply's end with a guard installed", (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('keeps the aliases without pairing every linked name with every value written', async () => {
    t = await freshDb(target);
    await t.db.exec(ordersOfNames(NAMES));
    await installGuard(t.db, { config });
    const a = await apply(t.db, { config, allTenants: true, batchSize: 2000 });
    expect(a.totalUpdated).toBe(NAMES);
    const aliases = async (): Promise<number> =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.aliases WHERE origin = 'apply'`)).rows[0]!.n;
    expect(await aliases()).toBe(NAMES);
    // the run's end again, timed alone (the trigger fires when a run becomes done)
    await t.db.exec(`DELETE FROM fk_backfill.aliases; UPDATE fk_backfill.runs SET status = 'stopped' WHERE id = ${Number(a.runId)}`);
    const started = Date.now();
    await finishRun(t.db, a.runId, 'done', null);
    const ms = Date.now() - started;
    expect(await aliases()).toBe(NAMES);
    // merge join on the link: 64 M pairs (~7 s on PostgreSQL here, longer on PGlite); hashed: well under a second
    expect(ms).toBeLessThan(3000);
  }, 120_000);
});
