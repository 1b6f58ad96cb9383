import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from '../db/port.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';

export const OWN_SCHEMA = 'fk_backfill';

/** `migrations/` at the package root: two levels up from both src/store and dist/store. */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** sha256 of the text, line endings normalised (a checkout with CRLF hashes the same). */
  checksum: string;
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(dir + f, 'utf8');
      return { version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql, checksum: checksumOf(sql) };
    });
}

/** Who runs, and who owns fk-backfill's schema (a refusal names both). */
const OWNER_STATEMENT = `SELECT current_user::text AS me, (SELECT n.nspowner::regrole::text FROM pg_namespace n WHERE n.nspname = '${OWN_SCHEMA}') AS owner`;

/** Applied versions and their recorded checksums (null: applied before checksums were recorded). */
async function appliedVersions(db: Queryable): Promise<Map<number, string | null> | null> {
  try {
    // to_jsonb: the checksum column exists only from migration 018 on
    const res = await db.query<{ version: number; checksum: string | null }>(
      `SELECT m.version, to_jsonb(m) ->> 'checksum' AS checksum FROM ${OWN_SCHEMA}.schema_migrations m`,
    );
    return new Map(res.rows.map((r) => [Number(r.version), r.checksum]));
  } catch (e) {
    if (sqlState(e) === '42P01' || sqlState(e) === '3F000') return null;
    // the schema exists but another role made it (a first run as its owner, this one as the application's role)
    if (sqlState(e) === '42501') {
      const who = (await db.query<{ me: string; owner: string | null }>(OWNER_STATEMENT).catch(() => ({ rows: [] }))).rows[0];
      const me = who?.me ?? 'this role';
      throw new BackfillError(
        'PERMISSION_DENIED',
        `role ${me} may not use schema ${OWN_SCHEMA}${who?.owner ? ` (owned by ${who.owner})` : ''}: as its owner, GRANT USAGE ON SCHEMA ${OWN_SCHEMA} TO ${me}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${OWN_SCHEMA} TO ${me}; GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${OWN_SCHEMA} TO ${me}; or ALTER SCHEMA ${OWN_SCHEMA} OWNER TO ${me} and its tables with it (docs/permissions.md)`,
        { cause: e },
      );
    }
    throw wrapDbError(e, 'reading fk_backfill.schema_migrations');
  }
}

/**
 * Refuses a schema whose applied migrations differ from the ones this fk-backfill ships (a migration
 * edited after it was applied, or another build's): its tables may not be what the statements expect.
 */
function assertUnchanged(all: Migration[], done: Map<number, string | null>): void {
  const changed = all.filter((m) => {
    const recorded = done.get(m.version);
    return recorded !== undefined && recorded !== null && recorded !== m.checksum;
  });
  if (changed.length === 0) return;
  throw new BackfillError(
    'MIGRATION_MISMATCH',
    `schema ${OWN_SCHEMA} was built by migration(s) ${changed.map((m) => m.name).join(', ')} with other SQL than this fk-backfill ships (checksums differ): use the fk-backfill version that created it, or drop schema ${OWN_SCHEMA} if nothing in it is needed (its runs, plans and change log)`,
    { details: { migrations: changed.map((m) => m.name) } },
  );
}

/**
 * For commands that read a run (undo, its resume, report): brings schema fk_backfill up to date where it exists, and
 * creates nothing where it does not (such a database has no runs: getRun says so, and nothing was written).
 */
export async function migrateIfPresent(db: Database): Promise<void> {
  if ((await appliedVersions(db)) !== null) await migrate(db);
}

/**
 * Brings schema `fk_backfill` up to date. Idempotent; on a server, concurrent callers serialise on an
 * advisory lock. A role that cannot create the schema still works when it is already up to date.
 */
export async function migrate(db: Database): Promise<{ applied: string[] }> {
  const all = listMigrations();
  const done = await appliedVersions(db);
  if (done !== null) assertUnchanged(all, done);
  if (done !== null && all.every((m) => done.has(m.version))) return { applied: [] };
  try {
    return await db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('fk_backfill.migrate'))`);
      // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
      // exists, and the least-privilege setup pre-creates it (docs/permissions.md).
      const has = await tx.query<{ ok: boolean }>(`SELECT to_regnamespace('${OWN_SCHEMA}') IS NOT NULL AS ok`);
      if (has.rows[0]?.ok !== true) await tx.query(`CREATE SCHEMA ${OWN_SCHEMA}`);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${OWN_SCHEMA}.schema_migrations (
           version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const have = (await appliedVersions(tx)) ?? new Map<number, string | null>();
      assertUnchanged(all, have); // another process may have migrated while this one waited for the lock
      const applied: string[] = [];
      for (const m of all) {
        if (have.has(m.version)) continue;
        for (const stmt of splitStatements(m.sql)) await tx.query(stmt);
        await tx.query(`INSERT INTO ${OWN_SCHEMA}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
        applied.push(m.name);
      }
      // every migration this build knows, applied now or before checksums were kept, records its checksum once
      await tx.query(
        `UPDATE ${OWN_SCHEMA}.schema_migrations m SET checksum = x.checksum
           FROM unnest($1::int[], $2::text[]) AS x(version, checksum)
          WHERE m.version = x.version AND m.checksum IS NULL`,
        [all.map((m) => m.version), all.map((m) => m.checksum)],
      );
      return { applied };
    });
  } catch (e) {
    if (sqlState(e) === '42501') {
      throw new BackfillError(
        'PERMISSION_DENIED',
        `cannot create or upgrade schema ${OWN_SCHEMA}: permission denied. Run once as a role with CREATE on the database (see README, Safety).`,
        { cause: e },
      );
    }
    throw wrapDbError(e, `migrating schema ${OWN_SCHEMA}`);
  }
}

/**
 * Splits a migration file into statements at semicolons that end a line outside quotes and
 * dollar-quoted bodies, so each runs as one parameterless statement on every adapter.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  let inSingle = false;
  let inDouble = false;
  let dollar: string | null = null;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (dollar !== null) {
      if (sql.startsWith(dollar, i)) {
        cur += dollar;
        i += dollar.length;
        dollar = null;
        continue;
      }
      cur += ch;
      i++;
      continue;
    }
    if (inSingle) {
      cur += ch;
      if (ch === "'") inSingle = false;
      i++;
      continue;
    }
    if (inDouble) {
      cur += ch;
      if (ch === '"') inDouble = false;
      i++;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl;
      continue;
    }
    if (ch === "'") inSingle = true;
    else if (ch === '"') inDouble = true;
    else if (ch === '$') {
      const m = /^\$[A-Za-z_]*\$/.exec(sql.slice(i));
      if (m) {
        dollar = m[0];
        cur += dollar;
        i += dollar.length;
        continue;
      }
    } else if (ch === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      i++;
      continue;
    }
    cur += ch;
    i++;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
