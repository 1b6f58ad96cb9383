/** `guard` and `drift` from the command line: confirmation, JSON, exit codes (3 = drift found). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { apply, guardStatus } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, reopen, type TestDb } from '../helpers/db.js';

describeEach('guard cli', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target, { onDisk: true });
    await createAxis(t.db);
    await apply(t.db, { allTenants: true, entities: ['sales_order'], singleTransaction: true });
    await t.release();
  });
  afterEach(async () => t.dispose());

  // few CLI calls: each opens the database anew (on PGlite, boots it from its directory)
  it('guard install (needs --yes), a plain insert linked, drift exit 3', { timeout: 240_000 }, async () => {
    const db = ['--db', t.url];
    const refused = await runCli(['guard', 'install', ...db, '--entity', 'sales_order']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect((await runCli(['drift', ...db, '--limit', 'x'])).code).toBe(2);
    const inst = await runCli(['guard', 'install', ...db, '--entity', 'sales_order', '--yes', '--json']);
    expect(inst.code).toBe(0);
    const runId = inst.json<{ runId: string }>().runId;
    // the table named as guard status names it (before: install said sales_orders, status public.sales_orders)
    expect(inst.json<{ guards: { table: string }[] }>().guards.map((g) => g.table)).toEqual(['public.sales_orders']);

    const conn = await reopen(t);
    try {
      const r = await conn.query<{ ok: boolean }>(
        `INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'CLI-1', 'Beta Industries'), ($1, 'CLI-2', 'Nobody Known')
         RETURNING customer_id IS NOT NULL AS ok`,
        [DEMO_TENANT],
      );
      expect(r.rows.map((x) => x.ok)).toEqual([true, false]);
      expect((await guardStatus(conn)).guards).toEqual([
        expect.objectContaining({ runId, table: 'public.sales_orders', hits: 1, misses: 1, active: true }),
      ]);
    } finally {
      await conn.close();
    }

    const d = await runCli(['drift', ...db, '--all-tenants', '--entity', 'sales_order', '--json']);
    expect(d.code).toBe(3);
    expect(d.json<{ found: boolean; links: { newNames: { names: number } }[] }>().links[0]!.newNames.names).toBe(1);
    // (`guard remove` from the library: see guard.test.ts; its CLI refuses without --yes before opening anything)
    expect((await runCli(['guard', 'remove', ...db])).code).toBe(2);
    // a --config given is read even where the command goes by what is installed: a bad one is exit 2, not ignored
    const bad = join(mkdtempSync(join(tmpdir(), 'fkb-guard-')), 'bad.json');
    writeFileSync(bad, JSON.stringify({ links: [{ entity: 'x' }] }));
    const st = await runCli(['guard', 'status', ...db, '--config', bad]);
    expect([st.code, st.stdout]).toEqual([2, '']);
    expect(st.stderr).toContain(`invalid config (${bad})`);
  });
});
