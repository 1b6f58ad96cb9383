/** What an apply run returns, per link and in total, and what its run row keeps of it. */
import type { Walk } from '../sql/walk.js';
import { earlierRunThatChanged, seedRunInfo } from '../store/runs.js';
import type { Context } from '../context/context.js';
import { noticesOf, type PlanResult, seedFields, type SeedSummaryFields } from '../planning/plan.js';
import { type SkipCount, type SkipReasons } from './skips.js';

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

export async function applyResult(
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

export function summaryOf(r: ApplyResult): unknown {
  return { totalUpdated: r.totalUpdated, planHash: r.planHash, mode: r.mode, results: r.results };
}

/** A link result's fields from its skip count (reasons and rows beyond the plan only when there are some). */
export function skipFields(c: SkipCount): Pick<LinkApplyResult, 'skipped' | 'skipReasons' | 'beyondPlan'> {
  return { skipped: c.skipped, ...(c.reasons !== undefined ? { skipReasons: c.reasons } : {}), ...(c.beyondPlan > 0 ? { beyondPlan: c.beyondPlan } : {}) };
}
