/**
 * Row-level security that shows the running role none of a table's rows. A new user's trial (a Supabase-style policy
 * `tenant_id = current_setting('app.tenant_id', true)::uuid`, the tool run as the application's role without that
 * setting): status said 100.0 % of 0 rows, and plan called every name of another table unmatched, its masters hidden.
 * The policy's setting can be given to the tool's connection (PGOPTIONS or the URL's `options`): said, with the
 * setting's name, wherever such a table is read.
 */
import { targetScope } from '../sql/link.js';
import type { Queryable } from '../db/port.js';
import { wrapDbError } from '../errors.js';
import { rowSecurityHidesStatement, rowSecurityOfStatement, rowSecurityStatement } from '../sql/context.js';
import type { ResolvedLink } from './catalog.js';

/** A table whose policies show the role none of its rows while the catalog holds some. */
export interface Hidden {
  /** Rows by the planner's count (0: not counted yet). */
  estimate: number;
  /** The settings its policies read that this session has not set. */
  unset: string[];
}

/**
 * `Hidden` when row-level security applies to the table for this role and the role sees none of its rows (of the
 * tenant, with `scope`) while the catalog says it holds some (rows counted, or bytes on disk); else null.
 */
export async function hiddenByPolicies(
  db: Queryable,
  table: { oid: number; sql: string; name: string },
  scope?: { column: string; tenant: string },
): Promise<Hidden | null> {
  try {
    if ((await db.query(rowSecurityStatement(table.oid))).rows[0]?.rls !== true) return null;
    const r = (await db.query(rowSecurityHidesStatement(table.oid, table.sql, scope))).rows[0];
    if (r === undefined || r.seen || (Number(r.estimate) === 0 && Number(r.bytes) === 0)) return null;
    return { estimate: Number(r.estimate), unset: r.unset };
  } catch (e) {
    throw wrapDbError(e, `checking row-level security on ${table.name}`);
  }
}

/** "row-level security on T shows this role none of its rows [of tenant X] (about N by the catalog)". */
export function hiddenWhat(table: string, h: Hidden, tenant: string | null): string {
  const about = h.estimate > 0 ? ` (the table holds about ${h.estimate.toLocaleString('en-US')})` : '';
  return `row-level security on ${table} shows this role none of its rows${tenant === null ? '' : ` of tenant ${tenant}`}${about}`;
}

/** What to do: give the policy's settings to the tool's connection, or run as a role the policies do not filter. */
export function hiddenRemedy(h: Hidden, tenant: string | null): string {
  const owner = "run as the table's owner (unless it forces row level security) or a role with BYPASSRLS";
  if (h.unset.length === 0) return `${owner}, or as a role its policies show ${tenant === null ? 'every' : "that tenant's"} rows`;
  const value = tenant ?? 'T';
  const reads = h.unset.map((s) => `current_setting('${s}')`).join(', ');
  const first = h.unset[0]!;
  const give = `give ${h.unset.length === 1 ? 'it' : 'them'} to the tool's connection (PGOPTIONS='-c ${first}=${value}', or ?options=-c%20${encodeURIComponent(first)}%3D${encodeURIComponent(value)} in the database URL)`;
  return tenant === null
    ? `its policies read ${reads}, which this session has not set: ${owner}, or run one tenant at a time (--tenant T) and ${give}`
    : `its policies read ${reads}, which this session has not set: ${give}, or ${owner}`;
}

/**
 * A source under row-level security for this role: a command sees, counts and links only the rows its policies show
 * it, said in a notice where it prints them (status, plan, apply, verify, drift; a new user's trial: status "100.0 %"
 * of 0 rows, verify and drift all clear, over a table of 14,350 unlinked names that a policy hid). A source or master
 * table of which it sees no row at all says so, and what to do (masters hidden: verify took every FK for an orphan).
 */
export async function rowSecurityNotices(db: Queryable, links: readonly ResolvedLink[], tenant: string | null): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<number>();
  // the tenant's column in the documents, or in the masters (named otherwise where the scope maps it: targetScope)
  const scopeOf = (l: ResolvedLink, master = false): { column: string; tenant: string } | undefined => {
    const col = (master ? targetScope(l.config) : l.config.scope)[0];
    return tenant !== null && col !== undefined ? { column: col, tenant } : undefined;
  };
  for (const l of links) {
    if (seen.has(l.sourceOid)) continue;
    seen.add(l.sourceOid);
    const r = (await db.query(rowSecurityOfStatement(l.sourceOid))).rows[0];
    if (r?.rls !== true) continue;
    const hidden = await hiddenByPolicies(db, { oid: l.sourceOid, sql: l.sourceSql, name: l.config.table }, scopeOf(l));
    if (hidden !== null) {
      out.push(
        `${hiddenWhat(l.config.table, hidden, tenant)}: nothing of it is counted, checked or linked; ${hiddenRemedy(hidden, tenant)}`,
      );
      continue;
    }
    const way =
      r.forced && r.owner
        ? `FORCE ROW LEVEL SECURITY applies them to its owner too: run as a role with BYPASSRLS to see them all`
        : `run as the table's owner, or a role with BYPASSRLS, to see them all`;
    out.push(
      `row-level security on ${l.config.table} applies to this role: only the rows its policies show it are counted, checked and linked (${way})`,
    );
  }
  for (const l of links) {
    if (seen.has(l.targetOid)) continue;
    seen.add(l.targetOid);
    const t = l.config.target.table;
    const hidden = await hiddenByPolicies(db, { oid: l.targetOid, sql: l.targetSql, name: t }, scopeOf(l, true));
    if (hidden !== null)
      out.push(
        `${hiddenWhat(t, hidden, tenant)}: no name can be matched to its masters, and every FK to one counts as pointing nowhere; ${hiddenRemedy(hidden, tenant)}`,
      );
  }
  return out;
}
