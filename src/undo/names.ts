/**
 * What an undo knows of the names the run linked: the plan it applied (its linked entries), where updated_at cannot
 * tell an edit by the application.
 */
import type { Queryable } from '../db/port.js';
import type { ResolvedLink } from '../context/catalog.js';
import { appliedPlanOf } from '../store/plans.js';
import { citusShape } from '../sql/citus.js';
import { rowSecurityStatement } from '../sql/context.js';

/**
 * `{ plan }`: the plan whose names an undo of the link checks a row still has (sql/undo.ts namedAsPlanned, on Citus
 * citusPlannedNames); `{}` where the run applied no plan (a guard run): the FK decides. `sample`: for the skipped rows'
 * sample (sql/undo-skips.ts), which names a renamed row off Citus only (its check reads fk_backfill beside the shards).
 */
export async function namesOf(
  db: Queryable,
  targetRunId: string,
  l: ResolvedLink,
  use: 'undo' | 'sample' = 'undo',
): Promise<{ plan?: string }> {
  if (use === 'sample' && citusShape(l.citus) !== undefined) return {};
  const plan = await appliedPlanOf(db, targetRunId, l.entity);
  return plan === null ? {} : { plan };
}

/** `{ rowSecurity: true }` where row-level security applies to the link's source for this role (sql/undo.ts undoStatement). */
export async function rowSecurityOf(db: Queryable, l: ResolvedLink): Promise<{ rowSecurity?: boolean }> {
  return (await db.query(rowSecurityStatement(l.sourceOid))).rows[0]?.rls === true ? { rowSecurity: true } : {};
}
