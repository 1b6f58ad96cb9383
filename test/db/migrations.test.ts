/**
 * migrate() records each migration's checksum and refuses, before anything is written, a schema
 * fk_backfill whose applied migrations differ from the ones this build ships (issue #15).
 */
import { afterEach, expect, it } from 'vitest';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { BackfillError, plan } from '../../src/index.js';
import { listMigrations, migrate } from '../../src/store/migrate.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

describeEach('migrations', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('records every checksum; a schema built by other SQL is refused (exit 2, one line, nothing written)', async () => {
    t = await freshDb(target, { onDisk: true, migrated: false });
    await createAxis(t.db);
    await migrate(t.db);
    const rows = (
      await t.db.query<{ name: string; checksum: string | null }>(
        `SELECT name, checksum FROM fk_backfill.schema_migrations ORDER BY version`,
      )
    ).rows;
    expect(rows).toEqual(listMigrations().map((m) => ({ name: m.name, checksum: m.checksum })));
    // running again changes nothing
    expect((await migrate(t.db)).applied).toEqual([]);

    await t.db.exec(`UPDATE fk_backfill.schema_migrations SET checksum = 'not-this' WHERE version = 2`);
    const runsBefore = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`)).rows[0]!.n;
    const e = await plan(t.db, { tenantId: DEMO_TENANT }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackfillError);
    expect([(e as BackfillError).code, (e as BackfillError).exitCode]).toEqual(['MIGRATION_MISMATCH', 2]);
    expect((e as BackfillError).message).toMatch(/schema fk_backfill was built by migration\(s\) 002_batched_apply with other SQL/);
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`)).rows[0]!.n).toBe(runsBefore);
    await t.release();
    const r = await runCli(['plan', '--db', t.url, '--tenant', DEMO_TENANT]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('MIGRATION_MISMATCH');
  });

  it("deleting a run deletes its plan's entries (a trigger: the foreign key's per-entry check is gone, migration 022), and nobody else's", async () => {
    t = await freshDb(target, { migrated: false });
    await createAxis(t.db);
    const a = await plan(t.db, { tenantId: DEMO_TENANT });
    const b = await plan(t.db, { tenantId: DEMO_TENANT });
    const entries = async (run: string): Promise<number> =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.plan_entries WHERE run_id = $1::int8`, [run])).rows[0]!
        .n;
    const before = await entries(b.runId);
    expect([(await entries(a.runId)) > 0, before > 0]).toEqual([true, true]);
    await t.db.query(`DELETE FROM fk_backfill.runs WHERE id = $1::int8`, [a.runId]);
    expect([await entries(a.runId), await entries(b.runId)]).toEqual([0, before]);
  });

  it('a schema from before checksums were kept: they are recorded with the next migration, not refused', async () => {
    t = await freshDb(target, { migrated: false });
    await migrate(t.db);
    // as an older fk-backfill left it: no checksum column, no migration 018
    await t.db.exec(
      `ALTER TABLE fk_backfill.schema_migrations DROP COLUMN checksum; DELETE FROM fk_backfill.schema_migrations WHERE version = 18`,
    );
    expect((await migrate(t.db)).applied).toEqual(['018_migration_checksums']);
    const missing = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.schema_migrations WHERE checksum IS NULL`))
      .rows[0]!.n;
    expect(missing).toBe(0);
  });
});
