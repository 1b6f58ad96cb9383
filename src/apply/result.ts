/** What an apply run returns, per link and in total, and what its run row keeps of it. */
import type { Walk } from '../sql/walk.js';
import { BackfillError } from '../errors.js';
import { earlierRunThatChanged, seedRunInfo } from '../store/runs.js';
import type { Context } from '../context/context.js';
import { type PlanResult, seedFields, type SeedSummaryFields } from '../planning/plan.js';
import { noticesOf } from '../context/context.js';
import { type SkipCount, type SkipReasons } from './skips.js';
import { type RefusedRow, refusedCount, refusedSample } from '../store/refused.js';
import { REFUSED_SHOWN } from './skips.js';
import { staleViewsNotice } from '../context/stale-views.js';

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
  /** The first rows the table refused (skipReasons.refusedByTable), with its error; every one is in fk_backfill.refused_rows. */
  refused?: RefusedRow[];
  /** The first rows another session kept locked through every retry (skipReasons.lockedByOtherSession), left NULL. */
  locked?: RefusedRow[];
  /** Rows linked that the plan did not count: added or renamed to a planned name since (present when > 0; see SkipCount). */
  beyondPlan?: number;
  /**
   * A link the run stopped in (or before): planned rows it has not linked yet, not skipped — the rows it
   * has not reached, and any it passed in the batches done (their reasons are counted when `apply --resume`
   * completes the link). Present only while not complete. See assertCountsAddUp.
   */
  notYetProcessed?: number;
  /**
   * A link the run stopped in: rows the table refused so far (among those not yet processed; every one in
   * fk_backfill.refused_rows, the first in `refused`), counted as skipped when `apply --resume` completes the link.
   * Present only then, when > 0. Before, a stopped run said "Skipped 0" while it had left such rows NULL.
   */
  refusedSoFar?: number;
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
  /** Times the run reconnected after a lost connection and walked on from its checkpoint (present when > 0). */
  reconnected?: number;
  /** Stopped: planned rows not yet processed, over every link (present only then; each link's `notYetProcessed`). */
  totalNotYetProcessed?: number;
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
  for (const r of results) if (!r.complete) Object.assign(r, unfinished(r), await refusedSoFarFields(ctx, ids.runId, r.entityType));
  assertCountsAddUp(results);
  const totalUpdated = results.reduce((a, r) => a + r.updated, 0);
  const notYet = results.reduce((a, r) => a + (r.notYetProcessed ?? 0), 0);
  // materialized views over what the run wrote keep the FKs as they were until refreshed: said by name
  for (const l of ctx.links) {
    if (!results.some((r) => r.entityType === l.entity && r.updated > 0)) continue;
    const stale = await staleViewsNotice(ctx.db, l, 'apply');
    if (stale !== null) ctx.notices.push(stale);
  }
  const info = await seedRunInfo(ctx.db, ids.runId, ids.planRunId);
  const seed = seedFields({
    dryRun: false,
    executedAt: info.executedAt,
    executedBy: info.executedBy,
    processed: info.processed,
    matched: info.matched,
    updated: totalUpdated,
  });
  // "already applied" only when that is the whole story: every planned row skipped was linked by that other run (a plan
  // applied, undone, then applied again after its masters were renamed said "already applied" over 2 rows renamed)
  const onlyLinkedBefore = results.every((r) => r.skipped === (r.skipReasons?.linkedByEarlierRun ?? 0));
  const already =
    totalUpdated === 0 && status === 'done' && onlyLinkedBefore
      ? await earlierRunThatChanged(ctx.db, { kind: 'apply', planRunId: ids.planRunId, exclude: ids.runId })
      : null;
  return {
    ...ids,
    tenantId: ctx.filter.tenant,
    ...seed,
    dryRun: false,
    mode,
    status,
    totalUpdated,
    ...(status === 'stopped' ? { totalNotYetProcessed: notYet } : {}),
    results,
    ...noticesOf(ctx),
    ...(already !== null ? { alreadyAppliedBy: already } : {}),
  };
}

export function summaryOf(r: ApplyResult): unknown {
  return {
    totalUpdated: r.totalUpdated,
    ...(r.totalNotYetProcessed !== undefined ? { totalNotYetProcessed: r.totalNotYetProcessed } : {}),
    planHash: r.planHash,
    mode: r.mode,
    results: r.results,
  };
}

/** A link result's fields from its skip count (reasons and rows beyond the plan only when there are some). */
export function skipFields(c: SkipCount): Pick<LinkApplyResult, 'skipped' | 'skipReasons' | 'refused' | 'locked' | 'beyondPlan'> {
  return {
    skipped: c.skipped,
    ...(c.reasons !== undefined ? { skipReasons: c.reasons } : {}),
    ...(c.refused !== undefined ? { refused: c.refused } : {}),
    ...(c.locked !== undefined ? { locked: c.locked } : {}),
    ...(c.beyondPlan > 0 ? { beyondPlan: c.beyondPlan } : {}),
  };
}

/**
 * A link the run stopped in: nothing is skipped yet (skip reasons are counted once the link is walked);
 * the planned rows not linked are not yet processed. Rows linked beyond the plan (added with a planned
 * name since) can only be told apart per name when the link completes: until then updated - planned, if
 * positive.
 */
function unfinished(r: LinkApplyResult): Pick<LinkApplyResult, 'skipped' | 'notYetProcessed' | 'beyondPlan'> {
  return {
    skipped: 0,
    notYetProcessed: Math.max(0, r.planned - r.updated),
    ...(r.updated > r.planned ? { beyondPlan: r.updated - r.planned } : {}),
  };
}

/** A stopped link's rows refused so far, and the first of them (absent when none). */
async function refusedSoFarFields(ctx: Context, runId: string, link: string): Promise<Pick<LinkApplyResult, 'refusedSoFar' | 'refused'>> {
  const n = await refusedCount(ctx.db, runId, link, { locked: false });
  if (n === 0) return {};
  const refused = await refusedSample(ctx.db, runId, link, REFUSED_SHOWN);
  if (refused.length === 0 || refused.length > n)
    throw new BackfillError('INTERNAL', `apply ${link}: ${n} row(s) refused so far, but ${refused.length} shown`);
  return { refusedSoFar: n, refused };
}

/**
 * The counts every apply result prints and stores must add up, per link: the planned rows are those
 * linked (updated, less the rows linked beyond the plan), skipped (with reasons) and not yet processed
 * (a stopped link). Anything else is a counting bug: refused rather than printed (before: a stopped run
 * printed "Skipped 0" with the rows it never reached nowhere).
 */
export function assertCountsAddUp(results: readonly LinkApplyResult[]): void {
  for (const r of results) {
    const beyond = r.beyondPlan ?? 0;
    const notYet = r.notYetProcessed ?? 0;
    const reasons = r.skipReasons === undefined ? r.skipped : Object.values(r.skipReasons).reduce((a, n) => a + n, 0);
    const ok =
      r.updated - beyond + r.skipped + notYet === r.planned &&
      reasons === r.skipped &&
      (r.complete ? notYet === 0 : r.skipped === 0) &&
      Math.min(beyond, notYet, r.skipped) >= 0;
    if (!ok) {
      throw new BackfillError(
        'INTERNAL',
        `apply ${r.entityType}: counts do not add up: planned ${r.planned} ≠ updated ${r.updated} - beyond the plan ${beyond} + skipped ${r.skipped} + not yet processed ${notYet}${r.skipReasons !== undefined ? ` (reasons sum to ${reasons})` : ''}`,
      );
    }
  }
}
