/**
 * What each batch of one link runs: the typed lookup table of the plan's linked entries and the key
 * ladder, built before a walk and dropped after it; and the ANALYZE of a source whose statistics are
 * far behind it, before the first batch.
 */
import { num, type Queryable } from '../db/port.js';
import type { ResolvedLink } from '../context/catalog.js';
import { sqlState, wrapDbError } from '../errors.js';
import { applyBatchStatement, applyMapStatements, applyStatement, nullFkEstimateStatement } from '../sql/apply.js';
import { type ScopeFilter, type Statement, type TypedLinkShape } from '../sql/link.js';
import { applyBoundStatement, applyLadderBoundStatement, applyLadderStatements, citusTenantBoundStatement, rowsPerDistributionValueStatement, type KeyRange, type Walk } from '../sql/walk.js';
import type { LinkCheckpoint } from '../batch/batch.js';
import { type Context, shape } from '../context/context.js';
import { blockBound, type Layout } from './walk.js';
import { rowsPerTenant } from './planned.js';

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
  const st = nullFkEstimateStatement(shape(l), f);
  const r = (await db.query<{ 'QUERY PLAN': unknown }>(st.text, st.values)).rows[0]?.['QUERY PLAN'];
  const doc = (typeof r === 'string' ? JSON.parse(r) : r) as { Plan?: { 'Plan Rows'?: number } }[] | undefined;
  const estimate = doc?.[0]?.Plan?.['Plan Rows'] ?? 0;
  if (estimate * 10 >= planned) return;
  await db.query(`ANALYZE ${l.sourceSql}`).catch(() => undefined);
}

interface BatchWork {
  walk: Walk;
  statement: (r: KeyRange) => Statement;
  bound: (after: string | null, limit: number) => Statement;
  cleanup: () => Promise<void>;
}

/**
 * What each batch of one link runs. Normally a typed lookup table of the plan's linked entries
 * (fk_backfill.apply_map_RUN_N), and for a key walk a key ladder of the source (every LADDER_STEP-th key
 * after `after`, fk_backfill.apply_ladder_RUN_N), built once per invocation and dropped at the end (a
 * crash leaves them to the resume, which rebuilds them); without CREATE on schema fk_backfill, the plain
 * join on plan_entries and the live walk of the primary key.
 */
export async function batchWork(ctx: Context, l: ResolvedLink, runId: string, planRunId: string, index: number, lc: LinkCheckpoint, layout: Layout): Promise<BatchWork> {
  const s: TypedLinkShape = { ...shape(l), scopeTypes: l.scopeTypes };
  const map = `fk_backfill.apply_map_${Number(runId)}_${index}`;
  const ladder = { table: `fk_backfill.apply_ladder_${Number(runId)}_${index}`, step: LADDER_STEP };
  const walk = lc.walk ?? 'key';
  const src = l.citus?.source;
  const distributed = src?.kind === 'distributed';
  // a distributed source: whole tenants per batch, as many as hold about `limit` rows on average (counted
  // by the plan when the scope starts with the distribution column, else on the source: a reference
  // master's link has no scope, and every tenant went into one batch whatever --batch-size said)
  const perTenant =
    src?.kind !== 'distributed' ? 1
    : l.config.scope[0] === src.column ? await rowsPerTenant(ctx.db, planRunId, l.entity)
    : Math.max(1, num((await ctx.db.query<{ r: unknown }>(rowsPerDistributionValueStatement(s, src.column).text)).rows[0]?.r));
  const tenantBound = (from: string | null, n: number): Statement => citusTenantBoundStatement(s, from, n / perTenant, ctx.filter);
  try {
    await ctx.db.transaction(async (tx) => {
      for (const st of applyMapStatements(s, { planRunId, linkName: l.entity, map })) await tx.query(st.text, st.values);
      if (walk === 'key' && !distributed) for (const st of applyLadderStatements(s, { ...ladder, after: lc.after }, ctx.filter)) await tx.query(st.text, st.values);
    });
  } catch (e) {
    if (sqlState(e) !== '42501') throw wrapDbError(e, `building the lookup tables for ${l.entity}`);
    // No CREATE on fk_backfill: join plan_entries directly (statistics help the planner pick a hash join).
    await ctx.db.query('ANALYZE fk_backfill.plan_entries').catch(() => undefined);
    return {
      walk,
      statement: (range) => applyStatement(s, { planRunId, runId, linkName: l.entity, tableName: l.config.table, range, walk }, ctx.filter),
      bound: walk === 'ctid' ? blockBound(lc, layout) : distributed ? tenantBound : (from, n) => applyBoundStatement(s, from, n, ctx.filter),
      cleanup: async () => undefined,
    };
  }
  return {
    walk,
    statement: (range) => applyBatchStatement(s, { runId, linkName: l.entity, tableName: l.config.table, map, range, walk }, ctx.filter),
    bound: walk === 'ctid' ? blockBound(lc, layout) : distributed ? tenantBound : (from, n) => applyLadderBoundStatement(s, ladder, from, n, ctx.filter),
    cleanup: async () => {
      await ctx.db.query(`DROP TABLE IF EXISTS ${map}, ${ladder.table}`).catch(() => undefined);
    },
  };
}
