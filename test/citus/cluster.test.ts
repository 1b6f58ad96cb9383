/**
 * Issue #18 on a real Citus cluster: a tenant-distributed ERP schema (composite primary keys
 * (tenant_id, id), a co-located master, a reference-table master), backfilled end to end through the
 * CLI and compared with the same schema on single PostgreSQL. `npm run test:citus`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { apply, decide, drift, openDatabase, resumeApply, reviewQueue, undo, type ProgressEvent } from '../../src/index.js';
import { freshCitusDb, freshPgDb, type CitusDb } from '../helpers/citus.js';

const TENANTS = 6;
const ORDERS = 500;

/** The schema and data; on Citus the tables are distributed (documents co-located with customers) or reference tables. */
async function build(db: CitusDb, citus: boolean): Promise<void> {
  await db.sql(`CREATE TABLE currencies (id int PRIMARY KEY, name text NOT NULL, active boolean NOT NULL DEFAULT true)`);
  await db.sql(
    `CREATE TABLE customers (tenant_id int NOT NULL, id bigint NOT NULL, name text NOT NULL, is_active boolean NOT NULL DEFAULT true, PRIMARY KEY (tenant_id, id))`,
  );
  await db.sql(`CREATE TABLE sales_orders (tenant_id int NOT NULL, id bigint NOT NULL, order_no text NOT NULL, customer_name text, customer_id bigint,
                  currency_name text, currency_id int, total numeric(12,2), updated_at timestamptz NOT NULL, PRIMARY KEY (tenant_id, id))`);
  // a table left local to the coordinator, linked to the reference master
  await db.sql(`CREATE TABLE price_lists (id int PRIMARY KEY, currency_name text, currency_id int, updated_at timestamptz NOT NULL)`);
  if (citus) {
    await db.sql(`SELECT create_reference_table('currencies')`);
    await db.sql(`SELECT create_distributed_table('customers', 'tenant_id')`);
    await db.sql(`SELECT create_distributed_table('sales_orders', 'tenant_id', colocate_with => 'customers')`);
    // in Citus's metadata, still on the coordinator: Citus updates it from a join with reference tables
    await db.sql(`SELECT citus_add_local_table_to_metadata('price_lists')`);
  }
  await db.sql(
    `INSERT INTO currencies VALUES (1, 'US Dollar', true), (2, 'Euro', true), (3, 'Pound Sterling', true), (4, 'French Franc', false)`,
  );
  // 40 customers per tenant (30 in the last one); every 9th inactive; "Customer 7" twice in tenants 1-3 (ambiguous there)
  await db.sql(`INSERT INTO customers
                SELECT t, c, 'Customer ' || c, c % 9 <> 0 FROM generate_series(1, ${TENANTS}) t, generate_series(1, 40) c WHERE t < ${TENANTS} OR c <= 30
                UNION ALL SELECT t, 1000 + t, 'Customer 7', true FROM generate_series(1, 3) t`);
  await db.sql(`INSERT INTO sales_orders
                SELECT t, o, 'SO-' || o,
                       CASE WHEN o % 97 = 0 THEN NULL WHEN o % 89 = 0 THEN '  ' ELSE 'Customer ' || ((o * 7) % 40 + 1) END, NULL,
                       (ARRAY['US Dollar', 'Euro', 'Pound Sterling', 'French Franc', 'Yen'])[o % 5 + 1], NULL,
                       o * 3.5, timestamptz '2026-01-01 00:00:00+00' + o * interval '1 minute'
                  FROM generate_series(1, ${TENANTS}) t, generate_series(1, ${ORDERS}) o`);
  await db.sql(
    `INSERT INTO price_lists SELECT g, (ARRAY['US Dollar', 'Euro', 'Yen'])[g % 3 + 1], NULL, timestamptz '2026-02-01 00:00:00+00' + g * interval '1 day' FROM generate_series(1, 30) g`,
  );
  await db.sql(`ANALYZE`);
}

async function rows(db: CitusDb): Promise<string[]> {
  const r = await db.sql<{ r: string }>(`SELECT s::text AS r FROM sales_orders s ORDER BY tenant_id, id`);
  const p = await db.sql<{ r: string }>(`SELECT p::text AS r FROM price_lists p ORDER BY id`);
  return [...r, ...p].map((x) => x.r);
}

async function links(db: CitusDb): Promise<string[]> {
  const r = await db.sql<{ r: string }>(
    `SELECT concat_ws(',', tenant_id, id, customer_id, currency_id) AS r FROM sales_orders ORDER BY tenant_id, id`,
  );
  const p = await db.sql<{ r: string }>(`SELECT concat_ws(',', id, currency_id) AS r FROM price_lists ORDER BY id`);
  return [...r, ...p].map((x) => x.r);
}

async function cli(args: string[]) {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`fk-backfill ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r;
}

async function lastApplyRun(db: CitusDb): Promise<string> {
  // max(id), not ORDER BY id of an id::text column: that orders text, and '9' came after '15'
  const r = await db.sql<{ id: string }>(`SELECT max(id)::text AS id FROM fk_backfill.runs WHERE kind = 'apply'`);
  return r[0]!.id;
}

/** Every change of one run: exactly the rows now linked, each once. */
async function changeLog(db: CitusDb, run: string): Promise<{ keys: number; distinct: number }> {
  const r = await db.sql<{ keys: string; distinct: string }>(
    `SELECT count(*)::text AS keys, count(DISTINCT (link, k))::text AS distinct FROM fk_backfill.change_sets cs, unnest(cs.row_keys) k WHERE cs.run_id = $1::int8`,
    [run],
  );
  return { keys: Number(r[0]!.keys), distinct: Number(r[0]!.distinct) };
}

async function linkedCount(db: CitusDb): Promise<number> {
  const r = await db.sql<{ n: string }>(
    `SELECT ((SELECT count(customer_id) + count(currency_id) FROM sales_orders) + (SELECT count(currency_id) FROM price_lists))::text AS n`,
  );
  return Number(r[0]!.n);
}

/** Starts `apply` in a child process; resolves once it has committed a batch (a change set exists). */
async function startApply(db: CitusDb, config: string, extra: string[]) {
  const last = Number((await db.sql<{ n: string }>(`SELECT coalesce(max(id), 0)::text AS n FROM fk_backfill.runs`))[0]!.n);
  const child = spawn(process.execPath, [CLI, 'apply', '--db', db.url, '--config', config, '--all-tenants', '--yes', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const firstBatch = (async () => {
    for (let i = 0; i < 600; i++) {
      const r = await db
        .sql<{ n: string }>(`SELECT count(*)::text AS n FROM fk_backfill.change_sets WHERE run_id > $1::int8`, [last])
        .catch(() => [{ n: '0' }]);
      if (Number(r[0]!.n) > 0) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`apply committed no batch: ${out}`);
  })();
  return { child, exited, firstBatch, output: () => out };
}

describe('Citus cluster [citus]', () => {
  let cit: CitusDb;
  let pgdb: CitusDb;
  let config: string;
  let before: string[];
  let expected: string[];

  beforeAll(async () => {
    [cit, pgdb] = await Promise.all([freshCitusDb(), freshPgDb()]);
    await Promise.all([build(cit, true), build(pgdb, false)]);
    before = await rows(cit);
    config = join(mkdtempSync(join(tmpdir(), 'fkb-citus-')), 'fk-backfill.config.json');
  }, 120_000);

  afterAll(async () => {
    await Promise.all([cit?.dispose(), pgdb?.dispose()]);
  });

  it('discover proposes exactly the real links: the co-located master scoped by the tenant, the reference master unscoped (from a distributed and a local table)', async () => {
    await cli(['discover', '--db', cit.url, '--write', config]);
    const cfg = JSON.parse(readFileSync(config, 'utf8')) as {
      links: { table: string; fk: string; scope: string[]; key: unknown; target: { table: string; active?: unknown } }[];
    };
    const found = cfg.links.map((l) => `${l.table}.${l.fk}->${l.target.table}[${l.scope.join(',')}]`).sort();
    expect(found).toEqual([
      'price_lists.currency_id->currencies[]',
      'sales_orders.currency_id->currencies[]',
      'sales_orders.customer_id->customers[tenant_id]',
    ]);
    for (const l of cfg.links) expect(l.key).toEqual(l.table === 'price_lists' ? 'id' : ['tenant_id', 'id']);
    expect(cfg.links.find((l) => l.target.table === 'customers')?.target.active).toBe('is_active');
  });

  it('apply --all-tenants (plan included, several batches) ends as on single PostgreSQL; ambiguous, inactive and other-tenant names stay NULL', async () => {
    await Promise.all([
      cli(['apply', '--db', cit.url, '--config', config, '--all-tenants', '--yes', '--batch-size', '700']),
      cli(['apply', '--db', pgdb.url, '--config', config, '--all-tenants', '--yes', '--batch-size', '700']),
    ]);
    expected = await links(pgdb);
    expect(await links(cit)).toEqual(expected);
    const wrong = await cit.sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM sales_orders s
        WHERE (s.customer_id IS NOT NULL AND (s.customer_name = 'Customer 7' AND s.tenant_id <= 3 OR NOT EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = s.tenant_id AND c.id = s.customer_id AND c.is_active AND c.name = s.customer_name)))
           OR (s.currency_id IS NOT NULL AND s.currency_name NOT IN ('US Dollar', 'Euro', 'Pound Sterling'))`,
    );
    expect(wrong[0]!.n).toBe('0');
    const linked = await cit.sql<{ c: string; k: string }>(
      `SELECT count(customer_id)::text AS c, count(currency_id)::text AS k FROM sales_orders`,
    );
    expect(Number(linked[0]!.c)).toBeGreaterThan(TENANTS * ORDERS * 0.6);
    expect(Number(linked[0]!.k)).toBe(TENANTS * ORDERS * 0.6);
    expect((await cit.sql<{ n: string }>(`SELECT count(currency_id)::text AS n FROM price_lists`))[0]!.n).toBe('20');
    const run = await lastApplyRun(cit);
    expect(await changeLog(cit, run)).toEqual({ keys: await linkedCount(cit), distinct: await linkedCount(cit) });
  });

  it('constrain --tenant-safe leaves a validated composite FK that refuses a cross-tenant value', async () => {
    await cli(['constrain', '--db', cit.url, '--config', config, '--entity', 'sales_order_customer', '--tenant-safe', '--yes']);
    const c = await cit.sql<{ conname: string; convalidated: boolean; cols: number }>(
      `SELECT conname, convalidated, array_length(conkey, 1) AS cols FROM pg_constraint WHERE conrelid = 'sales_orders'::regclass AND contype = 'f' AND confrelid = 'customers'::regclass`,
    );
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ convalidated: true, cols: 2 });
    // customer 35 exists in tenant 1 but not in tenant 6
    await expect(cit.sql(`UPDATE sales_orders SET customer_id = 35 WHERE tenant_id = ${TENANTS} AND id = 1`)).rejects.toMatchObject({
      code: '23503',
    });
    const v = await runCli(['verify', '--db', cit.url, '--config', config, '--all-tenants', '--json']);
    const doc = v.json<{ links: { entityType: string; orphans: number; crossScope: number }[] }>();
    for (const l of doc.links) expect([l.entityType, l.orphans, l.crossScope]).toEqual([l.entityType, 0, 0]);
  });

  it('undo restores every row exactly (FKs and updated_at)', async () => {
    const run = await lastApplyRun(cit);
    await cli(['undo', '--db', cit.url, '--config', config, '--run', run, '--yes', '--batch-size', '500']);
    expect(await rows(cit)).toEqual(before);
  });

  it("--single-transaction apply and undo (the seed's all-or-nothing mode) work on the cluster too", async () => {
    const a = (await cli(['apply', '--db', cit.url, '--config', config, '--all-tenants', '--yes', '--single-transaction', '--json'])).json<{
      runId: string;
    }>();
    expect(await links(cit)).toEqual(expected);
    await cli(['undo', '--db', cit.url, '--config', config, '--run', a.runId, '--yes', '--single-transaction']);
    expect(await rows(cit)).toEqual(before);
  });

  it('--single-transaction with a reference-table link before distributed ones: a later link reads the reference table it wrote (a trial: SQLSTATE 25001 in about half the runs, nothing linked)', async () => {
    const m = await freshCitusDb();
    try {
      await m.sql(`CREATE TABLE regions (id int PRIMARY KEY, name text NOT NULL)`);
      await m.sql(`CREATE TABLE countries (id int PRIMARY KEY, name text NOT NULL, region_name text, region_id int)`);
      await m.sql(`CREATE TABLE partners (org_id int NOT NULL, id int NOT NULL, name text NOT NULL, PRIMARY KEY (org_id, id))`);
      await m.sql(
        `CREATE TABLE orders (org_id int NOT NULL, id int NOT NULL, partner_name text, partner_id int, country_name text, country_id int, PRIMARY KEY (org_id, id))`,
      );
      await m.sql(`SELECT create_reference_table('regions')`);
      await m.sql(`SELECT create_reference_table('countries')`);
      await m.sql(`SELECT create_distributed_table('partners', 'org_id')`);
      await m.sql(`SELECT create_distributed_table('orders', 'org_id', colocate_with => 'partners')`);
      await m.sql(`INSERT INTO regions VALUES (1, 'West'), (2, 'East')`);
      await m.sql(`INSERT INTO countries VALUES (1, 'France', 'West', NULL), (2, 'Poland', 'East', NULL)`);
      await m.sql(`INSERT INTO partners SELECT o, 1, 'Acme' FROM generate_series(1, 10) o`);
      await m.sql(
        `INSERT INTO orders SELECT o, i, 'Acme', NULL, CASE WHEN i % 2 = 0 THEN 'France' ELSE 'Poland' END, NULL FROM generate_series(1, 10) o, generate_series(1, 20) i`,
      );
      const cfg = join(mkdtempSync(join(tmpdir(), 'fkb-citus-ref-')), 'fk-backfill.config.json');
      writeFileSync(
        cfg,
        JSON.stringify({
          links: [
            {
              entity: 'country_region',
              table: 'countries',
              key: 'id',
              fk: 'region_id',
              name: 'region_name',
              scope: [],
              target: { table: 'regions', key: 'id', name: 'name' },
            },
            {
              entity: 'order_partner',
              table: 'orders',
              key: ['org_id', 'id'],
              fk: 'partner_id',
              name: 'partner_name',
              scope: ['org_id'],
              target: { table: 'partners', key: 'id', name: 'name' },
            },
            {
              entity: 'order_country',
              table: 'orders',
              key: ['org_id', 'id'],
              fk: 'country_id',
              name: 'country_name',
              scope: [],
              target: { table: 'countries', key: 'id', name: 'name' },
            },
          ],
        }),
      );
      // three rounds: without the fix the failure came in about half the runs (which connection Citus used where)
      for (let round = 0; round < 3; round++) {
        const a = (await cli(['apply', '--db', m.url, '--config', cfg, '--all-tenants', '--yes', '--single-transaction', '--json'])).json<{
          totalUpdated: number;
          runId: string;
        }>();
        expect(a.totalUpdated).toBe(402);
        await cli(['undo', '--db', m.url, '--config', cfg, '--run', a.runId, '--yes', '--single-transaction']);
        const left = await m.sql<{ n: string }>(
          `SELECT ((SELECT count(partner_id) + count(country_id) FROM orders) + (SELECT count(region_id) FROM countries))::text AS n`,
        );
        expect(left[0]!.n).toBe('0');
      }
    } finally {
      await m.dispose();
    }
  });

  it('kill -9 of apply, then --resume: the same end state, the change log exact', async () => {
    const a = await startApply(cit, config, ['--batch-size', '300', '--pause-ms', '400']);
    await a.firstBatch;
    a.child.kill('SIGKILL');
    await a.exited;
    const run = await lastApplyRun(cit);
    expect(await links(cit)).not.toEqual(expected);
    await cli(['apply', '--db', cit.url, '--config', config, '--resume', run, '--yes']);
    expect(await links(cit)).toEqual(expected);
    expect(await changeLog(cit, run)).toEqual({ keys: await linkedCount(cit), distinct: await linkedCount(cit) });
    await cli(['undo', '--db', cit.url, '--config', config, '--run', run, '--yes']);
    expect(await rows(cit)).toEqual(before);
  });

  it('a tenant of more rows than a batch is written in parts (each its own short transaction); stopped inside a tenant and resumed: the same end state, the change log exact; undo exact', async () => {
    await cli(['apply', '--db', pgdb.url, '--config', config, '--all-tenants', '--yes']); // the reference (done already: a no-op)
    const db = await openDatabase(cit.url);
    try {
      const cfg = JSON.parse(readFileSync(config, 'utf8')) as { links: never[] };
      const ac = new AbortController();
      const batches: { upTo: string; keys: number }[] = [];
      const first = await apply(db, {
        config: cfg,
        allTenants: true,
        entities: ['sales_order_customer'],
        batchSize: 120,
        parallel: 1,
        signal: ac.signal,
        onProgress: (e) => {
          if (e.event !== 'batch') return;
          batches.push({ upTo: e.upTo, keys: e.keys });
          if (batches.length === 2) ac.abort();
        },
      });
      expect(first.status).toBe('stopped');
      // two parts of the first tenant, each of the batch's size
      expect(batches).toEqual([
        { upTo: '1', keys: 120 },
        { upTo: '1', keys: 120 },
      ]);
      const all: { upTo: string; keys: number }[] = [];
      const r = await resumeApply(db, {
        runId: first.runId,
        onProgress: (e) => {
          if (e.event === 'batch') all.push({ upTo: e.upTo, keys: e.keys });
        },
      });
      expect(r.status).toBe('done');
      expect(all.every((b) => b.keys <= 120)).toBe(true);
      expect(new Set(all.map((b) => b.upTo)).size).toBe(TENANTS);
      const customers = await cit.sql<{ r: string }>(
        `SELECT concat_ws(',', tenant_id, id, customer_id) AS r FROM sales_orders ORDER BY tenant_id, id`,
      );
      const want = await pgdb.sql<{ r: string }>(
        `SELECT concat_ws(',', tenant_id, id, customer_id) AS r FROM sales_orders ORDER BY tenant_id, id`,
      );
      expect(customers).toEqual(want);
      const log = await changeLog(cit, first.runId);
      const linked = Number((await cit.sql<{ n: string }>(`SELECT count(customer_id)::text AS n FROM sales_orders`))[0]!.n);
      expect(log).toEqual({ keys: linked, distinct: linked });
      const u = await undo(db, { runId: first.runId, singleTransaction: false, batchSize: 200 });
      expect(u.totalReverted).toBe(linked);
      expect(await rows(cit)).toEqual(before);
    } finally {
      await db.close();
    }
  });

  it("rows another session keeps locked: a batch of several tenants is halved to the tenant, whose other rows are linked (a router query's locking read), the locked ones reported; applied again once free: the same end state", async () => {
    const other = new pg.Client({ connectionString: cit.url });
    await other.connect();
    const db = await openDatabase(cit.url);
    const runs: string[] = [];
    try {
      const cfg = JSON.parse(readFileSync(config, 'utf8')) as { links: never[] };
      const held = await other.query<{ k: string }>(
        `SELECT id::text AS k FROM sales_orders WHERE tenant_id = 3 AND customer_id IS NULL AND customer_name = 'Customer 5' ORDER BY id LIMIT 2`,
      );
      await other.query('BEGIN');
      await other.query(`SELECT 1 FROM sales_orders WHERE tenant_id = 3 AND id = ANY($1::int8[]) FOR UPDATE`, [held.rows.map((r) => r.k)]);
      const events: ProgressEvent[] = [];
      const t0 = Date.now();
      const a = await apply(db, {
        config: cfg,
        allTenants: true,
        entities: ['sales_order_customer'],
        batchSize: 2000,
        statementTimeoutMs: 5000,
        parallel: 1,
        lockTimeoutMs: 100,
        backoffMs: 5,
        lockRetries: 1,
        onProgress: (e) => events.push(e),
      });
      runs.push(a.runId);
      expect(a.status).toBe('done');
      expect(events.some((e) => e.event === 'split')).toBe(true);
      // the lock_timeout holds on the workers, where the row lock is waited for (not the statement_timeout, each time)
      expect(events.filter((e) => 'reason' in e && e.reason === 'statement_timeout')).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(30_000);
      const r = a.results[0]!;
      expect(r.skipReasons?.lockedByOtherSession).toBe(2);
      expect(r.locked?.map((x) => x.key).sort()).toEqual(held.rows.map((x) => `{3,${x.k}}`).sort());
      const linked = Number(
        (await cit.sql<{ n: string }>(`SELECT count(*)::text AS n FROM sales_orders WHERE customer_id IS NOT NULL`))[0]!.n,
      );
      expect(r.updated).toBe(linked);
      await other.query('COMMIT');
      const again = await apply(db, { config: cfg, allTenants: true, entities: ['sales_order_customer'], parallel: 1 });
      runs.push(again.runId);
      expect(again.results[0]!.updated).toBe(2);
      const customers = `SELECT concat_ws(',', tenant_id, id, customer_id) AS r FROM sales_orders ORDER BY tenant_id, id`;
      await cli(['apply', '--db', pgdb.url, '--config', config, '--all-tenants', '--yes']); // the reference (done already: a no-op)
      expect(await cit.sql<{ r: string }>(customers)).toEqual(await pgdb.sql<{ r: string }>(customers));
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
      for (const run of runs.reverse()) await undo(db, { runId: run });
      await db.close();
    }
    expect(await rows(cit)).toEqual(before);
  });

  it('apply --parallel 4: whole tenants per slice, the same end state and change log as one connection; undo exact', async () => {
    const one = (
      await cli(['apply', '--db', cit.url, '--config', config, '--all-tenants', '--yes', '--batch-size', '500', '--json'])
    ).json<{ runId: string; totalUpdated: number }>();
    const log1 = await cit.sql<{ x: string }>(
      `SELECT concat_ws('|', link, row_key, new_value, method) AS x FROM fk_backfill.changes WHERE run_id = $1::int8 ORDER BY 1`,
      [one.runId],
    );
    await cli(['undo', '--db', cit.url, '--config', config, '--run', one.runId, '--yes']);
    expect(await rows(cit)).toEqual(before);
    const four = (
      await cli([
        'apply',
        '--db',
        cit.url,
        '--config',
        config,
        '--all-tenants',
        '--yes',
        '--batch-size',
        '500',
        '--parallel',
        '4',
        '--json',
      ])
    ).json<{ runId: string; totalUpdated: number; notices?: string[] }>();
    expect(await links(cit)).toEqual(expected);
    expect(four.totalUpdated).toBe(one.totalUpdated);
    const log4 = await cit.sql<{ x: string }>(
      `SELECT concat_ws('|', link, row_key, new_value, method) AS x FROM fk_backfill.changes WHERE run_id = $1::int8 ORDER BY 1`,
      [four.runId],
    );
    expect(log4).toEqual(log1);
    // the distributed link was cut into ranges of whole tenants; the reference-master links ran on one connection (said so)
    const slices = await cit.sql<{ link: string; lo: string | null; hi: string | null }>(
      `SELECT link, lo, hi FROM fk_backfill.run_slices WHERE run_id = $1::int8 ORDER BY slice`,
      [four.runId],
    );
    expect(slices.length).toBeGreaterThan(1);
    expect(new Set(slices.map((x) => x.link))).toEqual(new Set(['sales_order_customer']));
    for (const x of slices) for (const b of [x.lo, x.hi]) if (b !== null) expect(Number(b)).toBeGreaterThanOrEqual(1);
    expect(four.notices?.filter((n) => n.includes('walked by one connection')).length).toBeGreaterThan(0);
    await cli(['undo', '--db', cit.url, '--config', config, '--run', four.runId, '--yes']);
    expect(await rows(cit)).toEqual(before);
  });

  it('kill -9 of apply --parallel 3, then --resume: the same end state, the change log exact', async () => {
    const a = await startApply(cit, config, ['--batch-size', '300', '--pause-ms', '400', '--parallel', '3']);
    await a.firstBatch;
    a.child.kill('SIGKILL');
    await a.exited;
    const run = await lastApplyRun(cit);
    expect(await links(cit)).not.toEqual(expected);
    await cli(['apply', '--db', cit.url, '--config', config, '--resume', run, '--yes']);
    expect(await links(cit)).toEqual(expected);
    expect(await changeLog(cit, run)).toEqual({ keys: await linkedCount(cit), distinct: await linkedCount(cit) });
    await cli(['undo', '--db', cit.url, '--config', config, '--run', run, '--yes']);
    expect(await rows(cit)).toEqual(before);
  });

  it('a worker restarted in the middle of apply, then --resume: the same end state, the change log exact', async () => {
    const a = await startApply(cit, config, ['--batch-size', '300', '--pause-ms', '400']);
    await a.firstBatch;
    const dir = process.env['FKB_CITUS_DIR'] ?? '/tmp/citus-cluster';
    await new Promise<void>((resolve, reject) => {
      const r = spawn(
        'runuser',
        ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/pg_ctl', '-D', `${dir}/node1`, '-m', 'immediate', '-w', 'restart'],
        { stdio: 'ignore' },
      );
      r.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl restart exited ${code}`))));
    });
    const code = await a.exited;
    const run = await lastApplyRun(cit);
    if (code !== 0) await cli(['apply', '--db', cit.url, '--config', config, '--resume', run, '--yes']);
    expect(await links(cit)).toEqual(expected);
    expect(await changeLog(cit, run)).toEqual({ keys: await linkedCount(cit), distinct: await linkedCount(cit) });
  });

  it('status, verify, revenue, drift, review export and report run on the cluster; guard install is refused with exit 2 and installs nothing', async () => {
    const st = (await cli(['status', '--db', cit.url, '--config', config, '--all-tenants', '--json'])).json<{ links?: unknown[] }>();
    expect(st).toBeTruthy();
    await cli(['revenue', '--db', cit.url, '--config', config, '--all-tenants', '--json']);
    const d = await runCli(['drift', '--db', cit.url, '--config', config, '--all-tenants', '--json']);
    expect([0, 3]).toContain(d.code);
    const doc = d.json<{ links: { entityType: string; renamed: { rows: number }; missing: { rows: number } }[] }>();
    for (const l of doc.links) expect([l.renamed.rows, l.missing.rows]).toEqual([0, 0]);
    const out = join(mkdtempSync(join(tmpdir(), 'fkb-citus-')), 'queue.csv');
    await cli(['review', 'export', '--db', cit.url, '--config', config, '--all-tenants', '--out', out]);
    expect(readFileSync(out, 'utf8')).toMatch(/Customer 7/);
    const run = await lastApplyRun(cit);
    await cli(['report', '--db', cit.url, '--run', run, '--format', 'json']);
    const g = await runCli(['guard', 'install', '--db', cit.url, '--config', config, '--yes']);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/CITUS_UNSUPPORTED/);
    expect(await cit.sql(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'sales_orders'::regclass AND NOT tgisinternal`)).toEqual([]);
  });

  it('review on the cluster: the queue lists the ambiguous name per tenant; an alias decision is applied by the next apply', async () => {
    const db = await openDatabase(cit.url);
    try {
      const cfg = JSON.parse(readFileSync(config, 'utf8')) as { links: never[] };
      const q = await reviewQueue(db, { config: cfg, allTenants: true, entities: ['sales_order_customer'], limit: 50 });
      const seven = q.items.filter((i) => i.name === 'Customer 7');
      expect(seven.map((i) => i.scopeKey[0]).sort()).toEqual(['1', '2', '3']);
      await decide(db, {
        config: cfg,
        link: 'sales_order_customer',
        scopeKey: ['1'],
        name: 'Customer 7',
        action: 'alias',
        targetKey: '1001',
        by: 'test',
      });
    } finally {
      await db.close();
    }
    await cli(['apply', '--db', cit.url, '--config', config, '--all-tenants', '--yes']);
    const r = await cit.sql<{ k: string; n: string }>(
      `SELECT customer_id::text AS k, count(*)::text AS n FROM sales_orders WHERE tenant_id = 1 AND customer_name = 'Customer 7' GROUP BY 1`,
    );
    expect(r).toEqual([{ k: '1001', n: expect.any(String) }]);
    const other = await cit.sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM sales_orders WHERE tenant_id IN (2, 3) AND customer_name = 'Customer 7' AND customer_id IS NOT NULL`,
    );
    expect(other[0]!.n).toBe('0');
  });

  it("--tenant reads only that tenant's shards: plan, review export and import of an alias, drift, verify run with every multi-shard query refused (a trial: the masters read for decisions, new names and queue candidates reached every shard)", async () => {
    // the session refuses any statement that is not a router query (a single shard)
    const env = { PGOPTIONS: '-c citus.multi_task_query_log_level=error' };
    const run = async (args: string[]) => {
      const r = await runCli([...args, '--db', cit.url, '--config', config, '--tenant', '2', '--entity', 'sales_order_customer'], { env });
      expect(r.stderr).not.toMatch(/multi-task query/);
      return r;
    };
    expect((await run(['plan'])).code).toBe(0);
    const out = join(mkdtempSync(join(tmpdir(), 'fkb-citus-')), 'queue.csv');
    expect((await run(['review', 'export', '--out', out])).code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const seven = lines.find((l) => l.includes(',Customer 7,'));
    expect(seven).toBeDefined();
    // an alias of "Customer 7" in tenant 2 to its own master 1002
    writeFileSync(out, `link,scope,name,decision,target_key\nsales_order_customer,"[""2""]",Customer 7,alias,1002\n`);
    const imported = await run(['review', 'import', out]);
    expect([imported.code, imported.stderr]).toEqual([0, '']);
    expect((await run(['plan'])).code).toBe(0);
    expect([0, 3]).toContain((await run(['drift'])).code);
    // verify's cross-tenant count reads other tenants' masters only for FKs no master of the tenant has (none here)
    const v = await run(['verify', '--json']);
    expect([0, 3]).toContain(v.code);
    expect(v.json<{ links: { crossScope: number; orphans: number }[] }>().links.map((l) => [l.crossScope, l.orphans])).toEqual([[0, 0]]);
  });

  it('uuid tenants, text keys, a soft-delete predicate: walked by tenant, no deleted master linked, undo exact', async () => {
    await cit.sql(
      `CREATE TABLE accounts (org_id uuid NOT NULL, code text NOT NULL, display_name varchar(80) NOT NULL, deleted_at timestamptz, PRIMARY KEY (org_id, code))`,
    );
    await cit.sql(
      `CREATE TABLE acct_invoices (org_id uuid NOT NULL, invoice_no text NOT NULL, issued_on date NOT NULL, account_label text, account_code text, modified_at timestamp, PRIMARY KEY (org_id, invoice_no))`,
    );
    await cit.sql(`SELECT create_distributed_table('accounts', 'org_id')`);
    await cit.sql(`SELECT create_distributed_table('acct_invoices', 'org_id', colocate_with => 'accounts')`);
    await cit.sql(`INSERT INTO accounts SELECT ('00000000-0000-4000-8000-00000000000' || t)::uuid, 'A' || lpad(a::text, 3, '0'), 'Account ' || a, CASE WHEN a % 7 = 0 THEN now() END
                     FROM generate_series(1, 5) t, generate_series(1, 30) a`);
    await cit.sql(`INSERT INTO acct_invoices SELECT ('00000000-0000-4000-8000-00000000000' || t)::uuid, 'INV-' || i, date '2026-01-01' + i, 'Account ' || (i % 33 + 1), NULL, timestamp '2026-01-01' + i * interval '1 hour'
                     FROM generate_series(1, 5) t, generate_series(1, 400) i`);
    const snap = async (): Promise<string> =>
      (await cit.sql<{ s: string }>(`SELECT md5(string_agg(i::text, '|' ORDER BY org_id, invoice_no)) AS s FROM acct_invoices i`))[0]!.s;
    const beforeInv = await snap();
    const cfg = join(mkdtempSync(join(tmpdir(), 'fkb-citus-')), 'inv.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      cfg,
      JSON.stringify({
        links: [
          {
            entity: 'invoice',
            table: 'acct_invoices',
            key: ['org_id', 'invoice_no'],
            fk: 'account_code',
            name: 'account_label',
            scope: ['org_id'],
            target: {
              table: 'accounts',
              key: ['org_id', 'code'],
              name: 'display_name',
              active: { column: 'deleted_at', activeWhen: 'null' },
            },
          },
        ],
      }),
    );
    const a = (await cli(['apply', '--db', cit.url, '--config', cfg, '--all-tenants', '--yes', '--batch-size', '300', '--json'])).json<{
      runId: string;
      totalUpdated: number;
      notices?: string[];
    }>();
    // 316 planned rows per tenant, more than --batch-size: each tenant in parts (by invoice_no, a text key), no notice
    expect(a.notices?.filter((n) => n.includes('whole values of org_id')) ?? []).toEqual([]);
    const linked = await cit.sql<{ n: string; bad: string }>(`SELECT count(account_code)::text AS n,
        count(*) FILTER (WHERE account_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts x WHERE x.org_id = i.org_id AND x.code = i.account_code AND x.deleted_at IS NULL AND x.display_name = i.account_label))::text AS bad
        FROM acct_invoices i`);
    expect(linked[0]).toEqual({ n: String(a.totalUpdated), bad: '0' });
    // per tenant, of 400 acct_invoices: 'Account 7/14/21/28' (soft-deleted) 12 each, 'Account 31..33' (no account) 12 each: 400 - 84
    expect(a.totalUpdated).toBe(5 * (400 - 7 * 12));
    await cli(['undo', '--db', cit.url, '--config', cfg, '--run', a.runId, '--yes']);
    expect(await snap()).toBe(beforeInv);
  });

  it('a distributed table that refuses some rows (a CHECK constraint): they stay NULL with the reason, the rest is linked, undo exact; undo keeps the rows a CHECK added since refuses', async () => {
    await cit.sql(`CREATE TABLE agents (tenant_id int NOT NULL, id int NOT NULL, name text NOT NULL, PRIMARY KEY (tenant_id, id))`);
    await cit.sql(`CREATE TABLE tickets (tenant_id int NOT NULL, id int NOT NULL, kind text NOT NULL, agent_name text, agent_id int,
                     PRIMARY KEY (tenant_id, id), CONSTRAINT tickets_void_unassigned CHECK (agent_id IS NULL OR kind <> 'void'))`);
    await cit.sql(`SELECT create_distributed_table('agents', 'tenant_id')`);
    await cit.sql(`SELECT create_distributed_table('tickets', 'tenant_id', colocate_with => 'agents')`);
    await cit.sql(`INSERT INTO agents SELECT t, a, 'Agent ' || a FROM generate_series(1, 4) t, generate_series(1, 10) a`);
    await cit.sql(`INSERT INTO tickets SELECT t, i, CASE WHEN i % 50 = 7 THEN 'void' ELSE 'call' END, 'Agent ' || (i % 10 + 1), NULL
                     FROM generate_series(1, 4) t, generate_series(1, 200) i`);
    const cfg = join(mkdtempSync(join(tmpdir(), 'fkb-citus-')), 'tickets.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      cfg,
      JSON.stringify({
        links: [
          {
            entity: 'ticket',
            table: 'tickets',
            key: ['tenant_id', 'id'],
            fk: 'agent_id',
            name: 'agent_name',
            scope: ['tenant_id'],
            target: { table: 'agents', key: ['tenant_id', 'id'], name: 'name' },
          },
        ],
      }),
    );
    for (const extra of [
      ['--batch-size', '300'],
      ['--parallel', '2'],
    ]) {
      const r = await cli(['apply', '--db', cit.url, '--config', cfg, '--all-tenants', '--yes', ...extra]);
      expect(r.stdout).toMatch(/ticket: the table refused 16 row\(s\), left NULL/);
      expect(r.stdout).toMatch(
        /tickets row \{1,7\}: new row for relation "tickets_\d+" violates check constraint "tickets_void_unassigned"/,
      );
      const n = await cit.sql<{ linked: string; voids: string }>(
        `SELECT count(agent_id)::text AS linked, count(agent_id) FILTER (WHERE kind = 'void')::text AS voids FROM tickets`,
      );
      expect(n[0]).toEqual({ linked: String(4 * 200 - 16), voids: '0' });
      await cli(['undo', '--db', cit.url, '--config', cfg, '--run', await lastApplyRun(cit), '--yes']);
      expect((await cit.sql<{ n: string }>(`SELECT count(agent_id)::text AS n FROM tickets`))[0]!.n).toBe('0');
    }
    // undo the same way: rows a CHECK added since refuses to set back stay linked, the rest is set back
    await cli(['apply', '--db', cit.url, '--config', cfg, '--all-tenants', '--yes', '--batch-size', '300']);
    const run = await lastApplyRun(cit);
    await cit.sql(`UPDATE tickets SET kind = 'held' WHERE id IN (3, 4)`);
    await cit.sql(`ALTER TABLE tickets ADD CONSTRAINT tickets_held_assigned CHECK (agent_id IS NOT NULL OR kind <> 'held')`);
    const u = await cli(['undo', '--db', cit.url, '--config', cfg, '--run', run, '--yes', '--batch-size', '300']);
    expect(u.stdout).toMatch(/8 skipped \(8 refused by the table, left linked\)/);
    expect((await cit.sql<{ n: string }>(`SELECT count(agent_id)::text AS n FROM tickets`))[0]!.n).toBe('8');
    await cit.sql(`ALTER TABLE tickets DROP CONSTRAINT tickets_held_assigned`);
    await cli(['undo', '--db', cit.url, '--config', cfg, '--run', run, '--yes']);
    expect((await cit.sql<{ n: string }>(`SELECT count(agent_id)::text AS n FROM tickets`))[0]!.n).toBe('0');
  });

  it('undo of an older run leaves the links a later run re-made after someone cleared them; undoing the later run sets them back', async () => {
    // from no link at all (the tests before leave some)
    await cit.sql(`UPDATE sales_orders SET customer_id = NULL, currency_id = NULL`);
    await cit.sql(`UPDATE price_lists SET currency_id = NULL`);
    const a = (await cli(['apply', '--db', cit.url, '--config', config, '--all-tenants', '--yes', '--json', '--batch-size', '500'])).json<{
      runId: string;
    }>();
    await cit.sql(`UPDATE sales_orders SET customer_id = NULL WHERE tenant_id = 2 AND customer_id IS NOT NULL AND id <= 30`);
    const cleared = Number(
      (
        await cit.sql<{ n: string }>(
          `SELECT count(*)::text AS n FROM sales_orders WHERE tenant_id = 2 AND id <= 30 AND customer_id IS NULL AND customer_name = 'Customer 1'`,
        )
      )[0]!.n,
    );
    const b = (await cli(['apply', '--db', cit.url, '--config', config, '--all-tenants', '--yes', '--json'])).json<{
      runId: string;
      totalUpdated: number;
    }>();
    expect(b.totalUpdated).toBeGreaterThan(cleared);
    const ua = (await cli(['undo', '--db', cit.url, '--config', config, '--run', a.runId, '--yes', '--json', '--batch-size', '500'])).json<{
      totalSkipped: number;
    }>();
    expect(ua.totalSkipped).toBe(b.totalUpdated);
    expect(await linkedCount(cit)).toBe(b.totalUpdated);
    await cli(['undo', '--db', cit.url, '--config', config, '--run', b.runId, '--yes']);
    expect(await linkedCount(cit)).toBe(0);
  });

  it('masters create on a distributed master table (one created per tenant, one reactivated), and its undo', async () => {
    await cit.sql(
      `CREATE TABLE vendors (tenant_id int NOT NULL, id bigserial, name text NOT NULL, deleted_at timestamptz, PRIMARY KEY (tenant_id, id))`,
    );
    await cit.sql(
      `CREATE TABLE bills (tenant_id int NOT NULL, id int NOT NULL, vendor_name text, vendor_id bigint, PRIMARY KEY (tenant_id, id))`,
    );
    await cit.sql(`SELECT create_distributed_table('vendors', 'tenant_id')`);
    await cit.sql(`SELECT create_distributed_table('bills', 'tenant_id', colocate_with => 'vendors')`);
    await cit.sql(`INSERT INTO vendors (tenant_id, name, deleted_at) VALUES (1, 'Alpha', NULL), (1, 'Gone', '2024-01-01 00:00:00+00')`);
    await cit.sql(`INSERT INTO bills VALUES (1, 1, 'Alpha', NULL), (1, 2, 'Nova', NULL), (2, 3, 'Quill', NULL), (1, 4, 'Gone', NULL)`);
    const dir = mkdtempSync(join(tmpdir(), 'fkb-citus-'));
    const cfg = join(dir, 'bills.json');
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(
      cfg,
      JSON.stringify({
        links: [
          {
            entity: 'bill',
            table: 'bills',
            key: ['tenant_id', 'id'],
            fk: 'vendor_id',
            name: 'vendor_name',
            scope: ['tenant_id'],
            target: { table: 'vendors', key: ['tenant_id', 'id'], name: 'name', active: { column: 'deleted_at', activeWhen: 'null' } },
          },
        ],
      }),
    );
    const file = join(dir, 'proposals.json');
    await cli(['masters', 'propose', '--db', cit.url, '--config', cfg, '--all-tenants', '--out', file]);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { proposals: Record<string, unknown>[] };
    for (const p of doc.proposals) {
      const inactive = p['inactiveMatches'] as { key: string }[] | undefined;
      if (p['name'] === 'Gone' && inactive !== undefined)
        Object.assign(p, { action: 'reactivate', reactivateKey: inactive[0]!.key, approved: true });
    }
    writeFileSync(file, JSON.stringify(doc));
    const created = await cli(['masters', 'create', '--db', cit.url, '--config', cfg, '--all-tenants', '--from', file, '--yes']);
    const run = /undo --run (\d+)/.exec(created.stdout)![1]!;
    const vendors = async (): Promise<string[]> =>
      (
        await cit.sql<{ x: string }>(
          `SELECT tenant_id || ':' || name || ':' || coalesce(deleted_at::date::text, 'active') AS x FROM vendors ORDER BY 1`,
        )
      ).map((r) => r.x);
    expect(await vendors()).toEqual(['1:Alpha:active', '1:Gone:active', '1:Nova:active', '2:Quill:active']);
    const u = await cli(['undo', '--db', cit.url, '--config', cfg, '--run', run, '--yes', '--json']);
    expect(u.json<{ totalReverted: number }>().totalReverted).toBe(3);
    expect(await vendors()).toEqual(['1:Alpha:active', '1:Gone:2024-01-01']);
  });

  it('a status predicate ({"notIn"}) on a distributed master: planned and applied, no closed master linked (Citus refused the check of its values)', async () => {
    await cit.sql(
      `CREATE TABLE st_vendors (tenant_id int NOT NULL, id int NOT NULL, name text NOT NULL, status text NOT NULL, PRIMARY KEY (tenant_id, id))`,
    );
    await cit.sql(
      `CREATE TABLE st_bills (tenant_id int NOT NULL, id int NOT NULL, vendor_name text, vendor_id int, PRIMARY KEY (tenant_id, id))`,
    );
    await cit.sql(`SELECT create_distributed_table('st_vendors', 'tenant_id')`);
    await cit.sql(`SELECT create_distributed_table('st_bills', 'tenant_id', colocate_with => 'st_vendors')`);
    await cit.sql(
      `INSERT INTO st_vendors SELECT t, v, 'Vendor ' || v, CASE WHEN v % 5 = 0 THEN 'closed' ELSE 'open' END FROM generate_series(1, 4) t, generate_series(1, 10) v`,
    );
    await cit.sql(
      `INSERT INTO st_bills SELECT t, b, 'Vendor ' || (b % 10 + 1), NULL FROM generate_series(1, 4) t, generate_series(1, 50) b`,
    );
    const cfg = join(mkdtempSync(join(tmpdir(), 'fkb-citus-')), 'bills.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      cfg,
      JSON.stringify({
        links: [
          {
            // its own name: 'bill' of this database's other tests is bound to their vendors table (link-targets.ts)
            entity: 'st_bill',
            table: 'st_bills',
            key: ['tenant_id', 'id'],
            fk: 'vendor_id',
            name: 'vendor_name',
            scope: ['tenant_id'],
            target: {
              table: 'st_vendors',
              key: ['tenant_id', 'id'],
              name: 'name',
              active: { column: 'status', activeWhen: { notIn: ['closed'] } },
            },
          },
        ],
      }),
    );
    const a = await cli(['apply', '--db', cit.url, '--config', cfg, '--all-tenants', '--yes', '--json']);
    // per tenant, of 50 bills: 'Vendor 5' and 'Vendor 10' (closed) 5 each
    expect(a.json<{ totalUpdated: number }>().totalUpdated).toBe(4 * 40);
    const closed = await cit.sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM st_bills b JOIN st_vendors v ON v.tenant_id = b.tenant_id AND v.id = b.vendor_id WHERE v.status = 'closed'`,
    );
    expect(closed[0]!.n).toBe('0');
  });

  it('a distributed source with a DEFERRABLE unique key: plan says the shards check it at COMMIT (a review: a refused row failed the run)', async () => {
    await cit.sql(
      `CREATE TABLE subs (tenant_id int NOT NULL, id bigint NOT NULL, customer_name text, customer_id bigint, PRIMARY KEY (tenant_id, id),
                          CONSTRAINT one_per UNIQUE (tenant_id, customer_id) DEFERRABLE INITIALLY DEFERRED)`,
    );
    await cit.sql(`SELECT create_distributed_table('subs', 'tenant_id', colocate_with => 'customers')`);
    const cfg = join(mkdtempSync(join(tmpdir(), 'fkb-citus-')), 'subs.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      cfg,
      JSON.stringify({
        links: [
          {
            entity: 'sub',
            table: 'subs',
            key: ['tenant_id', 'id'],
            fk: 'customer_id',
            name: 'customer_name',
            scope: ['tenant_id'],
            target: { table: 'customers', key: ['tenant_id', 'id'], name: 'name' },
          },
        ],
      }),
    );
    const r = await runCli(['plan', '--db', cit.url, '--config', cfg, '--all-tenants', '--json']);
    expect(r.code).toBe(0);
    const notices = (JSON.parse(r.stdout) as { notices?: string[] }).notices ?? [];
    expect(notices.filter((n) => n.includes('has DEFERRABLE constraints, which Citus checks on the shards at COMMIT'))).toHaveLength(1);
    await cit.sql(`DROP TABLE subs`);
  });

  it('refuses, before writing anything, a link Citus cannot join co-located (exit 2, one line)', async () => {
    await cit.sql(
      `CREATE TABLE invoices (region_id int NOT NULL, id bigint NOT NULL, tenant_id int NOT NULL, customer_name text, customer_id bigint, PRIMARY KEY (region_id, id))`,
    );
    await cit.sql(`SELECT create_distributed_table('invoices', 'region_id')`);
    const cfg = join(mkdtempSync(join(tmpdir(), 'fkb-citus-')), 'bad.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      cfg,
      JSON.stringify({
        links: [
          {
            entity: 'inv',
            table: 'invoices',
            key: ['region_id', 'id'],
            fk: 'customer_id',
            name: 'customer_name',
            scope: ['tenant_id'],
            target: { table: 'customers', key: ['tenant_id', 'id'], name: 'name' },
          },
        ],
      }),
    );
    const runsBefore = await cit.sql<{ n: string }>(`SELECT count(*)::text AS n FROM fk_backfill.runs`);
    const r = await runCli(['apply', '--db', cit.url, '--config', cfg, '--all-tenants', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/invoices is distributed by region_id and customers by tenant_id/);
    expect(await cit.sql(`SELECT count(*)::text AS n FROM fk_backfill.runs`)).toEqual(runsBefore);
    // a plain coordinator table with a reference master: refused with the one call that makes it work
    await cit.sql(`CREATE TABLE notes (id int PRIMARY KEY, currency_name text, currency_id int)`);
    writeFileSync(
      cfg,
      JSON.stringify({
        links: [
          {
            entity: 'note',
            table: 'notes',
            key: 'id',
            fk: 'currency_id',
            name: 'currency_name',
            target: { table: 'currencies', key: 'id', name: 'name' },
          },
        ],
      }),
    );
    const n = await runCli(['apply', '--db', cit.url, '--config', cfg, '--yes']);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/citus_add_local_table_to_metadata\('notes'\)/);
    expect(await cit.sql(`SELECT count(*)::text AS n FROM fk_backfill.runs`)).toEqual(runsBefore);
    // discover does not write it (before: a confident link, and plan refused the file discover wrote); it says why
    await cit.sql(
      `INSERT INTO notes SELECT g, (ARRAY['US Dollar', 'Euro', 'Pound Sterling'])[g % 3 + 1], NULL FROM generate_series(1, 30) g`,
    );
    const d = (await runCli(['discover', '--db', cit.url, '--json'])).json<{
      config: { links: { table: string }[] } | null;
      rejected: { source: string; column: string; reason: string }[];
    }>();
    expect((d.config?.links ?? []).map((l) => l.table).filter((x) => x === 'invoices' || x === 'notes')).toEqual([]);
    const why = Object.fromEntries(d.rejected.map((x) => [`${x.source}.${x.column}`, x.reason]));
    expect(why['public.notes.currency_id']).toMatch(/that plan refuses: .*citus_add_local_table_to_metadata/);
    // "shared" (masters of no tenant) on a master distributed by the tenant, which Citus never lets be NULL
    for (const key of [['tenant_id', 'id'], 'id']) {
      writeFileSync(
        cfg,
        JSON.stringify({
          links: [
            {
              entity: 'so',
              table: 'sales_orders',
              key: ['tenant_id', 'id'],
              fk: 'customer_id',
              name: 'customer_name',
              scope: ['tenant_id'],
              target: { table: 'customers', key, name: 'name', shared: 'null-scope' },
            },
          ],
        }),
      );
      const sh = await runCli(['apply', '--db', cit.url, '--config', cfg, '--all-tenants', '--yes']);
      expect([sh.code, sh.stderr.trim().split('\n').length]).toEqual([2, 1]);
      expect(sh.stderr).toMatch(/target\.shared/);
      expect(await cit.sql(`SELECT count(*)::text AS n FROM fk_backfill.runs`)).toEqual(runsBefore);
    }
  });

  it('a distributed source with a master local to the coordinator: constrain refused before anything is made (exit 2); a tenant schema beside a reference master: verify answers', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'fkb-citus-'));
    // a new user's trial: constrain built the FK's index, then Citus refused the FK (exit 1, index left behind)
    await cit.sql(`CREATE TABLE lm_sup (org int NOT NULL, sid int NOT NULL, name text NOT NULL, PRIMARY KEY (org, sid))`);
    await cit.sql(
      `CREATE TABLE lm_bills (org int NOT NULL, bid int NOT NULL, supplier_name text, supplier_id int, PRIMARY KEY (org, bid))`,
    );
    await cit.sql(`SELECT create_distributed_table('lm_bills', 'org')`);
    await cit.sql(`INSERT INTO lm_sup VALUES (1, 1, 'Foo'), (2, 1, 'Bar')`);
    await cit.sql(`INSERT INTO lm_bills VALUES (1, 1, 'Foo', NULL), (2, 1, 'Bar', NULL), (2, 2, 'Foo', NULL)`);
    const lm = join(dir, 'lm.json');
    writeFileSync(
      lm,
      JSON.stringify({
        links: [
          {
            entity: 'lm_bill',
            table: 'lm_bills',
            key: ['org', 'bid'],
            fk: 'supplier_id',
            name: 'supplier_name',
            scope: ['org'],
            target: { table: 'lm_sup', key: ['org', 'sid'], name: 'name' },
          },
        ],
      }),
    );
    await cli(['apply', '--db', cit.url, '--config', lm, '--all-tenants', '--yes']);
    const indexes = `SELECT count(*)::text AS n FROM pg_indexes WHERE tablename = 'lm_bills'`;
    const idxBefore = await cit.sql(indexes);
    const c = await runCli(['constrain', '--db', cit.url, '--config', lm, '--tenant-safe', '--yes']);
    expect(c.code, c.stderr).toBe(2);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
    expect(c.stderr).toMatch(
      /lm_bills is distributed and its master lm_sup is local to the Citus coordinator.*create_reference_table\('lm_sup'\).*\[CITUS_UNSUPPORTED\]/,
    );
    expect(await cit.sql(indexes)).toEqual(idxBefore);

    // schema-based sharding: verify's trial delete of a referenced currency joined the tenant schema's table to the
    // reference master, which Citus refuses (0A000): verify failed with the raw error; now the delete is not tried
    await cit.sql(`SET citus.enable_schema_based_sharding TO on`);
    await cit.sql(`CREATE SCHEMA sb1`);
    await cit.sql(`CREATE TABLE sb1.bills (id bigint PRIMARY KEY, currency_name text, currency_id int)`);
    await cit.sql(`RESET citus.enable_schema_based_sharding`);
    await cit.sql(`INSERT INTO sb1.bills VALUES (1, 'Euro', NULL), (2, 'US Dollar', NULL)`);
    const sb = join(dir, 'sb.json');
    writeFileSync(
      sb,
      JSON.stringify({
        links: [
          {
            entity: 'sb_bill',
            table: 'sb1.bills',
            key: 'id',
            fk: 'currency_id',
            name: 'currency_name',
            target: { table: 'currencies', key: 'id', name: 'name', active: 'active' },
          },
        ],
      }),
    );
    await cli(['apply', '--db', cit.url, '--config', sb, '--all-tenants', '--yes']);
    await cli(['constrain', '--db', cit.url, '--config', sb, '--yes']);
    const v = await runCli(['verify', '--db', cit.url, '--config', sb, '--all-tenants', '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.json<{ links: { entityType: string; orphans: number; restrictVerified: boolean | null }[] }>().links[0]).toMatchObject({
      entityType: 'sb_bill',
      orphans: 0,
    });
  });
  it("drift on the cluster: a distributed document's FK to another tenant's master of a reference table is a cross-tenant link, not missing (a trial)", async () => {
    await cit.sql(`CREATE TABLE ref_vendors (id int PRIMARY KEY, tenant_id int NOT NULL, vendor_name text NOT NULL)`);
    await cit.sql(`SELECT create_reference_table('ref_vendors')`);
    await cit.sql(
      `CREATE TABLE ref_orders (tenant_id int NOT NULL, id int NOT NULL, vendor_name text, vendor_id int, PRIMARY KEY (tenant_id, id))`,
    );
    await cit.sql(`SELECT create_distributed_table('ref_orders', 'tenant_id')`);
    await cit.sql(`INSERT INTO ref_vendors VALUES (1, 1, 'Vend A'), (2, 2, 'Vend A'), (3, 1, 'Vend B'), (4, 3, 'Vend C')`);
    await cit.sql(`INSERT INTO ref_orders VALUES (1, 1, 'Vend A', NULL), (1, 2, 'Vend B', NULL), (2, 1, 'Vend C', NULL)`);
    const config = {
      links: [
        {
          entity: 'ref_order',
          table: 'ref_orders',
          key: ['tenant_id', 'id'],
          fk: 'vendor_id',
          name: 'vendor_name',
          scope: ['tenant_id'],
          target: { table: 'ref_vendors', key: 'id', name: 'vendor_name' },
        },
      ],
    };
    const db = await openDatabase(cit.url);
    try {
      expect((await apply(db, { config, allTenants: true })).totalUpdated).toBe(2);
      // tenant 2's 'Vend C' row pointed by hand at tenant 3's vendor 4
      await cit.sql(`UPDATE ref_orders SET vendor_id = 4 WHERE tenant_id = 2 AND id = 1`);
      const l = (await drift(db, { config, allTenants: true })).links[0]!;
      expect([l.otherScope.rows, l.missing.rows]).toEqual([1, 0]);
      expect(l.otherScope.samples[0]).toMatchObject({ scopeKey: ['2'], sourceName: 'Vend C', targetKey: '4' });
    } finally {
      await db.close();
    }
  });
});
