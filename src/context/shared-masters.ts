/**
 * `target.shared` ("null-scope": a master whose scope columns are all NULL is shared by every scope) checked against
 * the catalog before anything runs: the FK of a document must name such a master alone, so the master's key must be
 * unique alone (a key `(tenant_id, id)` repeats `id` across tenants: which tenant's NULL-scope `id` would it be?).
 */
import { targetScope } from '../sql/link.js';
import type { LinkConfig } from '../config/schema.js';
import { BackfillError } from '../errors.js';
import { displayTable, type TableName } from '../sql/quote.js';
import type { TableInfo } from './table-info.js';

/** Refuses `target.shared` where it cannot hold; a notice when no master can be shared (every scope column NOT NULL). */
export function checkSharedMasters(link: LinkConfig, tgt: TableInfo, target: TableName, targetKey: string, p: string): string | null {
  if (link.target.shared === undefined) return null;
  const where = `${p}.target.shared`;
  const alone = tgt.uniques.some((u) => u.length === 1 && u[0] === targetKey);
  if (typeof link.target.key !== 'string' || !alone)
    throw new BackfillError(
      'CONFIG_INVALID',
      `"shared" needs a master key unique alone: ${displayTable(target)}.${targetKey} ${alone ? 'is' : 'is not'} unique by itself${typeof link.target.key === 'string' ? '' : ` and target.key lists ${JSON.stringify(link.target.key)}`}, so a document's ${link.fk} could not tell a shared master from a tenant's; use "key": "${targetKey}" with a unique index on it, or leave "shared" out (${where})`,
      { details: { path: where } },
    );
  const notNull = targetScope(link).filter((c) => tgt.columns.get(c)?.notNull === true);
  if (notNull.length === 0) return null;
  return `${link.entity}: "shared" is set but ${displayTable(target)}.${notNull.join(', ')} ${notNull.length === 1 ? 'is' : 'are'} NOT NULL: no master can be shared (of no scope), so nothing changes`;
}
