/**
 * The Citus target: a real cluster (coordinator 5433, workers 5434/5435) started by the shared
 * `cluster.sh` (../shared/citus next to the repository, or FKB_CITUS_SH), a fresh distributed database
 * per test file. Used by `npm run test:citus` (vitest.citus.config.ts), not by the default suite.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const CANDIDATES = [
  process.env['FKB_CITUS_SH'],
  fileURLToPath(new URL('../../../shared/citus/cluster.sh', import.meta.url)),
  fileURLToPath(new URL('../../../../shared/citus/cluster.sh', import.meta.url)),
  '/work/shared/citus/cluster.sh',
].filter((p): p is string => p !== undefined);

export function clusterScript(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`Citus cluster.sh not found (looked at ${CANDIDATES.join(', ')}); set FKB_CITUS_SH`);
  return found;
}

export function cluster(...args: string[]): string {
  return execFileSync('bash', [clusterScript(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface CitusDb {
  url: string;
  name: string;
  sql<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  dispose(): Promise<void>;
}

let started = false;

/** Starts the cluster once per process; another process starting it at the same time is fine if it ends up running. */
function ensureStarted(): void {
  if (started) return;
  try {
    cluster('start');
  } catch (e) {
    cluster('status'); // throws when it is not running after all
    void e;
  }
  started = true;
}

/** Creates a database, retrying once: two processes registering workers at the same moment may collide. */
function createdb(name: string): string {
  try {
    return cluster('createdb', name);
  } catch {
    try {
      cluster('dropdb', name);
    } catch {
      /* nothing to drop */
    }
    return cluster('createdb', name);
  }
}

/** A connected handle on database `name` at `url`; `drop` removes the database once the client is closed. */
async function handle(url: string, name: string, drop: () => Promise<void>): Promise<CitusDb> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    name,
    async sql<T>(text: string, values: unknown[] = []) {
      return (await client.query(text, values)).rows as T[];
    },
    async dispose() {
      await client.end().catch(() => undefined);
      await drop();
    },
  };
}

/** Starts the cluster if needed and creates a fresh distributed database. */
export async function freshCitusDb(): Promise<CitusDb> {
  ensureStarted();
  const name = `fkb_c_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = createdb(name).split('\n').pop()!;
  return handle(url, name, async () => {
    cluster('dropdb', name);
  });
}

async function onAdmin(admin: string, text: string): Promise<void> {
  const a = new pg.Client({ connectionString: admin });
  await a.connect();
  try {
    await a.query(text);
  } finally {
    await a.end();
  }
}

/** A plain PostgreSQL database on the default server (the single-server reference). */
export async function freshPgDb(): Promise<CitusDb> {
  const admin = process.env['FKB_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `fkb_cp_${process.pid}_${randomBytes(3).toString('hex')}`;
  await onAdmin(admin, `CREATE DATABASE ${name} TEMPLATE template0`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return handle(u.toString(), name, () => onAdmin(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
