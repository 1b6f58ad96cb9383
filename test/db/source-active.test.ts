/**
 * Soft-deleted documents: a link's own `active` (the `target.active` predicate, on the source rows). A row not active
 * (`deleted_at` set) is neither planned nor linked, is counted apart by plan, status and verify (linked + unlinked + not
 * active = total), and a document soft-deleted between plan and apply is skipped at write time with its reason;
 * `constrain --not-null` refuses before changing anything while such rows keep a NULL FK; drift and the guard leave
 * them alone; discover proposes the predicate from the documents' soft-delete column; undo restores what it wrote.
 * On Citus both tables are distributed by the tenant column (co-located).
 */
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import {
  apply,
  constrain,
  discover,
  drift,
  guardStatus,
  installGuard,
  plan,
  revenueReport,
  status,
  undo,
  verify,
} from '../../src/index.js';
import { applyText, planText, statusTable, verifyText } from '../../src/cli/format.js';
import { BackfillError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Link = ConfigInput['links'][number];

function config(active: Link['active'] | null = { column: 'deleted_at', activeWhen: 'null' }): ConfigInput {
  return {
    links: [
      {
        entity: 'invoice',
        table: 'invoices',
        key: ['org', 'id'],
        fk: 'account_no',
        name: 'account_name',
        document: 'inv_no',
        scope: ['org'],
        ...(active === null || active === undefined ? {} : { active }),
        target: { table: 'accounts', key: ['org', 'acct_no'], name: 'name' },
      },
    ],
  };
}

async function schema(t: TestDb, distribute = true): Promise<void> {
  await t.db.exec(`
    CREATE TABLE accounts (org text NOT NULL, acct_no int NOT NULL, name text NOT NULL, PRIMARY KEY (org, acct_no));
    CREATE TABLE invoices (org text NOT NULL, id int NOT NULL, inv_no text, account_name text, account_no int,
                           deleted_at timestamptz, updated_at timestamptz, PRIMARY KEY (org, id));`);
  if (t.target === 'citus' && distribute) {
    await t.db.query(`SELECT create_distributed_table('accounts', 'org')`);
    await t.db.query(`SELECT create_distributed_table('invoices', 'org', colocate_with => 'accounts')`);
  }
  // 1, 3: active, to link; 2: soft-deleted, a known name; 4: soft-deleted, no master; 6: soft-deleted and linked earlier
  await t.db.exec(`
    INSERT INTO accounts VALUES ('o1', 1, 'Acme'), ('o1', 2, 'Globex'), ('o2', 1, 'Acme');
    INSERT INTO invoices (org, id, inv_no, account_name, account_no, deleted_at) VALUES
      ('o1', 1, 'INV-1', 'Acme', NULL, NULL), ('o1', 2, 'INV-2', 'Acme', NULL, now()), ('o1', 3, 'INV-3', 'Globex', NULL, NULL),
      ('o1', 4, 'INV-4', 'Nobody', NULL, now()), ('o1', 6, 'INV-6', 'Acme', 1, now()), ('o2', 1, 'INV-1', 'Acme', NULL, NULL);`);
}

async function fks(t: TestDb): Promise<(number | null)[]> {
  return (await t.db.query<{ f: number | null }>(`SELECT account_no AS f FROM invoices WHERE org = 'o1' ORDER BY id`)).rows.map((r) => r.f);
}

describeEach('soft-deleted documents (a link’s own active)', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('plan, apply, status and verify leave rows not active out and count them apart; a row soft-deleted after the plan is skipped', async () => {
    t = await freshDb(target);
    await schema(t);
    // without it: every row counts, and the documents' soft-delete column is named with the predicate to leave them out
    const without = await status(t.db, { config: config(null), tenantId: 'o1' });
    expect([without.links[0]!.nullFks, without.links[0]!.notActive]).toEqual([4, undefined]);
    expect(without.notices).toContain(
      'invoice: invoices has deleted_at (timestamp with time zone), but the link has no "active": rows it marks deleted are planned, linked and counted as unlinked like any other. To leave them out: "active": { "column": "deleted_at", "activeWhen": "null" }',
    );
    const cfg = config();
    const s = await status(t.db, { config: cfg, tenantId: 'o1' });
    expect(s.notices ?? []).toEqual([]);
    expect(s.links[0]).toMatchObject({ totalRecords: 5, nullFks: 2, notActive: 2, populatedFks: 1, activeWhen: 'deleted_at IS NULL' });
    expect(s.links[0]!.populationRate).toBe('33.3%'); // of the 3 rows that count or are linked
    expect(statusTable(s)).toMatch(/Not Active/);
    // the revenue audit counts the documents that count: the soft-deleted ones (2, 4, 6) are not documents of it
    const rev = (await revenueReport(t.db, { config: cfg, tenantId: 'o1' })).links[0]!.documents;
    expect([rev.total, rev.linked, rev.unlinked]).toEqual([2, 0, 2]);
    const p = await plan(t.db, { config: cfg, tenantId: 'o1' });
    const r = p.results[0]!;
    expect([r.totalRecords, r.recordsWithNullFK, r.recordsNotActive, r.recordsMatched, r.recordsUnmatched]).toEqual([5, 2, 2, 2, 0]);
    expect(r.unmatchedRecords).toEqual([]); // "Nobody" is soft-deleted: not work, not listed
    expect(planText(p)).toContain('invoice: 2 row(s) with a NULL FK left out as not active: neither planned nor linked');
    expect(p.totalRecordsProcessed).toBe(2);
    // soft-deleted by the application between plan and apply: not linked, said why
    await t.db.exec(`UPDATE invoices SET deleted_at = now() WHERE org = 'o1' AND id = 3`);
    for (const singleTransaction of [false, true]) {
      await t.db.exec(`UPDATE invoices SET account_no = NULL WHERE org = 'o1' AND id <> 6`);
      const a = await apply(t.db, { config: cfg, tenantId: 'o1', planRunId: p.runId, singleTransaction, batchSize: 1 });
      const ar = a.results[0]!;
      expect([ar.planned, ar.updated, ar.skipped, ar.skipReasons?.documentInactive, ar.skipReasons?.changedSincePlan]).toEqual([
        2, 1, 1, 1, 0,
      ]);
      expect(applyText(a)).toContain('invoice skipped: 1 document no longer active (soft-deleted since plan or during run)');
      expect(await fks(t)).toEqual([1, null, null, null, 1]);
      if (!singleTransaction) {
        const u = await undo(t.db, { runId: a.runId });
        expect(u.totalReverted).toBe(1);
        expect(await fks(t)).toEqual([null, null, null, null, 1]); // what it wrote, no more: the earlier link stays
      }
    }
    const v = await verify(t.db, { config: cfg, tenantId: 'o1' });
    expect(v.links[0]).toMatchObject({ totalRecords: 5, nullFks: 0, notActive: 3, linked: 2 });
    expect(v.links[0]!.problems.filter((x) => x.includes('NULL'))).toEqual([]);
    expect(verifyText(v)).toMatch(/Not Active/);
    const s2 = await status(t.db, { config: cfg, allTenants: true });
    expect(s2.total).toMatchObject({ totalRecords: 6, nullFks: 1, notActive: 3, populatedFks: 2 });
  });

  /**
   * apply's UPDATE of the first row it reaches waits on an advisory lock (4218, that row's id) the test holds; meanwhile
   * the test soft-deletes the other planned row and commits: the statement, its read taken before, reaches that row
   * after the commit and re-checks its new version at write time (EvalPlanQual: on one server its ctid differs, and the
   * link's own active no longer holds; on Citus-managed tables, whose statement compares no ctid, the active recheck
   * alone does). `managed`: both tables added to Citus's metadata, on the coordinator (a trigger on a distributed
   * table would run on the shards, where Citus refuses it), so Citus's own statement runs.
   */
  async function softDeletedWhileApplying(managed: boolean): Promise<void> {
    await schema(t, false);
    await t.db.exec(`
      CREATE FUNCTION wait_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock(4218, NEW.id); RETURN NEW; END $$;
      CREATE TRIGGER wait_for_test BEFORE UPDATE OF account_no ON invoices FOR EACH ROW EXECUTE FUNCTION wait_for_test();`);
    if (managed) {
      await t.db.query(`SELECT citus_add_local_table_to_metadata('accounts')`);
      await t.db.query(`SELECT citus_add_local_table_to_metadata('invoices')`);
    }
    const cfg = config();
    const p = await plan(t.db, { config: cfg, tenantId: 'o1' });
    expect(p.results[0]!.recordsMatched).toBe(2);
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(4218, 1), pg_advisory_lock(4218, 3)`);
      const running = apply(t.db, { config: cfg, tenantId: 'o1', planRunId: p.runId, singleTransaction: true, lockTimeoutMs: 60_000 });
      let waiting: number | undefined;
      for (let i = 0; waiting === undefined; i++) {
        const w = await other.query<{ id: number }>(
          `SELECT objid::int AS id FROM pg_locks WHERE locktype = 'advisory' AND classid = 4218 AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        waiting = w.rows[0]?.id;
        if (i > 600) throw new Error('the apply statement never reached the trigger');
        if (waiting === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      const gone = waiting === 1 ? 3 : 1;
      await other.query(`UPDATE invoices SET deleted_at = now() WHERE org = 'o1' AND id = $1`, [gone]);
      await other.query(`SELECT pg_advisory_unlock(4218, 1), pg_advisory_unlock(4218, 3)`);
      const a = await running;
      const r = a.results[0]!;
      expect([r.planned, r.updated, r.skipped, r.skipReasons?.documentInactive]).toEqual([2, 1, 1, 1]);
      const rows = await t.db.query<{ id: number; f: number | null }>(
        `SELECT id, account_no AS f FROM invoices WHERE org = 'o1' AND id IN (1, 3) ORDER BY id`,
      );
      expect(rows.rows.find((x) => x.id === gone)!.f).toBeNull();
      expect(rows.rows.find((x) => x.id === waiting)!.f).toBe(waiting);
    } finally {
      await other.end();
    }
  }

  it('a document soft-deleted by another session while the apply statement runs is not linked (a second session)', async () => {
    t = await freshDb(target);
    // PGlite has one connection (the plan-to-apply race above covers it); on Citus the tables stay on the coordinator,
    // out of Citus's metadata, so the one-server statement runs
    if (target === 'pglite') return;
    await softDeletedWhileApplying(false);
  });

  it.runIf(target === 'citus')(
    "the same on Citus-managed tables, where Citus's statement compares no ctid: the active recheck alone leaves the row out",
    async () => {
      t = await freshDb(target);
      await softDeletedWhileApplying(true);
    },
  );

  it('status --json and verify --json: linked + unlinked + not active = total, per link and in total, as in the table', async () => {
    t = await freshDb(target, { onDisk: true });
    await schema(t);
    const cfg = config();
    const p = await plan(t.db, { config: cfg, tenantId: 'o1' });
    await apply(t.db, { config: cfg, tenantId: 'o1', planRunId: p.runId });
    const dir = mkdtempSync(join(tmpdir(), 'fkb-softdel-json-'));
    try {
      writeFileSync(join(dir, 'c.json'), JSON.stringify(cfg));
      await t.release();
      type Counts = { totalRecords: number; nullFks: number; notActive: number };
      const adds = (c: Counts & { populatedFks?: number; linked?: number }): number[] => [
        c.populatedFks ?? c.linked ?? -1,
        c.nullFks,
        c.notActive,
        c.totalRecords,
      ];
      for (const scope of [['--tenant', 'o1'], ['--all-tenants']]) {
        const st = await runCli(['status', '--db', t.url, '--config', join(dir, 'c.json'), '--json', ...scope]);
        expect(st.code, st.stderr).toBe(0);
        const s = JSON.parse(st.stdout) as { links: (Counts & { populatedFks: number })[]; total: Counts & { populatedFks: number } };
        for (const c of [...s.links, s.total]) {
          const [linked, unlinked, off, total] = adds(c);
          expect(linked! + unlinked! + off!).toBe(total);
        }
        // o1: 1 and 3 linked now, 6 linked before; 2 and 4 not active. o2: its one row, unlinked
        expect(adds(s.total)).toEqual(scope[0] === '--tenant' ? [3, 0, 2, 5] : [3, 1, 2, 6]);
        if (scope[0] !== '--tenant') continue; // verify's JSON, once
        const ve = await runCli(['verify', '--db', t.url, '--config', join(dir, 'c.json'), '--json', ...scope]);
        const v = JSON.parse(ve.stdout) as { links: (Counts & { linked: number })[] };
        expect(adds(v.links[0]!)).toEqual(adds(s.links[0]!));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('constrain --not-null refuses while rows not active keep a NULL FK, nothing changed; a plain FK is made', async () => {
    t = await freshDb(target);
    await schema(t);
    const cfg = config();
    const p = await plan(t.db, { config: cfg, allTenants: true });
    await apply(t.db, { config: cfg, allTenants: true, planRunId: p.runId });
    const err = await constrain(t.db, { config: cfg, tenantSafe: true, notNull: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackfillError);
    expect((err as BackfillError).code).toBe('NOT_ACTIVE_NULL_FKS');
    expect((err as BackfillError).exitCode).toBe(3);
    expect((err as BackfillError).message).toContain(
      'invoices.account_no: 2 row(s) not active (deleted_at IS NULL does not hold) still have a NULL account_no',
    );
    expect((err as BackfillError).message).toContain(
      'Run constrain without --not-null (the foreign key, its index and ON DELETE need no NOT NULL), or give those rows an FK or delete them first',
    );
    const cons = async (): Promise<number> =>
      Number(
        (await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_constraint WHERE conrelid = 'invoices'::regclass AND contype = 'f'`))
          .rows[0]!.n,
      );
    expect(await cons()).toBe(0);
    const ok = await constrain(t.db, { config: cfg, tenantSafe: true });
    expect(ok.links[0]!.steps.some((x) => x.step === 'foreign-key' && x.status === 'done')).toBe(true);
    expect(await cons()).toBe(1);
  });

  it('drift does not list a new name only rows not active have; the guard leaves a row written soft-deleted alone', async () => {
    t = await freshDb(target);
    await schema(t);
    const cfg = config();
    const p = await plan(t.db, { config: cfg, allTenants: true });
    await apply(t.db, { config: cfg, allTenants: true, planRunId: p.runId });
    await t.db.exec(`INSERT INTO invoices (org, id, inv_no, account_name, deleted_at) VALUES ('o1', 7, 'INV-7', 'Fresh Co', now())`);
    const d = await drift(t.db, { config: cfg, allTenants: true });
    expect(d.links[0]!.newNames.names).toBe(0);
    await t.db.exec(`INSERT INTO invoices (org, id, inv_no, account_name) VALUES ('o1', 8, 'INV-8', 'Fresh Co')`);
    expect((await drift(t.db, { config: cfg, allTenants: true })).links[0]!.newNames.rows).toBe(1);
    if (target === 'citus') return; // the guard refuses a distributed table (guard install: CITUS_UNSUPPORTED)
    await installGuard(t.db, { config: cfg, executedBy: 'test' });
    await t.db.exec(`INSERT INTO invoices (org, id, inv_no, account_name, deleted_at) VALUES ('o1', 9, 'INV-9', 'Acme', now()),
                                                                                     ('o1', 10, 'INV-10', 'Acme', NULL)`);
    const g = (
      await t.db.query<{ id: number; f: number | null }>(`SELECT id, account_no AS f FROM invoices WHERE id IN (9, 10) ORDER BY id`)
    ).rows;
    expect(g.map((x) => x.f)).toEqual([null, 1]);
    const gs = (await guardStatus(t.db)).guards[0]!;
    expect([gs.hits, gs.misses]).toEqual([1, 0]); // the soft-deleted row is no miss: nothing to link
  });

  it('discover proposes the documents’ soft-delete column as the link’s active (a closed_at is not one)', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, customer_name text NOT NULL, deleted_at timestamptz);
      CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers, customer_name text,
                           closed_at timestamptz, deleted_at timestamptz);
      INSERT INTO customers VALUES (1, 'Acme', NULL), (2, 'Globex', NULL);
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL, NULL), (2, NULL, 'Globex', now(), NULL), (3, NULL, 'Acme', NULL, now());`);
    const r = await discover(t.db);
    const link = r.proposals.find((x) => x.fk === 'customer_id')!.link;
    expect(link.active).toEqual({ column: 'deleted_at', activeWhen: 'null' });
    expect(link.target.active).toEqual({ column: 'deleted_at', activeWhen: 'null' });
    // the proposal runs as written: the soft-deleted order is left out
    const p = await plan(t.db, { config: { links: [link] } });
    expect([p.results[0]!.recordsWithNullFK, p.results[0]!.recordsNotActive]).toEqual([1, 1]);
  });

  it('a bad predicate is one clear line, exit 2: its form, its column, a flag that is not boolean', async () => {
    t = await freshDb(target, { onDisk: true });
    await schema(t);
    const bad = async (active: unknown): Promise<BackfillError> =>
      (await status(t.db, { config: config(active as Link['active']) }).catch((e: unknown) => e)) as BackfillError;
    const form = await bad({ column: 'deleted_at', activeWhen: 'yes' });
    expect([form.code, form.exitCode]).toEqual(['CONFIG_INVALID', 2]);
    expect(form.message).toContain('links[0].active');
    expect(form.message).toBe(
      'invalid config (config): $.links[0].active: must be a boolean column name or { "column": "...", "activeWhen": true | false | "null" | "notNull" | "notPast" | "notFuture" | { "in": [values] } | { "notIn": [values] } }',
    );
    expect(form.message).not.toContain('\n');
    const col = await bad({ column: 'removed_at', activeWhen: 'null' });
    expect([col.code, col.exitCode]).toEqual(['SCHEMA_MISSING_COLUMN', 2]);
    expect(col.message).toContain('$.links[0].active');
    const flag = await bad('deleted_at');
    expect([flag.code, flag.exitCode]).toEqual(['SCHEMA_TYPE_MISMATCH', 2]);
    expect(flag.message).toBe(
      'invoices.deleted_at must be boolean to serve as the active flag ("activeWhen": true), is timestamp with time zone; for a soft-delete column such as deleted_at use { "column": "deleted_at", "activeWhen": "null" } ($.links[0].active)',
    );
    if (target === 'citus') return;
    const dir = mkdtempSync(join(tmpdir(), 'fkb-softdel-'));
    try {
      writeFileSync(join(dir, 'c.json'), JSON.stringify(config({ column: 'deleted_at', activeWhen: 'yes' } as unknown as Link['active'])));
      await t.release();
      const cli = await runCli(['status', '--db', t.url, '--config', join(dir, 'c.json')]);
      expect(cli.code).toBe(2);
      expect(cli.stderr.trim().split('\n')).toHaveLength(1);
      expect(cli.stderr).toContain('links[0].active');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
