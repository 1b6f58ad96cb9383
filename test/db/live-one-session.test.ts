/**
 * A handle of one session (PGlite, a single pg Client) holds its runs' advisory locks in that session, where they never
 * conflict: a second apply of the same link through the same handle was not refused (a review). The process keeps
 * what its runs on such a handle hold, and refuses the second one as another session's lock would be.
 */
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { apply, type Database } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { createBatchFixture, DEMO_TENANT, expectedLinkHash, linkHash } from './apply-fixture.js';

describeEach('live runs on a one-session handle', (target) => {
  let t: TestDb;
  let client: pg.Client | undefined;
  afterEach(async () => {
    await client?.end();
    client = undefined;
    await t.dispose();
  });

  it('a second apply of the same link through the same handle is refused while the first runs; afterwards it goes ahead', async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 1500);
    let h: unknown = t.db;
    if (target === 'postgres') {
      client = new pg.Client({ connectionString: t.url });
      await client.connect();
      h = client;
    }
    let second = null as Promise<unknown> | null;
    const first = await apply(h, {
      tenantId: DEMO_TENANT,
      entities: ['sales_order'],
      batchSize: 100,
      pauseMs: 30,
      onProgress: (e) => {
        if (e.event === 'batch' && second === null)
          second = apply(h, { tenantId: DEMO_TENANT, entities: ['sales_order'] }).then(
            () => 'went ahead',
            (x: unknown) => x,
          );
      },
    });
    expect(first.status).toBe('done');
    const out = await second;
    expect(out).toMatchObject({ code: 'RUN_BUSY', exitCode: 2 });
    expect((out as Error).message).toMatch(
      new RegExp(
        `^run \\d+ is being worked on right now by fk-backfill apply run ${first.runId} in this process|is being written right now by fk-backfill apply run ${first.runId} in this process`,
      ),
    );
    expect(await linkHash(t.db as Database, 'sales_orders', 'customer_id')).toBe(
      await expectedLinkHash(t.db as Database, 'sales_orders', 'customer_id', 'customers', 'customer_name', DEMO_TENANT),
    );
    // released: the same handle applies again (nothing left to link)
    expect((await apply(h, { tenantId: DEMO_TENANT, entities: ['sales_order'] })).status).toBe('done');
  });
});
