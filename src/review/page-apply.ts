/** Apply from the review page: what a plan would link by decision and by machine, and the decisions-only copy of a plan. */
import { num } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { type Context, runScope } from '../context/context.js';
import { planIn } from '../planning/plan.js';
import { createRun, failRun, finishRun } from '../store/runs.js';
import { json } from './queue.js';

// ------------------------------------------------------------------------------------------ apply from the page

export interface ApplyPreview {
  planRunId: string;
  /** Rows (and names) the plan links because a person decided. */
  decisions: { names: number; rows: number };
  /** Rows the machine links on its own (auto-link band, exact, normalized, alias). */
  machine: { names: number; rows: number };
  /** Rows left NULL: review, ambiguous, unmatched, never, create. */
  left: { names: number; rows: number };
}

/** Plans now (decisions first) and counts what an apply of that plan would link, by who decided. */
export async function applyPreviewIn(ctx: Context, opts: { by: string | null }): Promise<ApplyPreview> {
  const planRunId = (await planIn(ctx, { executedBy: opts.by, maxUnmatchedRecords: 0 })).runId;
  const res = await ctx.db.query<{ k: 'decisions' | 'machine' | 'left'; names: unknown; rows: unknown }>(
    `SELECT CASE WHEN outcome = 'linked' AND method = 'decision' THEN 'decisions' WHEN outcome = 'linked' THEN 'machine' ELSE 'left' END AS k,
            count(*)::int8 AS names, coalesce(sum(row_count), 0)::int8 AS rows
       FROM fk_backfill.plan_entries WHERE run_id = $1::int8 GROUP BY 1`,
    [planRunId],
  );
  const out: ApplyPreview = { planRunId, decisions: { names: 0, rows: 0 }, machine: { names: 0, rows: 0 }, left: { names: 0, rows: 0 } };
  for (const r of res.rows) out[r.k] = { names: num(r.names), rows: num(r.rows) };
  return out;
}

/**
 * A plan holding only what people decided: a copy of plan `planRunId`'s entries linked by a decision
 * (machine links left out), recorded as its own plan run (options.decisionsOnlyOf) so that applying it
 * links exactly those rows. The review queue never reads such a copy.
 */
export async function decisionsOnlyPlanIn(ctx: Context, planRunId: string, by: string | null): Promise<string> {
  const src = await ctx.db.query<{ config_hash: string; scope: unknown; status: string; kind: string }>(
    `SELECT config_hash, scope, status, kind FROM fk_backfill.runs WHERE id = $1::int8`,
    [planRunId],
  );
  const run = src.rows[0];
  if (run === undefined || run.kind !== 'plan' || run.status !== 'done') throw new BackfillError('RUN_STATE', `plan ${planRunId} is not a finished plan`);
  if (run.config_hash !== ctx.configHash || JSON.stringify(json<{ tenant: string | null }>(run.scope)?.tenant ?? null) !== JSON.stringify(ctx.filter.tenant)) {
    throw new BackfillError('PLAN_STALE', `plan ${planRunId} was made with another config or scope; preview the apply again`);
  }
  const id = await createRun(ctx.db, {
    kind: 'plan',
    ...runScope(ctx),
    executedBy: by,
    dryRun: true,
    options: { decisionsOnlyOf: planRunId },
  });
  try {
    const res = await ctx.db.query<{ names: unknown; rows: unknown }>(
      `WITH c AS (
         INSERT INTO fk_backfill.plan_entries (run_id, link, scope_key, source_name, outcome, target_key, method, score, row_count, candidates, reason, target_name)
         SELECT $1::int8, link, scope_key, source_name, outcome, target_key, method, score, row_count, candidates, reason, target_name
           FROM fk_backfill.plan_entries WHERE run_id = $2::int8 AND outcome = 'linked' AND method = 'decision'
         RETURNING row_count)
       SELECT count(*)::int8 AS names, coalesce(sum(row_count), 0)::int8 AS rows FROM c`,
      [id, planRunId],
    );
    await finishRun(ctx.db, id, 'done', { decisionsOnlyOf: planRunId, names: num(res.rows[0]?.names), rows: num(res.rows[0]?.rows) });
    return id;
  } catch (e) {
    throw await failRun(ctx.db, id, e, 'copying the decided part of the plan');
  }
}
