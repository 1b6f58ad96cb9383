/**
 * Whether the guard's lookup of a master by name has an index to use: the trigger looks a written name up among the
 * masters of its scope on every guarded INSERT or UPDATE (README, Limitations), and without an index on the masters'
 * name (alone or among its scope columns) each of those writes scans the master table. Said in a notice at install.
 */
import { targetScope } from '../sql/link.js';
import type { Queryable } from '../db/port.js';
import type { ResolvedLink } from '../context/catalog.js';
import { ident } from '../sql/quote.js';
import { indexesStatement, type IndexRow } from '../sql/constrain.js';

/** An index whose leading columns are the master's name and scope columns only, the name among them: usable. */
export function indexServesLookup(ix: IndexRow, name: string, scope: readonly string[]): boolean {
  if (!ix.valid || ix.partial || ix.has_expression) return false;
  const allowed = new Set([name, ...scope]);
  const lead: string[] = [];
  for (const c of ix.columns) {
    if (!allowed.has(c)) break;
    lead.push(c);
  }
  return lead.includes(name);
}

/** One notice per link whose master table has no index the guard's lookup can use, with the index to create. */
export async function lookupIndexNotices(db: Queryable, links: readonly ResolvedLink[]): Promise<string[]> {
  const out: string[] = [];
  for (const l of links) {
    const t = l.config.target;
    const scope = targetScope(l.config);
    const indexes = (await db.query(indexesStatement(l.targetOid))).rows;
    if (indexes.some((ix) => indexServesLookup(ix, t.name, scope))) continue;
    const cols = [...scope, t.name].map(ident).join(', ');
    out.push(
      `${l.entity}: ${t.table} has no index on its name column${scope.length > 0 ? ' and scope columns' : ''} (${cols}): every guarded write that names a master scans ${t.table}. CREATE INDEX ON ${l.targetSql} (${cols})`,
    );
  }
  return out;
}
