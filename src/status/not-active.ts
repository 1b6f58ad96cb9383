/**
 * Source rows left out as not active (a link's own `active`: soft-deleted, void documents): what status, plan and
 * verify print of them adds up, checked before it is printed.
 */
import { BackfillError } from '../errors.js';

/** A link's rows as counted with its own `active`: linked (any FK) + unlinked (NULL FK, active) + not active (NULL FK) = total. */
export interface NotActiveCounts {
  entityType: string;
  total: number;
  populated: number;
  nullFks: number;
  notActive: number;
}

/** Refuses (INTERNAL) counts that do not add up or are negative: a counting bug is never printed as a result. */
export function assertNotActiveAddsUp(c: NotActiveCounts): void {
  const parts = [c.populated, c.nullFks, c.notActive];
  if (parts.every((n) => Number.isInteger(n) && n >= 0) && c.populated + c.nullFks + c.notActive === c.total) return;
  throw new BackfillError(
    'INTERNAL',
    `${c.entityType}: linked ${c.populated} + unlinked ${c.nullFks} + not active ${c.notActive} is not the ${c.total} row(s) counted`,
  );
}

/** "3 row(s) with a NULL FK left out as not active (deleted_at IS NULL does not hold): not planned, not linked". */
export function notActiveText(c: NotActiveCounts & { activeWhen?: string | undefined }, fk: string): string {
  assertNotActiveAddsUp(c);
  const when = c.activeWhen === undefined ? '' : ` (${c.activeWhen} does not hold)`;
  return `${c.entityType}: ${c.notActive} row(s) with a NULL ${fk} left out as not active${when}: neither planned nor linked, not counted as unlinked`;
}
