/**
 * A plan applied after a person decided otherwise about one of its names. A new user's trial: a `never` imported from
 * the review CSV after the plan, then `apply --plan`, linked the name anyway (the guard and a fresh plan honoured it).
 * Now the plan is PLAN_STALE (exit 2, nothing written); apply without --plan follows the decision.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, decide, plan } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';
import { createBatchFixture, DEMO_TENANT, OTHER_TENANT } from './apply-fixture.js';

/** A plan of the demo tenant's orders, then 'customer 43' (no master: unmatched in it) aliased to customer 1's master. */
async function planThenAlias(t: TestDb): Promise<{ runId: string }> {
  const p = await plan(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
  const target1 = (
    await t.db.query<{ id: string }>(`SELECT id::text FROM customers WHERE tenant_id = $1 AND customer_name = 'customer 1'`, [DEMO_TENANT])
  ).rows[0]!.id;
  await decide(t.db, { link: 'sales_order', scopeKey: [DEMO_TENANT], name: 'customer 43', action: 'alias', targetKey: target1, by: 'ana' });
  return p;
}

describeEach('a decision made after the plan', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('a name the plan links, decided never since: the plan is refused; a new plan leaves the name unlinked', async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 400);
    const opts = { tenantId: DEMO_TENANT, entities: ['sales_order'] };
    const p = await plan(t.db, opts);
    const linked = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND source_name = 'customer 3' AND outcome = 'linked'`,
      [p.runId],
    );
    expect(linked.rows[0]!.n).toBe(1);
    await decide(t.db, { link: 'sales_order', scopeKey: [DEMO_TENANT], name: 'customer 3', action: 'never', by: 'ana' });
    const before = await snapshot(t.db);
    await refused(
      apply(t.db, { planRunId: p.runId }),
      'PLAN_STALE',
      new RegExp(`^plan ${p.runId} links 1 name\\(s\\) decided otherwise since it was made \\(e\\.g\\. "customer 3": never\\); plan again`),
    );
    expect(await snapshot(t.db)).toEqual(before);
    const a = await apply(t.db, opts);
    expect(a.status).toBe('done');
    const left = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sales_orders WHERE tenant_id = $1 AND customer_name = 'customer 3' AND customer_id IS NULL`,
      [DEMO_TENANT],
    );
    expect(left.rows[0]!.n).toBeGreaterThan(0);
  });

  it('a name the plan left unlinked, aliased since: applying the plan says the decision is not in it; a new plan follows it', async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 400);
    const opts = { tenantId: DEMO_TENANT, entities: ['sales_order'] };
    const p = await planThenAlias(t);
    // and a decision of another tenant, which this tenant's plan has nothing to do with
    await decide(t.db, { link: 'sales_order', scopeKey: [OTHER_TENANT], name: 'customer 44', action: 'never', by: 'ana' });
    const a = await apply(t.db, { planRunId: p.runId });
    expect(a.notices).toContain(
      `1 decision(s) made since plan ${p.runId} are not in it (for names it left unlinked): this apply does not use them; apply without --plan plans afresh and follows them`,
    );
    const aliased = async (): Promise<number> =>
      (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM sales_orders WHERE tenant_id = $1 AND customer_name = 'customer 43' AND customer_id IS NOT NULL`,
          [DEMO_TENANT],
        )
      ).rows[0]!.n;
    expect(await aliased()).toBe(0);
    const again = await apply(t.db, opts);
    expect(again.notices ?? []).not.toContain(expect.stringContaining('are not in it'));
    expect(await aliased()).toBeGreaterThan(0);
  });

  it('the CLI says so before it writes (before the run starts), once; a one-transaction run is named as it starts', async () => {
    t = await freshDb(target, { onDisk: true });
    await createBatchFixture(t.db, 400);
    const p = await planThenAlias(t);
    await t.release();
    const r = await runCli(['apply', '--db', t.url, '--plan', p.runId, '--single-transaction', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const notice = `Notice: 1 decision(s) made since plan ${p.runId} are not in it`;
    const at = r.stderr.indexOf(notice);
    const started = r.stderr.search(/apply run \d+ is running; Ctrl-C rolls its one transaction back\n/);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(started).toBeGreaterThan(at);
    expect(r.stdout).not.toContain('are not in it');
    const run = /apply run (\d+) is running/.exec(r.stderr)![1]!;
    const u = await runCli(['undo', '--db', t.url, '--run', run, '--single-transaction', '--yes']);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stderr).toMatch(/undo run \d+ is running/);
  });
});
