import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { describeEach, freshDb, reopen, type TestDb } from '../helpers/db.js';

describeEach('cli', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target, { onDisk: true });
    await createAxis(t.db);
    await t.release();
  });
  afterEach(async () => t.dispose());

  it('status → plan → apply (needs --yes) → verify → undo → verify, one JSON document each', { timeout: 240_000 }, async () => {
    const db = ['--db', t.url];
    const st = await runCli(['status', ...db, '--json']);
    expect(st.code).toBe(0);
    expect(st.json<{ total: { populationRate: string } }>().total.populationRate).toBe('22.2%');

    const p = await runCli(['plan', ...db, '--tenant', DEMO_TENANT, '--json']);
    expect(p.code, p.stderr).toBe(0);
    const planId = p.json<{ runId: string }>().runId;

    const refused = await runCli(['apply', ...db, '--tenant', DEMO_TENANT]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);

    const noTenant = await runCli(['apply', ...db, '--yes']);
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toMatch(/--tenant ID.*--all-tenants/);

    const v0 = await runCli(['verify', ...db, '--tenant', DEMO_TENANT]);
    expect(v0.code).toBe(3);
    expect(v0.stdout).toMatch(/still have a NULL customer_id/);

    const sideways = await runCli(['apply', ...db, '--plan', planId, '--yes', '--walk', 'sideways']);
    expect(sideways.code).toBe(2);
    expect(sideways.stderr).toMatch(/--walk.*auto, key, ctid/);

    const a = await runCli(['apply', ...db, '--plan', planId, '--yes', '--json', '--walk', 'key']);
    expect(a.code, a.stderr).toBe(0);
    const applied = a.json<{ runId: string; totalUpdated: number; tenantId: string; results: { walk?: string }[] }>();
    expect(applied.totalUpdated).toBe(7);
    expect(applied.results.filter((r) => r.walk !== undefined).map((r) => r.walk)).toContain('key');
    expect(applied.results.every((r) => r.walk === undefined || r.walk === 'key')).toBe(true);
    expect(applied.tenantId).toBe(DEMO_TENANT);

    const v1 = await runCli(['verify', ...db, '--tenant', DEMO_TENANT, '--json']);
    expect(v1.code, v1.stdout).toBe(0);
    expect(v1.json<{ ok: boolean }>().ok).toBe(true);

    // `report revenue` and `revenue` are the same command; flags given after the subcommand still count
    const rev = await runCli(['report', 'revenue', ...db, '--tenant', DEMO_TENANT, '--json']);
    expect(rev.code, rev.stderr).toBe(0);
    expect(rev.json<{ links: { entityType: string }[] }>().links.map((l) => l.entityType)).toEqual([
      'sales_order',
      'sales_invoice',
      'purchase_order',
      'purchase_bill',
    ]);

    const u = await runCli(['undo', ...db, '--run', applied.runId, '--yes']);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toMatch(new RegExp(`^Undo run (\\d+) reverted run ${applied.runId}: 7 row\\(s\\) set back, 0 skipped\\.`));
    // no progress bar in a log: the run is named as it starts (Ctrl-C, --resume)
    const undoRun = /^Undo run (\d+)/.exec(u.stdout)![1]!;
    expect(u.stderr).toBe(`fk-backfill: undo run ${undoRun} is running; Ctrl-C stops it after the current batch\n`);

    const v2 = await runCli(['verify', ...db, '--all-tenants']);
    expect(v2.code).toBe(3);

    const runs = await runCli(['runs', ...db, '--json']);
    expect(runs.json<{ kind: string }[]>().map((r) => r.kind)).toEqual(['undo', 'apply', 'plan']);
    // one run as a person reads it: facts, then the summary as an indented listing, not the record's JSON
    const applyId = runs.json<{ id: string; kind: string }[]>().find((r) => r.kind === 'apply')!.id;
    const one = await runCli(['runs', applyId, ...db]);
    expect(one.code).toBe(0);
    // undone since: its status says so (a stopped run undone said only 'stopped')
    const undoId = runs.json<{ id: string; kind: string }[]>().find((r) => r.kind === 'undo')!.id;
    expect(one.stdout).toMatch(new RegExp(`^Run: +\\d+\\nKind: +apply\\nStatus: +done, undone by run ${undoId}\\n`));
    expect(runs.json<{ kind: string; undoneBy?: string }[]>().map((r) => r.undoneBy ?? null)).toEqual([null, undoId, null]);
    const list = await runCli(['runs', ...db]);
    expect(list.stdout.split('\n')[0]).toMatch(/\| Undoes +\| Undone by *$/);
    expect(one.stdout).toContain('\nSummary:\n');
    expect(one.stdout).toMatch(/^ {2}totalUpdated: 7$/m);
    expect(one.stdout).not.toContain('{');

    // a plan made with a config file is applied with that config, without naming the file again
    const dir = mkdtempSync(join(tmpdir(), 'fkb-cli-'));
    const cfg = join(dir, 'orders-only.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        links: [
          {
            entity: 'orders',
            table: 'sales_orders',
            key: 'id',
            fk: 'customer_id',
            name: 'customer_name',
            document: 'order_number',
            target: { table: 'customers', key: 'id', name: 'customer_name', active: 'is_active' },
            scope: ['tenant_id'],
            match: 'fuzzy',
          },
        ],
      }),
    );
    const p2 = await runCli(['plan', ...db, '--config', cfg, '--tenant', DEMO_TENANT, '--json']);
    expect(p2.code, p2.stderr).toBe(0);
    const a2 = await runCli(['apply', ...db, '--plan', p2.json<{ runId: string }>().runId, '--yes', '--json']);
    expect(a2.code, a2.stderr).toBe(0);
    expect(a2.json<{ totalUpdated: number; results: { entityType: string }[] }>()).toMatchObject({
      totalUpdated: 2,
      results: [{ entityType: 'orders' }],
    });
  });

  // The other tests call the CLI's main in-process; this one runs the executable (dist/cli/main.js)
  // for what only a real process shows: its exit status and stdio, stdin closed.
  it(
    'the executable: exit status per outcome, one JSON document on stdout, refuses to write without --yes',
    { timeout: 240_000 },
    async () => {
      const db = ['--db', t.url];
      const version = await spawnCli(['--version']);
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      const st = await spawnCli(['status', ...db, '--json']);
      expect(st.code, st.stderr).toBe(0);
      expect(st.json<{ total: { populationRate: string } }>().total.populationRate).toBe('22.2%');
      const refused = await spawnCli(['apply', ...db, '--tenant', DEMO_TENANT]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/--yes/);
      const usage = await spawnCli(['plan', ...db, '--bogus', '--json']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/unknown option/);
      expect(usage.json<{ error: { code: string } }>().error.code).toBe('USAGE');
      const v0 = await spawnCli(['verify', ...db, '--tenant', DEMO_TENANT]);
      expect(v0.code).toBe(3);
      expect(v0.stdout).toMatch(/still have a NULL customer_id/);
    },
  );

  it('bad input exits 2 with a one-line message and writes nothing', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fkb-cli-'));
    const cfg = join(dir, 'bad.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        links: [
          {
            entity: 'x',
            table: 'sales_orders',
            key: 'id',
            fk: 'customer_id',
            name: 'nope',
            target: { table: 'customers', key: 'id', name: 'customer_name' },
          },
        ],
      }),
    );
    const cases: [string[], RegExp][] = [
      [['plan', '--db', t.url, '--config', cfg, '--all-tenants'], /sales_orders\.nope does not exist \(\$\.links\[0\]\.name\)/],
      [['plan', '--db', t.url, '--config', join(dir, 'missing.json'), '--all-tenants'], /config file not found/],
      [['plan', '--db', t.url, '--tenant', 'x', '--all-tenants'], /cannot be used with/],
      [['plan', '--db', 'mysql://localhost/x', '--all-tenants'], /unsupported database URL/],
      [['plan', '--db', t.url, '--tenant', '00000000-0000-4000-8000-0000000000ff'], /tenant .* not found/],
      [['apply', '--db', t.url, '--tenant', DEMO_TENANT, '--plan', '999', '--yes'], /run 999 not found/],
      [['plan', '--db', t.url, '--bogus'], /unknown option/],
      [['status', '--db', `pglite://${join(dir, 'no-such-db')}`], /embedded database .*no-such-db does not exist/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const j = await runCli(['plan', '--db', t.url, '--config', cfg, '--all-tenants', '--json']);
    expect(j.json<{ error: { code: string } }>().error.code).toBe('SCHEMA_MISSING_COLUMN');
    expect(existsSync(join(dir, 'no-such-db'))).toBe(false);
    const db = await reopen(t);
    const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales_orders WHERE customer_id IS NOT NULL`);
    expect(n.rows[0]!.n).toBe(1);
    await db.close();
  });
});
