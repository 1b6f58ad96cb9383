/**
 * A plan stopped before it finishes (the CLI's Ctrl-C, an application's AbortSignal): it fails with STOPPED at its
 * next look (between links, and every thousand names), its run is marked failed so no apply takes its entries, and
 * nothing is written to the linked tables. Before, a plan took no signal and the CLI's Ctrl-C killed it: exit 130 with
 * no word, the run left 'running' with its partial entries (a new user's trial).
 */
import { afterEach, expect, it } from 'vitest';
import { apply, getRun, plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { documentsConfig } from '../helpers/orders-config.js';

const NAMES = 3000;

describeEach('a plan stopped before it finishes', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it.each(['exact', 'fuzzy'] as const)('%s: an abort from a timer stops it (STOPPED), its run failed, nothing linked', async (match) => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (tenant_id int NOT NULL, id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE documents (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers SELECT 1, i, 'Customer number ' || i FROM generate_series(1, ${NAMES}) i;
      INSERT INTO documents SELECT i, 1, 'Customer number ' || i, NULL FROM generate_series(1, ${NAMES}) i;`);
    const config = documentsConfig({ match });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 0);
    const err = await plan(t.db, { config, allTenants: true, signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STOPPED', message: expect.stringContaining('nothing was written to the linked tables') });
    const runId = (err as { details: { runId: string } }).details.runId;
    expect(await getRun(t.db, runId)).toMatchObject({ status: 'failed' });
    await expect(apply(t.db, { config, allTenants: true, planRunId: runId })).rejects.toThrow();
    const linked = await t.db.query<{ n: number }>(`SELECT count(customer_id)::int AS n FROM documents`);
    expect(linked.rows[0]!.n).toBe(0);
    // not aborted: the same plan runs to its end
    const whole = await plan(t.db, { config, allTenants: true, signal: new AbortController().signal });
    expect(whole.results[0]!.recordsMatched).toBe(NAMES);
  });
});
