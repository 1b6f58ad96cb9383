/**
 * One suite, two targets: every database test runs on embedded PGlite and on the PostgreSQL server
 * (127.0.0.1:5432), each test in a fresh database. FKB_TARGETS=pglite|postgres narrows it;
 * FKB_PG_URL points at another server. FKB_TARGETS=citus runs it on a database of the Citus cluster
 * (`npm run test:citus:suite`), where its plain tables stay local to the coordinator.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { describe, inject } from 'vitest';
import { openDatabase } from '../../src/db/index.js';
import { fromPglite } from '../../src/db/pglite/adapter.js';
import type { Database } from '../../src/db/port.js';

export type Target = 'pglite' | 'postgres' | 'citus';

export const TARGETS: Target[] = (process.env['FKB_TARGETS'] ?? 'pglite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is Target => s === 'pglite' || s === 'postgres' || s === 'citus');

export const PG_ADMIN_URL = process.env['FKB_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A server database's URL as another role (trust authentication: no password). */
export function urlAs(url: string, role: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = '';
  return u.toString();
}

export interface TestDb {
  target: Target;
  db: Database;
  /** A URL a child process (the CLI) can open: a server database, or a PGlite directory. */
  url: string;
  /** For PGlite on disk: close our handle so a child process may open the directory. */
  release(): Promise<void>;
  dispose(): Promise<void>;
}

/** The URL of database `name` on the server of PG_ADMIN_URL. */
export function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs `fn` on a connection to the server's admin database (creating and dropping test databases). */
export async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * What the test process shares between test files: the in-memory PGlite every `freshDb('pglite')` resets, and a
 * pristine on-disk cluster (initdb, then closed cleanly) each on-disk fresh database is a copy of, the same empty
 * cluster a new directory would get without paying initdb (seconds) per test. Kept on `globalThis`, not in this
 * module: vitest.config.ts runs files without isolation, so a worker evaluates this module once anyway, but a run
 * with isolation (`--isolate`, another config) re-evaluates it per file in the same process, and would otherwise make
 * (and leak) one instance per file. Nothing is closed per file; at exit the template directory is removed (the
 * in-memory instance goes with the process).
 */
interface Shared {
  pglite?: Promise<PGlite>;
  template?: Promise<string>;
  /** The template's directory, removed at exit. */
  templateDir?: string;
  /** The shared PGlite's search_path as created, set back by every reset. */
  searchPath?: string;
}
const SHARED = Symbol.for('fk-backfill.test.shared-pglite');
const shared: Shared = ((globalThis as { [SHARED]?: Shared })[SHARED] ??= newShared());

function newShared(): Shared {
  const s: Shared = {};
  process.once('exit', () => {
    if (s.templateDir !== undefined) rmSync(s.templateDir, { recursive: true, force: true });
  });
  return s;
}

function pgliteTemplateDir(): Promise<string> {
  shared.template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fkb-pglite-template-'));
    shared.templateDir = dir;
    const p = await PGlite.create(dir);
    await p.query('SELECT 1');
    await p.close();
    return dir;
  })();
  return shared.template;
}

/** Drops every user schema of the shared in-memory PGlite: a fresh database in ~10 ms instead of ~2 s. */
async function resetPglite(p: PGlite): Promise<void> {
  // a test that set the session's search_path (a schema per tenant) leaves it as it found it; if not, the next tests'
  // tables would go where no reset drops them (RESET gives PGlite's boot value, pg_catalog: 25 failures in CI)
  if (shared.searchPath !== undefined) await p.query(`SELECT set_config('search_path', $1, false)`, [shared.searchPath]);
  await p.exec(`DO $$ DECLARE s record; BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog','information_schema','pg_toast') AND nspname NOT LIKE 'pg\\_%' LOOP
      EXECUTE format('DROP SCHEMA %I CASCADE', s.nspname);
    END LOOP;
    CREATE SCHEMA public;
    FOR s IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'fkb\\_%' LOOP EXECUTE format('DROP ROLE %I', s.rolname); END LOOP;
  END $$;`);
}

/** The run's migrated template database (test/helpers/pg-template.ts), or template0 when there is none. */
function pgTemplate(migrated: boolean): string {
  if (!migrated) return 'template0';
  let name: string | undefined;
  try {
    name = inject('fkbPgTemplate');
  } catch {
    /* not under vitest's runner (a script importing the helpers) */
  }
  // undefined: a config without the template's globalSetup (vitest.oltp.config.ts, vitest.citus.config.ts)
  return name === undefined || name === '' ? 'template0' : name;
}

/**
 * A fresh database on `target`, empty but for what the tool's first use would create. `onDisk` (PGlite): a new
 * directory instead of the shared in-memory instance, so a child process can open it by URL. On PostgreSQL it is a
 * copy of the run's template, in which schema fk_backfill is already migrated (test/helpers/pg-template.ts);
 * `migrated: false` gives a database the tool never touched (copied from template0) for the tests whose point is
 * what happens there (migrations, nothing written, a role creating the schema). PGlite's fresh databases are
 * untouched either way: the tool migrates on first use, as before.
 */
export async function freshDb(target: Target, opts: { onDisk?: boolean; migrated?: boolean } = {}): Promise<TestDb> {
  if (target === 'citus') {
    // a fresh database on the Citus coordinator (FKB_TARGETS=citus): the suite's plain tables stay local to it
    const { freshCitusDb } = await import('./citus.js');
    const c = await freshCitusDb();
    const db = await openDatabase(c.url);
    let closed = false;
    return {
      target,
      db,
      url: c.url,
      async release() {},
      async dispose() {
        if (!closed) await db.close();
        closed = true;
        await c.dispose();
      },
    };
  }
  if (target !== 'pglite') {
    const name = `fkb_t_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${pgTemplate(opts.migrated !== false)}`));
    const url = dbUrl(name);
    const db = await openDatabase(url);
    let closed = false;
    return {
      target,
      db,
      url,
      async release() {
        /* a server takes many connections */
      },
      async dispose() {
        if (!closed) await db.close();
        closed = true;
        await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  }
  if (opts.onDisk === true) {
    const dir = mkdtempSync(join(tmpdir(), 'fkb-pglite-'));
    cpSync(await pgliteTemplateDir(), dir, { recursive: true });
    const url = `pglite://${dir}`;
    let db: Database | null = await openDatabase(url);
    const handle: TestDb = {
      target,
      get db(): Database {
        if (db === null) throw new Error('released: reopen with reopen()');
        return db;
      },
      url,
      async release() {
        if (db !== null) await db.close();
        db = null;
      },
      async dispose() {
        await handle.release();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return handle;
  }
  shared.pglite ??= PGlite.create().then(async (p) => {
    shared.searchPath = (await p.query<{ p: string }>(`SELECT current_setting('search_path') AS p`)).rows[0]!.p;
    return p;
  });
  const pglite = await shared.pglite;
  await resetPglite(pglite);
  const db = fromPglite(pglite as never, { owned: false, description: 'memory://' });
  return { target, db, url: 'memory://', async release() {}, async dispose() {} };
}

/** Reopens a released on-disk PGlite (after a child process used it). */
export async function reopen(t: TestDb): Promise<Database> {
  return openDatabase(t.url);
}

/** `describe` once per target; the name says which, so the CI log shows both ran. */
export function describeEach(name: string, fn: (target: Target) => void): void {
  for (const target of TARGETS) describe(`${name} [${target}]`, () => fn(target));
}
