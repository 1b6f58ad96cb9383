/**
 * Materialized views a run leaves stale: apply and undo write the FK (and the touched column) of the documents, and a
 * materialized view over them keeps the values it was last refreshed with. Said after the run, by name, with the
 * statement to run; not refreshed by the tool (a refresh may be long and is the application's to schedule).
 */
import type { Queryable } from '../db/port.js';
import { staleMatviewsStatement } from '../sql/dependents.js';
import type { ResolvedLink } from './catalog.js';

/** One notice naming the materialized views over what `when` wrote on the link's source, or null when none. */
export async function staleViewsNotice(db: Queryable, l: ResolvedLink, when: 'apply' | 'undo'): Promise<string | null> {
  const columns = [l.config.fk, ...(l.touch === null ? [] : [l.touch.column])];
  const views = (await db.query(staleMatviewsStatement(l.sourceOid, columns))).rows.map((r) => r.name);
  if (views.length === 0) return null;
  const refresh = views.map((v) => `REFRESH MATERIALIZED VIEW ${v};`).join(' ');
  return `${l.entity}: materialized view(s) ${views.join(', ')} read ${l.config.table}.${l.config.fk} and show it as before this ${when} until refreshed: ${refresh}`;
}
