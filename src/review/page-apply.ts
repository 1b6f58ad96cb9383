/** Apply from the review page: what a plan would link by decision and by machine, and the decisions-only copy of a plan. */
import { whileLive } from '../batch/live.js';
import { num } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { type Context, runScope } from '../context/context.js';
import { planIn } from '../planning/plan.js';
import { planEntriesByDecider } from '../store/report.js';
import { copyDecidedEntries, createRun, failRun, finishRun, runHeader } from '../store/runs.js';
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
  const byDecider = await planEntriesByDecider(ctx.db, planRunId);
  const out: ApplyPreview = { planRunId, decisions: { names: 0, rows: 0 }, machine: { names: 0, rows: 0 }, left: { names: 0, rows: 0 } };
  for (const r of byDecider) out[r.k] = { names: num(r.names), rows: num(r.rows) };
  return out;
}

/**
 * A plan holding only what people decided: a copy of plan `planRunId`'s entries linked by a decision
 * (machine links left out), recorded as its own plan run (options.decisionsOnlyOf) so that applying it
 * links exactly those rows. The review queue never reads such a copy.
 */
export async function decisionsOnlyPlanIn(ctx: Context, planRunId: string, by: string | null): Promise<string> {
  const run = await runHeader(ctx.db, planRunId);
  if (run === undefined || run.kind !== 'plan' || run.status !== 'done')
    throw new BackfillError('RUN_STATE', `plan ${planRunId} is not a finished plan`);
  if (
    run.config_hash !== ctx.configHash ||
    JSON.stringify(json<{ tenant: string | null }>(run.scope)?.tenant ?? null) !== JSON.stringify(ctx.filter.tenant)
  ) {
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
    // its live lock held, as every plan's: `runs` tells a copy at work from one whose process died
    return await whileLive(ctx.db, id, `fk-backfill plan run ${id}`, async () => {
      const copied = await copyDecidedEntries(ctx.db, id, planRunId);
      await finishRun(ctx.db, id, 'done', { decisionsOnlyOf: planRunId, names: num(copied?.names), rows: num(copied?.rows) });
      return id;
    });
  } catch (e) {
    throw await failRun(ctx.db, id, e, 'copying the decided part of the plan');
  }
}
