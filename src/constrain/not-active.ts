/**
 * `constrain --not-null` on links with their own `active` (documents that count): rows not active are never linked,
 * so a NULL FK they keep would make SET NOT NULL fail. Refused before anything changes, naming the rows and the way out.
 */
import { activePredicate } from '../config/schema.js';
import { type Context, shape } from '../context/context.js';
import { num } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { describeActive } from '../sql/active.js';
import { statusStatement } from '../sql/status.js';

/** Throws NOT_ACTIVE_NULL_FKS (exit 3, nothing changed) when some link's rows not active still have a NULL FK. */
export async function refuseNotActiveNulls(ctx: Context): Promise<void> {
  const found: { entityType: string; table: string; fk: string; notActive: number; activeWhen: string }[] = [];
  for (const l of ctx.links) {
    const active = activePredicate(l.config.active);
    if (active === undefined) continue;
    const n = num((await ctx.db.query(statusStatement(shape(l), { tenant: null }))).rows[0]?.not_active);
    if (n > 0)
      found.push({ entityType: l.entity, table: l.config.table, fk: l.config.fk, notActive: n, activeWhen: describeActive(active) });
  }
  if (found.length === 0) return;
  throw new BackfillError(
    'NOT_ACTIVE_NULL_FKS',
    `refusing constrain --not-null: ${found
      .map((x) => `${x.table}.${x.fk}: ${x.notActive} row(s) not active (${x.activeWhen} does not hold) still have a NULL ${x.fk}`)
      .join(
        '; ',
      )}; fk-backfill never links rows that are not active, and NOT NULL would refuse them. Nothing was changed. Run constrain without --not-null (the foreign key, its index and ON DELETE need no NOT NULL), or give those rows an FK or delete them first`,
    { details: { links: found } },
  );
}
