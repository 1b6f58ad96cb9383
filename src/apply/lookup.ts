/**
 * What each batch of one link runs: the typed lookup table of the plan's linked entries and the key
 * ladder, built before a walk and dropped after it; and the ANALYZE of a source whose statistics are
 * far behind it, before the first batch.
 */
import { num, type Queryable } from '../db/port.js';
import type { ResolvedLink } from '../context/catalog.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';
import { applyBatchStatement, applyMapStatements, batchRowsStatement, nullFkEstimateStatement } from '../sql/apply.js';
import { type ScopeFilter, type Statement, type TypedLinkShape } from '../sql/link.js';
import {
  analyzeStatement,
  mayAnalyzeStatement,
  neverAnalyzedStatement,
  dropTableStatement,
  ladderTableName,
  lookupTableName,
  mayBuildLookupStatement,
  mayCreateTempStatement,
} from '../sql/lookup.js';
import {
  applyBoundStatement,
  applyLadderBoundStatement,
  applyLadderStatements,
  citusPlanTenantBoundStatement,
  citusTenantPartBoundStatement,
  restCols,
  citusTenantBoundStatement,
  rowsPerDistributionValueStatement,
  type BoundRow,
  type KeyRange,
  type Walk,
} from '../sql/walk.js';
import { constraintsImmediateStatement, noNestedLoopsStatement } from '../sql/session.js';
import { rowSecurityStatement } from '../sql/context.js';
import { mastersSharedLockStatement } from '../sql/masters.js';
import type { LinkCheckpoint } from '../batch/batch.js';
import { type Context, shape } from '../context/context.js';
import { blockBound, type Layout } from './walk.js';

/** Keys per rung of a batched apply's key ladder (batches smaller than this walk the primary key). */
const LADDER_STEP = 1000;

/**
 * ANALYZE a source whose statistics are far behind it: the planner expects under a tenth of the rows
 * the plan will link to have a NULL FK (a table just loaded, before autovacuum sees it; FKs cleared since
 * the last ANALYZE; on PGlite, which has no autovacuum, any table nobody analysed). On such estimates a
 * batch looks like one row and the planner nests a loop that rescans every lookup entry per row: a
 * 5 000-row batch of a fresh 40 000-row table took 10 s on PostgreSQL and 17 s on PGlite, against 0.1 s
 * analysed. ANALYZE reads a sample (30 000 rows at the default target) under a lock that blocks only DDL
 * and VACUUM; a role that may not analyse the table gets a warning, not an error.
 */
export async function refreshStaleStatistics(db: Queryable, l: ResolvedLink, f: ScopeFilter, planned: number): Promise<void> {
  if (planned < 1000) return; // quadratic in a batch this small is still milliseconds
  // a master table never analysed (restored from a dump, just loaded; on Citus a coordinator's local table, not a
  // distributed or reference one, whose rows are the workers'): its active filter was estimated at 4 of 860 rows,
  // every batch nested a loop over the source per master entry, and one statement of 150 rows took 23 s (a trial's
  // partitioned table of 50,000 rows, restored and applied at once)
  // only what this role may analyze: the server skips the rest with a WARNING in its log on every run
  const may = async (oid: number): Promise<boolean> => (await db.query(mayAnalyzeStatement(oid))).rows[0]?.may === true;
  const never = async (oid: number, side: 'source' | 'target'): Promise<boolean> =>
    (l.citus === null || l.citus[side].kind === 'local') && (await db.query(neverAnalyzedStatement(oid))).rows[0]?.never === true;
  if (l.targetOid !== l.sourceOid && (await never(l.targetOid, 'target')) && (await may(l.targetOid)))
    await db.query(analyzeStatement(l.targetSql)).catch(() => undefined);
  const maySource = await may(l.sourceOid);
  if (maySource && (await never(l.sourceOid, 'source'))) await db.query(analyzeStatement(l.sourceSql)).catch(() => undefined);
  if (!maySource) return;
  const r = (await db.query(nullFkEstimateStatement(shape(l), f))).rows[0]?.['QUERY PLAN'];
  const doc = (typeof r === 'string' ? JSON.parse(r) : r) as { Plan?: { 'Plan Rows'?: number } }[] | undefined;
  const estimate = doc?.[0]?.Plan?.['Plan Rows'] ?? 0;
  if (estimate * 10 >= planned) return;
  await db.query(analyzeStatement(l.sourceSql)).catch(() => undefined);
}

/**
 * A lookup table of one link's linked plan entries (see applyMapStatements) and when it is built: `setup`
 * runs in the transaction that uses it (a temporary table, dropped at that transaction's end), or it was
 * built already (a table in fk_backfill, `cleanup` drops it).
 */
interface Lookup {
  map: string;
  setup: Statement[];
  cleanup: () => Promise<void>;
}

async function mayCreateTemp(db: Queryable): Promise<boolean> {
  const r = await db.query(mayCreateTempStatement());
  return r.rows[0]?.ok === true;
}

function noLookupError(entity: string, cause?: unknown): BackfillError {
  return new BackfillError(
    'PERMISSION_DENIED',
    `apply${entity === '' ? '' : ` ${entity}`}: the role may neither create tables in schema fk_backfill nor create temporary tables (GRANT CREATE ON SCHEMA fk_backfill, or TEMPORARY ON DATABASE, to it; see docs/permissions.md)`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Refuses, before anything is written, a role that can build no lookup table (neither CREATE on
 * fk_backfill nor TEMPORARY on the database): every apply statement joins one.
 */
export async function assertCanBuildLookup(db: Queryable): Promise<void> {
  const r = await db.query(mayBuildLookupStatement());
  if (r.rows[0]?.ok !== true) throw noLookupError('');
}

/**
 * The lookup table one link's apply statement joins, wherever the role may create it. A table used by
 * one transaction only (`oneTransaction`: a single-transaction run, the final sweep) is temporary,
 * built in that transaction and gone with it, so no crash leaves it behind; a table that a walk's batches
 * share is an UNLOGGED table in fk_backfill (on Citus a reference table), built once here with `extra`
 * (the key ladder) in one transaction, dropped by `cleanup`. Whichever of the two the role may not create
 * (CREATE on fk_backfill, TEMPORARY on the database), the other is used: a batch walk without CREATE
 * rebuilds a temporary table in every batch (each batch reads its plan entries, as the join on
 * plan_entries it replaces did); neither: PERMISSION_DENIED before anything is written.
 */
async function lookup(
  ctx: Context,
  l: ResolvedLink,
  a: { runId: string; planRunId: string; index: number; oneTransaction: boolean },
  extra: (tx: Queryable) => Promise<void> = async () => undefined,
): Promise<Lookup & { shared: boolean }> {
  const s: TypedLinkShape = { ...shape(l), scopeTypes: l.scopeTypes };
  const temp = (): Lookup & { shared: boolean } => {
    const map = lookupTableName(a.runId, a.index, true);
    return {
      map,
      setup: applyMapStatements(s, { planRunId: a.planRunId, linkName: l.entity, map, temp: true }),
      cleanup: async () => undefined,
      shared: false,
    };
  };
  const canTemp = await mayCreateTemp(ctx.db);
  if (a.oneTransaction && canTemp) return temp();
  const map = lookupTableName(a.runId, a.index, false);
  try {
    await ctx.db.transaction(async (tx) => {
      for (const st of applyMapStatements(s, { planRunId: a.planRunId, linkName: l.entity, map })) await tx.query(st);
      await extra(tx);
    });
  } catch (e) {
    if (sqlState(e) !== '42501') throw wrapDbError(e, `building the lookup tables for ${l.entity}`);
    if (!canTemp) throw noLookupError(l.entity, e);
    return temp();
  }
  return {
    map,
    setup: [],
    cleanup: async () => {
      await ctx.db.query(dropTableStatement(map)).catch(() => undefined);
    },
    shared: true,
  };
}

/**
 * One link of a single-transaction run: the statements its transaction runs, in order (the temporary
 * lookup table's, then the apply statement over the whole link), and what to drop after it.
 */
export async function wholeLinkWork(
  ctx: Context,
  l: ResolvedLink,
  a: { runId: string; planRunId: string; index: number },
): Promise<{
  setup: Statement[];
  statement: (r: KeyRange) => Statement;
  rows: (r: KeyRange) => Statement<{ k: string; s?: boolean }>;
  plannedRows?: (r: KeyRange, lock: boolean) => Statement<{ k: string }>;
  cleanup: () => Promise<void>;
}> {
  const s: TypedLinkShape = { ...shape(l), scopeTypes: l.scopeTypes };
  const lk = await lookup(ctx, l, { ...a, oneTransaction: true });
  return {
    setup: [mastersSharedLockStatement(l.targetOid), ...immediate(l), ...lk.setup],
    statement: (range) =>
      applyBatchStatement(s, { runId: a.runId, linkName: l.entity, tableName: l.config.table, map: lk.map, range }, ctx.filter),
    rows: (range) => batchRowsStatement(s, { range, map: lk.map }, ctx.filter),
    ...(await plannedRowsOf(ctx, l, s, lk.map, undefined)),
    cleanup: lk.cleanup,
  };
}

/**
 * LinkWalk.plannedRows: on one server, and on a Citus distributed source for a batch of one tenant (Citus takes row
 * locks in a router query only: LinkWalk.citus); not on a Citus reference or local source, nor under row-level
 * security (a locking read leaves out the rows an UPDATE policy hides, which would be taken for locked ones).
 */
async function plannedRowsOf(
  ctx: Context,
  l: ResolvedLink,
  s: TypedLinkShape,
  map: string,
  walk: Walk | undefined,
): Promise<Pick<BatchWork, 'plannedRows'>> {
  if ((s.citus !== undefined && s.citus !== 'distributed') || (await ctx.db.query(rowSecurityStatement(l.sourceOid))).rows[0]?.rls === true)
    return {};
  const f = ctx.filter;
  return {
    plannedRows: (range, lock) =>
      batchRowsStatement(s, { range, map, ...(walk !== undefined ? { walk } : {}), planned: lock ? 'lock' : 'read' }, f),
  };
}

/** A source with DEFERRABLE constraints: checked at each statement of the batch (constraintsImmediateStatement). */
const immediate = (l: ResolvedLink): Statement[] => (l.deferrable ? [constraintsImmediateStatement()] : []);

interface BatchWork {
  walk: Walk;
  statement: (r: KeyRange) => Statement;
  /** The rows a batch of `statement` may change (see src/batch/refused.ts). */
  rows: (r: KeyRange) => Statement<{ k: string; s?: boolean }>;
  /** A Citus tenant walk: the next part of a tenant of more rows than a batch (see LinkWalk.part). */
  part?: (tenant: string, from: string | null, limit: number) => Statement<BoundRow>;
  /** The rows of a batch it would link; `lock`: those it can lock now, locked (see LinkWalk.plannedRows). */
  plannedRows?: (r: KeyRange, lock: boolean) => Statement<{ k: string }>;
  setup: () => Statement[];
  /** `hi`: a parallel apply's slice ends there (inclusive); the ctid walk's bound ignores it (its slices end at `end`). */
  bound: (after: string | null, limit: number, hi?: string | null) => Statement<BoundRow>;
  cleanup: () => Promise<void>;
  /** The key ladder's table, when one was built (a parallel apply cuts its slices at its rungs). */
  ladder?: string;
}

/**
 * The final sweep of a link (see batched.ts): the apply statement over the whole link, as one batch, its
 * lookup table temporary within that batch's transaction.
 */
export async function sweepWork(
  ctx: Context,
  l: ResolvedLink,
  a: { runId: string; planRunId: string; index: number },
): Promise<Pick<BatchWork, 'statement' | 'rows' | 'plannedRows' | 'setup' | 'cleanup'>> {
  const w = await wholeLinkWork(ctx, l, a);
  return {
    statement: w.statement,
    rows: w.rows,
    ...(w.plannedRows !== undefined ? { plannedRows: w.plannedRows } : {}),
    setup: () => w.setup,
    cleanup: w.cleanup,
  };
}

/** Types whose order does not depend on a collation (the Citus walk's bounds may come from the plan: batchWork). */
const ORDER_AS_TYPED = /^(smallint|integer|bigint|int2|int4|int8|numeric|uuid|date|boolean)\b/;

/**
 * What each batch of one link runs. Normally a typed lookup table of the plan's linked entries
 * (fk_backfill.apply_map_RUN_N), and for a key walk a key ladder of the source (every LADDER_STEP-th key
 * after `after`, fk_backfill.apply_ladder_RUN_N), built once per invocation and dropped at the end (a
 * crash leaves them to the resume, which rebuilds them); without CREATE on schema fk_backfill, a
 * temporary lookup table in every batch and the live walk of the primary key.
 */
export async function batchWork(
  ctx: Context,
  l: ResolvedLink,
  runId: string,
  planRunId: string,
  index: number,
  lc: LinkCheckpoint,
  layout: Layout,
): Promise<BatchWork> {
  const s: TypedLinkShape = { ...shape(l), scopeTypes: l.scopeTypes };
  const ladder = { table: ladderTableName(runId, index), step: LADDER_STEP };
  const walk = lc.walk ?? 'key';
  const src = l.citus?.source;
  const distributed = src?.kind === 'distributed';
  // a distributed source: whole tenants per batch. When the scope starts with the distribution column, the
  // plan's linked rows per tenant give them (coordinator-local, no read of the shards); else as many tenants as
  // hold about `limit` rows on average, counted on the source (a reference master's link has no scope, and
  // every tenant went into one batch whatever --batch-size said)
  // (a type without a collation only: the plan's text values cast back sort as the column does; a text column may
  // have a collation of its own, and a range in another order than the column's could pass a tenant over)
  const byPlan = src?.kind === 'distributed' && l.config.scope[0] === src.column && ORDER_AS_TYPED.test(s.keyType);
  const perTenant =
    src?.kind !== 'distributed' || byPlan
      ? 1
      : Math.max(1, num((await ctx.db.query(rowsPerDistributionValueStatement(s, src.column))).rows[0]?.r));
  const tenantBound = (from: string | null, n: number, hi: string | null = null): Statement<BoundRow> =>
    byPlan
      ? citusPlanTenantBoundStatement(s, { planRunId, linkName: l.entity }, from, n, ctx.filter, hi)
      : citusTenantBoundStatement(s, from, n / perTenant, ctx.filter, hi);
  // a tenant of more rows than a batch is cut into parts by the key's other columns (BatchWork.part)
  const part =
    distributed && restCols(s).length > 0
      ? { part: (tenant: string, from: string | null, n: number) => citusTenantPartBoundStatement(s, tenant, from, n, ctx.filter) }
      : {};
  const withLadder = walk === 'key' && !distributed;
  const lk = await lookup(ctx, l, { runId, planRunId, index, oneTransaction: false }, async (tx) => {
    if (withLadder) for (const st of applyLadderStatements(s, { ...ladder, after: lc.after }, ctx.filter)) await tx.query(st);
  });
  const statement = (range: KeyRange): Statement =>
    applyBatchStatement(s, { runId, linkName: l.entity, tableName: l.config.table, map: lk.map, range, walk }, ctx.filter);
  const rows = (range: KeyRange): Statement<{ k: string; s?: boolean }> => batchRowsStatement(s, { range, walk, map: lk.map }, ctx.filter);
  // The batch finds the rows it read again by ctid. Expecting a handful of rows from the guarded join, the planner
  // makes that a nested loop of TID scans, one per row; a hash join over the batch's own range of the table is
  // faster (1 M rows, plan + apply, alternated on one table: key walk 15.0–18.8 s against 16.9–22.7 s, hash ahead
  // in 6 of 7 pairs; ctid walk 17.8–18.6 s against 21.2–26.0 s; 5,000 tenants 21.7–22.7 s against 23.1–25.9 s).
  // Only for the walk's batches: the final sweep's range is the whole
  // link (hashing the table for a few passed-by rows), and Citus plans its statements on the workers. Not when a
  // row trigger of the user's fires on the UPDATE either: the setting would reach the queries it runs per row,
  // and a lookup joining two tables would hash a whole table for each row (test/db/apply-user-triggers.test.ts).
  const batchSettings = [...(src === undefined && l.updateTriggers.length === 0 ? [noNestedLoopsStatement()] : []), ...immediate(l)];
  // before the batch reads the masters: a masters undo deleting some of them is waited for (sql/masters.ts)
  const guard = mastersSharedLockStatement(l.targetOid);
  if (!lk.shared) {
    // No CREATE on fk_backfill: no key ladder either; the bounds walk the primary key
    return {
      walk,
      statement,
      rows,
      ...(await plannedRowsOf(ctx, l, s, lk.map, walk)),
      ...part,
      setup: () => [guard, ...lk.setup, ...batchSettings],
      bound:
        walk === 'ctid'
          ? blockBound(lc, layout)
          : distributed
            ? tenantBound
            : (from, n, hi = null) => applyBoundStatement(s, from, n, ctx.filter, hi),
      cleanup: lk.cleanup,
    };
  }
  return {
    walk,
    statement,
    rows,
    ...(await plannedRowsOf(ctx, l, s, lk.map, walk)),
    ...part,
    setup: () => [guard, ...batchSettings],
    bound:
      walk === 'ctid'
        ? blockBound(lc, layout)
        : distributed
          ? tenantBound
          : (from, n, hi = null) => applyLadderBoundStatement(s, ladder, from, n, ctx.filter, hi),
    ...(withLadder ? { ladder: ladder.table } : {}),
    cleanup: async () => {
      await lk.cleanup();
      await ctx.db.query(dropTableStatement(ladder.table)).catch(() => undefined);
    },
  };
}
