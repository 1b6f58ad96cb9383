/**
 * Status: how many rows a link has, and how many still have a NULL FK.
 */
import { ident } from './quote.js';
import { type LinkShape, notActiveCount, Params, type ScopeFilter, scopeWhere, sourceActiveWhere, type Statement } from './link.js';

/** A link's counts: not_active and linked only with its own `active`. */
export interface StatusCounts {
  total: unknown;
  null_fks: unknown;
  not_active?: unknown;
  linked?: unknown;
}

/**
 * Seed's population table for one link. With the link's own `active` (documents that count), `null_fks` are the
 * active rows' and `not_active` the NULL-FK rows left out as not active: total = populated + null_fks + not_active.
 */
export function statusStatement(link: LinkShape, f: ScopeFilter): Statement<StatusCounts> {
  const p = new Params();
  const text = `SELECT count(*)::int8 AS total, count(*) FILTER (WHERE s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)})::int8 AS null_fks${notActiveCount('s', link)}
  FROM ${link.sourceSql} s WHERE true${scopeWhere('s', link, f, p)}`;
  return { text, values: p.values };
}
