import { checkBatchOptions } from '../batch/check-options.js';
import { adapt } from '../db/index.js';
import { migrateIfPresent } from '../store/migrate.js';
import { BackfillError } from '../errors.js';
import { WHOLE_LINK } from '../sql/walk.js';
import { recordRefused } from '../store/refused.js';
import { MAX_REFUSED_PER_BATCH, workAroundRefusals } from '../batch/refused.js';
import { article, createRun, discardRun, failRun, finishRun, getRun, saveCheckpoint, undosOf } from '../store/runs.js';
import { lostInOneTransaction, withReconnect } from '../batch/reconnect.js';
import { assertCanWrite } from '../context/privileges.js';
import { type BatchOptions, storedBatchOptions } from '../batch/batch.js';
import { type CommonOptions, type Context, prepare, runScope } from '../context/context.js';
import { planIn, type PlanResult } from '../planning/plan.js';
import { countSkips } from './skips.js';
import { chooseWalk, sourceLayout } from './walk.js';
import { applyResult, type ApplyResult, type LinkApplyResult, skipFields, summaryOf } from './result.js';
import { assertNoNamesakesSince, checkPlanHash, loadPlan, stampedPlanHash } from './planned.js';
import { plannedRows } from '../store/plans.js';
import { continueBatched } from './batched.js';
import { parallelism } from './parallel.js';
import { assertCanBuildLookup, refreshStaleStatistics, wholeLinkWork } from './lookup.js';
import { assertResumeScope, mergedBatchOptions, reopenRun, retryOnVanishedMaster } from '../batch/resume.js';
import { whileLive, writtenLinks } from '../batch/live.js';
import { stoppable } from '../batch/stop.js';
import { writesCitusReference } from '../context/citus-link.js';
import { assertRanHere, runTables } from '../context/run-tables.js';
import { citusSequentialStatement } from '../sql/session.js';

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
  /** The scope the caller expects, if any: the run's own is accepted, another refused (USAGE); the run keeps its own. */
  tenantId?: string | null;
  allTenants?: boolean;
}

/**
 * Live run. Single transaction (default here; the seed's semantics): for every link the batch statement
 * over the whole link (one unbounded range), all in one transaction. Batched (`singleTransaction: false`):
 * the same statement per range, committed and checkpointed per batch. Either way guarded (FK still NULL, name unchanged, same scope)
 * and writing the change log in the same statement.
 */
export async function applyIn(ctx: Context, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const parallel = parallelism(ctx, { ...opts, singleTransaction: opts.singleTransaction !== false }); // bad --parallel: refused before anything is written
  await assertCanWrite(ctx, 'apply'); // before anything is written (issue #8)
  await assertCanBuildLookup(ctx.db);
  if (opts.singleTransaction === false && opts.walk === 'ctid') {
    for (const l of ctx.links) chooseWalk('ctid', await sourceLayout(ctx.db, l), 0, l.config.table); // refused before anything is written
  }
  let planResult: PlanResult | undefined;
  let planRunId: string;
  if (opts.planRunId !== undefined) {
    planRunId = (await loadPlan(ctx, opts.planRunId)).id;
  } else {
    const planOpts = {
      executedBy: opts.executedBy ?? null,
      ...(opts.maxUnmatchedRecords !== undefined ? { maxUnmatchedRecords: opts.maxUnmatchedRecords } : {}),
    };
    planResult = await withReconnect(ctx.db, opts, { kind: 'plan' }, () => planIn(ctx, planOpts));
    planRunId = planResult.runId;
  }
  // a plan this call just made was hashed as it finished: its stamp is read, not recomputed (a pass over every entry)
  const planHash = planResult === undefined ? await checkPlanHash(ctx.db, planRunId) : await stampedPlanHash(ctx.db, planRunId);
  const single = opts.singleTransaction !== false;
  const runId = await createRun(ctx.db, {
    kind: 'apply',
    ...runScope(ctx),
    executedBy: opts.executedBy ?? null,
    dryRun: false,
    planRunId,
    options: {
      ...(single
        ? { singleTransaction: true, mode: 'single-transaction' }
        : { mode: 'batched', ...storedBatchOptions({ ...opts, parallel }) }),
      planHash,
      tables: await runTables(ctx.db, ctx.links),
    },
  });
  const extra = planResult !== undefined ? { plan: planResult } : {};
  // held until the run ends: an undo or a --resume of this run from another process is refused meanwhile, and so is
  // another apply or undo writing the same links
  let started = false;
  try {
    return await whileLive(
      ctx.db,
      runId,
      `fk-backfill apply run ${runId}`,
      async (live) => {
        started = true;
        if (single) return { ...(await applyWhole(ctx, opts, { runId, planRunId, planHash })), ...extra };
        await saveCheckpoint(ctx.db, runId, { links: {} });
        // a master the application creates meanwhile as another's namesake stops the run (checked at the start: loadPlan)
        const recheck = (): Promise<void> => assertNoNamesakesSince(ctx, planRunId, runId);
        return { ...(await continueBatched(ctx, runId, planRunId, planHash, { ...opts, parallel, live, recheck }, false)), ...extra };
      },
      writtenLinks(ctx),
    );
  } catch (e) {
    // refused before it started (a link another run is writing): no record left, neither 'running' nor resumable
    if (!started) {
      await discardRun(ctx.db, runId).catch(() => undefined);
      // and the plan it made for itself (nobody asked for it)
      if (planResult !== undefined) await discardRun(ctx.db, planRunId).catch(() => undefined);
    }
    throw e;
  }
}

/** The single-transaction apply of run `runId`: every link's statement over the whole link, in one transaction. */
async function applyWhole(
  ctx: Context,
  opts: ApplyOptions,
  { runId, planRunId, planHash }: { runId: string; planRunId: string; planHash: string },
): Promise<ApplyResult> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // the plan's entries cannot change (checkPlanHash), so one count per link serves the ANALYZE check and the result
    const plannedByLink: number[] = [];
    const work: Awaited<ReturnType<typeof wholeLinkWork>>[] = [];
    for (const [i, l] of ctx.links.entries()) {
      const planned = await plannedRows(ctx.db, planRunId, l.entity);
      plannedByLink.push(planned);
      await refreshStaleStatistics(ctx.db, l, ctx.filter, planned);
      // the batch statement over the whole link (one unbounded range), after its temporary lookup table
      const w = await wholeLinkWork(ctx, l, { runId, planRunId, index: i });
      work.push(w);
      cleanups.push(w.cleanup);
    }
    // a master deleted by another session between the statement's read and its FK check (23503): the
    // transaction rolled back entirely; run it again, reading the masters again (bounded, no locks taken)
    const results = await retryOnVanishedMaster(() =>
      ctx.db.transaction((tx) =>
        stoppable(ctx.db, tx, opts.signal, `apply run ${runId}`, async () => {
          if (writesCitusReference(ctx.links)) await tx.query(citusSequentialStatement());
          const out: LinkApplyResult[] = [];
          for (const [i, l] of ctx.links.entries()) {
            const planned = plannedByLink[i] ?? 0;
            const w = work[i]!;
            // no batches to report, but the run is named as it starts (the CLI's line where no bar shows it)
            opts.onProgress?.({ event: 'start', kind: 'apply', runId, link: l.entity, total: planned, changed: 0, resumed: false });
            for (const st of w.setup) await tx.query(st);
            // rows the table refuses (a CHECK constraint, a trigger that raises) are left out, the rest linked (refused.ts)
            const done = await workAroundRefusals(tx, {
              all: w.statement(WHOLE_LINK),
              rows: () => w.rows(WHOLE_LINK),
              some: (rows) => w.statement({ ...WHOLE_LINK, rows }),
              what: `apply ${l.entity}`,
              remedy: `Nothing was written (one transaction). Change or drop what refuses them, or apply in batches (the CLI's default) with a --batch-size small enough that no batch holds more than ${MAX_REFUSED_PER_BATCH} of them; those are then left NULL, each named, and the rest linked`,
            });
            await recordRefused(tx, runId, l.entity, done.refused);
            const updated = done.changed;
            out.push({ entityType: l.entity, table: l.config.table, planned, updated, skipped: 0, complete: true });
            // its statement done (the transaction commits after the last link's): the link's start and end pair up
            opts.onProgress?.({ event: 'end', kind: 'apply', runId, link: l.entity, changed: updated, total: planned, status: 'done' });
          }
          return out;
        }),
      ),
    );
    for (const c of cleanups.splice(0)) await c();
    for (const [i, l] of ctx.links.entries()) {
      const r = results[i]!;
      Object.assign(r, skipFields(await countSkips(ctx, l, { planRunId, runId }, r.planned, r.updated)));
    }
    const result = await applyResult(ctx, { runId, planRunId, planHash }, 'single-transaction', 'done', results);
    await finishRun(ctx.db, runId, 'done', summaryOf(result));
    return result;
  } catch (e) {
    // a cleanup on a lost connection fails too: the error that ended the run is the one to tell
    for (const c of cleanups) await c().catch(() => undefined);
    throw await failRun(ctx.db, runId, lostInOneTransaction('apply', runId, e), 'applying');
  }
}

/**
 * Continues a batched apply run from its checkpoint: after Ctrl-C (stopped), a failure, or kill -9 /
 * a lost connection (still 'running'). Ends in exactly the state of an uninterrupted run.
 */
export async function resumeApply(handle: unknown, opts: ResumeApplyOptions): Promise<ApplyResult> {
  checkBatchOptions(opts);
  const db = adapt(handle);
  await migrateIfPresent(db); // a bad run id on a database without the tool's schema creates nothing
  const run = await getRun(db, opts.runId);
  if (run.kind !== 'apply') throw new BackfillError('RUN_STATE', `run ${run.id} is ${article(run.kind)} run, not an apply run`);
  if (run.planRunId === null) throw new BackfillError('RUN_STATE', `run ${run.id} has no plan`);
  assertResumeScope(run, opts);
  const tenant = run.scope?.tenant ?? null;
  const ctx = await prepare(
    db,
    { config: run.config, entities: run.entities, ...(tenant !== null ? { tenantId: tenant } : { allTenants: true }) },
    { rowIdentity: true },
  );
  await assertRanHere(db, ctx.links, run, 'resuming');
  const planHash = await checkPlanHash(db, run.planRunId);
  const pinned = run.options['planHash'];
  if (typeof pinned === 'string' && pinned !== planHash) {
    throw new BackfillError('PLAN_STALE', `plan ${run.planRunId} changed since run ${run.id} started (hash ${pinned}, now ${planHash})`);
  }
  await assertNoNamesakesSince(ctx, run.planRunId, run.id);
  const { runId: _r, tenantId: _t, allTenants: _a, ...batch } = opts;
  const merged = mergedBatchOptions(run, batch);
  const parallel = parallelism(ctx, merged); // before the run is reopened
  const planRunId = run.planRunId;
  return whileLive(
    db,
    run.id,
    `fk-backfill apply run ${run.id}`,
    async (live) => {
      // its checkpoint says what it linked; an undo since set rows back that the walk would not visit again (and the
      // counts would call linked): checked under the run's lock, which an undo takes too
      const undos = await undosOf(db, run.id);
      if (undos.length > 0) {
        const u = undos[undos.length - 1]!;
        throw new BackfillError(
          'RUN_STATE',
          `run ${run.id} was undone by run ${u.id} (${u.status}): it cannot be resumed. Plan again and apply the new plan (fk-backfill apply ${tenant !== null ? `--tenant ${tenant}` : '--all-tenants'} --yes)`,
        );
      }
      await reopenRun(db, run);
      const recheck = (): Promise<void> => assertNoNamesakesSince(ctx, planRunId, run.id);
      return continueBatched(ctx, run.id, planRunId, planHash, { ...merged, parallel, live, recheck }, true);
    },
    writtenLinks(ctx),
  );
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
  if (opts.entities === undefined || opts.entities.length === 0) {
    out.entities = run.entities;
    // a config given beside the plan that lacks the plan's links: another config than the plan's (said as such, not
    // as an unknown entity the user never named)
    const links = (opts.config as { links?: unknown } | undefined)?.links;
    const names = Array.isArray(links) ? links.map((l) => (l as { entity?: unknown }).entity) : null;
    const missing = names === null ? [] : run.entities.filter((e) => !names.includes(e));
    if (missing.length > 0)
      throw new BackfillError(
        'PLAN_STALE',
        `plan ${run.id} was made with another config (its link${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in this one): plan again with this config, or apply plan ${run.id} with the config it was made with`,
      );
  }
  return out;
}

/** Live run, batched by default (`singleTransaction: true` for the seed's all-or-nothing semantics). */
export async function apply(db: unknown, opts: ApplyOptions = {}): Promise<ApplyResult> {
  checkBatchOptions(opts); // before the tool's own tables are made
  const o = await withPlanScope(db, opts);
  const ctx = await prepare(db, o, { tenant: 'required' });
  return applyIn(ctx, { ...o, singleTransaction: o.singleTransaction ?? false });
}

/**
 * The checks `apply({ planRunId })` makes of its plan, made before asking to write (the CLI's confirmation): refuses a
 * plan it would refuse, and returns the notices the user should read first (decisions made since the plan).
 */
export async function checkPlanToApply(db: unknown, opts: CommonOptions & { planRunId: string }): Promise<string[]> {
  const o = await withPlanScope(db, opts);
  const ctx = await prepare(db, o, { tenant: 'required' });
  const before = ctx.notices.length;
  await loadPlan(ctx, opts.planRunId);
  return ctx.notices.slice(before);
}
