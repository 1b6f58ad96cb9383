/**
 * `constrain --tenant-safe` on links with shared masters (target.shared): the composite FK (tenant, fk) → master
 * (tenant, key) refuses every row linked to a master of no tenant, and every later link to one. Refused before anything
 * changes (the orphan scan would call those rows orphans), naming the rows and the way out: a plain FK on the key.
 */
import type { Context } from '../context/context.js';
import { num } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { sharedLinkedStatement } from '../sql/constrain.js';

export async function refuseTenantSafeShared(ctx: Context): Promise<void> {
  const found: { entityType: string; table: string; fk: string; target: string; linked: number }[] = [];
  for (const l of ctx.links) {
    if (l.config.target.shared === undefined || l.config.scope.length === 0) continue;
    const q = {
      sourceSql: l.sourceSql,
      targetSql: l.targetSql,
      fk: l.config.fk,
      targetKey: l.targetKey,
      scope: l.config.scope,
      targetScope: l.config.targetScope,
    };
    const n = num((await ctx.db.query(sharedLinkedStatement(q))).rows[0]?.n);
    found.push({ entityType: l.entity, table: l.config.table, fk: l.config.fk, target: l.config.target.table, linked: n });
  }
  if (found.length === 0) return;
  throw new BackfillError(
    'TENANT_SAFE_SHARED',
    `refusing constrain --tenant-safe: ${found
      .map(
        (x) =>
          `${x.entityType} links ${x.table}.${x.fk} to shared masters of ${x.target} (target.shared: of no tenant; ${x.linked} row(s) now)`,
      )
      .join(
        '; ',
      )}; a composite FK (tenant, ${found[0]!.fk}) cannot point at a master whose tenant is NULL, so it would refuse those rows and every later link to a shared master. Nothing was changed. Run constrain without --tenant-safe (a plain FK on the master's key, which verify's cross-tenant check backs), or leave "shared" out of the link`,
    { details: { links: found } },
  );
}
