/** The review / masters / report commands end to end through the built CLI (`npm run build` first). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAxis, DEMO_TENANT, SEED_DATA } from '../../src/demo/axis.js';
import { openDatabase } from '../../src/db/index.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { FUZZY_CONFIG, FUZZY_DEMO } from '../e2e/fixtures.js';

const MISSING = new Set(['CUST-003', 'CUST-004', 'VEND-003', 'VEND-004']);

describeEach('review, masters and report CLI', (target) => {
  let t: TestDb;
  let dir: string;
  beforeEach(async () => {
    t = await freshDb(target, { onDisk: true });
    dir = mkdtempSync(join(tmpdir(), 'fkb-review-cli-'));
  });
  afterEach(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('review export → edit → import (bad file: exit 2, lines named, nothing written)', async () => {
    await createAxis(t.db, FUZZY_DEMO);
    await t.release();
    const cfg = join(dir, 'fuzzy.json');
    writeFileSync(cfg, JSON.stringify(FUZZY_CONFIG));
    const common = ['--db', t.url, '--config', cfg, '--tenant', DEMO_TENANT];
    const csvFile = join(dir, 'queue.csv');
    const ex = await runCli(['review', 'export', '--out', csvFile, ...common, '--json']);
    expect(ex.code, ex.stderr).toBe(0);
    const rows = parse(readFileSync(csvFile, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(7);
    // the export imported as written, without --tenant (a new user's trial: "choose a tenant"): nothing to import, exit 0
    const none = await runCli(['review', 'import', csvFile, '--db', t.url, '--config', cfg]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain(`Nothing to import from ${csvFile}: no line has a decision (7 line(s) left blank).`);
    // --json without --out: the queue itself, each name with its candidates, as the CSV lists them
    const js = await runCli(['review', 'export', ...common, '--json']);
    expect(js.code, js.stderr).toBe(0);
    const q = js.json() as { names: number; items: { name: string; candidates: { key: string; name: string; active: boolean }[] }[] };
    expect(q.names).toBe(7);
    expect(q.items.map((i) => [i.name, i.candidates[0]?.key ?? '', i.candidates[0]?.name ?? ''])).toEqual(
      rows.map((r) => [r['name'], r['candidate_1_key'], r['candidate_1_name']]),
    );
    expect(q.items.find((i) => i.name === 'Tset Cstmr Hldgs')?.candidates[0]).toMatchObject({ name: 'Test Customer', active: true });
    rows.find((r) => r['name'] === 'Tset Cstmr Hldgs')!['decision'] = 'accept';
    rows.find((r) => r['name'] === 'Zeta Widgets')!['decision'] = 'never';
    const bad = rows.map((r) => ({ ...r }));
    bad[3]!['decision'] = 'perhaps';
    writeFileSync(join(dir, 'bad.csv'), stringify(bad, { header: true }));
    const b = await runCli(['review', 'import', join(dir, 'bad.csv'), ...common]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('line 5: decision "perhaps"');
    writeFileSync(csvFile, stringify(rows, { header: true }));
    // an export over the filled file is refused, the file as it was (a new user's trial: 0 decisions left); --force writes
    const over = await runCli(['review', 'export', '--out', csvFile, ...common]);
    expect([over.code, over.stderr.trim()]).toEqual([
      2,
      `fk-backfill: ${csvFile} holds 2 decision(s): import them first (fk-backfill review import ${csvFile}), write elsewhere, or --force to overwrite it [USAGE]`,
    ]);
    expect(readFileSync(csvFile, 'utf8')).toBe(stringify(rows, { header: true }));
    const im = await runCli(['review', 'import', csvFile, ...common, '--json']);
    expect(im.code, im.stderr).toBe(0);
    expect(im.json()).toMatchObject({ decided: 2, written: 2, unchanged: 0 });
    const db = await openDatabase(t.url);
    try {
      const d = await db.query<{ source_name: string; action: string }>(
        `SELECT source_name, action FROM fk_backfill.decisions WHERE revoked_at IS NULL ORDER BY 1`,
      );
      expect(d.rows).toEqual([
        { source_name: 'Tset Cstmr Hldgs', action: 'alias' },
        { source_name: 'Zeta Widgets', action: 'never' },
      ]);
    } finally {
      await db.close();
    }
    // a "create" line: the import says that masters propose / create make the master, not the next plan (a trial
    // read "The next plan uses them" and planned again for masters no plan makes)
    const other = rows.find((r) => r['decision'] === '' && r['outcome'] === 'unmatched' && (r['name'] ?? '').trim() !== '')!;
    other['decision'] = 'create';
    writeFileSync(csvFile, stringify(rows, { header: true }));
    const cr = await runCli(['review', 'import', csvFile, ...common]);
    expect(cr.code, cr.stderr).toBe(0);
    expect(cr.stdout).toContain(
      'Imported ' +
        csvFile +
        ': 3 decision(s), 1 written, 2 already in force, 4 line(s) left blank. The next plan uses them. 1 of them "create": no plan makes a master; fk-backfill masters propose --out F lists them (approved), then fk-backfill masters create --from F --yes creates them and links their names.',
    );
  });

  it('masters propose --out → create --from --yes → 100 %', async () => {
    await createAxis(t.db, {
      customers: SEED_DATA.customers.filter((c) => c.tenant !== undefined || !MISSING.has(c.number)),
      vendors: SEED_DATA.vendors.filter((v) => v.tenant !== undefined || !MISSING.has(v.number)),
      documents: SEED_DATA.documents,
    });
    await t.release();
    const common = ['--db', t.url, '--tenant', DEMO_TENANT];
    const file = join(dir, 'proposals.json');
    const pr = await runCli(['masters', 'propose', '--out', file, ...common]);
    expect(pr.code, pr.stderr).toBe(0);
    expect(pr.stdout).toContain('Test Customer');
    // each proposal's tenant is on its line (the same name proposed for two tenants was two identical lines)
    expect(pr.stdout.split('\n').find((l) => l.includes('Test Customer'))).toContain(DEMO_TENANT);
    expect(pr.stdout).toContain('4 proposal(s) to');
    expect(pr.stdout).toContain('3 approved');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { proposals: { name: string; rows: number; approved: boolean }[] };
    expect(doc.proposals.map((x) => [x.name, x.rows, x.approved])).toEqual([
      ['ABC Corp', 2, true],
      ['Test Customer', 2, false], // a soft-deleted master has the name: a person decides
      ['XYZ Supplies', 2, true],
      ['Test Vendor', 1, true],
    ]);
    // the user edits approvals only
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"approved": false/g, '"approved": true'));
    const noYes = await runCli(['masters', 'create', '--from', file, ...common]);
    expect(noYes.code).toBe(2);
    const cr = await runCli(['masters', 'create', '--from', file, '--yes', ...common, '--json']);
    expect(cr.code, cr.stderr).toBe(0);
    const res = cr.json<{ created: { number: string }[]; plan: { runId: string; results: { matchRate: string }[] } }>();
    expect(res.created.map((c) => c.number).sort()).toEqual(['CUST-006', 'CUST-007', 'VEND-003', 'VEND-004']);
    expect(res.plan.results.map((r) => r.matchRate)).toEqual(['100.0%', '100.0%', '100.0%', '100.0%']);
    const html = join(dir, 'report.html');
    const rep = await runCli(['report', '--run', res.plan.runId, '--format', 'html', '--out', html, '--db', t.url]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('100.0%');
    const db = await openDatabase(t.url);
    try {
      const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE tenant_id = $1`, [DEMO_TENANT]);
      expect(n.rows[0]!.n).toBe(5);
    } finally {
      await db.close();
    }
  });
});
