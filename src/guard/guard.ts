/**
 * The write-time guard (issue #20): `installGuard` puts a trigger on each link's source table that fills
 * a NULL FK from what the project already trusts (see sql/guard.ts for the rules), `guardStatus` says
 * where it is installed and what it did, `removeGuard` drops exactly what install created.
 *
 * Audit and undo reuse the change log: install records a run of kind 'guard'; every row the trigger
 * links is a row of guard_links (narrow and unindexed, so a guarded write stays cheap), which
 * `undo --run <guard run>` first moves into change sets of that run (flushGuardLinks) and then reverts
 * with the same statement and the same rule as an apply's (only rows that still hold the value written).
 */
import { adapt } from '../db/index.js';
import { num, type Database, type Queryable } from '../db/port.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';
import type { ResolvedLink } from '../context/catalog.js';
import { prepare, shape, type CommonOptions } from '../context/context.js';
import { guardFunctionSql, guardNames, guardTriggerSql, type GuardShape } from '../sql/guard.js';
import { ident } from '../sql/quote.js';
import { migrate } from '../store/migrate.js';
import { createRun, failRun, finishRun } from '../store/runs.js';

export interface GuardInstallOptions extends Pick<CommonOptions, 'config' | 'entities'> {
  executedBy?: string | null;
  /** Longest wait for the source table's lock (CREATE TRIGGER waits for running writes); default 10 s. */
  lockTimeoutMs?: number;
}

export interface InstalledGuard {
  entityType: string;
  table: string;
  trigger: string;
  function: string;
  /** A guard of this link was installed before: replaced (its run ends). */
  replaced: boolean;
}

export interface GuardInstallResult {
  runId: string;
  guards: InstalledGuard[];
  /** Rows of fk_backfill.aliases the guard reads for these links after the refresh. */
  aliases: { decision: number; apply: number };
}

/** `"schema"."table"` of a relation by oid (the trigger function pins its search_path). */
async function qualifiedByOid(db: Queryable, oid: number): Promise<string | null> {
  const r = await db.query<{ q: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS q FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid`,
    [oid],
  );
  return r.rows[0]?.q ?? null;
}

async function guardShape(db: Queryable, l: ResolvedLink): Promise<GuardShape> {
  const src = await qualifiedByOid(db, l.sourceOid);
  const tgt = await qualifiedByOid(db, l.targetOid);
  if (src === null || tgt === null) throw new BackfillError('SCHEMA_MISSING_TABLE', `${l.entity}: source or target table vanished`);
  return { ...shape(l), entity: l.entity, sourceQualified: src, targetQualified: tgt, tableName: l.config.table };
}

interface GuardRow {
  link: string;
  run_id: string;
  table_oid: number;
  table_name: string;
  trigger_name: string;
  function_name: string;
  installed_at: string;
}

async function guardRows(db: Queryable, links: readonly string[] | null): Promise<GuardRow[]> {
  try {
    const r = await db.query<GuardRow>(
      `SELECT link, run_id::text AS run_id, table_oid::int8 AS table_oid, table_name, trigger_name, function_name, installed_at::text AS installed_at
         FROM fk_backfill.guards WHERE $1::text[] IS NULL OR link = ANY ($1::text[]) ORDER BY link`,
      [links],
    );
    return r.rows.map((x) => ({ ...x, table_oid: num(x.table_oid) }));
  } catch (e) {
    if (sqlState(e) === '42P01' || sqlState(e) === '3F000') return []; // nothing ever installed here
    throw wrapDbError(e, 'reading fk_backfill.guards');
  }
}

/** Drops one guard's trigger and function (what install created) and its registry row. */
async function dropGuard(tx: Queryable, g: GuardRow): Promise<void> {
  const table = await qualifiedByOid(tx, g.table_oid);
  if (table !== null) await tx.query(`DROP TRIGGER IF EXISTS ${ident(g.trigger_name)} ON ${table}`);
  await tx.query(`DROP FUNCTION IF EXISTS fk_backfill.${ident(g.function_name)}()`);
  await tx.query(`DELETE FROM fk_backfill.guards WHERE link = $1`, [g.link]);
}

/** Ends guard runs no guard refers to any more, with what they did as summary. */
async function finishOrphanRuns(db: Queryable, runIds: string[]): Promise<void> {
  for (const id of new Set(runIds)) {
    const still = await db.query(`SELECT 1 FROM fk_backfill.guards WHERE run_id = $1::int8`, [id]);
    if (still.rows.length > 0) continue;
    const c = await counts(db, id, null);
    await finishRun(db, id, 'done', { removed: true, hits: c.hits, misses: c.misses });
  }
}

interface Counts {
  hits: number;
  misses: number;
  byMethod: Record<string, number>;
  byReason: Record<string, number>;
}

async function counts(db: Queryable, runId: string, link: string | null): Promise<Counts> {
  // links still in guard_links and those an undo moved into change sets (read only: status moves nothing)
  const sets = `SELECT cs.method, sum(cardinality(cs.row_keys)) AS n FROM fk_backfill.change_sets cs
        WHERE cs.run_id = $1::int8 AND ($2::text IS NULL OR cs.link = $2) GROUP BY 1`;
  const staged = `SELECT g.method, count(*) FROM fk_backfill.guard_links g
        WHERE g.run_id = $1::int8 AND ($2::text IS NULL OR g.link = $2) GROUP BY 1`;
  const byMethodOf = (from: string): string => `SELECT x.method, sum(x.n)::int8 AS n FROM (${from}) x GROUP BY 1`;
  let h: { rows: { method: string | null; n: unknown }[] };
  try {
    h = await db.query<{ method: string | null; n: unknown }>(byMethodOf(`${sets}\n       UNION ALL\n       ${staged}`), [runId, link]);
  } catch (e) {
    // a schema before migration 017 (a guard installed by an older version logs change sets only)
    if (sqlState(e) !== '42P01') throw e;
    h = await db.query<{ method: string | null; n: unknown }>(byMethodOf(sets), [runId, link]);
  }
  const m = await db.query<{ reason: string; n: unknown }>(
    `SELECT m.reason, count(*)::int8 AS n FROM fk_backfill.guard_misses m WHERE m.run_id = $1::int8 AND ($2::text IS NULL OR m.link = $2) GROUP BY 1`,
    [runId, link],
  );
  const byMethod: Record<string, number> = {};
  for (const r of h.rows) byMethod[r.method ?? 'unknown'] = num(r.n);
  const byReason: Record<string, number> = {};
  for (const r of m.rows) byReason[r.reason] = num(r.n);
  const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
  return { hits: sum(byMethod), misses: sum(byReason), byMethod, byReason };
}

/**
 * Moves the links guard run `runId` logged in guard_links into change sets (one per link and method, at
 * most 10,000 rows each), where `undo` finds them. Returns how many it moved.
 */
export async function flushGuardLinks(db: Queryable, runId: string): Promise<number> {
  try {
    const r = await db.query<{ n: unknown }>(`SELECT fk_backfill.flush_guard_links($1::int8) AS n`, [runId]);
    return num(r.rows[0]?.n);
  } catch (e) {
    throw wrapDbError(e, `moving the links of guard run ${runId} into the change log`);
  }
}

/**
 * Installs (or replaces) the guard of every configured link (or those named). One transaction: the
 * alias table is recomputed from decisions and finished applies, then per link the trigger function
 * and the trigger are created and registered. A guard already installed for a link is replaced and its
 * run ended; the new guards log under one new run of kind 'guard'.
 */
export async function installGuard(handle: unknown, opts: GuardInstallOptions = {}): Promise<GuardInstallResult> {
  const ctx = await prepare(handle, { ...(opts.config !== undefined ? { config: opts.config } : {}), ...(opts.entities !== undefined ? { entities: opts.entities } : {}), allTenants: true });
  const entities = ctx.links.map((l) => l.entity);
  for (const l of ctx.links) {
    if (l.citus !== null && l.citus.source.kind !== 'local') {
      // the trigger reads fk_backfill's tables, which live on the coordinator only; a shard's trigger cannot
      throw new BackfillError(
        'CITUS_UNSUPPORTED',
        `${l.entity}: the guard is a trigger on ${l.config.table}, a Citus ${l.citus.source.kind} table: its shards cannot read fk_backfill's tables on the coordinator. Run \`fk-backfill drift\` after loads instead (nothing was installed)`,
      );
    }
  }
  const shapes: GuardShape[] = [];
  for (const l of ctx.links) shapes.push(await guardShape(ctx.db, l));
  const runId = await createRun(ctx.db, {
    kind: 'guard',
    tenant: null,
    entities,
    executedBy: opts.executedBy ?? null,
    dryRun: false,
    configHash: ctx.configHash,
    config: ctx.config,
    options: { mode: 'trigger' },
  });
  try {
    const { guards, oldRuns, aliases } = await ctx.db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('lock_timeout', $1, true)`, [`${Math.max(1, Math.round(opts.lockTimeoutMs ?? 10_000))}ms`]);
      // writers of decisions and finishing runs wait here; the guard's own reads of aliases do not
      await tx.query(`LOCK TABLE fk_backfill.aliases IN SHARE ROW EXCLUSIVE MODE`);
      await tx.query(`SELECT fk_backfill.refresh_aliases($1::text[])`, [entities]);
      const old = await guardRows(tx, entities);
      const out: InstalledGuard[] = [];
      for (const g of shapes) {
        const prev = old.find((o) => o.link === g.entity);
        if (prev !== undefined) await dropGuard(tx, prev);
        const names = guardNames(g.entity);
        await tx.query(guardFunctionSql(g, names, runId));
        await tx.query(guardTriggerSql(g, names));
        const l = ctx.links.find((x) => x.entity === g.entity)!;
        await tx.query(
          `INSERT INTO fk_backfill.guards (link, run_id, table_oid, table_name, trigger_name, function_name, installed_by)
           VALUES ($1, $2::int8, $3::oid, $4, $5, $6, $7)`,
          [g.entity, runId, l.sourceOid, g.sourceQualified, names.trigger, names.fn, opts.executedBy ?? null],
        );
        out.push({ entityType: g.entity, table: l.config.table, trigger: names.trigger, function: `fk_backfill.${names.fn}`, replaced: prev !== undefined });
      }
      const a = await tx.query<{ origin: string; n: unknown }>(`SELECT origin, count(*)::int8 AS n FROM fk_backfill.aliases WHERE link = ANY ($1::text[]) GROUP BY 1`, [entities]);
      const byOrigin = Object.fromEntries(a.rows.map((r) => [r.origin, num(r.n)]));
      return { guards: out, oldRuns: old.map((o) => o.run_id), aliases: { decision: byOrigin['decision'] ?? 0, apply: byOrigin['apply'] ?? 0 } };
    });
    await finishOrphanRuns(ctx.db, oldRuns);
    return { runId, guards, aliases };
  } catch (e) {
    throw await failRun(ctx.db, runId, e, 'installing the guard');
  }
}

export interface GuardStatusLink {
  entityType: string;
  table: string;
  runId: string;
  trigger: string;
  function: string;
  installedAt: string;
  /** The trigger and function are there and the trigger is enabled. */
  active: boolean;
  /** Rows the guard linked since install (by method: decision, exact, alias). */
  hits: number;
  misses: number;
  byMethod: Record<string, number>;
  /** Why names stayed unlinked: unmatched, ambiguous, decision, decision/alias target unavailable. */
  byReason: Record<string, number>;
}

export interface GuardStatus {
  guards: GuardStatusLink[];
}

/** Where the guard is installed and what it did since (hits = rows linked, misses = names left NULL). */
export async function guardStatus(handle: unknown, opts: { entities?: readonly string[] } = {}): Promise<GuardStatus> {
  const db = adapt(handle);
  const rows = await guardRows(db, opts.entities !== undefined && opts.entities.length > 0 ? opts.entities : null);
  const out: GuardStatusLink[] = [];
  for (const g of rows) {
    const live = await db.query<{ ok: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = $1::oid AND t.tgname = $2 AND t.tgenabled <> 'D')
          AND EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = 'fk_backfill'::regnamespace AND p.proname = $3) AS ok`,
      [g.table_oid, g.trigger_name, g.function_name],
    );
    const c = await counts(db, g.run_id, g.link);
    out.push({
      entityType: g.link,
      table: g.table_name,
      runId: g.run_id,
      trigger: g.trigger_name,
      function: `fk_backfill.${g.function_name}`,
      installedAt: g.installed_at,
      active: live.rows[0]?.ok === true,
      ...c,
    });
  }
  return { guards: out };
}

export interface GuardRemoveResult {
  removed: { entityType: string; table: string; trigger: string; function: string; runId: string }[];
}

/** Drops the triggers and functions install created (all, or those of the named links), in one transaction. */
export async function removeGuard(handle: unknown, opts: { entities?: readonly string[] } = {}): Promise<GuardRemoveResult> {
  const db: Database = adapt(handle);
  const named = opts.entities !== undefined && opts.entities.length > 0 ? opts.entities : null;
  const rows = await guardRows(db, named);
  if (named !== null) {
    const missing = named.filter((e) => !rows.some((r) => r.link === e));
    if (missing.length > 0) throw new BackfillError('NOT_FOUND', `no guard installed for ${missing.map((m) => `"${m}"`).join(', ')}; nothing removed`);
  }
  if (rows.length === 0) return { removed: [] };
  await migrate(db);
  try {
    await db.transaction(async (tx) => {
      for (const g of rows) await dropGuard(tx, g);
    });
  } catch (e) {
    throw wrapDbError(e, 'removing the guard');
  }
  await finishOrphanRuns(db, rows.map((r) => r.run_id));
  return { removed: rows.map((g) => ({ entityType: g.link, table: g.table_name, trigger: g.trigger_name, function: `fk_backfill.${g.function_name}`, runId: g.run_id })) };
}
