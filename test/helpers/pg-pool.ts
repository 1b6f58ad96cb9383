/**
 * PostgreSQL test databases used again instead of dropped. `freshDb('postgres')` copied the run's migrated template
 * (CREATE DATABASE, ~8 MB through the WAL) and its dispose dropped the copy (DROP DATABASE, which forces a checkpoint
 * of the whole server): ~0.3 s per test on an idle machine, 0.7 to 2 s while another workload writes. A disposed
 * database is instead reset in place and kept for the worker's next test: every other session on it ended, its
 * settings reset, every schema but fk_backfill dropped (public made again as a new database has it), what the test
 * roles own or were granted in it dropped, fk_backfill's used tables emptied and its sequences set back. Only a
 * database that proves as a copy of the template would be is kept: schema fk_backfill printed equal to the
 * template's (OWN_SCHEMA_PRINT, also its schema_migrations rows), and the database itself (its row, schemas, counts
 * of catalog objects outside any schema) equal to a copy's right after CREATE; anything else is dropped as before.
 * Named after the run's template, so the run's globalSetup drops what the workers kept (dropPooled).
 */
import pg from 'pg';
import { EMPTY_OWN_SCHEMA, OWN_SCHEMA_PRINT } from './own-schema.js';

/** What makes a database a pristine copy of the template, outside schema fk_backfill (one text to compare). */
const DATABASE_PRINT = `SELECT concat_ws('|',
  (SELECT concat_ws(':', datdba::regrole, datacl, datconnlimit, datallowconn, datistemplate, datcollate, datctype)
     FROM pg_database WHERE datname = current_database()),
  (SELECT count(*) FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())),
  (SELECT string_agg(concat_ws(':', nspname, nspowner::regrole, nspacl, obj_description(oid, 'pg_namespace')), ',' ORDER BY nspname)
     FROM pg_namespace WHERE nspname !~ '^pg_(toast_)?temp_' AND nspname <> 'fk_backfill'),
  (SELECT count(*) FROM pg_class), (SELECT count(*) FROM pg_proc), (SELECT count(*) FROM pg_type),
  (SELECT count(*) FROM pg_operator), (SELECT count(*) FROM pg_cast), (SELECT count(*) FROM pg_collation),
  (SELECT count(*) FROM pg_extension), (SELECT count(*) FROM pg_language), (SELECT count(*) FROM pg_event_trigger),
  (SELECT count(*) FROM pg_publication), (SELECT count(*) FROM pg_foreign_data_wrapper), (SELECT count(*) FROM pg_foreign_server),
  (SELECT count(*) FROM pg_user_mapping), (SELECT count(*) FROM pg_default_acl), (SELECT count(*) FROM pg_largeobject_metadata),
  (SELECT count(*) FROM pg_ts_config), (SELECT count(*) FROM pg_conversion), (SELECT count(*) FROM pg_transform),
  (SELECT count(*) FROM pg_shdepend WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()))) AS print`;

/**
 * Drops every schema but fk_backfill and the system's, makes public as CREATE DATABASE gives it (PostgreSQL 15 on),
 * then what each role (but the bootstrap superuser) still owns or was granted in this database.
 */
const RESET_DATABASE = `DO $$ DECLARE s record; BEGIN
  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('information_schema', 'fk_backfill') AND nspname NOT LIKE 'pg\\_%' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s.nspname);
  END LOOP;
  CREATE SCHEMA public AUTHORIZATION pg_database_owner;
  GRANT USAGE ON SCHEMA public TO PUBLIC;
  COMMENT ON SCHEMA public IS 'standard public schema';
  FOR s IN SELECT DISTINCT a.rolname FROM pg_shdepend d JOIN pg_authid a ON a.oid = d.refobjid
            WHERE d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND d.refclassid = 'pg_authid'::regclass
              AND a.oid <> 10 LOOP
    EXECUTE format('DROP OWNED BY %I CASCADE', s.rolname);
  END LOOP;
END $$`;

interface Prints {
  own: string;
  database: string;
}

interface PoolState {
  /** Reset databases waiting for a test, per template. */
  free: Map<string, string[]>;
  /** The prints of a copy of each template right after CREATE DATABASE. */
  prints: Map<string, Prints>;
}
const POOL = Symbol.for('fk-backfill.test.pg-pool');
const state: PoolState = ((globalThis as { [POOL]?: PoolState })[POOL] ??= { free: new Map(), prints: new Map() });

/** `fkb_tpl_<pid>_<hex>` gives `fkb_p_<hex>_`: the prefix of the pooled copies of that template. */
function prefixOf(template: string): string {
  return `fkb_p_${template.split('_').pop() ?? ''}_`;
}

function urlOf(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function printsOf(c: pg.Client): Promise<Prints> {
  const own = (await c.query<{ print: string }>(OWN_SCHEMA_PRINT)).rows[0]!.print;
  const database = (await c.query<{ print: string }>(DATABASE_PRINT)).rows[0]!.print;
  return { own, database };
}

/** A database copied from `template` (migrated), a kept one when there is one: its name. */
export async function takePooled(adminUrl: string, template: string, randomName: string): Promise<string> {
  const kept = state.free.get(template)?.pop();
  if (kept !== undefined) return kept;
  const name = prefixOf(template) + randomName;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  if (!state.prints.has(template)) state.prints.set(template, await withClient(urlOf(adminUrl, name), printsOf));
  return name;
}

/**
 * After a test: `name` reset and kept for the next (true), or, when it cannot be shown to be as new, dropped
 * (false; also when resetting failed).
 */
export async function recyclePooled(adminUrl: string, template: string, name: string): Promise<boolean> {
  const kept = await reset(adminUrl, template, name).catch(() => false);
  if (kept) {
    let free = state.free.get(template);
    if (free === undefined) state.free.set(template, (free = []));
    free.push(name);
    return true;
  }
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  return false;
}

async function reset(adminUrl: string, template: string, name: string): Promise<boolean> {
  const want = state.prints.get(template);
  if (want === undefined) return false;
  return withClient(urlOf(adminUrl, name), async (c) => {
    // what DROP DATABASE … WITH (FORCE) did: the test's sessions left open, its CLI children, ended; waited for
    for (let i = 0; ; i++) {
      const left = await c.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      if (left.rows[0]!.n === 0) break;
      if (i === 100) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    const prepared = await c.query(`SELECT 1 FROM pg_prepared_xacts WHERE database = current_database()`);
    if (prepared.rowCount !== 0) return false;
    // settings a test gave the database (ALTER DATABASE … SET, ALTER ROLE … IN DATABASE … SET)
    const settings = await c.query<{ role: string | null }>(
      `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE s.setrole::regrole::text END AS role FROM pg_db_role_setting s
        WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    for (const s of settings.rows) {
      await c.query(s.role === null ? `ALTER DATABASE ${name} RESET ALL` : `ALTER ROLE ${s.role} IN DATABASE ${name} RESET ALL`);
    }
    await c.query(RESET_DATABASE);
    const has = await c.query<{ ok: boolean }>(`SELECT to_regclass('fk_backfill.schema_migrations') IS NOT NULL AS ok`);
    if (has.rows[0]?.ok !== true) return false;
    const got = await printsOf(c);
    if (got.own !== want.own || got.database !== want.database) return false;
    await c.query(EMPTY_OWN_SCHEMA);
    return true;
  });
}

/** globalSetup's teardown: drops the copies of `template` the workers kept. */
export async function dropPooled(adminUrl: string, template: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const names = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [
      prefixOf(template),
    ]);
    for (const { datname } of names.rows) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  });
}
