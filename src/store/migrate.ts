import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from '../db/port.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';

export const OWN_SCHEMA = 'fk_backfill';

/** `migrations/` at the package root: two levels up from both src/store and dist/store. */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: readFileSync(dir + f, 'utf8') }));
}

async function appliedVersions(db: Database): Promise<Set<number> | null> {
  try {
    const res = await db.query<{ version: number }>(`SELECT version FROM ${OWN_SCHEMA}.schema_migrations`);
    return new Set(res.rows.map((r) => Number(r.version)));
  } catch (e) {
    if (sqlState(e) === '42P01' || sqlState(e) === '3F000') return null;
    throw wrapDbError(e, 'reading fk_backfill.schema_migrations');
  }
}

/**
 * Brings schema `fk_backfill` up to date. Idempotent; on a server, concurrent callers serialise on an
 * advisory lock. A role that cannot create the schema still works when it is already up to date.
 */
export async function migrate(db: Database): Promise<{ applied: string[] }> {
  const all = listMigrations();
  const done = await appliedVersions(db);
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
      const res = await tx.query<{ version: number }>(`SELECT version FROM ${OWN_SCHEMA}.schema_migrations`);
      const have = new Set(res.rows.map((r) => Number(r.version)));
      const applied: string[] = [];
      for (const m of all) {
        if (have.has(m.version)) continue;
        for (const stmt of splitStatements(m.sql)) await tx.query(stmt);
        await tx.query(`INSERT INTO ${OWN_SCHEMA}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
        applied.push(m.name);
      }
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
