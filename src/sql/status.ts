/**
 * Status: how many rows a link has, and how many still have a NULL FK.
 */
import { ident } from './quote.js';
import { type LinkShape, Params, type ScopeFilter, scopeWhere, type Statement } from './link.js';

/** Seed's population table for one link. */
export function statusStatement(link: LinkShape, f: ScopeFilter): Statement<{ total: unknown; null_fks: unknown }> {
  const p = new Params();
  const text = `SELECT count(*)::int8 AS total, count(*) FILTER (WHERE s.${ident(link.fk)} IS NULL)::int8 AS null_fks
  FROM ${link.sourceSql} s WHERE true${scopeWhere('s', link, f, p)}`;
  return { text, values: p.values };
}
