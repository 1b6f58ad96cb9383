/**
 * `undo` after `constrain --not-null`: undo writes NULL back into the FK, which the column no longer
 * allows. Refused before anything is written (exit 2, one line naming the column and the statement that
 * allows NULL again; one JSON document with --json), for an apply run and for a guard run alike. Before:
 * the database's not-null error (23502) surfaced raw, exit 1, after the undo run had been recorded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { describeEach, freshDb, reopen, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';
import { snapshot } from '../helpers/hostile.js';

const CONFIG = ordersConfig({ document: 'order_no' }, { name: 'name' });

function expectNotNullRefusal(r: CliResult, json: boolean): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    /orders\.customer_id is NOT NULL \(set by constrain --not-null\).*nothing was written.*ALTER TABLE "orders" ALTER COLUMN "customer_id" DROP NOT NULL \[FK_NOT_NULL\]$/,
  );
  if (json) {
    const doc = r.json<{ error: { code: string; details: { sql: string } } }>(); // exactly one JSON document
    expect(doc.error.code).toBe('FK_NOT_NULL');
    expect(doc.error.details.sql).toBe('ALTER TABLE "orders" ALTER COLUMN "customer_id" DROP NOT NULL');
  }
}

describeEach('undo after constrain --not-null', (target) => {
  let t: TestDb;
  let dir: string;
  beforeEach(async () => {
    t = await freshDb(target, { onDisk: true });
    await t.db.query(`CREATE TABLE customers (id serial PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL)`);
    await t.db.query(
      `CREATE TABLE orders (id serial PRIMARY KEY, tenant_id int NOT NULL, order_no text, customer_name text, customer_id int)`,
    );
    await t.db.query(`CREATE INDEX ON customers (tenant_id, name)`);
    await t.db.query(`INSERT INTO customers (tenant_id, name) VALUES (1, 'Acme'), (1, 'Beta'), (2, 'Acme')`);
    await t.db.query(
      `INSERT INTO orders (tenant_id, order_no, customer_name) VALUES (1, 'O-1', 'Acme'), (1, 'O-2', 'Beta'), (2, 'O-3', 'Acme')`,
    );
    await t.release();
    dir = mkdtempSync(join(tmpdir(), 'fkb-undo-nn-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(CONFIG));
  });
  afterEach(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'undo of the apply run and of a guard run: exit 2, one line with the fix, nothing written; after the fix undo works',
    { timeout: 240_000 },
    async () => {
      const base = ['--db', t.url, '--config', join(dir, 'config.json')];
      // asked for and not possible while rows are NULL: said so, exit 3, a problem found in the data (it exited 0, then 1)
      const early = await runCli(['constrain', ...base, '--not-null', '--dry-run']);
      expect([early.code, early.stdout]).toEqual([3, expect.stringMatching(/not set: 3 row\(s\) still have a NULL customer_id/)]);
      const a = await runCli(['apply', ...base, '--all-tenants', '--yes', '--json']);
      expect(a.code, a.stderr).toBe(0);
      const applyRun = a.json<{ runId: string; totalUpdated: number }>();
      expect(applyRun.totalUpdated).toBe(3);
      const g = await runCli(['guard', 'install', ...base, '--yes', '--json']);
      expect(g.code, g.stderr).toBe(0);
      const guardRun = g.json<{ runId: string }>().runId;
      const c = await runCli(['constrain', ...base, '--all-tenants', '--not-null', '--yes']);
      expect(c.code, c.stdout + c.stderr).toBe(0);

      let conn = await reopen(t);
      let before: Record<string, string>;
      try {
        const ins = await conn.query<{ customer_id: number | null }>(
          `INSERT INTO orders (tenant_id, order_no, customer_name) VALUES (2, 'O-4', 'Acme') RETURNING customer_id`,
        );
        expect(ins.rows[0]!.customer_id).not.toBeNull(); // linked by the guard: its run has a link to undo
        before = await snapshot(conn);
      } finally {
        await conn.close();
      }

      expectNotNullRefusal(await runCli(['undo', ...base, '--run', applyRun.runId, '--yes']), false);
      expectNotNullRefusal(await runCli(['undo', ...base, '--run', applyRun.runId, '--yes', '--json']), true);
      expectNotNullRefusal(await runCli(['undo', ...base, '--run', guardRun, '--yes', '--json']), true);
      expectNotNullRefusal(await runCli(['undo', ...base, '--run', applyRun.runId, '--yes', '--single-transaction']), false);

      conn = await reopen(t);
      try {
        expect(await snapshot(conn)).toEqual(before); // no undo run recorded, the guard's links not moved, no row touched
        await conn.query(`ALTER TABLE "orders" ALTER COLUMN "customer_id" DROP NOT NULL`); // the statement the message gives
      } finally {
        await conn.close();
      }
      const u = await runCli(['undo', ...base, '--run', applyRun.runId, '--yes', '--json']);
      expect(u.code, u.stderr).toBe(0);
      expect(u.json<{ totalReverted: number }>().totalReverted).toBe(3);
    },
  );
});
