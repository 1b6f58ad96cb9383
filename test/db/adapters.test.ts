import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgresJs } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { adapt, apply, backfillForeignKeys, BackfillError, openDatabase, undo } from '../../src/index.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { PGLITE_PG_MAJOR } from '../../src/db/index.js';
import { describeEach, freshDb, TARGETS, type TestDb } from '../helpers/db.js';

/** Builds the demo through the adapted handle, then runs the seed's call through the raw one. */
async function seedCall(handle: unknown): Promise<number[]> {
  const db = adapt(handle);
  await createAxis(db);
  const dry = await backfillForeignKeys(handle, { tenantId: DEMO_TENANT, userId: 'app' });
  expect(dry.totalRecordsUpdated).toBe(0);
  const live = await backfillForeignKeys(handle, { tenantId: DEMO_TENANT, dryRun: false, userId: 'app' });
  const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales_orders WHERE customer_id IS NOT NULL`);
  return [dry.totalRecordsProcessed, live.totalRecordsUpdated, n.rows[0]!.n];
}

/**
 * A pool as an application holds one: with an 'error' listener. pg-pool's end() resolves before its connections have
 * closed, and afterEach drops the database WITH (FORCE): a connection still closing was terminated, the pool emitted
 * 'error' and, with no listener, the test process had an uncaught exception (CI, once in ~50 runs).
 */
function applicationPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => undefined);
  return pool;
}

describe.runIf(TARGETS.includes('postgres'))('handles an application already holds [postgres]', () => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('pg Pool', async () => {
    t = await freshDb('postgres');
    const pool = applicationPool(t.url);
    expect(await seedCall(pool)).toEqual([7, 7, 3]);
    await pool.end();
  });
  it('pg Client', async () => {
    t = await freshDb('postgres');
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    expect(await seedCall(client)).toEqual([7, 7, 3]);
    await client.end();
  });
  it('Drizzle postgres-js', async () => {
    t = await freshDb('postgres');
    const sql = postgres(t.url, { max: 2, onnotice: () => undefined });
    expect(await seedCall(drizzlePostgresJs(sql))).toEqual([7, 7, 3]);
    await sql.end();
  });
  it('a plain postgres.js client: the seed call, a batched apply (its checkpoint read back) and its undo', async () => {
    t = await freshDb('postgres');
    const sql = postgres(t.url, { max: 3, onnotice: () => undefined });
    try {
      expect(await seedCall(sql)).toEqual([7, 7, 3]);
      const a = await apply(sql, { tenantId: DEMO_TENANT, batchSize: 2 });
      expect(a.status).toBe('done');
      // its JSON stored as JSON, not as a JSON string of it (postgres.js serialises a string sent to a jsonb parameter)
      const kinds = await sql.unsafe(
        `SELECT jsonb_typeof(checkpoint) AS c, jsonb_typeof(summary) AS s FROM fk_backfill.runs WHERE id = $1::int8`,
        [a.runId],
      );
      expect(kinds[0]).toEqual({ c: 'object', s: 'object' });
      const u = await undo(sql, { runId: a.runId, singleTransaction: false, batchSize: 2 });
      expect(u.totalReverted).toBe(a.totalUpdated);
    } finally {
      await sql.end();
    }
  });
  it('Drizzle node-postgres', async () => {
    t = await freshDb('postgres');
    const pool = applicationPool(t.url);
    expect(await seedCall(drizzlePg(pool))).toEqual([7, 7, 3]);
    await pool.end();
  });
});

describe.runIf(TARGETS.includes('postgres'))("a one-connection handle inside the application's transaction [postgres]", () => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  // a new user's trial: the call's COMMIT committed the application's transaction, whose ROLLBACK then undid nothing
  it('a pg Client (or PoolClient) in BEGIN, and a Drizzle db over one inside db.transaction, are refused; the transaction is left as it was', async () => {
    t = await freshDb('postgres');
    await createAxis(t.db);
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`UPDATE customers SET customer_name = 'renamed in the app' WHERE customer_number = 'CUST-002'`);
    const e = await backfillForeignKeys(client, { tenantId: DEMO_TENANT, dryRun: false }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'DB_UNSUPPORTED', exitCode: 2 });
    expect((e as Error).message).toMatch(
      /^this pg Client is inside an open transaction: fk-backfill runs and commits its own transactions/,
    );
    // still the application's transaction: the xid its UPDATE was given is still current
    const inTx = await client.query<{ open: boolean }>(`SELECT txid_current_if_assigned() IS NOT NULL AS open`);
    expect(inTx.rows[0]!.open).toBe(true);
    await client.query('ROLLBACK');
    const names = await client.query<{ n: string }>(`SELECT customer_name AS n FROM customers WHERE customer_number = 'CUST-002'`);
    expect(names.rows.map((r) => r.n)).toEqual(['Beta Industries']);
    const d = drizzlePg(client);
    const e2 = await d.transaction(async () => backfillForeignKeys(d, { tenantId: DEMO_TENANT })).catch((x: unknown) => x);
    expect(e2).toMatchObject({ code: 'DB_UNSUPPORTED' });
    // outside a transaction the same client works
    expect((await backfillForeignKeys(client, { tenantId: DEMO_TENANT })).totalRecordsProcessed).toBe(7);
    await client.end();
    // postgres.js's own transaction: refused like Drizzle's tx (it joined the app's transaction, or failed with 25P02)
    const sql = postgres(t.url, { max: 2, onnotice: () => undefined });
    const e3 = await sql
      .begin(async (tx) => {
        await tx`UPDATE customers SET customer_name = 'renamed in the app' WHERE customer_number = 'CUST-002'`;
        return backfillForeignKeys(tx, { tenantId: DEMO_TENANT, dryRun: false });
      })
      .catch((x: unknown) => x);
    expect(e3).toMatchObject({ code: 'DB_UNSUPPORTED' });
    expect((e3 as Error).message).toMatch(/^a transaction \(tx\) is not a database handle: pass the db itself/);
    await sql.end();
    const pool = applicationPool(t.url);
    const pc = await pool.connect();
    await pc.query('BEGIN');
    await expect(backfillForeignKeys(pc, { tenantId: DEMO_TENANT })).rejects.toMatchObject({ code: 'DB_UNSUPPORTED' });
    await pc.query('ROLLBACK');
    pc.release();
    await pool.end();
  });
});

describe.runIf(TARGETS.includes('pglite'))('handles an application already holds [pglite]', () => {
  it('PGlite instance and Drizzle PGlite', async () => {
    const p = new PGlite();
    expect(await seedCall(p)).toEqual([7, 7, 3]);
    // the application's handle stays open
    expect((await p.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const d = drizzlePglite(p);
    const again = await backfillForeignKeys(d, { tenantId: DEMO_TENANT });
    expect(again.totalRecordsProcessed).toBe(0);
    await p.close();
  });
  // a new user's trial: the call waited for the application's transaction, which waited for the call, for ever
  it('a PGlite instance (or a Drizzle db over it) inside its own transaction is refused, not waited on', async () => {
    const p = new PGlite();
    await createAxis(adapt(p));
    const e = await p.transaction(async () => backfillForeignKeys(p, { tenantId: DEMO_TENANT })).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'DB_UNSUPPORTED', exitCode: 2 });
    expect((e as Error).message).toMatch(/^this PGlite instance is inside an open transaction/);
    const d = drizzlePglite(p);
    const e2 = await d.transaction(async () => backfillForeignKeys(d, { tenantId: DEMO_TENANT })).catch((x: unknown) => x);
    expect(e2).toMatchObject({ code: 'DB_UNSUPPORTED' });
    expect((await backfillForeignKeys(d, { tenantId: DEMO_TENANT })).totalRecordsProcessed).toBe(7);
    await p.close();
  });
});

describe('database URLs', () => {
  it('rejects unknown schemes and unsupported handles with exit code 2', async () => {
    await expect(openDatabase('mysql://x')).rejects.toMatchObject({ code: 'DB_URL_INVALID', exitCode: 2 });
    await expect(openDatabase('pglite://')).rejects.toMatchObject({ code: 'DB_URL_INVALID' });
    expect(() => adapt({})).toThrow(BackfillError);
    // a new user's trial: a URL passed where a handle goes was told to pass "a URL"
    expect(() => adapt('postgres://x/y')).toThrow(/a URL is not a database handle: open it first \(const db = await openDatabase\(url\)\)/);
  });
  it.runIf(TARGETS.includes('pglite'))('a Drizzle transaction is refused as a handle, saying to pass the db', async () => {
    const p = new PGlite();
    const d = drizzlePglite(p);
    const e = await d.transaction(async (tx) => Promise.resolve().then(() => adapt(tx))).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'DB_UNSUPPORTED', exitCode: 2 });
    expect((e as Error).message).toMatch(/^a transaction \(tx\) is not a database handle: pass the db itself/);
    await p.close();
  });
  it.runIf(TARGETS.includes('pglite'))(
    'a directory PGlite cannot open says why: another PostgreSQL version\'s data directory, or not a database (a trial: "unreachable")',
    async () => {
      const inMemory = new PGlite();
      const v = (await inMemory.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v;
      await inMemory.close();
      expect(v.slice(0, 2)).toBe(PGLITE_PG_MAJOR);
      const root = mkdtempSync(join(tmpdir(), 'fkb-pgdir-'));
      try {
        // a data directory of another major version: PG_VERSION and what initdb leaves beside it
        const other = join(root, 'pg15');
        mkdirSync(join(other, 'global'), { recursive: true });
        writeFileSync(join(other, 'PG_VERSION'), '15\n');
        const e1 = await openDatabase(`pglite://${other}`).catch((e: unknown) => e);
        expect(e1).toMatchObject({ code: 'DB_UNREACHABLE', exitCode: 2 });
        expect((e1 as Error).message).toContain(`it is a PostgreSQL 15 data directory`);
        const files = join(root, 'files');
        mkdirSync(files);
        writeFileSync(join(files, 'notes.txt'), 'hi');
        const e2 = await openDatabase(`pglite://${files}`).catch((e: unknown) => e);
        expect(e2).toMatchObject({ code: 'DB_UNREACHABLE', exitCode: 2 });
        expect((e2 as Error).message).toContain('it is not an embedded database (no PG_VERSION');
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
  it.runIf(TARGETS.includes('postgres'))('unreachable server and missing database name the URL without the password', async () => {
    const e1 = await openDatabase('postgres://u:secret@127.0.0.1:1/db').catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'DB_UNREACHABLE', exitCode: 2 });
    expect((e1 as Error).message).toContain('127.0.0.1:1');
    expect((e1 as Error).message).not.toContain('secret');
    const e2 = await openDatabase('postgres://postgres@127.0.0.1:5432/fkb_no_such_db').catch((e: unknown) => e);
    expect((e2 as Error).message).toMatch(/database does not exist/);
  });
});

describeEach('schema errors', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('missing table, missing column, type mismatch, view, unknown tenant and entity: clear errors, nothing written', async () => {
    t = await freshDb(target, { migrated: false });
    await createAxis(t.db);
    const base = {
      entity: 'so',
      table: 'sales_orders',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      target: { table: 'customers', key: 'id', name: 'customer_name', active: 'is_active' },
      scope: ['tenant_id'],
    };
    const cases: [unknown, string, RegExp][] = [
      [{ links: [{ ...base, table: 'sales_orderz' }] }, 'SCHEMA_MISSING_TABLE', /sales_orderz does not exist \(\$\.links\[0\]\.table\)/],
      [
        { links: [{ ...base, name: 'Customer_Name' }] },
        'SCHEMA_MISSING_COLUMN',
        /sales_orders\.Customer_Name .*\$\.links\[0\]\.name.*did you mean "customer_name"/,
      ],
      [{ links: [{ ...base, fk: 'total_amount' }] }, 'SCHEMA_TYPE_MISMATCH', /total_amount is numeric.* but customers\.id is uuid/],
      [
        { links: [{ ...base, target: { ...base.target, active: 'customer_number' } }] },
        'SCHEMA_TYPE_MISMATCH',
        /customers.customer_number must be boolean to serve as the active flag \("activeWhen": true\), is text/,
      ],
    ];
    for (const [config, code, msg] of cases) {
      const e = await backfillForeignKeys(t.db, { tenantId: DEMO_TENANT, config: config as never }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BackfillError);
      expect((e as BackfillError).code).toBe(code);
      expect((e as BackfillError).message).toMatch(msg);
      expect((e as BackfillError).exitCode).toBe(2);
    }
    await t.db.query(`CREATE VIEW so_view AS SELECT * FROM sales_orders`);
    await expect(
      backfillForeignKeys(t.db, { tenantId: DEMO_TENANT, config: { links: [{ ...base, table: 'so_view' }] } }),
    ).rejects.toMatchObject({ code: 'SCHEMA_NOT_A_TABLE' });
    await expect(backfillForeignKeys(t.db, { tenantId: '00000000-0000-4000-8000-000000000999' })).rejects.toMatchObject({
      code: 'UNKNOWN_TENANT',
      exitCode: 2,
    });
    await expect(backfillForeignKeys(t.db, { tenantId: 'not-a-uuid' })).rejects.toMatchObject({ code: 'UNKNOWN_TENANT' });
    await expect(backfillForeignKeys(t.db, { tenantId: DEMO_TENANT, entities: ['sales_ordr'] })).rejects.toMatchObject({
      code: 'UNKNOWN_ENTITY',
    });
    await expect(backfillForeignKeys(t.db, { tenantId: null })).rejects.toMatchObject({ code: 'TENANT_REQUIRED' });
    const n = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales_orders WHERE customer_id IS NOT NULL`);
    expect(n.rows[0]!.n).toBe(1);
    // not even fk-backfill's own schema was created: bad input writes nothing at all
    const own = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'fk_backfill'`);
    expect(own.rows[0]!.n).toBe(0);
  });
});
