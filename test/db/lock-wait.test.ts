/**
 * A table another session holds locked (an ALTER TABLE, LOCK TABLE or VACUUM FULL of a migration) before apply's first
 * batch. A new user's trial: apply waited silently, with no end, for the lock its statistics check and walk layout
 * needed, and Ctrl-C or SIGTERM did nothing until the lock was released. Now the tool's own connections wait a bounded
 * time (30 s, or the role's or database's lock_timeout) and fail with LOCK_TIMEOUT saying what to do, nothing written;
 * and the first Ctrl-C before the first batch quits at once.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/index.js';
import { freshDb, TARGETS, type TestDb } from '../helpers/db.js';
import { CLI, spawnCli } from '../helpers/cli.js';
import { ordersConfig } from '../helpers/orders-config.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = TARGETS.includes('postgres') ? describe : describe.skip;

const CONFIG = ordersConfig();

async function setUp(t: TestDb): Promise<string> {
  await t.db.exec(`
    CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers);
    INSERT INTO customers SELECT g, 1, 'C' || g FROM generate_series(1, 50) g;
    INSERT INTO orders SELECT g, 1, 'C' || (g % 50 + 1), NULL FROM generate_series(1, 500) g;`);
  const dir = mkdtempSync(join(tmpdir(), 'fkb-lockwait-'));
  writeFileSync(join(dir, 'fk-backfill.config.json'), JSON.stringify(CONFIG));
  return dir;
}

/** Another session holding ACCESS EXCLUSIVE on orders in an open transaction (end it to release). */
async function holdTable(url: string): Promise<pg.Client> {
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  await other.query('BEGIN');
  await other.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
  return other;
}

run('a table locked by another session before the first batch [postgres]', () => {
  let t: TestDb | undefined;
  let other: pg.Client | undefined;
  afterEach(async () => {
    await other?.end().catch(() => undefined);
    other = undefined;
    await t?.dispose();
    t = undefined;
  });

  it("the tool's own connections wait 30 s for a lock unless the role or database sets a bound", async () => {
    t = await freshDb('postgres');
    const db = await openDatabase(t.url);
    try {
      expect((await db.query<{ lock_timeout: string }>('SHOW lock_timeout')).rows[0]!.lock_timeout).toBe('30s');
    } finally {
      await db.close();
    }
    await t.db.query(`ALTER DATABASE "${new URL(t.url).pathname.slice(1)}" SET lock_timeout = '1500ms'`);
    const bounded = await openDatabase(t.url);
    try {
      expect((await bounded.query<{ lock_timeout: string }>('SHOW lock_timeout')).rows[0]!.lock_timeout).toBe('1500ms');
    } finally {
      await bounded.close();
    }
  });

  it('apply fails with LOCK_TIMEOUT once the wait runs out, naming what to do; nothing written', async () => {
    t = await freshDb('postgres');
    const dir = await setUp(t);
    expect((await spawnCli(['plan', '--db', t.url, '--all-tenants'], { cwd: dir })).code).toBe(0);
    await t.db.query(`ALTER DATABASE "${new URL(t.url).pathname.slice(1)}" SET lock_timeout = '1500ms'`);
    other = await holdTable(t.url);
    const started = Date.now();
    const out = await spawnCli(['apply', '--db', t.url, '--all-tenants', '--yes'], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/lock timeout .*another session held a lock on a table it needs .* run it again once that session ends/);
    await other.query('ROLLBACK');
    expect((await t.db.query<{ n: number }>('SELECT count(customer_id)::int AS n FROM orders')).rows[0]!.n).toBe(0);
  });

  it('the first Ctrl-C while waiting quits at once: exit 130, nothing written, and --json still prints one document', async () => {
    t = await freshDb('postgres');
    const dir = await setUp(t);
    expect((await spawnCli(['plan', '--db', t.url, '--all-tenants'], { cwd: dir })).code).toBe(0);
    other = await holdTable(t.url);
    const child = spawn(process.execPath, [CLI, 'apply', '--db', t.url, '--all-tenants', '--yes', '--json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
    // waiting for the lock: its session shows in pg_stat_activity as waiting on a Lock (read outside the holder's
    // transaction, whose view of pg_stat_activity is taken once)
    await expect
      .poll(
        async () =>
          (
            await t!.db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'fk-backfill' AND wait_event_type = 'Lock'`,
            )
          ).rows[0]!.n,
        { timeout: 15_000, interval: 100 },
      )
      .toBeGreaterThan(0);
    const signalled = Date.now();
    child.kill('SIGINT');
    expect(await ended).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(3_000);
    expect(stderr).toContain('quit before the first batch began: nothing was written to the linked tables');
    expect(JSON.parse(stdout)).toEqual({
      error: { code: 'STOPPED', message: expect.stringContaining('quit before the first batch began') },
    });
    await other.query('ROLLBACK');
    expect((await t.db.query<{ n: number }>('SELECT count(customer_id)::int AS n FROM orders')).rows[0]!.n).toBe(0);
  });
});
