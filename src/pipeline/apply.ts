import { adapt } from '../db/index.js';
import { num } from '../db/port.js';
import { migrate } from '../store/migrate.js';
import type { Queryable } from '../db/port.js';
import { BackfillError, wrapDbError } from '../errors.js';
import { applyStatement } from '../sql/statements.js';
import { createRun, finishRun, getRun, type RunRecord } from '../store/runs.js';
import { prepare, shape, type CommonOptions, type Context } from './context.js';
import { planIn, type PlanResult } from './plan.js';

export interface ApplyOptions extends CommonOptions {
  /** Apply exactly this plan (a run id from `plan`); default: plan now, then apply. */
  planRunId?: string;
  executedBy?: string | null;
  maxUnmatchedRecords?: number;
}

export interface LinkApplyResult {
  entityType: string;
  table: string;
  /** Rows the plan meant to link. */
  planned: number;
  updated: number;
  /** Planned rows not updated: changed since planning (FK set or name edited) or gone. */
  skipped: number;
}

export interface ApplyResult {
  runId: string;
  planRunId: string;
  tenantId: string | null;
  dryRun: false;
  totalUpdated: number;
  results: LinkApplyResult[];
  /** The plan applied (present when apply planned it itself). */
  plan?: PlanResult;
}

async function plannedRows(db: Queryable, planRunId: string, link: string): Promise<number> {
  const res = await db.query<{ n: unknown }>(
    `SELECT coalesce(sum(row_count), 0)::int8 AS n FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND link = $2 AND outcome = 'linked'`,
    [planRunId, link],
  );
  return num(res.rows[0]?.n);
}

/** The plan run to apply, checked: a finished plan made with this config for these links. */
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

/**
 * Live run in one transaction (the seed's semantics): for every link one set-based UPDATE … FROM the
 * plan, guarded (FK still NULL, name unchanged, same scope), writing the change log in the same statement.
 */
export async function applyIn(ctx: Context, opts: ApplyOptions = {}): Promise<ApplyResult> {
  let planResult: PlanResult | undefined;
  let planRunId: string;
  if (opts.planRunId !== undefined) {
    planRunId = (await loadPlan(ctx, opts.planRunId)).id;
  } else {
    planResult = await planIn(ctx, { executedBy: opts.executedBy ?? null, ...(opts.maxUnmatchedRecords !== undefined ? { maxUnmatchedRecords: opts.maxUnmatchedRecords } : {}) });
    planRunId = planResult.runId;
  }
  const runId = await createRun(ctx.db, {
    kind: 'apply',
    tenant: ctx.filter.tenant,
    entities: ctx.links.map((l) => l.entity),
    executedBy: opts.executedBy ?? null,
    dryRun: false,
    configHash: ctx.configHash,
    config: ctx.config,
    planRunId,
    options: { singleTransaction: true },
  });
  try {
    const results = await ctx.db.transaction(async (tx) => {
      const out: LinkApplyResult[] = [];
      for (const l of ctx.links) {
        const planned = await plannedRows(tx, planRunId, l.entity);
        const st = applyStatement(shape(l), { planRunId, runId, linkName: l.entity, tableName: l.config.table }, ctx.filter);
        const res = await tx.query(st.text, st.values);
        out.push({ entityType: l.entity, table: l.config.table, planned, updated: res.rowCount, skipped: Math.max(0, planned - res.rowCount) });
      }
      return out;
    });
    const result: ApplyResult = {
      runId,
      planRunId,
      tenantId: ctx.filter.tenant,
      dryRun: false,
      totalUpdated: results.reduce((a, r) => a + r.updated, 0),
      results,
      ...(planResult !== undefined ? { plan: planResult } : {}),
    };
    await finishRun(ctx.db, runId, 'done', { totalUpdated: result.totalUpdated, results });
    return result;
  } catch (e) {
    const err = wrapDbError(e, 'applying');
    await finishRun(ctx.db, runId, 'failed', null, err.message).catch(() => undefined);
    throw err;
  }
}

/** Fills tenant and entities from the plan when `--plan ID` is given without them. */
export async function withPlanScope<T extends CommonOptions & { planRunId?: string }>(handle: unknown, opts: T): Promise<T> {
  if (opts.planRunId === undefined) return opts;
  const db = adapt(handle);
  await migrate(db);
  const run = await getRun(db, opts.planRunId);
  const out = { ...opts };
  if (opts.tenantId == null && opts.allTenants !== true) {
    const t = run.scope?.tenant ?? null;
    if (t === null) out.allTenants = true;
    else out.tenantId = t;
  }
  if (opts.entities === undefined || opts.entities.length === 0) out.entities = run.entities;
  return out;
}

export async function apply(db: unknown, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const o = await withPlanScope(db, opts);
  const ctx = await prepare(db, o, { tenant: 'required' });
  return applyIn(ctx, o);
}
