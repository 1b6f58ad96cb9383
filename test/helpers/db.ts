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
}
const SHARED = Symbol.for('fk-backfill.test.shared-pglite');
const shared: Shared = ((globalThis as { [SHARED]?: Shared })[SHARED] ??= newShared());

function newShared(): Shared {
  const s: Shared = { templateDirs: [] };
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
 * What makes schema fk_backfill what its migrations built, as one hash: its owner and grants, every relation (with
 * columns, defaults, grants, options), constraint, index, function, trigger, policy, type, default privilege and
 * comment in it, and the rows of schema_migrations. Equal to the print taken right after migrating: the migrations'
 * objects are all there, unchanged, and nothing was added, so emptying its tables gives a freshly migrated schema.
 */
const OWN_SCHEMA_PRINT = `WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = 'fk_backfill'),
rel AS (SELECT c.* FROM pg_class c JOIN ns ON c.relnamespace = ns.oid),
fn AS (SELECT p.* FROM pg_proc p JOIN ns ON p.pronamespace = ns.oid)
SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) AS print FROM (
  SELECT concat_ws('|', 'n', n.nspowner::regrole, n.nspacl) FROM pg_namespace n JOIN ns ON n.oid = ns.oid
  UNION ALL SELECT concat_ws('|', 'c', relname, relkind, relowner::regrole, relacl, relrowsecurity, relforcerowsecurity,
    reloptions, relpersistence, relreplident, CASE WHEN relkind IN ('v', 'm') THEN pg_get_viewdef(oid) END) FROM rel
  UNION ALL SELECT concat_ws('|', 'a', c.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,
    a.attidentity, a.attgenerated, a.attacl, a.attstattarget, a.attcollation, pg_get_expr(d.adbin, d.adrelid))
    FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT concat_ws('|', 'k', c.relname, k.conname, pg_get_constraintdef(k.oid)) FROM pg_constraint k
    JOIN ns ON k.connamespace = ns.oid LEFT JOIN pg_class c ON c.oid = k.conrelid
  UNION ALL SELECT concat_ws('|', 'i', pg_get_indexdef(i.indexrelid), i.indisvalid) FROM pg_index i JOIN rel c ON c.oid = i.indrelid
  UNION ALL SELECT concat_ws('|', 'f', oid::regprocedure, proowner::regrole, proacl, proconfig, md5(pg_get_functiondef(oid)))
    FROM fn WHERE prokind IN ('f', 'p')
  UNION ALL SELECT concat_ws('|', 'f', oid::regprocedure, proowner::regrole, proacl, prokind) FROM fn WHERE prokind NOT IN ('f', 'p')
  UNION ALL SELECT concat_ws('|', 't', pg_get_triggerdef(t.oid), t.tgenabled) FROM pg_trigger t JOIN rel c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal
  UNION ALL SELECT concat_ws('|', 'p', c.relname, po.polname, po.polcmd, po.polpermissive, po.polroles::text,
    pg_get_expr(po.polqual, po.polrelid), pg_get_expr(po.polwithcheck, po.polrelid)) FROM pg_policy po JOIN rel c ON c.oid = po.polrelid
  UNION ALL SELECT concat_ws('|', 'y', t.typname, t.typtype, t.typowner::regrole, t.typacl) FROM pg_type t JOIN ns ON t.typnamespace = ns.oid
  UNION ALL SELECT concat_ws('|', 'd', d.defaclrole::regrole, d.defaclobjtype, d.defaclacl) FROM pg_default_acl d JOIN ns ON d.defaclnamespace = ns.oid
  UNION ALL SELECT concat_ws('|', 'r', c.relname, r.rulename, pg_get_ruledef(r.oid)) FROM pg_rewrite r JOIN rel c ON c.oid = r.ev_class
    WHERE c.relkind NOT IN ('v', 'm')
  UNION ALL SELECT concat_ws('|', 'm', d.classoid::regclass, d.objoid, d.objsubid, d.description) FROM pg_description d
    WHERE d.objoid IN (SELECT oid FROM rel UNION ALL SELECT oid FROM fn UNION ALL SELECT oid FROM ns)
  UNION ALL SELECT concat_ws('|', 's', m.version, m.name, m.checksum) FROM fk_backfill.schema_migrations m
) AS print(x)`;

/** Empties every table of schema fk_backfill but schema_migrations, its sequences back at their start. */
const EMPTY_OWN_SCHEMA = `DO $$ DECLARE t text; BEGIN
  SELECT string_agg(format('%I.%I', 'fk_backfill', c.relname), ', ') INTO t FROM pg_class c
   WHERE c.relnamespace = 'fk_backfill'::regnamespace AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations';
  IF t IS NOT NULL THEN EXECUTE 'TRUNCATE ' || t || ' RESTART IDENTITY'; END IF;
END $$`;

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
  if (migrated && shared.ownPrint !== undefined && (await ownSchemaPrint(p)) === shared.ownPrint) {
    await p.exec(EMPTY_OWN_SCHEMA);
    return;
  }
  await p.exec(`DROP SCHEMA IF EXISTS fk_backfill CASCADE`);
  if (!migrated) return;
  await migrate(fromPglite(p as never, { owned: false, description: 'memory://' }));
  if (shared.ownPrint === undefined) {
    const print = await ownSchemaPrint(p);
    if (print !== null) shared.ownPrint = print;
  }
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
  await resetPglite(pglite, opts.migrated !== false);
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
