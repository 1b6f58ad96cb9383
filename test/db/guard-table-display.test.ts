/**
 * The guard names its table as every other command does: `Billing.Claims`, not the quoted `"Billing"."Claims"` its
 * record in fk_backfill.guards holds (format('%I.%I'), kept as it was: records written before read the same). Before:
 * guard install, status and remove printed the quoted form.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { guardStatus, installGuard, removeGuard, status } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, reopen, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

describeEach('the guard names a mixed-case table as other commands do', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it(
    'install, status (library and CLI) and remove say Billing.Claims; the record keeps the quoted form',
    { timeout: 120_000 },
    async () => {
      t = await freshDb(target, { onDisk: true });
      await t.db.exec(`
      CREATE SCHEMA "Billing";
      CREATE TABLE "Billing"."Accounts" (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE "Billing"."Claims" (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO "Billing"."Accounts" VALUES (1, 1, 'Acme');`);
      const config = ordersConfig({ entity: 'claim', table: 'Billing.Claims' }, { table: 'Billing.Accounts' });
      expect((await status(t.db, { config, allTenants: true })).links[0]!.table).toBe('Billing.Claims');
      const g = await installGuard(t.db, { config });
      expect(g.guards.map((x) => x.table)).toEqual(['Billing.Claims']);
      const stored = await t.db.query<{ table_name: string }>(`SELECT table_name FROM fk_backfill.guards`);
      expect(stored.rows.map((r) => r.table_name)).toEqual(['"Billing"."Claims"']);
      expect((await guardStatus(t.db)).guards.map((x) => x.table)).toEqual(['Billing.Claims']);
      const dir = mkdtempSync(join(tmpdir(), 'fkb-guard-display-'));
      try {
        writeFileSync(join(dir, 'c.json'), JSON.stringify(config));
        await t.release();
        const cli = await runCli(['guard', 'status', '--db', t.url, '--config', join(dir, 'c.json')]);
        expect(cli.code, cli.stderr).toBe(0);
        expect(cli.stdout).toMatch(/^claim\s+\| Billing\.Claims\s+\|/m);
        expect(cli.stdout).not.toContain('"Billing"');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const db = await reopen(t);
      try {
        expect((await removeGuard(db)).removed.map((x) => x.table)).toEqual(['Billing.Claims']);
      } finally {
        await db.close();
      }
    },
  );
});
