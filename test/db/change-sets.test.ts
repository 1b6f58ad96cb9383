/**
 * Migration 009: the change log becomes one row per batch (fk_backfill.change_sets) with
 * fk_backfill.changes as a per-row view. A database migrated from the per-row log keeps every logged
 * change, readable per row with the same values, and undo still reverts it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { listMigrations, migrate, splitStatements } from '../../src/store/migrate.js';
import { undo } from '../../src/index.js';

describeEach('change log as change sets (migration 009)', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target, { migrated: false });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('keeps per-row changes logged before the migration, readable per row and undoable', async () => {
    // a database at migration 008 with a per-row change log, as an older fk-backfill left it
    await t.db.query('CREATE SCHEMA fk_backfill');
    await t.db.query(
      `CREATE TABLE fk_backfill.schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (const m of listMigrations().filter((m) => m.version < 9)) {
      for (const st of splitStatements(m.sql)) await t.db.query(st);
      await t.db.query(`INSERT INTO fk_backfill.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
    }
    await t.db.query(`CREATE TABLE docs (id int8 PRIMARY KEY, tenant text NOT NULL, name text, master int8, updated_at timestamptz)`);
    await t.db.query(`INSERT INTO docs SELECT g, 'T', 'n' || g, 100 + g, timestamptz '2026-02-01' FROM generate_series(1, 25) g`);
    await t.db.query(
      `INSERT INTO fk_backfill.runs (id, kind, entities, dry_run, config_hash, config, status, options) VALUES (7, 'apply', '{doc}', false, 'h', '{}'::jsonb, 'done', '{"mode":"batched"}'::jsonb)`,
    );
    await t.db.query(
      // as that apply wrote them: each row's updated_at is the apply's now(), logged as changed_at
      `INSERT INTO fk_backfill.changes (run_id, link, table_name, row_key, column_name, old_value, new_value, method, score, touched_column, touched_old, changed_at)
       SELECT 7, 'doc', 'docs', g::text, 'master', NULL, (100 + g)::text, CASE WHEN g % 2 = 0 THEN 'exact' ELSE 'fuzzy' END, CASE WHEN g % 2 = 0 THEN NULL ELSE 0.9 END,
              'updated_at', (timestamptz '2026-01-01' + g * interval '1 hour')::text, timestamptz '2026-02-01'
         FROM generate_series(1, 25) g`,
    );
    const before = (
      await t.db.query(
        `SELECT run_id::text, link, table_name, row_key, column_name, old_value, new_value, method, score, touched_column, touched_old FROM fk_backfill.changes ORDER BY id`,
      )
    ).rows;

    await migrate(t.db);
    const kind = await t.db.query<{ k: string }>(`SELECT relkind::text AS k FROM pg_class WHERE oid = 'fk_backfill.changes'::regclass`);
    expect(kind.rows[0]!.k).toBe('v');
    const after = (
      await t.db.query(
        `SELECT run_id::text, link, table_name, row_key, column_name, old_value, new_value, method, score, touched_column, touched_old FROM fk_backfill.changes ORDER BY id`,
      )
    ).rows;
    expect(after).toEqual(before);
    const ids = await t.db.query<{ n: number; d: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM fk_backfill.changes`,
    );
    expect(ids.rows[0]).toEqual({ n: 25, d: 25 });

    // undo of that pre-migration run, batched over the sets: restores the FK and updated_at, row by row
    await t.db.query(`UPDATE docs SET name = 'edited' WHERE id = 3`); // still holds the written value: reverted anyway
    await t.db.query(`UPDATE docs SET master = 999 WHERE id = 4`); // no longer the written value: skipped
    const config = {
      links: [
        {
          entity: 'doc',
          table: 'docs',
          key: 'id',
          fk: 'master',
          name: 'name',
          scope: ['tenant'],
          updatedAt: 'updated_at',
          target: { table: 'docs', key: 'id', name: 'name' },
        },
      ],
    };
    await t.db.query(`UPDATE fk_backfill.runs SET config = $1::jsonb, scope = NULL WHERE id = 7`, [JSON.stringify(config)]);
    const u = await undo(t.db, { runId: '7', singleTransaction: false, batchSize: 4 });
    expect(u).toMatchObject({ totalReverted: 24, totalSkipped: 1 });
    const rows = (
      await t.db.query<{ id: string; master: string | null; updated_at: string }>(
        `SELECT id::text, master::text, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') AS updated_at FROM docs ORDER BY docs.id`,
      )
    ).rows;
    expect(rows.find((r) => r.id === '4')).toEqual({ id: '4', master: '999', updated_at: '2026-02-01 00' });
    expect(rows.filter((r) => r.id !== '4').every((r) => r.master === null)).toBe(true);
    expect(rows[0]!.updated_at).toBe('2026-01-01 01');
    // the undo's own log: one set per batch, one row per reverted row
    const log = await t.db.query<{ n: number; sets: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT set_id)::int AS sets FROM fk_backfill.changes WHERE run_id = $1::int8`,
      [u.runId],
    );
    expect(log.rows[0]!.n).toBe(24);
    expect(log.rows[0]!.sets).toBeGreaterThan(1);
  });
});
