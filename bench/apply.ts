/**
 * npm run bench:apply -- [--target postgres|citus] [--parallel auto,1,2] [--rows 1000000] [--sample 10000] [--latency-sample 2000] [--order random|key] [--reps 2] [--url postgres://…/postgres]
 *                          [--tenants 100] [--customers-per-tenant 200] [--tenant-index] [--db fkb_bench]
 *
 * --tenants 5000 --customers-per-tenant 10 --tenant-index: many small tenants with an index on the documents'
 * tenant column (issue #23's shape), beside the default 100 tenants of 200 customers.
 *
 * --order random (default): uuid v4 keys uncorrelated with the heap, as in Axis; key: heap in key order (serial / uuid v7).
 *
 * In one run, against the local PostgreSQL, in its own database (--db, default fkb_bench, dropped and recreated:
 * two runs at once need two names, or one destroys the other's data):
 *   1. the floor: one bare UPDATE sales_orders … FROM customers (same guard: FK NULL, active, same tenant),
 *   2. fk-backfill: apply without a plan id, as `apply --all-tenants` runs it (library call, as the CLI does): it plans, stamps
 *      the plan's hash once, then applies with its default batching. "plan" is the time until apply's first progress event
 *      (plan + run start), "apply" the rest,
 *   3. the seed's per-row loop (SELECT … LIMIT 1, then UPDATE, per row, one transaction) on a sample,
 *      over loopback, and again with 1 ms added before every round trip (setTimeout), extrapolated,
 *   4. revenue per customer: name join vs FK join.
 * sales_orders is rebuilt from a pristine copy before each of 1–3 (same rows, same physical order) and
 * CHECKPOINTed, so each starts from the same state. Prints rows/s, ratios, peak RSS, WAL bytes and the
 * longest lock held (the whole statement for the floor, the longest batch transaction for fk-backfill).
 */
import pg from 'pg';
import { apply, openDatabase, type ProgressEvent } from '../src/index.js';
import { checkpoints, generate, resetOrders as reset, walLsn, walSince, type Shape } from './apply/data.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}
const ROWS = Number(arg('rows', '1000000'));
const SAMPLE = Math.min(ROWS, Number(arg('sample', '10000')));
const LAT_SAMPLE = Math.min(ROWS, Number(arg('latency-sample', '2000')));
const REPS = Math.max(1, Number(arg('reps', '2')));
/**
 * --parallel auto,1,2: apply with each, in turn, after the same floor (the summary table is the first one's). auto
 * (the default): no parallel option, as a user runs it (2 connections from 100 000 planned rows, src/apply/parallel.ts).
 */
const PARALLEL = arg('parallel', 'auto')
  .split(',')
  .map((x): number | 'auto' => (x === 'auto' ? 'auto' : Number(x)));
const ORDER = arg('order', 'random') as 'random' | 'key';
const SHAPE: Shape = {
  tenants: Number(arg('tenants', '100')),
  customersPerTenant: Number(arg('customers-per-tenant', '200')),
  tenantIndex: process.argv.includes('--tenant-index'),
};
const resetOrders = (c: pg.Client, order: 'random' | 'key'): Promise<void> => reset(c, order, SHAPE);
if (ORDER !== 'random' && ORDER !== 'key') throw new Error('--order must be random or key');
const ADMIN = arg('url', process.env['FKB_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const DB_NAME = arg('db', 'fkb_bench');
if (!/^[a-z_][a-z0-9_]*$/.test(DB_NAME)) throw new Error('--db must be a plain lower-case database name');
const url = new URL(ADMIN);
url.pathname = `/${DB_NAME}`;
const BENCH_URL = url.toString();

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const log = (s: string): void => console.log(s);

class RssSampler {
  peak = 0;
  private t: NodeJS.Timeout | null = null;
  start(): void {
    this.peak = process.memoryUsage.rss();
    this.t = setInterval(() => (this.peak = Math.max(this.peak, process.memoryUsage.rss())), 25);
  }
  stop(): number {
    if (this.t !== null) clearInterval(this.t);
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    return this.peak;
  }
}

async function linked(c: pg.Client): Promise<number> {
  return Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM sales_orders WHERE customer_id IS NOT NULL')).rows[0]!.n);
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME} TEMPLATE template0`);
  await admin.end();
  const c = new pg.Client({ connectionString: BENCH_URL });
  await c.connect();
  const server = (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  log(
    `# bench:apply — ${fmt(ROWS)} sales orders, ${fmt(SHAPE.tenants)} tenants, ${fmt(SHAPE.tenants * SHAPE.customersPerTenant)} customers${SHAPE.tenantIndex ? ', index on sales_orders (tenant_id)' : ''}, PostgreSQL ${server} on ${new URL(ADMIN).host} (database ${DB_NAME})`,
  );
  const t = performance.now();
  await generate(c, ROWS, SHAPE);
  log(
    `generated in ${sec(performance.now() - t)}; heap order: ${ORDER === 'random' ? 'random (uuid v4 keys, as Axis)' : 'key order (like serial / uuid v7 keys)'}`,
  );

  // 1 + 2, alternated REPS times (the machine may be shared): the best of each is reported.
  const floorRuns: { ms: number; wal: number; rows: number; ckpt: number }[] = [];
  type ApplyRun = {
    par: number | 'auto';
    ms: number;
    planMs: number;
    wal: number;
    ckpt: number;
    longest: number;
    batches: number;
    lastSize: number;
    retries: number;
    peakRss: number;
    rssBefore: number;
    updated: number;
  };
  const parallelRuns: ApplyRun[] = [];
  const applyRuns: ApplyRun[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    // 1. The floor.
    await resetOrders(c, ORDER);
    let lsn = await walLsn(c);
    let ck = await checkpoints(c);
    let t0 = performance.now();
    const bare = await c.query(
      `UPDATE sales_orders s SET customer_id = c.id, updated_at = now()
         FROM customers c
        WHERE c.tenant_id = s.tenant_id AND c.customer_name = s.customer_name AND c.is_active AND s.customer_id IS NULL`,
    );
    const floorMs = performance.now() - t0;
    floorRuns.push({ ms: floorMs, wal: await walSince(c, lsn), rows: bare.rowCount ?? 0, ckpt: (await checkpoints(c)) - ck });

    for (const par of PARALLEL) {
      // 2. fk-backfill: plan + apply, default batching.
      await resetOrders(c, ORDER);
      // the change log: one row per batch (change_sets, migration 009), before that one row per changed row
      for (const log of ['fk_backfill.change_sets', 'fk_backfill.changes']) {
        const kind = (
          await c.query<{ k: string | null }>(`SELECT (SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)) AS k`, [log])
        ).rows[0]!.k;
        if (kind === 'r') await c.query(`TRUNCATE ${log}`);
      }
      const db = await openDatabase(BENCH_URL, par === 'auto' ? {} : { connections: par + 1 });
      const rss = new RssSampler();
      const rssBefore = process.memoryUsage.rss();
      lsn = await walLsn(c);
      ck = await checkpoints(c);
      rss.start();
      t0 = performance.now();
      // the user's path: no plan id, so apply plans and stamps the plan's hash once (a separate plan() then
      // apply({ planRunId }) would hash the plan twice); the plan ends where apply's first progress event starts
      let startedAt: number | null = null;
      let longest = 0;
      let batches = 0;
      let lastSize = 0;
      let retries = 0;
      const a = await apply(db, {
        allTenants: true,
        entities: ['sales_order'],
        ...(par === 'auto' ? {} : { parallel: par }),
        onProgress: (e: ProgressEvent) => {
          startedAt ??= performance.now();
          if (e.event === 'batch') {
            batches++;
            longest = Math.max(longest, e.ms);
            lastSize = e.batchSize;
          } else if (e.event === 'retry' || e.event === 'split') retries++;
        },
      });
      const end = performance.now();
      if (startedAt === null) throw new Error('apply reported no progress: no boundary between plan and apply');
      const planMs = (startedAt as number) - t0;
      const ms = end - (startedAt as number);
      const peakRss = rss.stop();
      const wal = await walSince(c, lsn);
      const ckpt = (await checkpoints(c)) - ck;
      await db.close();
      (par === PARALLEL[0] ? applyRuns : parallelRuns).push({
        par,
        ms,
        planMs,
        wal,
        ckpt,
        longest,
        batches,
        lastSize,
        retries,
        peakRss,
        rssBefore,
        updated: a.totalUpdated,
      });
      const fkbLinked = await linked(c);
      if (a.totalUpdated !== floorRuns[0]!.rows || fkbLinked !== floorRuns[0]!.rows)
        throw new Error(`fk-backfill linked ${a.totalUpdated} (${fkbLinked} in table), the bare UPDATE ${floorRuns[0]!.rows}`);
      const fr = floorRuns[rep]!;
      log(
        `rep ${rep + 1}, --parallel ${par}: bare UPDATE ${sec(fr.ms)} (WAL ${mb(fr.wal)}, ${fr.ckpt} checkpoints), fk-backfill apply ${sec(ms)} (plan ${sec(planMs)}; WAL ${mb(wal)}, ${ckpt} checkpoints): apply ${(ms / fr.ms).toFixed(2)}×, plan + apply ${((planMs + ms) / fr.ms).toFixed(2)}×`,
      );
    }
  }
  const best = <T extends { ms: number }>(xs: T[]): T => xs.reduce((x, y) => (y.ms < x.ms ? y : x));
  const fl = best(floorRuns);
  const ap = best(applyRuns);
  const bareMs = fl.ms;
  const bareWal = fl.wal;
  const expected = fl.rows;
  const applyMs = ap.ms;
  const planMs = ap.planMs;
  const fkbWal = ap.wal;
  const longest = ap.longest;
  const batches = ap.batches;
  const lastSize = ap.lastSize;
  const retries = ap.retries;
  const peakRss = Math.max(...applyRuns.map((r) => r.peakRss));
  const rssBefore = ap.rssBefore;

  // 3. The seed's per-row loop on a sample, extrapolated.
  const loop = async (n: number, latencyMs: number): Promise<number> => {
    await resetOrders(c, ORDER);
    const rtt = (): Promise<void> => (latencyMs > 0 ? new Promise((r) => setTimeout(r, latencyMs)) : Promise.resolve());
    const rows = (
      await c.query<{ id: string; tenant_id: string; customer_name: string }>(
        `SELECT id, tenant_id, customer_name FROM sales_orders WHERE customer_id IS NULL LIMIT $1`,
        [n],
      )
    ).rows;
    const t0 = performance.now();
    await rtt();
    await c.query('BEGIN');
    for (const r of rows) {
      await rtt();
      const m = await c.query<{ id: string }>(
        `SELECT id FROM customers WHERE tenant_id = $1 AND customer_name = $2 AND is_active = true LIMIT 1`,
        [r.tenant_id, r.customer_name],
      );
      const hit = m.rows[0];
      if (hit !== undefined) {
        await rtt();
        await c.query(`UPDATE sales_orders SET customer_id = $1, updated_at = now() WHERE id = $2`, [hit.id, r.id]);
      }
    }
    await rtt();
    await c.query('COMMIT');
    return (rows.length * 1000) / (performance.now() - t0);
  };
  const loopRate = await loop(SAMPLE, 0);
  const latRate = await loop(LAT_SAMPLE, 1);

  // 4. Revenue per customer: name join vs FK join (the table as fk-backfill left it: rebuild and link with the floor statement).
  await resetOrders(c, ORDER);
  await c.query(
    `UPDATE sales_orders s SET customer_id = c.id FROM customers c WHERE c.tenant_id = s.tenant_id AND c.customer_name = s.customer_name AND c.is_active AND s.customer_id IS NULL`,
  );
  await c.query('VACUUM ANALYZE sales_orders');
  const median = async (sql: string): Promise<number> => {
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await c.query(sql);
      ms.push(performance.now() - t0);
    }
    return ms.sort((x, y) => x - y)[2]!;
  };
  const nameJoin = await median(
    `SELECT c.id, sum(s.total_amount) FROM sales_orders s JOIN customers c ON c.tenant_id = s.tenant_id AND c.customer_name = s.customer_name AND c.is_active GROUP BY c.id`,
  );
  const fkJoin = await median(
    `SELECT c.id, sum(s.total_amount) FROM sales_orders s JOIN customers c ON c.id = s.customer_id GROUP BY c.id`,
  );
  await c.end();

  const loopMs = (ROWS * 1000) / loopRate;
  const latMs = (ROWS * 1000) / latRate;
  log('');
  log(`rows linked: ${fmt(expected)} of ${fmt(ROWS)} (${((expected / ROWS) * 100).toFixed(1)} %)`);
  log('');
  const pairs = applyRuns.map((r, i) => r.ms / floorRuns[i]!.ms).sort((x, y) => x - y);
  log(`best of ${REPS} alternated runs each for the floor and fk-backfill; the per-row loop once`);
  log(
    `apply / bare UPDATE per alternated pair: ${pairs.map((x) => `${x.toFixed(2)}×`).join(', ')} (median ${pairs[Math.floor(pairs.length / 2)]!.toFixed(2)}×, worst ${pairs[pairs.length - 1]!.toFixed(2)}×)`,
  );
  const e2e = applyRuns.map((r, i) => (r.planMs + r.ms) / floorRuns[i]!.ms).sort((x, y) => x - y);
  for (const par of PARALLEL.slice(1)) {
    const xs = parallelRuns.filter((r) => r.par === par);
    log(
      `--parallel ${par}: apply / bare UPDATE per pair ${xs.map((r, i) => `${(r.ms / floorRuns[i]!.ms).toFixed(2)}×`).join(', ')}; against --parallel ${PARALLEL[0]} in the same rep ${xs.map((r, i) => `${(r.ms / applyRuns[i]!.ms).toFixed(2)}×`).join(', ')}`,
    );
  }
  log(
    `plan + apply / bare UPDATE per alternated pair: ${e2e.map((x) => `${x.toFixed(2)}×`).join(', ')} (median ${e2e[Math.floor(e2e.length / 2)]!.toFixed(2)}×, worst ${e2e[e2e.length - 1]!.toFixed(2)}×)`,
  );
  log('');
  log('| method | time | rows/s (of all rows) | vs bare UPDATE | WAL | longest lock held | peak RSS |');
  log('|---|---|---|---|---|---|---|');
  log(
    `| bare UPDATE … FROM customers (floor, one statement) | ${sec(bareMs)} | ${fmt((ROWS * 1000) / bareMs)} | 1.00× | ${mb(bareWal)} | ${sec(bareMs)} (whole statement) | — |`,
  );
  log(
    `| fk-backfill apply, default batching | ${sec(applyMs)} | ${fmt((ROWS * 1000) / applyMs)} | ${(applyMs / bareMs).toFixed(2)}× | ${mb(fkbWal)} (incl. plan + change log) | ${sec(longest)} (longest batch, ${batches} batches, last size ${fmt(lastSize)}, ${retries} retries) | ${mb(peakRss)} (before: ${mb(rssBefore)}) |`,
  );
  log(
    `| fk-backfill plan + apply | ${sec(planMs + applyMs)} | ${fmt((ROWS * 1000) / (planMs + applyMs))} | ${((planMs + applyMs) / bareMs).toFixed(2)}× | | plan ${sec(planMs)} | |`,
  );
  log(
    `| seed per-row loop, loopback (${fmt(SAMPLE)}-row sample, extrapolated) | ${sec(loopMs)} | ${fmt(loopRate)} | ${(loopMs / bareMs).toFixed(1)}× | | ${sec(loopMs)} (one transaction) | |`,
  );
  log(
    `| seed per-row loop, +1 ms per round trip (setTimeout, ${fmt(LAT_SAMPLE)}-row sample, extrapolated) | ${sec(latMs)} | ${fmt(latRate)} | ${(latMs / bareMs).toFixed(1)}× | | ${sec(latMs)} | |`,
  );
  log('');
  log(
    `apply vs per-row loop: ${(loopMs / applyMs).toFixed(1)}× faster over loopback, ${(latMs / applyMs).toFixed(1)}× with 1 ms latency (plan + apply: ${(loopMs / (planMs + applyMs)).toFixed(1)}× / ${(latMs / (planMs + applyMs)).toFixed(1)}×)`,
  );
  log(`revenue per customer (median of 5): name join ${fmt(nameJoin)} ms, FK join ${fmt(fkJoin)} ms (${(nameJoin / fkJoin).toFixed(2)}×)`);
}

if (arg('target', 'postgres') === 'citus') {
  // `--target citus`: the Citus cluster's benchmark (bench/citus.ts), same flags
  await import('./citus.js');
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
