/**
 * Plan, constrain and masters runs hold their run's live lock while they work, as apply and undo do: one whose process
 * died (kill -9, a lost connection) shows in `runs` as running with no process, and what to do, instead of running for
 * ever (a new user's trial: a killed plan stayed 'running', and `apply --plan` said only "plan 5 is running, not done").
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply, constrain, migrate, plan } from '../../src/index.js';
import { getRun } from '../../src/store/runs.js';
import { statusText } from '../../src/cli/format-run.js';
import { freshDb, TARGETS, type TestDb } from '../helpers/db.js';
import { createBatchFixture, DEMO_TENANT } from './apply-fixture.js';

const run = TARGETS.includes('postgres') ? describe : describe.skip;

run('runs that are not apply or undo, alive or not [postgres]', () => {
  let t: TestDb;
  let other: pg.Client;
  beforeEach(async () => {
    t = await freshDb('postgres');
    await createBatchFixture(t.db, 400);
    await migrate(t.db);
    other = new pg.Client({ connectionString: t.url });
    await other.connect();
  });
  afterEach(async () => {
    await other.end();
    await t.dispose();
  });

  /** The run of `kind` that starts while another session holds `lock` (what it waits for once started): alive meanwhile. */
  async function aliveWhileBlocked(kind: string, lock: string, start: () => Promise<unknown>): Promise<string> {
    await other.query('BEGIN');
    await other.query(lock);
    const done = start();
    let id: string | undefined;
    try {
      await expect
        .poll(async () => {
          const r = await t.db.query<{ id: string }>(
            `SELECT max(id)::text AS id FROM fk_backfill.runs WHERE kind = $1 AND status = 'running'`,
            [kind],
          );
          id = r.rows[0]?.id ?? undefined;
          return id === undefined ? undefined : (await getRun(t.db, id)).alive;
        })
        .toBe(true);
    } finally {
      await other.query('ROLLBACK');
    }
    await done;
    return id!;
  }

  it('a plan and a constrain at work are alive; killed (still running, no session holding them), they say what to do', async () => {
    const p = await aliveWhileBlocked('plan', 'LOCK TABLE fk_backfill.plan_entries IN EXCLUSIVE MODE', () =>
      plan(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] }),
    );
    expect((await getRun(t.db, p)).status).toBe('done');
    const c = await aliveWhileBlocked('constrain', 'LOCK TABLE sales_orders IN SHARE UPDATE EXCLUSIVE MODE', () =>
      constrain(t.db, { entities: ['sales_order'], lockTimeout: '30s' }),
    );
    // as a kill -9 leaves them
    await t.db.query(`UPDATE fk_backfill.runs SET status = 'running' WHERE id = ANY($1::int8[])`, [[p, c]]);
    const dead = await getRun(t.db, p);
    expect(dead.alive).toBe(false);
    expect(statusText(dead)).toBe(
      'running, but no process works on it (killed, or its connection lost): it did not finish and cannot be applied; plan again',
    );
    await expect(apply(t.db, { planRunId: p })).rejects.toMatchObject({
      code: 'RUN_STATE',
      message: `plan ${p} did not finish (no process works on it: killed, or its connection lost); plan again`,
    });
    expect(statusText(await getRun(t.db, c))).toBe(
      'running, but no process works on it (killed, or its connection lost): the steps it finished stay (each is checked again); constrain again',
    );
  });
});
