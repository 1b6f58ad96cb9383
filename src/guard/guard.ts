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
import { type Database, type Queryable } from '../db/port.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';
import { sleep } from '../batch/sleep.js';
import type { Config } from '../config/schema.js';
import { staleGuard } from './stale.js';
import type { ResolvedLink } from '../context/catalog.js';
import { prepare, shape, type CommonOptions } from '../context/context.js';
import {
  dropGuardSql,
  guardFunctionSql,
  guardLiveStatement,
  guardNames,
  guardRightsStatement,
  guardTriggerSql,
  type GuardShape,
  lockTimeoutStatement,
  partitionKeysStatement,
  qualifiedByOidStatement,
} from '../sql/guard.js';
import {
  aliasCounts,
  deleteGuardRow,
  guardCounts,
  guardRows,
  guardRunInUse,
  type GuardRow,
  insertGuardRow,
  refreshAliasesLocked,
} from '../store/guards.js';
import { fkChecksStatement } from '../sql/context.js';
import { pinnedSearchPathStatement } from '../sql/session.js';
import { runTables } from '../context/run-tables.js';
import { displayQualified, ident } from '../sql/quote.js';
import { lookupIndexNotices } from './lookup-index.js';
import { migrate } from '../store/migrate.js';
import { createRun, failRun, finishRun } from '../store/runs.js';

export interface GuardInstallOptions extends Pick<CommonOptions, 'config' | 'entities'> {
  executedBy?: string | null;
  /**
   * Longest time spent trying for the source tables' locks (CREATE TRIGGER waits for running writes); default 10 s. Each
   * attempt waits at most GUARD_LOCK_TRY_MS, then rolls back and tries again after a pause.
   */
  lockTimeoutMs?: number;
}

/**
 * The most one attempt of the install waits for a lock. Holding one table's trigger lock while waiting for the next
 * table's blocks the first one's writers: with one 10 s wait, a transaction open on one table stalled every insert
 * into another for 10 s, then the install failed (a new user's trial).
 */
const GUARD_LOCK_TRY_MS = 500;

export interface InstalledGuard {
  entityType: string;
  /** The source table, schema-qualified as guardStatus and removeGuard name it and other commands show a table (`public.invoices`, `Billing.Claims`). */
  table: string;
  trigger: string;
  function: string;
  /** A guard of this link was installed before: replaced (its run ends). */
  replaced: boolean;
}

export interface GuardInstallResult {
  runId: string;
  guards: InstalledGuard[];
  /**
   * What the guard reads for these links after the refresh (fk_backfill.aliases): aliases from review decisions and
   * from applied runs, and names decided never (or create), which it leaves unlinked.
   */
  aliases: { decision: number; apply: number; never: number };
  /** What the guard cannot honour on these tables (their own BEFORE UPDATE triggers on the FK); present only then. */
  notices?: string[];
}

/**
 * The guard's trigger runs last of a table's BEFORE triggers (they fire in name order), so the application's own
 * BEFORE UPDATE triggers on the FK never see the value it sets: one that refuses FK changes (a lock on posted
 * documents) is passed over on an UPDATE (a trial: 9 locked bills linked, which apply had left). CHECKs are tested.
 */
function triggerNotices(links: readonly ResolvedLink[]): string[] {
  return links.flatMap((l) => {
    const own = l.updateTriggers.filter((g) => g.before).map((g) => g.name);
    return own.length === 0
      ? []
      : [
          `${l.entity}: ${l.config.table} has BEFORE UPDATE trigger(s) of its own on ${l.config.fk} (${own.join(', ')}); they run before the guard, so on an UPDATE they do not see the ${l.config.fk} it sets (a trigger that refuses FK changes is passed over; CHECK constraints are honoured). If one of them polices ${l.config.fk}, leave those rows to apply, which honours it: fk-backfill guard remove --entity ${l.entity} --yes`,
        ];
  });
}

/** `"schema"."table"` of a relation by oid (the trigger function pins its search_path). */
async function qualifiedByOid(db: Queryable, oid: number): Promise<string | null> {
  return (await db.query(qualifiedByOidStatement(oid))).rows[0]?.q ?? null;
}

async function guardShape(db: Database, l: ResolvedLink): Promise<GuardShape> {
  const srcRow = (await db.query(qualifiedByOidStatement(l.sourceOid))).rows[0];
  const src = srcRow?.q ?? null;
  const tgt = await qualifiedByOid(db, l.targetOid);
  const partitionKeys =
    srcRow?.partitioned === true ? ((await db.query(partitionKeysStatement(l.sourceOid))).rows[0]?.cols ?? null) : undefined;
  if (src === null || tgt === null) throw new BackfillError('SCHEMA_MISSING_TABLE', `${l.entity}: source or target table vanished`);
  // every CHECK over the FK, BEFORE UPDATE triggers or not: the guard runs last of the table's BEFORE triggers, so the
  // row it tests is the row the table checks (apply reads them only where no trigger may change that row)
  // read under the guard function's own search_path, so their types and functions come schema-qualified (an enum
  // in public printed bare made every insert fail inside the function: type "kind_t" does not exist)
  const fkChecks = await db.transaction(async (tx) => {
    await tx.query(pinnedSearchPathStatement());
    return (await tx.query(fkChecksStatement(l.sourceOid, [l.config.fk]))).rows;
  });
  return {
    ...shape(l),
    fkChecks,
    sourceOid: l.sourceOid,
    entity: l.entity,
    sourceQualified: src,
    targetQualified: tgt,
    tableName: l.config.table,
    ...(partitionKeys !== undefined ? { partitionKeys } : {}),
  };
}

/**
 * Refuses to replace a guard installed on another table than the link's (a second config using the entity name for
 * another table): the replacement dropped the first table's guard without a word and read the other table's aliases
 * and decisions, which are kept per entity name. The same table is its oid, or its name where that oid is gone (the
 * table dropped and created again).
 */
async function refuseMovedGuards(db: Queryable, shapes: readonly GuardShape[], installed: readonly GuardRow[]): Promise<void> {
  for (const g of shapes) {
    const prev = installed.find((o) => o.link === g.entity);
    if (prev === undefined || prev.table_oid === g.sourceOid) continue;
    const now = await qualifiedByOid(db, prev.table_oid);
    if (now === null && prev.table_name === g.sourceQualified) continue;
    const on = displayQualified(now ?? prev.table_name);
    const reads = displayQualified(g.sourceQualified);
    throw new BackfillError(
      'CONFIG_INVALID',
      `${g.entity}: its guard is installed on ${on}, but this config's link reads ${reads}; nothing was installed. Remove that guard first (fk-backfill guard remove --entity ${g.entity} --yes) or give this link another entity name (decisions and aliases belong to the entity name)`,
      { details: { entity: g.entity, installedOn: on, table: reads } },
    );
  }
}

/** Drops one guard's trigger and function (what install created) and its registry row. */
async function dropGuard(tx: Queryable, g: GuardRow): Promise<void> {
  for (const sql of dropGuardSql(await qualifiedByOid(tx, g.table_oid), g.trigger_name, g.function_name)) await tx.query(sql);
  await deleteGuardRow(tx, g.link);
}

/** Ends guard runs no guard refers to any more, with what they did as summary. */
async function finishOrphanRuns(db: Queryable, runIds: string[]): Promise<void> {
  for (const id of new Set(runIds)) {
    if (await guardRunInUse(db, id)) continue;
    const c = await guardCounts(db, id, null);
    await finishRun(db, id, 'done', { removed: true, hits: c.hits, undone: c.undone, misses: c.misses });
  }
}

/**
 * Installs (or replaces) the guard of every configured link (or those named). One transaction: the
 * alias table is recomputed from decisions and finished applies, then per link the trigger function
 * and the trigger are created and registered. A guard already installed for a link is replaced and its
 * run ended; the new guards log under one new run of kind 'guard'.
 */
export async function installGuard(handle: unknown, opts: GuardInstallOptions = {}): Promise<GuardInstallResult> {
  const ctx = await prepare(
    handle,
    {
      ...(opts.config !== undefined ? { config: opts.config } : {}),
      ...(opts.entities !== undefined ? { entities: opts.entities } : {}),
      allTenants: true,
    },
    { bind: true },
  );
  const entities = ctx.links.map((l) => l.entity);
  const self = ctx.links.find((l) => l.selfNamed !== null);
  if (self !== undefined) throw new BackfillError('CONFIG_INVALID', self.selfNamed!, { details: { entity: self.entity } });
  for (const l of ctx.links) {
    if (l.citus !== null && l.citus.source.kind !== 'local') {
      // the trigger reads fk_backfill's tables, which live on the coordinator only; a shard's trigger cannot
      throw new BackfillError(
        'CITUS_UNSUPPORTED',
        `${l.entity}: the guard is a trigger on ${l.config.table}, a Citus ${l.citus.source.kind} table: its shards cannot read fk_backfill's tables on the coordinator. Run \`fk-backfill drift\` after loads instead (nothing was installed)`,
      );
    }
  }
  for (const l of ctx.links) {
    if (l.generatedReads.length > 0) {
      // a BEFORE trigger sees a generated column's value only after the row is written (NULL in NEW, and PostgreSQL
      // refuses a WHEN that names it): the guard could never read the name it links by
      throw new BackfillError(
        'GUARD_UNSUPPORTED',
        `${l.entity}: ${l.config.table}.${l.generatedReads.join(', ')} ${l.generatedReads.length > 1 ? 'are generated columns' : 'is a generated column'} (GENERATED ALWAYS AS … STORED): the guard's BEFORE trigger cannot read ${l.generatedReads.length > 1 ? 'them' : 'it'} before the row is written. Run \`fk-backfill drift\` and \`apply\` after loads instead (nothing was installed)`,
      );
    }
  }
  for (const l of ctx.links) await assertMayGuard(ctx.db, l);
  const shapes: GuardShape[] = [];
  for (const l of ctx.links) shapes.push(await guardShape(ctx.db, l));
  await refuseMovedGuards(ctx.db, shapes, await guardRows(ctx.db, entities));
  const runId = await createRun(ctx.db, {
    kind: 'guard',
    tenant: null,
    entities,
    executedBy: opts.executedBy ?? null,
    dryRun: false,
    configHash: ctx.configHash,
    config: ctx.config,
    options: { mode: 'trigger', tables: await runTables(ctx.db, ctx.links) },
  });
  const budget = opts.lockTimeoutMs ?? 10_000;
  const started = Date.now();
  try {
    const { guards, oldRuns, aliases } = await lockRetried(budget, started, 'install', () =>
      ctx.db.transaction(async (tx) => {
        await tx.query(lockTimeoutStatement(Math.min(GUARD_LOCK_TRY_MS, budget)));
        await refreshAliasesLocked(tx, entities);
        const old = await guardRows(tx, entities);
        await refuseMovedGuards(tx, shapes, old); // one installed meanwhile
        const out: InstalledGuard[] = [];
        for (const g of shapes) {
          const prev = old.find((o) => o.link === g.entity);
          if (prev !== undefined) await dropGuard(tx, prev);
          const names = guardNames(g.entity);
          await tx.query(guardFunctionSql(g, names, runId));
          await tx.query(guardTriggerSql(g, names));
          const l = ctx.links.find((x) => x.entity === g.entity)!;
          await insertGuardRow(tx, {
            link: g.entity,
            runId,
            tableOid: l.sourceOid,
            tableName: g.sourceQualified,
            trigger: names.trigger,
            fn: names.fn,
            installedBy: opts.executedBy ?? null,
          });
          out.push({
            entityType: g.entity,
            // schema-qualified as guardStatus and removeGuard name it (they read it back from fk_backfill.guards): before,
            // install said `invoices` where status said `public.invoices`; shown as other commands show a table
            // (`Billing.Claims`), the record keeping the quoted form
            table: displayQualified(g.sourceQualified),
            trigger: names.trigger,
            function: `fk_backfill.${names.fn}`,
            replaced: prev !== undefined,
          });
        }
        return { guards: out, oldRuns: old.map((o) => o.run_id), aliases: await aliasCounts(tx, entities) };
      }),
    );
    await finishOrphanRuns(ctx.db, oldRuns);
    const notices = [...triggerNotices(ctx.links), ...(await lookupIndexNotices(ctx.db, ctx.links))];
    return { runId, guards, aliases, ...(notices.length > 0 ? { notices } : {}) };
  } catch (e) {
    throw await failRun(ctx.db, runId, e, 'installing the guard');
  }
}

/**
 * The role may create the guard of `l`: TRIGGER on its table, CREATE on fk_backfill. Refused before a run is recorded,
 * naming the owner and the GRANT (a trial's least-privilege role got "permission denied for table Claims" and a failed
 * guard run).
 */
async function assertMayGuard(db: Queryable, l: ResolvedLink): Promise<void> {
  const r = (await db.query(guardRightsStatement(l.sourceOid))).rows[0];
  if (r === undefined || (r.may_trigger && r.may_create)) return;
  const message = !r.may_trigger
    ? `guard install: role ${r.who} may not create a trigger on ${l.config.table} (owned by ${r.owner}): run it as ${r.owner}, or GRANT TRIGGER ON ${r.q} TO ${ident(r.who)} (docs/permissions.md); nothing installed`
    : `guard install: role ${r.who} may not create the guard's function in schema fk_backfill: GRANT CREATE ON SCHEMA fk_backfill TO ${ident(r.who)} (docs/permissions.md); nothing installed`;
  throw new BackfillError('PERMISSION_DENIED', message, { details: { table: l.config.table } });
}

/**
 * `attempt` again while it fails on a lock timeout (55P03), pausing between tries, until `budgetMs` since `started`:
 * each try waits at most GUARD_LOCK_TRY_MS for a table's lock, so no writer queued behind it waits longer.
 */
async function lockRetried<T>(budgetMs: number, started: number, verb: 'install' | 'remove', attempt: () => Promise<T>): Promise<T> {
  for (let pause = 100, n = 1; ; pause = Math.min(2000, pause * 2), n++) {
    try {
      return await attempt();
    } catch (e) {
      if (sqlState(e) !== '55P03') throw e;
      if (Date.now() - started + pause >= budgetMs)
        throw new BackfillError(
          'LOCK_TIMEOUT',
          `${verb === 'install' ? 'installing' : 'removing'} the guard: a table's lock stayed taken by another session through ${n} attempt(s) over ${Math.round((Date.now() - started) / 1000)} s (each waiting at most ${GUARD_LOCK_TRY_MS} ms, so no writer waited longer); nothing was ${verb === 'install' ? 'installed' : 'removed'}. Find the open transaction (pg_stat_activity, pg_locks), then ${verb} again`,
          { cause: e },
        );
      await sleep(pause);
    }
  }
}

export interface GuardStatusLink {
  entityType: string;
  /** The source table, schema-qualified as other commands show it (`public.invoices`, `Billing.Claims`; stored quoted). */
  table: string;
  runId: string;
  trigger: string;
  function: string;
  installedAt: string;
  /** The trigger and function are there and the trigger is enabled. */
  active: boolean;
  /** Rows the guard linked since install (by method: decision, exact, alias), but those an undo of its run set back. */
  hits: number;
  /** Links an undo of the guard's run set back since: not hits (`undo --run` of a guard run that stays installed). */
  undone: number;
  misses: number;
  byMethod: Record<string, number>;
  /** Why names stayed unlinked: unmatched, ambiguous, decision, decision/alias target unavailable. */
  byReason: Record<string, number>;
}

export interface GuardStatus {
  guards: GuardStatusLink[];
  /** Guards whose link the config (given) defines otherwise since install, or no longer has (guard/stale.ts). */
  warnings?: string[];
}

/**
 * Where the guard is installed and what it did since (hits = rows linked, misses = names left NULL); with `config`
 * (the CLI's, when a config file is found), which guards it defines otherwise since their install.
 */
export async function guardStatus(handle: unknown, opts: { entities?: readonly string[]; config?: Config } = {}): Promise<GuardStatus> {
  const db = adapt(handle);
  const rows = await guardRows(db, opts.entities !== undefined && opts.entities.length > 0 ? opts.entities : null);
  const out: GuardStatusLink[] = [];
  const warnings: string[] = [];
  for (const g of rows) {
    const stale = opts.config === undefined ? null : await staleGuard(db, g, opts.config);
    if (stale !== null) warnings.push(stale);
    const live = await db.query(guardLiveStatement(g.table_oid, g.trigger_name, g.function_name));
    const c = await guardCounts(db, g.run_id, g.link);
    out.push({
      entityType: g.link,
      table: displayQualified(g.table_name),
      runId: g.run_id,
      trigger: g.trigger_name,
      function: `fk_backfill.${g.function_name}`,
      installedAt: g.installed_at,
      active: live.rows[0]?.ok === true,
      ...c,
    });
  }
  return { guards: out, ...(warnings.length > 0 ? { warnings } : {}) };
}

export interface GuardRemoveResult {
  removed: { entityType: string; table: string; trigger: string; function: string; runId: string }[];
}

/**
 * Drops the triggers and functions install created (all, or those of the named links), in one transaction, taking
 * each table's lock as install does: a try waits at most GUARD_LOCK_TRY_MS, tried again until `lockTimeoutMs` (10 s),
 * then LOCK_TIMEOUT, nothing removed (a new user's trial: DROP TRIGGER queued behind a long read, with no lock_timeout,
 * and every insert of the application queued behind it for as long).
 */
export async function removeGuard(
  handle: unknown,
  opts: { entities?: readonly string[]; lockTimeoutMs?: number } = {},
): Promise<GuardRemoveResult> {
  const db: Database = adapt(handle);
  const named = opts.entities !== undefined && opts.entities.length > 0 ? opts.entities : null;
  const rows = await guardRows(db, named);
  if (named !== null) {
    const missing = named.filter((e) => !rows.some((r) => r.link === e));
    if (missing.length > 0)
      throw new BackfillError('NOT_FOUND', `no guard installed for ${missing.map((m) => `"${m}"`).join(', ')}; nothing removed`);
  }
  if (rows.length === 0) return { removed: [] };
  await migrate(db);
  const budget = opts.lockTimeoutMs ?? 10_000;
  try {
    await lockRetried(budget, Date.now(), 'remove', () =>
      db.transaction(async (tx) => {
        await tx.query(lockTimeoutStatement(Math.min(GUARD_LOCK_TRY_MS, budget)));
        for (const g of rows) await dropGuard(tx, g);
      }),
    );
  } catch (e) {
    throw e instanceof BackfillError ? e : wrapDbError(e, 'removing the guard');
  }
  await finishOrphanRuns(
    db,
    rows.map((r) => r.run_id),
  );
  return {
    removed: rows.map((g) => ({
      entityType: g.link,
      table: displayQualified(g.table_name),
      trigger: g.trigger_name,
      function: `fk_backfill.${g.function_name}`,
      runId: g.run_id,
    })),
  };
}
