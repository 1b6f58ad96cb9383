/**
 * Exact skip reasons (issue #23): after a link of an apply is walked, the planned rows it did not update
 * are counted by reason with one set-based statement (skipReasonsStatement), only when there are any.
 */
import { num } from '../db/port.js';
import { wrapDbError } from '../errors.js';
import { skipReasonsStatement } from '../sql/apply.js';
import type { ResolvedLink } from './catalog.js';
import { type Context, shape } from './context.js';

export interface SkipReasons {
  /** Name, scope or FK changed since the plan, or the row was deleted (no longer matches its plan entry). */
  changedSincePlan: number;
  /** The planned master was deleted since the plan. */
  masterDeleted: number;
  /** The planned master moved to another scope (tenant) since the plan. */
  masterMovedScope: number;
  /** The planned master was deactivated since the plan. */
  masterInactive: number;
  /** The planned master no longer has the name the plan's decision rested on (renamed since the plan). */
  masterRenamed: number;
  /** The row still matched everything; the UPDATE passed it over: a BEFORE UPDATE trigger returned NULL. */
  cancelledByTrigger: number;
  /** The row still matched everything; a row-level security policy kept the UPDATE from it. */
  notUpdatableUnderRls: number;
  /**
   * The row still matched everything and the table has neither: added during the run behind the walk, or
   * moved there by another session's update, and then kept locked through the final sweep's retries.
   */
  notReached: number;
}

export const SKIP_REASON_TEXT: Record<keyof SkipReasons, string> = {
  changedSincePlan: 'changed since plan (name, scope or FK) or deleted',
  masterDeleted: 'master deleted since plan or during run',
  masterMovedScope: 'master moved to another tenant',
  masterInactive: 'master deactivated since plan or during run',
  masterRenamed: 'master renamed',
  cancelledByTrigger: 'cancelled by a trigger',
  notUpdatableUnderRls: 'not updatable under row-level security',
  notReached: 'not reached (added or moved during the run, then locked by another session)',
};

/** Counts the `skipped` planned rows of one link by reason; the counts add up to `skipped`. */
export async function classifySkips(ctx: Context, l: ResolvedLink, ids: { planRunId: string; runId: string }, skipped: number): Promise<SkipReasons> {
  const st = skipReasonsStatement(shape(l), { ...ids, linkName: l.entity }, ctx.filter);
  let row;
  try {
    row = (await ctx.db.query<{ master_deleted: unknown; master_moved: unknown; master_inactive: unknown; master_renamed: unknown; passed_over: unknown; rls: boolean; before_update_triggers: boolean }>(st.text, st.values)).rows[0];
  } catch (e) {
    throw wrapDbError(e, `counting why planned rows of ${l.entity} were skipped`);
  }
  let left = skipped;
  // rows inserted since the plan can match too: never report more than were skipped
  const take = (n: unknown): number => {
    const v = Math.min(left, num(n));
    left -= v;
    return v;
  };
  const masterDeleted = take(row?.master_deleted);
  const masterMovedScope = take(row?.master_moved);
  const masterInactive = take(row?.master_inactive);
  const masterRenamed = take(row?.master_renamed);
  const passed = take(row?.passed_over);
  return {
    changedSincePlan: left,
    masterDeleted,
    masterMovedScope,
    masterInactive,
    masterRenamed,
    cancelledByTrigger: row?.rls !== true && row?.before_update_triggers === true ? passed : 0,
    notUpdatableUnderRls: row?.rls === true ? passed : 0,
    notReached: row?.rls !== true && row?.before_update_triggers !== true ? passed : 0,
  };
}

/** "2 cancelled by a trigger, 1 master deleted" (non-zero reasons only). */
export function skipReasonsText(r: SkipReasons): string {
  return (Object.keys(SKIP_REASON_TEXT) as (keyof SkipReasons)[])
    .filter((k) => r[k] > 0)
    .map((k) => `${r[k]} ${SKIP_REASON_TEXT[k]}`)
    .join(', ');
}
