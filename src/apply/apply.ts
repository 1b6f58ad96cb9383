import { adapt } from '../db/index.js';
import { type Database, num, type Queryable } from '../db/port.js';
import { migrate } from '../store/migrate.js';
import type { ResolvedLink } from '../context/catalog.js';
import { BackfillError, isConnectionLoss, sqlState, wrapDbError } from '../errors.js';
import { applyBatchStatement, applyMapStatements, applyStatement, nullFkEstimateStatement } from '../sql/apply.js';
import { changedCount, type ScopeFilter, type Statement, type TypedLinkShape } from '../sql/link.js';
import { applyBoundStatement, applyLadderBoundStatement, applyLadderStatements, citusTenantBoundStatement, rowsPerDistributionValueStatement, type KeyRange, sweepBoundStatement, type Walk } from '../sql/walk.js';
import { createRun, earlierRunThatChanged, failRun, finishRun, getRun, interruptRun, mergeLinkCheckpoint, type RunRecord, saveCheckpoint, seedRunInfo } from '../store/runs.js';
import { DEFAULT_RECONNECT_ATTEMPTS, interruptedError, messageOf, withReconnect } from '../batch/reconnect.js';
import { assertCanWrite } from '../context/privileges.js';
import { type BatchOptions, emptyLinkCheckpoint, type LinkCheckpoint, parseCheckpoint, storedBatchOptions, walkLink } from '../batch/batch.js';
import { type CommonOptions, type Context, prepare, shape } from '../context/context.js';
import { noticesOf, planIn, type PlanResult, seedFields, type SeedSummaryFields } from '../planning/plan.js';
import { countSkips, type SkipCount, type SkipReasons } from './skips.js';
import { blockBound, chooseWalk, sourceLayout, type Layout } from './walk.js';

export interface ApplyOptions extends CommonOptions, BatchOptions {
  /** Apply exactly this plan (a run id from `plan`); default: plan now, then apply. */
  planRunId?: string;
  executedBy?: string | null;
  maxUnmatchedRecords?: number;
  /**
   * true: every link in one transaction (the seed's semantics; default of `applyIn` and
   * `backfillForeignKeys`). false: batched, committed and checkpointed per batch, resumable (default of `apply`).
   */
  singleTransaction?: boolean;
}

export interface ResumeApplyOptions extends BatchOptions {
  /** The apply run to continue (status running after a crash, stopped, or failed). */
  runId: string;
}

export interface LinkApplyResult {
  entityType: string;
  table: string;
  /** Rows the plan meant to link. */
  planned: number;
  updated: number;
  /** Planned rows not updated. 0 while not complete. */
  skipped: number;
  /** Why (present when skipped > 0): counted by one statement after the link was walked. */
  skipReasons?: SkipReasons;
  /** Rows linked that the plan did not count: added or renamed to a planned name since (present when > 0; see SkipCount). */
  beyondPlan?: number;
  /** This link was walked to its end (false when the run stopped before). */
  complete: boolean;
  /** Batched: how the source was walked (absent when there was nothing to walk). */
  walk?: Walk;
}

export interface ApplyResult extends SeedSummaryFields {
  runId: string;
  planRunId: string;
  /** Content hash of the plan applied (fk_backfill.plan_hash). */
  planHash: string | null;
  tenantId: string | null;
  dryRun: false;
  mode: 'batched' | 'single-transaction';
  /** 'stopped': interrupted between batches (resume with `apply --resume RUN`). */
  status: 'done' | 'stopped';
  totalUpdated: number;
  results: LinkApplyResult[];
  /** The plan applied (present when apply planned it itself). */
  plan?: PlanResult;
  /** What the catalog made fk-backfill do differently (present when there is something to say). */
  notices?: string[];
  /** This run changed nothing because run N already applied the same plan (present only then). */
  alreadyAppliedBy?: string;
}

async function plannedRows(db: Queryable, planRunId: string, link: string): Promise<number> {
  const res = await db.query<{ n: unknown }>(
    `SELECT coalesce(sum(row_count), 0)::int8 AS n FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND link = $2 AND outcome = 'linked'`,
    [planRunId, link],
  );
  return num(res.rows[0]?.n);
}

/** Planned rows per tenant (first scope value) of one link's plan: sizes a tenant walk's batches. */
async function rowsPerTenant(db: Queryable, planRunId: string, link: string): Promise<number> {
  const res = await db.query<{ r: unknown }>(
    `SELECT coalesce(sum(row_count)::float8 / nullif(count(DISTINCT scope_key[1]), 0), 1) AS r FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND link = $2 AND outcome = 'linked'`,
    [planRunId, link],
  );
  return Math.max(1, num(res.rows[0]?.r));
}

/**
 * The plan's content hash, checked against the one stamped when the plan was made (a plan made before
 * hashes existed is pinned now). A plan whose entries changed since is refused.
 */
async function checkPlanHash(db: Queryable, planRunId: string): Promise<string> {
  const res = await db.query<{ stored: string | null; now: string }>(
    `SELECT plan_hash AS stored, fk_backfill.plan_hash(id) AS now FROM fk_backfill.runs WHERE id = $1::int8`,
    [planRunId],
  );
  const row = res.rows[0];
  if (row === undefined) throw new BackfillError('RUN_NOT_FOUND', `plan ${planRunId} not found`);
  if (row.stored === null) {
    await db.query(`UPDATE fk_backfill.runs SET plan_hash = $2 WHERE id = $1::int8 AND plan_hash IS NULL`, [planRunId, row.now]);
    return row.now;
  }
  if (row.stored !== row.now) {
    throw new BackfillError('PLAN_STALE', `plan ${planRunId} was modified after it was made (content hash ${row.stored}, now ${row.now}); plan again`);
  }
  return row.stored;
}

/** The content hash stamped when a plan finished (every plan is stamped: migration 002's trigger). */
async function stampedPlanHash(db: Queryable, planRunId: string): Promise<string> {
  const row = (await db.query<{ stored: string | null }>(`SELECT plan_hash AS stored FROM fk_backfill.runs WHERE id = $1::int8`, [planRunId])).rows[0];
  if (row?.stored === null || row?.stored === undefined) return checkPlanHash(db, planRunId);
  return row.stored;
}

/** The plan run to apply, checked: a finished plan made with this config for these links, unmodified. */
async function loadPlan(ctx: Context, planRunId: string): Promise<RunRecord> {
  const run = await getRun(ctx.db, planRunId);
  if (run.kind !== 'plan') throw new BackfillError('RUN_STATE', `run ${planRunId} is a ${run.kind} run, not a plan`);
  if (run.status !== 'done') throw new BackfillError('RUN_STATE', `plan ${planRunId} is ${run.status}, not done`);
  if (run.configHash !== ctx.configHash) {
    throw new BackfillError('PLAN_STALE', `plan ${planRunId} was made with another config (hash ${run.configHash}, now ${ctx.configHash}); plan again`);
  }
  const missing = ctx.links.filter((l) => !run.entities.includes(l.entity)).map((l) => l.entity);
  if (missing.length > 0) throw new BackfillError('RUN_STATE', `plan ${planRunId} does not cover ${missing.join(', ')}`);
  const planTenant = run.scope?.tenant ?? null;
  if (planTenant !== ctx.filter.tenant) {
    throw new BackfillError('RUN_STATE', `plan ${planRunId} was made for ${planTenant === null ? 'all tenants' : `tenant ${planTenant}`}, not ${ctx.filter.tenant === null ? 'all tenants' : `tenant ${ctx.filter.tenant}`}`);
  }
  return run;
}

async function applyResult(
  ctx: Context,
  ids: { runId: string; planRunId: string; planHash: string },
  mode: ApplyResult['mode'],
  status: ApplyResult['status'],
  results: LinkApplyResult[],
): Promise<ApplyResult> {
  const totalUpdated = results.reduce((a, r) => a + r.updated, 0);
  const info = await seedRunInfo(ctx.db, ids.runId, ids.planRunId);
  const seed = seedFields({ dryRun: false, executedAt: info.executedAt, executedBy: info.executedBy, processed: info.processed, matched: info.matched, updated: totalUpdated });
  const already = totalUpdated === 0 && status === 'done' ? await earlierRunThatChanged(ctx.db, { kind: 'apply', planRunId: ids.planRunId, exclude: ids.runId }) : null;
  return { ...ids, tenantId: ctx.filter.tenant, ...seed, dryRun: false, mode, status, totalUpdated, results, ...noticesOf(ctx), ...(already !== null ? { alreadyAppliedBy: already } : {}) };
}

function summaryOf(r: ApplyResult): unknown {
  return { totalUpdated: r.totalUpdated, planHash: r.planHash, mode: r.mode, results: r.results };
}

/**
 * Live run. Single transaction (default here; the seed's semantics): for every link one set-based
 * UPDATE … FROM the plan. Batched (`singleTransaction: false`): the same statement per key range,
 * committed and checkpointed per batch. Either way guarded (FK still NULL, name unchanged, same scope)
 * and writing the change log in the same statement.
 */
export async function applyIn(ctx: Context, opts: ApplyOptions = {}): Promise<ApplyResult> {
  await assertCanWrite(ctx, 'apply'); // before anything is written (issue #8)
  if (opts.singleTransaction === false && opts.walk === 'ctid') {
    for (const l of ctx.links) chooseWalk('ctid', await sourceLayout(ctx.db, l), 0, l.config.table); // refused before anything is written
  }
  let planResult: PlanResult | undefined;
  let planRunId: string;
  if (opts.planRunId !== undefined) {
    planRunId = (await loadPlan(ctx, opts.planRunId)).id;
  } else {
    const planOpts = { executedBy: opts.executedBy ?? null, ...(opts.maxUnmatchedRecords !== undefined ? { maxUnmatchedRecords: opts.maxUnmatchedRecords } : {}) };
    planResult = await withReconnect(ctx.db, opts, { kind: 'plan' }, () => planIn(ctx, planOpts));
    planRunId = planResult.runId;
  }
  // a plan this call just made was hashed as it finished: its stamp is read, not recomputed (a pass over every entry)
  const planHash = planResult === undefined ? await checkPlanHash(ctx.db, planRunId) : await stampedPlanHash(ctx.db, planRunId);
  const single = opts.singleTransaction !== false;
  const runId = await createRun(ctx.db, {
    kind: 'apply',
    tenant: ctx.filter.tenant,
    entities: ctx.links.map((l) => l.entity),
    executedBy: opts.executedBy ?? null,
    dryRun: false,
    configHash: ctx.configHash,
    config: ctx.config,
    planRunId,
    options: single ? { singleTransaction: true, mode: 'single-transaction', planHash } : { mode: 'batched', planHash, ...storedBatchOptions(opts) },
  });
  const extra = planResult !== undefined ? { plan: planResult } : {};
  if (!single) {
    await saveCheckpoint(ctx.db, runId, { links: {} });
    return { ...(await continueBatched(ctx, runId, planRunId, planHash, opts, false)), ...extra };
  }
  try {
    // the plan's entries cannot change (checkPlanHash), so one count per link serves the ANALYZE check and the result
    const plannedByLink: number[] = [];
    for (const l of ctx.links) {
      const planned = await plannedRows(ctx.db, planRunId, l.entity);
      plannedByLink.push(planned);
      await refreshStaleStatistics(ctx.db, l, ctx.filter, planned);
    }
    // a master deleted by another session between the statement's read and its FK check (23503): the
    // transaction rolled back entirely; run it again, reading the masters again (bounded, no locks taken)
    const results = await retryOnVanishedMaster(() => ctx.db.transaction(async (tx) => {
      const out: LinkApplyResult[] = [];
      for (const [i, l] of ctx.links.entries()) {
        const planned = plannedByLink[i] ?? 0;
        const st = applyStatement(shape(l), { planRunId, runId, linkName: l.entity, tableName: l.config.table }, ctx.filter);
        const updated = changedCount(await tx.query(st.text, st.values));
        out.push({ entityType: l.entity, table: l.config.table, planned, updated, skipped: 0, complete: true });
      }
      return out;
    }));
    for (const [i, l] of ctx.links.entries()) {
      const r = results[i]!;
      Object.assign(r, skipFields(await countSkips(ctx, l, { planRunId, runId }, r.planned, r.updated)));
    }
    const result: ApplyResult = { ...(await applyResult(ctx, { runId, planRunId, planHash }, 'single-transaction', 'done', results)), ...extra };
    await finishRun(ctx.db, runId, 'done', summaryOf(result));
    return result;
  } catch (e) {
    throw await failRun(ctx.db, runId, e, 'applying');
  }
}

/** A link result's fields from its skip count (reasons and rows beyond the plan only when there are some). */
function skipFields(c: SkipCount): Pick<LinkApplyResult, 'skipped' | 'skipReasons' | 'beyondPlan'> {
  return { skipped: c.skipped, ...(c.reasons !== undefined ? { skipReasons: c.reasons } : {}), ...(c.beyondPlan > 0 ? { beyondPlan: c.beyondPlan } : {}) };
}

/** Runs `fn` (one whole transaction) again while it fails on a foreign key check (23503), at most 20 times. */
export async function retryOnVanishedMaster<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (sqlState(e) !== '23503' || attempt >= 20) throw e;
    }
  }
}

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
async function refreshStaleStatistics(db: Queryable, l: ResolvedLink, f: ScopeFilter, planned: number): Promise<void> {
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
async function batchWork(ctx: Context, l: ResolvedLink, runId: string, planRunId: string, index: number, lc: LinkCheckpoint, layout: Layout): Promise<BatchWork> {
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

/** A ctid walk's first pass ended having changed fewer rows than planned: a catch-up pass follows. */
function catchUpDue(lc: LinkCheckpoint | undefined, changed: number, planned: number): boolean {
  return lc?.walk === 'ctid' && lc.pass === 1 && changed < planned;
}

async function linkCheckpoint(db: Queryable, runId: string, link: string): Promise<LinkCheckpoint | undefined> {
  return parseCheckpoint((await getRun(db, runId)).checkpoint).links[link];
}

/**
 * Walks every link of a batched apply run from its checkpoint to the end (or until stopped).
 *
 * A ctid walk reads blocks [0, end) with `end` fixed when it starts. A row another session updates
 * meanwhile gets a new ctid, possibly behind the walk (or, after VACUUM FULL / CLUSTER between a stop
 * and its resume, anywhere). So when the first pass changed fewer rows than planned, a second pass
 * walks the whole table again (up to its end then) and links what the first one passed by; the guards
 * make it change nothing twice. Rows really edited since planning stay skipped, as in a key walk.
 */
async function continueBatched(ctx: Context, runId: string, planRunId: string, planHash: string, opts: BatchOptions, resumed: boolean): Promise<ApplyResult> {
  try {
    // a lost connection: reconnect and walk on from the checkpoint (the batch in flight rolled back)
    return await withReconnect(ctx.db, opts, { kind: 'apply', runId }, (attempt) => walkRun(ctx, runId, planRunId, planHash, opts, resumed || attempt > 0));
  } catch (e) {
    if (isConnectionLoss(e)) {
      const recorded = await interruptRun(ctx.db, runId, messageOf(e));
      throw interruptedError('apply', runId, e, opts.reconnectAttempts ?? DEFAULT_RECONNECT_ATTEMPTS, recorded);
    }
    throw await failRun(ctx.db, runId, e, 'applying');
  }
}

async function walkRun(ctx: Context, runId: string, planRunId: string, planHash: string, opts: BatchOptions, resumed: boolean): Promise<ApplyResult> {
  {
    const results: LinkApplyResult[] = [];
    let stopped = false;
    for (const l of ctx.links) {
      const planned = await plannedRows(ctx.db, planRunId, l.entity);
      await refreshStaleStatistics(ctx.db, l, ctx.filter, planned);
      let lc = await linkCheckpoint(ctx.db, runId, l.entity);
      let changed = lc?.changed ?? 0;
      // Nothing planned for this link: no need to walk its table.
      let complete = planned === 0 || (lc?.done === true && !catchUpDue(lc, changed, planned));
      let again = resumed && lc !== undefined;
      // a resumed run whose sweep had begun continues the sweep, not the walk
      while (!stopped && !complete && lc?.sweep !== true) {
        const layout = await sourceLayout(ctx.db, l);
        if (lc?.walk === undefined) {
          const walk = lc === undefined ? chooseWalk(opts.walk, layout, planned, l.config.table) : 'key'; // started before walks were chosen: a key walk
          await mergeLinkCheckpoint(ctx.db, runId, l.entity, walk === 'ctid' ? { walk, end: layout.blocks, pass: 1 } : { walk }, true);
        } else if (lc.done && lc.walk === 'ctid' && lc.pass === 1) {
          await mergeLinkCheckpoint(ctx.db, runId, l.entity, { pass: 2, end: layout.blocks, after: null, done: false }, false);
        }
        lc = { ...emptyLinkCheckpoint(), ...(await linkCheckpoint(ctx.db, runId, l.entity)) };
        const work = await batchWork(ctx, l, runId, planRunId, ctx.links.indexOf(l), lc, layout);
        let r;
        try {
          r = await walkLink(ctx.db, { kind: 'apply', runId, link: l.entity, total: planned, bound: work.bound, work: work.statement, ...(lc.pass === 2 ? { catchUp: true } : {}) }, opts, changed, again);
        } finally {
          await work.cleanup();
        }
        changed = r.changed;
        stopped = r.stopped;
        again = false;
        lc = await linkCheckpoint(ctx.db, runId, l.entity);
        complete = !stopped && !catchUpDue(lc, changed, planned);
      }
      let counts = complete ? await countSkips(ctx, l, { planRunId, runId }, planned, changed) : undefined;
      const reasons = counts?.reasons;
      if (!stopped && (lc?.sweep === true ? lc.done !== true : (reasons?.notReached ?? 0) + (reasons?.cancelledByTrigger ?? 0) > 0)) {
        const r = await sweepLink(ctx, l, { runId, planRunId, planned }, opts, changed, again);
        changed = r.changed;
        stopped = r.stopped;
        complete = !stopped;
        counts = complete ? await countSkips(ctx, l, { planRunId, runId }, planned, changed) : undefined;
      }
      results.push({ entityType: l.entity, table: l.config.table, planned, updated: changed, skipped: 0, ...(counts !== undefined ? skipFields(counts) : {}), complete, ...(lc?.walk !== undefined ? { walk: lc.walk } : {}) });
    }
    const result = await applyResult(ctx, { runId, planRunId, planHash }, 'batched', stopped ? 'stopped' : 'done', results);
    await finishRun(ctx.db, runId, result.status, summaryOf(result));
    return result;
  }
}

/**
 * The final sweep of a batched apply's link: its walk(s) ended, and planned rows still match everything
 * (name, scope, NULL FK, live planned master) but were not linked. A ctid walk passes by a row that
 * another session updated (any column) while the walk ran: its new version lands in a block the walk
 * has passed, in the catch-up pass too (test:oltp, 400 k rows, two writers: 17 such rows were left
 * NULL and reported as "not reached"). A key walk passes by a row whose key was changed to one behind it. One more
 * statement over the whole link, keyed (no ctid), links them, as one batch of the batch engine (run
 * lock, timeouts, retries, checkpoint): `sweep` marks it in the checkpoint, so a resume finishes it.
 * Only when such rows exist (skipReasons counted them), so an undisturbed run never pays the extra scan.
 * On a table with BEFORE UPDATE triggers those rows may also be rows a trigger cancelled: swept too (a
 * trigger that cancels cancels again; the sweep then changes nothing and they stay counted as cancelled).
 */
async function sweepLink(ctx: Context, l: ResolvedLink, a: { runId: string; planRunId: string; planned: number }, opts: BatchOptions, changed: number, resumed: boolean): Promise<{ changed: number; stopped: boolean }> {
  const lc = await linkCheckpoint(ctx.db, a.runId, l.entity);
  if (lc?.sweep !== true) await mergeLinkCheckpoint(ctx.db, a.runId, l.entity, { sweep: true, after: null, done: false }, false);
  const s = shape(l);
  // one statement: the batch size means nothing to it; a lock or statement timeout is retried, then given up
  const { targetBatchMs: _adaptive, ...fixed } = opts;
  try {
    return await walkLink(
    ctx.db,
    {
      kind: 'apply',
      runId: a.runId,
      link: l.entity,
      total: a.planned,
      catchUp: true,
      bound: (after) => sweepBoundStatement(after, a.planned),
      work: () => applyStatement(s, { planRunId: a.planRunId, runId: a.runId, linkName: l.entity, tableName: l.config.table }, ctx.filter),
    },
      { ...fixed, batchSize: 1, minBatchSize: 1, maxBatchSize: 1 },
      changed,
      resumed,
    );
  } catch (e) {
    const state = sqlState(e instanceof BackfillError ? e.cause : e);
    if (state !== '55P03' && state !== '57014') throw e;
    // rows other sessions kept locked through every retry: they stay NULL and are counted as not reached
    await mergeLinkCheckpoint(ctx.db, a.runId, l.entity, { done: true }, false);
    return { changed, stopped: false };
  }
}

/** Marks a stopped / failed / crashed (still 'running') run as running again; refuses finished ones. */
export async function reopenRun(db: Database, run: RunRecord): Promise<void> {
  if (run.status === 'done') throw new BackfillError('RUN_STATE', `run ${run.id} is already done; nothing to resume`);
  if (run.options['mode'] !== 'batched') {
    throw new BackfillError('RUN_STATE', `run ${run.id} ran in a single transaction (it committed entirely or not at all); nothing to resume`);
  }
  await db.query(`UPDATE fk_backfill.runs SET status = 'running', finished_at = NULL, error = NULL WHERE id = $1::int8 AND status <> 'done'`, [run.id]);
}

/** Stored knobs of a run, overridden by the ones given now. */
export function mergedBatchOptions(run: RunRecord, o: BatchOptions): BatchOptions {
  const stored = storedBatchOptions(run.options as BatchOptions);
  return { ...stored, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as BatchOptions;
}

/**
 * Continues a batched apply run from its checkpoint: after Ctrl-C (stopped), a failure, or kill -9 /
 * a lost connection (still 'running'). Ends in exactly the state of an uninterrupted run.
 */
export async function resumeApply(handle: unknown, opts: ResumeApplyOptions): Promise<ApplyResult> {
  const db = adapt(handle);
  await migrate(db);
  const run = await getRun(db, opts.runId);
  if (run.kind !== 'apply') throw new BackfillError('RUN_STATE', `run ${run.id} is a ${run.kind} run, not an apply run`);
  if (run.planRunId === null) throw new BackfillError('RUN_STATE', `run ${run.id} has no plan`);
  const tenant = run.scope?.tenant ?? null;
  const ctx = await prepare(db, { config: run.config, entities: run.entities, ...(tenant !== null ? { tenantId: tenant } : { allTenants: true }) }, { rowIdentity: true });
  const planHash = await checkPlanHash(db, run.planRunId);
  const pinned = run.options['planHash'];
  if (typeof pinned === 'string' && pinned !== planHash) {
    throw new BackfillError('PLAN_STALE', `plan ${run.planRunId} changed since run ${run.id} started (hash ${pinned}, now ${planHash})`);
  }
  await reopenRun(db, run);
  const { runId: _r, ...batch } = opts;
  return continueBatched(ctx, run.id, run.planRunId, planHash, mergedBatchOptions(run, batch), true);
}

/** Fills tenant and entities from the plan when `--plan ID` is given without them. */
export async function withPlanScope<T extends CommonOptions & { planRunId?: string }>(handle: unknown, opts: T): Promise<T> {
  if (opts.planRunId === undefined) return opts;
  const run = await getRun(adapt(handle), opts.planRunId);
  const out = { ...opts };
  // The plan carries its config: without one given, apply exactly what was planned.
  if (opts.config === undefined) out.config = run.config;
  if (opts.tenantId == null && opts.allTenants !== true) {
    const t = run.scope?.tenant ?? null;
    if (t === null) out.allTenants = true;
    else out.tenantId = t;
  }
  if (opts.entities === undefined || opts.entities.length === 0) out.entities = run.entities;
  return out;
}

/** Live run, batched by default (`singleTransaction: true` for the seed's all-or-nothing semantics). */
export async function apply(db: unknown, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const o = await withPlanScope(db, opts);
  const ctx = await prepare(db, o, { tenant: 'required' });
  return applyIn(ctx, { ...o, singleTransaction: o.singleTransaction ?? false });
}
