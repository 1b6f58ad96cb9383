/**
 * npm run bench:citus -- [--rows 1000000] [--tenants 100] [--customers-per-tenant 200] [--reps 1] [--parallel auto,1]
 * (also: npm run bench:apply -- --target citus …)
 *
 * Issue #18's benchmark on the Citus cluster of ../shared/citus (started if needed), in its own
 * distributed database (fkb_bench_citus, dropped and recreated): sales_orders and customers distributed
 * by tenant_id and co-located, composite primary keys (tenant_id, id). In one run, alternated --reps times
 * from the same pristine rows:
 *   1. the floor: one bare distributed UPDATE sales_orders … FROM customers (same guards: FK NULL, active
 *      master, same tenant), run on every shard in parallel;
 *   2. fk-backfill as a user runs it: `fk-backfill apply --all-tenants --yes` (plan included), the CLI end
 *      to end in a child process, whose peak RSS is read from /proc while it runs;
 *   3. that run's `fk-backfill undo --run N --yes`, timed the same way, and the FKs left after it (0, or it is wrong).
 * Prints the times, the ratios, rows linked (equal, or the run is wrong) and the CLI's peak RSS.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}
const ROWS = Number(arg('rows', '1000000'));
const TENANTS = Number(arg('tenants', '100'));
const CUSTOMERS = Number(arg('customers-per-tenant', '200'));
const REPS = Math.max(1, Number(arg('reps', '1')));
/** --parallel auto,1,2,4: the CLI with each, after the same floor, in every rep (auto, the default: no --parallel, as a user runs it). */
const PARALLEL = arg('parallel', 'auto').split(',');
const CLUSTER = process.env['FKB_CITUS_SH'] ?? fileURLToPath(new URL('../../shared/citus/cluster.sh', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const DB = 'fkb_bench_citus';
const log = (s: string): void => console.log(s);
const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function cluster(...args: string[]): string {
  return execFileSync('bash', [CLUSTER, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

async function generate(c: pg.Client): Promise<void> {
  await c.query(
    `CREATE TABLE customers (tenant_id int NOT NULL, id bigint NOT NULL, name text NOT NULL, is_active boolean NOT NULL, PRIMARY KEY (tenant_id, id))`,
  );
  await c.query(`CREATE TABLE sales_orders (tenant_id int NOT NULL, id bigint NOT NULL, order_no text NOT NULL, customer_name text, customer_id bigint,
                   total numeric(12,2), updated_at timestamptz NOT NULL, PRIMARY KEY (tenant_id, id))`);
  await c.query(`SELECT create_distributed_table('customers', 'tenant_id')`);
  await c.query(`SELECT create_distributed_table('sales_orders', 'tenant_id', colocate_with => 'customers')`);
  // every 50th customer inactive; in each tenant one name used twice (ambiguous); 2 % of orders name nobody
  await c.query(
    `INSERT INTO customers SELECT t, c, 'Customer ' || lpad(c::text, 5, '0') || ' Ltd', c % 50 <> 0
                   FROM generate_series(1, $1::int) t, generate_series(1, $2::int) c`,
    [TENANTS, CUSTOMERS],
  );
  await c.query(`INSERT INTO customers SELECT t, $2::int + 1, 'Customer 00001 Ltd', true FROM generate_series(1, $1::int) t`, [
    TENANTS,
    CUSTOMERS,
  ]);
  await c.query(`CREATE TABLE sales_orders_pristine (LIKE sales_orders INCLUDING ALL)`);
  await c.query(`SELECT create_distributed_table('sales_orders_pristine', 'tenant_id', colocate_with => 'customers')`);
  await c.query(
    `INSERT INTO sales_orders_pristine
     SELECT (g % $2::int) + 1, g, 'SO-' || g,
            CASE WHEN g % 50 = 7 THEN 'Nobody ' || g ELSE 'Customer ' || lpad(((g::int8 * 7919) % $3::int + 1)::text, 5, '0') || ' Ltd' END,
            NULL, (g % 1000) * 1.5, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
       FROM generate_series(1, $1::int) g`,
    [ROWS, TENANTS, CUSTOMERS],
  );
}

async function reset(c: pg.Client): Promise<void> {
  await c.query(`DROP SCHEMA IF EXISTS fk_backfill CASCADE`);
  await c.query(`TRUNCATE sales_orders`);
  await c.query(`INSERT INTO sales_orders SELECT * FROM sales_orders_pristine`);
  await c.query(`VACUUM ANALYZE sales_orders`);
  await c.query(`ANALYZE customers`);
}

async function linked(c: pg.Client): Promise<number> {
  return Number((await c.query<{ n: string }>(`SELECT count(customer_id)::text AS n FROM sales_orders`)).rows[0]!.n);
}

/** The CLI end to end; peak RSS (kB) from /proc/PID/status while it runs. */
function runCli(args: string[]): Promise<{ ms: number; code: number | null; out: string; rssKb: number }> {
  return new Promise((resolve) => {
    const t = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let rssKb = 0;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m !== null) rssKb = Math.max(rssKb, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 50);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ ms: performance.now() - t, code, out, rssKb });
    });
  });
}

async function main(): Promise<void> {
  cluster('start');
  cluster('dropdb', DB);
  const url = cluster('createdb', DB).split('\n').pop()!;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const version = (await c.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'citus'`)).rows[0]!.v;
  let t = performance.now();
  await generate(c);
  const shards = (
    await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_dist_shard WHERE logicalrelid = 'sales_orders'::regclass`)
  ).rows[0]!.n;
  log(
    `# bench:citus — ${fmt(ROWS)} sales orders, ${fmt(TENANTS)} tenants, ${fmt(TENANTS * CUSTOMERS)} customers; Citus ${version}, coordinator + 2 workers, ${shards} shards`,
  );
  log(`generated in ${sec(performance.now() - t)}`);
  const dir = mkdtempSync(join(tmpdir(), 'fkb-bench-citus-'));
  const config = join(dir, 'fk-backfill.config.json');
  writeFileSync(
    config,
    JSON.stringify(
      {
        links: [
          {
            entity: 'sales_order',
            table: 'sales_orders',
            key: ['tenant_id', 'id'],
            fk: 'customer_id',
            name: 'customer_name',
            scope: ['tenant_id'],
            target: { table: 'customers', key: ['tenant_id', 'id'], name: 'name', active: 'is_active' },
          },
        ],
      },
      null,
      2,
    ),
  );

  const floor: number[] = [];
  const tool = new Map<string, { ms: number; rssKb: number }[]>(PARALLEL.map((p) => [p, []]));
  let floorRows = 0;
  const toolRows = new Map<string, number>();
  const undos: { ms: number; apply: number; left: number }[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    await reset(c);
    t = performance.now();
    // the bare statement a DBA would write, with the tool's guards (ambiguous names are not excluded: the floor is cheaper than the tool)
    await c.query(`UPDATE sales_orders s SET customer_id = m.id, updated_at = now()
                     FROM customers m
                    WHERE m.tenant_id = s.tenant_id AND m.name = s.customer_name AND m.is_active AND s.customer_id IS NULL`);
    floor.push(performance.now() - t);
    floorRows = await linked(c);
    for (const par of PARALLEL) {
      await reset(c);
      const r = await runCli([
        'apply',
        '--db',
        url,
        '--config',
        config,
        '--all-tenants',
        '--yes',
        ...(par !== 'auto' ? ['--parallel', par] : []),
      ]);
      if (r.code !== 0) throw new Error(`fk-backfill apply --parallel ${par} exited ${r.code}: ${r.out}`);
      tool.get(par)!.push({ ms: r.ms, rssKb: r.rssKb });
      toolRows.set(par, await linked(c));
      log(`rep ${rep + 1}: floor ${sec(floor[rep]!)}, apply --parallel ${par} ${sec(r.ms)}: ${(r.ms / floor[rep]!).toFixed(2)}×`);
      // its undo, as a user runs it: every row back (no FK left), timed against the apply
      const run = (await c.query<{ id: string }>(`SELECT max(id)::text AS id FROM fk_backfill.runs WHERE kind = 'apply'`)).rows[0]!.id;
      const u = await runCli(['undo', '--db', url, '--config', config, '--run', run, '--yes']);
      if (u.code !== 0) throw new Error(`fk-backfill undo --run ${run} exited ${u.code}: ${u.out}`);
      const left = await linked(c);
      undos.push({ ms: u.ms, apply: r.ms, left });
      log(`rep ${rep + 1}: undo of apply --parallel ${par} ${sec(u.ms)} (${(u.ms / r.ms).toFixed(2)}× its apply), ${fmt(left)} FKs left`);
    }
  }
  const bestFloor = Math.min(...floor);
  log(`floor (one bare distributed UPDATE … FROM): ${floor.map(sec).join(', ')}; ${fmt(floorRows)} rows linked (ambiguous names too)`);
  for (const par of PARALLEL) {
    const xs = tool.get(par)!;
    const best = Math.min(...xs.map((x) => x.ms));
    log(
      `fk-backfill apply --all-tenants --parallel ${par} (plan included, CLI end to end): ${xs.map((x) => sec(x.ms)).join(', ')}; ${fmt(toolRows.get(par) ?? 0)} rows linked; peak RSS ${xs.map((x) => `${(x.rssKb / 1024).toFixed(0)} MB`).join(', ')}; ratio (best of each): ${(best / bestFloor).toFixed(2)}×`,
    );
  }
  log(
    `fk-backfill undo --run (CLI end to end): ${undos.map((u) => `${sec(u.ms)} (${(u.ms / u.apply).toFixed(2)}× its apply)`).join(', ')}; FKs left after each: ${undos.map((u) => fmt(u.left)).join(', ')}`,
  );
  await c.end();
  if (!process.argv.includes('--keep')) cluster('dropdb', DB);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
