/**
 * An AbortSignal the application aborts from a timer, a request or a signal handler (a macrotask) stops a run: batched,
 * before the next batch; in one transaction, rolled back. PGlite answers every query without a turn of the event loop,
 * so before, on PGlite, no such abort was seen until the run had ended: `apply` with `signal` linked every row and
 * returned 'done', and the CLI's Ctrl-C on a pglite:// database let a batched apply run all its batches (exit 0). An
 * app developer's trial (an abort 200 ms into a 13 s apply: 60 batches, 'done'; no timer fired during the run).
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan, type ProgressEvent } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { DOCUMENTS_SCHEMA, documentsConfig } from '../helpers/orders-config.js';

const config = documentsConfig();
const ROWS = 400;

describeEach('an abort from a timer', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  const linked = async (): Promise<number> =>
    Number((await t.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM documents WHERE customer_id IS NOT NULL`)).rows[0]?.n);

  it('stops a batched apply before its next batch, and a run in one transaction with nothing written', async () => {
    t = await freshDb(target);
    await t.db.exec(DOCUMENTS_SCHEMA);
    await t.db.query(
      `INSERT INTO documents SELECT i, 1, CASE WHEN i % 2 = 0 THEN 'Beta' ELSE 'Gamma' END, NULL FROM generate_series(1, ${ROWS}) i`,
    );
    const p = await plan(t.db, { config, allTenants: true });

    // batched: the abort is a timer set as the first batch ends
    const ac = new AbortController();
    const batches: ProgressEvent[] = [];
    const a = await apply(t.db, {
      config,
      allTenants: true,
      planRunId: p.runId,
      batchSize: 10,
      signal: ac.signal,
      onProgress: (e) => {
        if (e.event !== 'batch') return;
        if (batches.push(e) === 1) setTimeout(() => ac.abort(), 0);
      },
    });
    expect(a.status).toBe('stopped');
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(await linked()).toBe(a.totalUpdated);
    expect(a.totalUpdated).toBeLessThan(ROWS);

    // one transaction: aborted by a timer set before the call; rolled back
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 0);
    const before = await linked();
    const out = await apply(t.db, { config, allTenants: true, singleTransaction: true, signal: ac2.signal }).catch((e: unknown) => e);
    expect(out).toMatchObject({ code: 'STOPPED' });
    expect(await linked()).toBe(before);
  });
});
