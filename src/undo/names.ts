/**
 * What an undo knows of the names the run linked: the plan it applied (its linked entries), where updated_at cannot
 * tell an edit by the application.
 */
import type { Queryable } from '../db/port.js';
import type { ResolvedLink } from '../context/catalog.js';
import { appliedPlanOf } from '../store/plans.js';
import { citusShape } from '../sql/citus.js';

/**
 * `{ plan }`: the plan whose names an undo of the link checks a row still has (sql/undo.ts namedAsPlanned); `{}` where
 * the run applied no plan (a guard run) or on Citus (its UPDATE on the shards reads no fk_backfill table): the FK decides.
 */
export async function namesOf(db: Queryable, targetRunId: string, l: ResolvedLink): Promise<{ plan?: string }> {
  if (citusShape(l.citus) !== undefined) return {};
  const plan = await appliedPlanOf(db, targetRunId, l.entity);
  return plan === null ? {} : { plan };
}
