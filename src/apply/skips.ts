/**
 * Exact skip reasons (issue #23): after a link of an apply is walked, the planned rows it did not update
 * are counted by reason with one set-based statement (skipReasonsStatement), only when there are any.
 */
import { num } from '../db/port.js';
import { LOCK_NOT_AVAILABLE, sqlState, wrapDbError } from '../errors.js';
import { skipReasonsStatement } from '../sql/skips.js';
import { noNestedLoopsStatement, probeLockTimeoutStatement } from '../sql/session.js';
import { rollbackToSavepointStatement, savepointStatement } from '../sql/batch.js';
import type { ResolvedLink } from '../context/catalog.js';
import { type Context, shape } from '../context/context.js';
import { type RefusedRow, refusedSample } from '../store/refused.js';

export interface SkipReasons {
  /** A hierarchy (the source is the master table): the row names itself (parent_name = its own name), never linked to itself. */
  selfReference: number;
  /** Name, scope or FK changed since the plan, or the row was deleted (no longer matches its plan entry). */
  changedSincePlan: number;
  /**
   * The same, on a table whose row-level security is active for the role: a row its policy hides is neither seen nor
   * updated, and cannot be told from one deleted (a new user's trial: 69,782 rows of other companies, hidden by the
   * policy, were counted "changed since plan or deleted").
   */
  changedOrHiddenUnderRls: number;
  /** The document is no longer active (the link's own `active`: soft-deleted, voided since the plan or during the run): left NULL. */
  documentInactive: number;
  /** Linked to its planned master by another run of the same plan (the plan applied again, before or while this run was stopped). */
  linkedByEarlierRun: number;
  /** The planned master was deleted since the plan. */
  masterDeleted: number;
  /** The planned master moved to another scope (tenant) since the plan. */
  masterMovedScope: number;
  /** The planned master was deactivated since the plan. */
  masterInactive: number;
  /** The planned master no longer has the name the plan's decision rested on (renamed since the plan). */
  masterRenamed: number;
  /** The table refused the row's new value (a CHECK constraint, a unique index, a trigger that raised): left out of its batch. */
  refusedByTable: number;
  /** Another session kept the row locked through every retry of its batch and of the final sweep: left NULL (a new plan and apply link it). */
  lockedByOtherSession: number;
  /** The row still matched everything; the UPDATE passed it over: a BEFORE UPDATE trigger returned NULL. */
  cancelledByTrigger: number;
  /** The row still matched everything; a row-level security policy kept the UPDATE from it. */
  notUpdatableUnderRls: number;
  /**
   * The row still matched everything and the table has both a BEFORE UPDATE trigger and row-level security: either
   * passed it over, and nothing tells which (before, all were put down to the policy).
   */
  cancelledByTriggerOrRls: number;
  /**
   * The row still matched everything and was passed over on a table with a BEFORE UPDATE trigger or row-level security,
   * but the check that tells those from rows added behind the walk (the UPDATE tried again, rolled back) ran into its
   * lock timeout: another session held rows it needed. Why they were passed over is not known (before: all were put
   * down to the trigger; a trial under a busy application saw 6 "cancelled by a trigger" with a trigger that cancels nothing).
   */
  notKnownLocked: number;
  /** The same, when that check failed otherwise (a trigger raising on a row it tried): why they were passed over is not known. */
  notKnownCheckFailed: number;
  /**
   * The row still matched everything and the UPDATE would link it now: added during the run behind the walk (after
   * the final sweep, too), or moved there by another session's update and then kept locked through the final sweep's
   * retries. On a table with neither a BEFORE UPDATE trigger nor row-level security, every row passed over.
   */
  notReached: number;
}

export const SKIP_REASON_TEXT: Record<keyof SkipReasons, string> = {
  selfReference: 'names itself (never linked to itself)',
  changedSincePlan: 'changed since plan (name, scope or FK) or deleted',
  changedOrHiddenUnderRls: 'changed since plan (name, scope or FK), deleted, or hidden from this role by row-level security',
  documentInactive: 'document no longer active (soft-deleted since plan or during run)',
  linkedByEarlierRun: 'linked as planned by another run of this plan',
  masterDeleted: 'master deleted since plan or during run',
  masterMovedScope: 'master moved to another tenant',
  masterInactive: 'master deactivated since plan or during run',
  masterRenamed: 'master renamed',
  refusedByTable: 'refused by the table (a constraint or a trigger)',
  lockedByOtherSession: 'locked by another session through every retry (plan and apply again to link them)',
  cancelledByTrigger: 'cancelled by a trigger',
  notUpdatableUnderRls: 'not updatable under row-level security',
  cancelledByTriggerOrRls: 'cancelled by a trigger or kept from the update by row-level security',
  notKnownLocked: 'passed over, reason not known: locked by another session when checked (plan and apply again to link those that can be)',
  notKnownCheckFailed: 'passed over, reason not known: the check of why failed (plan and apply again to link those that can be)',
  notReached: 'not reached (added or moved behind the walk during the run; a new plan and apply link them)',
};

/** What a walked link's counts say beyond `updated`: planned rows left NULL and why, rows linked beyond the plan. */
export interface SkipCount {
  /** Planned rows not updated (or rows of planned names left NULL for a reason): the reasons add up to it. */
  skipped: number;
  /** Present when skipped > 0. */
  reasons?: SkipReasons;
  /**
   * Rows linked that the plan did not count: added, or renamed to a planned name, since the plan (a plan
   * decides per name; apply links every NULL-FK row of a decided name). Counted per name (rows linked of a
   * name beyond its planned count); a lower bound only where one name both lost planned rows and gained new
   * ones (those cannot be told apart without a per-row plan).
   */
  beyondPlan: number;
  /** Present when the table refused rows (reasons.refusedByTable > 0): the first of them, with the table's error. */
  refused?: RefusedRow[];
  /** Present when rows stayed locked (reasons.lockedByOtherSession > 0): the first of them. */
  locked?: RefusedRow[];
}

/** Refused rows an apply result shows (all of them are in fk_backfill.refused_rows). */
export const REFUSED_SHOWN = 5;

/**
 * Counts why planned rows of one link were not updated, and the rows linked beyond the plan. The
 * statement runs only when `updated` differs from `planned` (an undisturbed run pays nothing): with
 * fewer, the shortfall is split by reason; with more, rows were added with a planned name since the plan,
 * and `planned - updated` (negative) would hide every planned row left NULL (before: 100 rows added, 20
 * planned rows of a deactivated master left NULL, "skipped 0" and no reason).
 */
export async function countSkips(
  ctx: Context,
  l: ResolvedLink,
  ids: { planRunId: string; runId: string },
  planned: number,
  updated: number,
): Promise<SkipCount> {
  if (updated === planned) return { skipped: 0, beyondPlan: 0 };
  const st = skipReasonsStatement(shape(l), { ...ids, linkName: l.entity }, ctx.filter);
  let row;
  // set when the probe below could not run to its end: the rows it would have sorted keep no label but that
  let notProbed: 'locked' | 'failed' | null = null;
  try {
    // hash joins: a fresh plan's entries have no statistics (a plan under ANALYZE_PLAN_NAMES names, autovacuum off or
    // behind), and the planner, estimating one entry, scanned the table once per linked name (a new user's trial: 10 min
    // 20 s for 8,815 names over 60 k rows, after batches of under a minute; 20 k rows and 4,000 names: 20.6 s, now ~0.5 s)
    row = await ctx.db.transaction(async (tx) => {
      await tx.query(noNestedLoopsStatement());
      const first = (await tx.query(st)).rows[0];
      // rows passed over on a table with a BEFORE UPDATE trigger or row-level security: the UPDATE tried again, rolled
      // back, tells those it would link now (arrived behind the walk) from those it passes over still (cancelled, kept
      // from it); on Citus tables (distributed, reference) the plan's entries cannot join the UPDATE: not tried, labelled as before
      const oneNode = l.citus === null || (l.citus.source.kind === 'local' && l.citus.target.kind === 'local');
      if (first === undefined || num(first.passed_over) === 0 || !oneNode) return first;
      if (first.rls !== true && first.before_update_triggers !== true) return first;
      await tx.query(savepointStatement());
      try {
        await tx.query(probeLockTimeoutStatement());
        const probed = (await tx.query(skipReasonsStatement(shape(l), { ...ids, linkName: l.entity, probe: true }, ctx.filter))).rows[0];
        await tx.query(rollbackToSavepointStatement());
        return probed;
      } catch (e) {
        // a row kept locked past the probe's lock timeout, a trigger raising on it: the count without the probe stands,
        // its passed-over rows with no reason (a trigger, a policy or a row added behind the walk: not established)
        await tx.query(rollbackToSavepointStatement());
        notProbed = sqlState(e) === LOCK_NOT_AVAILABLE ? 'locked' : 'failed';
        return first;
      }
    });
  } catch (e) {
    throw wrapDbError(e, `counting why planned rows of ${l.entity} were skipped`);
  }
  const reachable = num(row?.reachable);
  const documentInactive = num(row?.document_inactive);
  const [selfReference, masterDeleted, masterMovedScope, masterInactive, masterRenamed, refusedByTable, locked, passed, earlier] = [
    row?.self_reference,
    row?.master_deleted,
    row?.master_moved,
    row?.master_inactive,
    row?.master_renamed,
    row?.refused,
    row?.locked,
    row?.passed_over,
    row?.linked_earlier,
  ].map(num) as [number, number, number, number, number, number, number, number, number];
  const counted =
    selfReference +
    masterDeleted +
    masterMovedScope +
    masterInactive +
    masterRenamed +
    refusedByTable +
    locked +
    passed +
    reachable +
    earlier +
    documentInactive;
  // Per name, planned rows not updated: a planned name that lost rows (renamed away, deleted) while another gained
  // some (added since the plan) no longer cancel out in the totals (before: 2 renamed away + 1 added = "skipped 1",
  // nothing beyond the plan). Rows still NULL for a reason are skipped whatever else happened; the rest of a
  // shortfall no longer matches its entry.
  const skipped = Math.max(planned - updated, num(row?.short_by_name), counted);
  const beyondPlan = updated - (planned - skipped);
  if (skipped === 0) return { skipped, beyondPlan };
  const reasons: SkipReasons = {
    selfReference,
    changedSincePlan: row?.rls === true ? 0 : skipped - counted,
    changedOrHiddenUnderRls: row?.rls === true ? skipped - counted : 0,
    documentInactive,
    linkedByEarlierRun: earlier,
    masterDeleted,
    masterMovedScope,
    masterInactive,
    masterRenamed,
    refusedByTable,
    lockedByOtherSession: locked,
    cancelledByTrigger: notProbed === null && row?.rls !== true && row?.before_update_triggers === true ? passed : 0,
    notUpdatableUnderRls: notProbed === null && row?.rls === true && row.before_update_triggers !== true ? passed : 0,
    cancelledByTriggerOrRls: notProbed === null && row?.rls === true && row.before_update_triggers === true ? passed : 0,
    notKnownLocked: notProbed === 'locked' ? passed : 0,
    notKnownCheckFailed: notProbed === 'failed' ? passed : 0,
    notReached: reachable + (row?.rls !== true && row?.before_update_triggers !== true ? passed : 0),
  };
  const refused = refusedByTable > 0 ? await refusedSample(ctx.db, ids.runId, l.entity, REFUSED_SHOWN) : [];
  // the rows counted as locked, read with the count (a record of one since linked, deleted or refused is not shown)
  const lockedRows: RefusedRow[] = (locked > 0 ? (row?.locked_sample ?? []) : []).map((key) => ({
    key,
    sqlstate: LOCK_NOT_AVAILABLE,
    constraint: null,
    message: 'locked by another session',
  }));
  return {
    skipped,
    reasons,
    beyondPlan,
    ...(refused.length > 0 ? { refused } : {}),
    ...(lockedRows.length > 0 ? { locked: lockedRows } : {}),
  };
}

/** "2 cancelled by a trigger, 1 master deleted" (non-zero reasons only). */
export function skipReasonsText(r: SkipReasons): string {
  return (Object.keys(SKIP_REASON_TEXT) as (keyof SkipReasons)[])
    .filter((k) => r[k] > 0)
    .map((k) => `${r[k]} ${SKIP_REASON_TEXT[k]}`)
    .join(', ');
}
