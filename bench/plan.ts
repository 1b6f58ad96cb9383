/**
 * npm run bench:plan -- --names 100000 --masters 50000 [--db URL] [--seed N] [--match fuzzy|normalized|exact]
 * The whole plan (fuzzy by default) through the database, one scope: reads the distinct names, the masters and the
 * known aliases, matches, and persists the plan entries. Default database: a fresh `fkb_bench_plan` on
 * the local PostgreSQL (dropped and recreated). The plan runs as a user runs it, `fk-backfill plan` (the
 * built CLI, `npm run build` first: the npm script does), in its own process; prints its wall time and
 * peak RSS (GNU time), not this process's, which holds the generated names.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase } from '../src/db/index.js';
import { syntheticScope } from './synthetic.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const nNames = Number(arg('names', '100000'));
const nMasters = Number(arg('masters', '50000'));
const seed = Number(arg('seed', '7'));
const match = arg('match', 'fuzzy');
if (match !== 'fuzzy' && match !== 'normalized' && match !== 'exact') throw new Error('--match must be fuzzy, normalized or exact');
const admin = arg('admin', 'postgres://postgres@127.0.0.1:5432/postgres');
let url = arg('db', '');

if (url === '') {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query('DROP DATABASE IF EXISTS fkb_bench_plan WITH (FORCE)');
  await c.query('CREATE DATABASE fkb_bench_plan');
  await c.end();
  const u = new URL(admin);
  u.pathname = '/fkb_bench_plan';
  url = u.toString();
}

const { masters, names } = syntheticScope(nMasters, nNames, seed);
const db = await openDatabase(url);
const t0 = performance.now();
await db.transaction(async (tx) => {
  await tx.query(`CREATE TABLE companies (id bigint PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL)`);
  await tx.query(
    `CREATE TABLE bills (id bigserial PRIMARY KEY, tenant_id int NOT NULL, company_name text, company_id bigint REFERENCES companies (id))`,
  );
  const chunk = 20_000;
  for (let i = 0; i < masters.length; i += chunk) {
    const part = masters.slice(i, i + chunk);
    await tx.query(`INSERT INTO companies SELECT x.id, 1, x.name FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, name text)`, [
      JSON.stringify(part.map((m) => ({ id: Number(m.key.slice(1)), name: m.name }))),
    ]);
  }
  const list = [...names];
  for (let i = 0; i < list.length; i += chunk) {
    await tx.query(`INSERT INTO bills (tenant_id, company_name) SELECT 1, n FROM unnest($1::text[]) AS n`, [list.slice(i, i + chunk)]);
  }
  await tx.query('ANALYZE companies');
  await tx.query('ANALYZE bills');
});
const t1 = performance.now();

await db.close();
const config = {
  links: [
    {
      entity: 'bill',
      table: 'bills',
      key: 'id',
      fk: 'company_id',
      name: 'company_name',
      target: { table: 'companies', key: 'id', name: 'name' },
      scope: ['tenant_id'],
      match,
    },
  ],
};
const dir = mkdtempSync(join(tmpdir(), 'fkb-bench-plan-'));
const cfg = join(dir, 'fk-backfill.config.json');
writeFileSync(cfg, JSON.stringify(config));
// As a user runs it: the built CLI in its own process (this one holds the generated data), timed and
// its peak RSS read by /usr/bin/time (GNU time: %M is the maximum resident set size in KB).
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const out = spawnSync(
  '/usr/bin/time',
  ['-f', 'FKB_TIME %M %e', process.execPath, cli, 'plan', '--db', url, '--config', cfg, '--tenant', '1', '--max-records', '100', '--json'],
  { encoding: 'utf8', maxBuffer: 1 << 28 },
);
rmSync(dir, { recursive: true, force: true });
const m = /FKB_TIME (\d+) ([\d.]+)/.exec(out.stderr);
if (out.status !== 0 || m === null) throw new Error(`fk-backfill plan failed (exit ${out.status}): ${out.stderr.slice(-2000)}`);
const result = JSON.parse(out.stdout) as { results: { distinctNames: Record<string, number> }[] };
const r = result.results[0]!;
const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
console.log(`bench:plan  ${db.description}  masters=${nMasters} distinct names=${names.size} strategy=${match} (one scope)`);
console.log(
  `load ${((t1 - t0) / 1000).toFixed(1)} s (not counted); \`fk-backfill plan\` ${Number(m[2]).toFixed(1)} s end to end (process start, read names/masters/aliases, match, persist ${names.size} plan entries)`,
);
console.log(
  `outcomes (names): ${Object.entries(r.distinctNames)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
console.log(`peak RSS of the fk-backfill process ${mb(Number(m[1]))}; target (issue #21): <= 30 s and <= 400 MB`);
