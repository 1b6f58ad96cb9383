/**
 * A DBA's statement_timeout on the role or the database bounds the application's statements. fk-backfill's own
 * connections run without it (as pg_dump's do): its batches bound themselves (--statement-timeout), and its plans,
 * lookup tables and verify's scans of a big table may take longer. Before, apply failed building its lookup tables
 * (or after its batches, counting skip reasons: a run marked failed with its work done) and verify printed INTERNAL.
 * PostgreSQL only (PGlite has no roles' settings). Needs `npm run build` (the CLI as a process).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { freshDb, TARGETS, type TestDb } from '../helpers/db.js';
import { createBatchFixture, DEMO_TENANT, expectedLinkHash, linkHash } from './apply-fixture.js';

const run = TARGETS.includes('postgres') ? describe : describe.skip;

run('a statement_timeout set on the database [postgres]', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb('postgres', { migrated: false });
    await createBatchFixture(t.db, 3000);
    const name = (await t.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
    // a bound no statement of the tool's beyond the trivial meets
    await t.db.exec(`ALTER DATABASE ${name} SET statement_timeout = '1ms'`);
  });
  afterEach(async () => t.dispose());

  it("apply, verify and undo run under their own bounds, not the database's", async () => {
    const base = ['--db', t.url, '--tenant', DEMO_TENANT, '--entity', 'sales_order'];
    const a = await spawnCli(['apply', ...base, '--yes', '--batch-size', '300', '--json']);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const out = a.json<{ runId: string; status: string; totalUpdated: number }>();
    expect(out.status).toBe('done');
    expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
      await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', DEMO_TENANT),
    );
    // exit 3: its report (rows no master names are left NULL), not an error
    const v = await spawnCli(['verify', ...base, '--json']);
    expect([v.code, v.stderr]).toEqual([3, '']);
    expect(v.json<{ tenantId: string }>().tenantId).toBe(DEMO_TENANT);
    const u = await spawnCli(['undo', '--db', t.url, '--run', out.runId, '--yes', '--json']);
    expect([u.code, u.stderr]).toEqual([0, '']);
    expect(u.json<{ totalReverted: number }>().totalReverted).toBe(out.totalUpdated);
  });
});
