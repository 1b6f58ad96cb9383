/**
 * `apply --plan` checks the plan for masters with a namesake since it was made (src/apply/planned.ts). A new user's
 * trial: after `review import` of a CSV with ~2,900 decisions, the check took 20 s (run twice: before the run and again
 * at its start, 40 s before the first batch of a 19,000-row apply). fk_backfill.decisions had no statistics (a fresh
 * import; autovacuum off or a minute behind, PGlite runs none), the planner estimated one alias decision and
 * anti-joined every planned name to every decision in a nested loop (17,168 × 1,962 pairs). Now in hash joins: 0.7 s.
 */
import { afterEach, expect, it } from 'vitest';
import { plan } from '../../src/index.js';
import { prepare } from '../../src/context/context.js';
import { assertNoNamesakesSince } from '../../src/apply/planned.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig, ordersOfNames } from '../helpers/orders-config.js';

const config = ordersConfig();
const NAMES = 4000;
const DECISIONS = 2000;

describeEach('the namesake check of a plan beside many fresh decisions', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('does not pair every planned name with every decision (no statistics on the decisions yet)', async () => {
    t = await freshDb(target);
    await t.db.exec(ordersOfNames(NAMES));
    const p = await plan(t.db, { config, allTenants: true });
    expect(p.results[0]!.recordsMatched).toBe(NAMES);
    // a person's aliases for names the plan did not see (as review import writes them), after the plan
    await t.db.exec(`
      INSERT INTO fk_backfill.decisions (link, scope_key, source_name, action, target_key, decided_by)
      SELECT 'order', ARRAY['1'], 'Other name ' || g, 'alias', (1 + g % ${NAMES})::text, 'test'
        FROM generate_series(1, ${DECISIONS}) g;`);
    const ctx = await prepare(t.db, { config, allTenants: true });
    const started = Date.now();
    await assertNoNamesakesSince(ctx, p.runId);
    const ms = Date.now() - started;
    // nested loop: 8 M pairs (~8 s on PostgreSQL here, longer on PGlite); hash joins: well under a second
    expect(ms).toBeLessThan(3000);
  }, 120_000);
});
