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
import { migrate } from '../../src/store/migrate.js';
import { EMPTY_OWN_SCHEMA, OWN_SCHEMA_PRINT } from './own-schema.js';
import { recyclePooled, takePooled } from './pg-pool.js';

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

/**
 * After a test that ran as a role of its own: closes the role's connection `db`, drops what the role owns in `t`'s
 * database, disposes it, then drops the role (a role is the server's, not the database's).
 */
export async function disposeWithRole(t: TestDb, db: Database | undefined, role: string | undefined): Promise<void> {
  await db?.close();
  if (role !== undefined) await t.db.exec(`DROP OWNED BY ${role} CASCADE`).catch(() => undefined);
  await t.dispose();
  if (role !== undefined) await admin((c) => c.query(`DROP ROLE IF EXISTS ${role}`)).catch(() => undefined);
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
  /** A copy of the template with schema fk_backfill migrated: what `freshDb('pglite', { onDisk: true })` copies. */
  migratedTemplate?: Promise<string>;
  /** The templates' directories, removed at exit. */
  templateDirs: string[];
  /** The shared PGlite's search_path as created, set back by every reset. */
  searchPath?: string;
  /** OWN_SCHEMA_PRINT of the shared PGlite right after its first migration (see resetPglite). */
  ownPrint?: string;
  /** OWN_SCHEMA_SHAPE, taken with ownPrint. */
  ownShape?: string;
  /** The instances that have WATCH_OWN_SCHEMA (the shared one, citext ones). */
  watched: WeakSet<PGlite>;
}
const SHARED = Symbol.for('fk-backfill.test.shared-pglite');
const shared: Shared = ((globalThis as { [SHARED]?: Shared })[SHARED] ??= newShared());

function newShared(): Shared {
  const s: Shared = { templateDirs: [], watched: new WeakSet() };
  process.once('exit', () => {
    for (const dir of s.templateDirs) rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

function pgliteTemplateDir(migrated: boolean): Promise<string> {
  shared.template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fkb-pglite-template-'));
    shared.templateDirs.push(dir);
    const p = await PGlite.create(dir);
    await p.query('SELECT 1');
    await p.close();
    return dir;
  })();
  if (!migrated) return shared.template;
  // migrated the way the tool's first use does it (openDatabase, then migrate), once per process: each on-disk test
  // then copies it instead of paying 21 migrations (seconds on PGlite) at its first use
  shared.migratedTemplate ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fkb-pglite-migrated-'));
    shared.templateDirs.push(dir);
    cpSync(await shared.template!, dir, { recursive: true });
    const db = await openDatabase(`pglite://${dir}`);
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
    return dir;
  })();
  return shared.migratedTemplate;
}

/**
 * An event trigger on each reset PGlite instance that notes, in the session setting fkb_test.own_ddl, any DDL that
 * did or may have changed schema fk_backfill: an object in it created, altered or dropped (also by a cascade), and
 * whatever names no schema (GRANT, ALTER DEFAULT PRIVILEGES, an extension, …) but a schema other than fk_backfill.
 * The setting is transactional: DDL rolled back leaves no note. Without a note the reset skips OWN_SCHEMA_PRINT
 * (~100 ms, a catalog-wide query) for OWN_SCHEMA_SHAPE; with one it takes the print as before.
 */
const WATCH_OWN_SCHEMA = `CREATE OR REPLACE FUNCTION pg_catalog.fkb_test_own_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_EVENT = 'sql_drop' THEN
    IF EXISTS (SELECT FROM pg_event_trigger_dropped_objects() o
                WHERE o.schema_name = 'fk_backfill' OR (o.object_type = 'schema' AND o.object_identity = 'fk_backfill')) THEN
      PERFORM set_config('fkb_test.own_ddl', 'dropped', false);
    END IF;
  ELSIF EXISTS (SELECT FROM pg_event_trigger_ddl_commands() c
                 WHERE c.schema_name = 'fk_backfill'
                    OR (c.schema_name IS NULL AND NOT (c.object_type = 'schema' AND c.object_identity <> 'fk_backfill'))) THEN
    PERFORM set_config('fkb_test.own_ddl', 'changed', false);
  END IF;
END $$;
CREATE EVENT TRIGGER fkb_test_own_ddl_end ON ddl_command_end EXECUTE FUNCTION pg_catalog.fkb_test_own_ddl();
CREATE EVENT TRIGGER fkb_test_own_ddl_drop ON sql_drop EXECUTE FUNCTION pg_catalog.fkb_test_own_ddl();`;

/**
 * What DDL does not note and a print would see: the rows of schema_migrations (a test UPDATEs a checksum), and, as a
 * guard, how many relations, functions and types the schema has (an object moved out of it with SET SCHEMA).
 */
const OWN_SCHEMA_SHAPE = `SELECT concat_ws('|',
  (SELECT md5(string_agg(concat_ws(':', m.version, m.name, m.checksum), ',' ORDER BY m.version)) FROM fk_backfill.schema_migrations m),
  (SELECT count(*) FROM pg_class WHERE relnamespace = 'fk_backfill'::regnamespace),
  (SELECT count(*) FROM pg_proc WHERE pronamespace = 'fk_backfill'::regnamespace),
  (SELECT count(*) FROM pg_type WHERE typnamespace = 'fk_backfill'::regnamespace)) AS shape`;

/** Whether, since the last reset, no DDL noted a change to fk_backfill and its shape is the migrated one. */
async function ownSchemaUntouched(p: PGlite): Promise<boolean> {
  if (!shared.watched.has(p) || shared.ownShape === undefined) return false;
  const note = await p.query<{ note: string | null; has: boolean }>(
    `SELECT current_setting('fkb_test.own_ddl', true) AS note, to_regclass('fk_backfill.schema_migrations') IS NOT NULL AS has`,
  );
  if ((note.rows[0]?.note ?? '') !== '' || note.rows[0]?.has !== true) return false;
  return (await p.query<{ shape: string }>(OWN_SCHEMA_SHAPE)).rows[0]!.shape === shared.ownShape;
}

/**
 * Sets the note after the reset's own DDL: none where fk_backfill is as migrated, 'absent' where the reset left none.
 * Installs the trigger at the instance's first reset.
 */
async function watchOwnSchema(p: PGlite, note: '' | 'absent'): Promise<void> {
  if (!shared.watched.has(p)) {
    await p.exec(WATCH_OWN_SCHEMA);
    shared.watched.add(p);
  }
  await p.query(`SELECT set_config('fkb_test.own_ddl', $1, false)`, [note]);
}

async function ownSchemaPrint(p: PGlite): Promise<string | null> {
  const has = await p.query<{ ok: boolean }>(`SELECT to_regclass('fk_backfill.schema_migrations') IS NOT NULL AS ok`);
  if (has.rows[0]?.ok !== true) return null;
  return (await p.query<{ print: string }>(OWN_SCHEMA_PRINT)).rows[0]!.print;
}

/**
 * A fresh database on the shared in-memory PGlite in ~20 ms instead of ~2 s: every user schema and test role dropped.
 * `migrated` (as on PostgreSQL, where fresh databases copy a migrated template): schema fk_backfill as its migrations
 * leave it. Migrating takes seconds on PGlite, so the schema is kept from the test before and emptied when nothing in
 * it changed (OWN_SCHEMA_PRINT equal to the print right after migrating); otherwise (a test dropped, altered or added
 * to it: a guard's function, another role's grant) it is dropped and migrated again.
 */
export async function resetPglite(p: PGlite, migrated: boolean): Promise<void> {
  // a test that set the session's search_path (a schema per tenant) leaves it as it found it; if not, the next tests'
  // tables would go where no reset drops them (RESET gives PGlite's boot value, pg_catalog: 25 failures in CI)
  if (shared.searchPath !== undefined) await p.query(`SELECT set_config('search_path', $1, false)`, [shared.searchPath]);
  // the test roles' privileges and objects go first (DROP OWNED): fk_backfill, which may be kept, can hold their grants
  await p.exec(`DO $$ DECLARE s record; BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog','information_schema','pg_toast','fk_backfill') AND nspname NOT LIKE 'pg\\_%' LOOP
      EXECUTE format('DROP SCHEMA %I CASCADE', s.nspname);
    END LOOP;
    CREATE SCHEMA public;
    FOR s IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'fkb\\_%' LOOP
      EXECUTE format('DROP OWNED BY %I CASCADE', s.rolname);
      EXECUTE format('DROP ROLE %I', s.rolname);
    END LOOP;
  END $$;`);
  if (migrated && ((await ownSchemaUntouched(p)) || (shared.ownPrint !== undefined && (await ownSchemaPrint(p)) === shared.ownPrint))) {
    await p.exec(EMPTY_OWN_SCHEMA);
    await watchOwnSchema(p, '');
    return;
  }
  await p.exec(`DROP SCHEMA IF EXISTS fk_backfill CASCADE`);
  if (migrated) {
    await migrate(fromPglite(p as never, { owned: false, description: 'memory://' }));
    if (shared.ownPrint === undefined) {
      const print = await ownSchemaPrint(p);
      if (print !== null) {
        shared.ownPrint = print;
        shared.ownShape = (await p.query<{ shape: string }>(OWN_SCHEMA_SHAPE)).rows[0]!.shape;
      }
    }
  }
  await watchOwnSchema(p, migrated ? '' : 'absent');
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
 * what happens there (migrations, nothing written, a role creating the schema). PGlite likewise: the shared instance
 * keeps a migrated fk_backfill emptied (resetPglite), an on-disk one copies a migrated directory; `migrated: false`
 * gives neither.
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
    const template = pgTemplate(opts.migrated !== false);
    const random = `${process.pid}_${randomBytes(4).toString('hex')}`;
    // a copy of the run's migrated template is used again after its test (pg-pool.ts); template0's are dropped
    const pooled = template !== 'template0';
    const name = pooled ? await takePooled(PG_ADMIN_URL, template, random) : `fkb_t_${random}`;
    if (!pooled) await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`));
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
        if (closed) return;
        closed = true;
        await db.close();
        if (pooled) await recyclePooled(PG_ADMIN_URL, template, name);
        else await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  }
  if (opts.onDisk === true) {
    const dir = mkdtempSync(join(tmpdir(), 'fkb-pglite-'));
    cpSync(await pgliteTemplateDir(opts.migrated !== false), dir, { recursive: true });
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
        // kept open (parked) for the in-process CLI runs that follow, which share its instance instead of starting
        // PostgreSQL again on the directory (seconds each); closed before a child process opens it (spawnCli)
        if (db !== null) parked.add(db);
        db = null;
      },
      async dispose() {
        await handle.release();
        await closeParked();
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
  await resetPglite(pglite, opts.migrated !== false);
  const db = fromPglite(pglite as never, { owned: false, description: 'memory://' });
  return { target, db, url: 'memory://', async release() {}, async dispose() {} };
}

/** On-disk PGlite handles released by their test and kept open for in-process CLI runs (see release()). */
const parked = new Set<Database>();

/** Closes the parked on-disk PGlite handles: before a child process opens their directories. */
export async function closeParked(): Promise<void> {
  const all = [...parked];
  parked.clear();
  for (const db of all) await db.close();
}

/** Reopens a released on-disk PGlite (after a child process used it). */
export async function reopen(t: TestDb): Promise<Database> {
  return openDatabase(t.url);
}

/** `describe` once per target; the name says which, so the CI log shows both ran. */
export function describeEach(name: string, fn: (target: Target) => void): void {
  for (const target of TARGETS) describe(`${name} [${target}]`, () => fn(target));
}
