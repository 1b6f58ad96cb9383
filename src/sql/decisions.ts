/**
 * People's decisions as a plan reads them: the latest unrevoked decision per (scope, name) of a link,
 * each alias target checked against the masters as they are now.
 */
import { ident } from './quote.js';
import { activeWhere, type LinkShape, Params, type ScopeFilter, type Statement, masterScopeKeyEq, masterScopeWhere } from './link.js';

export interface HumanDecisionRow {
  scope_key: (string | null)[];
  source_name: string;
  /** As plan/decide.ts's DecisionAction. */
  action: 'alias' | 'never' | 'create';
  target_key: string | null;
  /** The alias target is an active master of the decision's scope now. */
  valid: boolean;
  /** That master's name now (null: none). */
  target_name: string | null;
}

/** The latest unrevoked decision per (scope, name) of link `linkName`, within the tenant of `f` when the link is scoped. */
export function humanDecisionsStatement(s: LinkShape, linkName: string, f: ScopeFilter): Statement<HumanDecisionRow> {
  const p = new Params();
  const linkParam = p.add(linkName);
  const tenant = f.tenant !== null && s.scope.length > 0 ? ` AND d.scope_key[1] = ${p.add(f.tenant)}` : '';
  const active = activeWhere('t', s);
  const text = `WITH d AS (
       SELECT DISTINCT ON (d.scope_key, d.source_name) d.scope_key, d.source_name, d.action, d.target_key
         FROM fk_backfill.decisions d
        WHERE d.link = ${linkParam} AND d.revoked_at IS NULL${tenant}
        ORDER BY d.scope_key, d.source_name, d.decided_at DESC, d.id DESC
     ), m AS (
       -- the alias targets as they are now (a join and a GROUP BY, not a correlated subquery: Citus plans it)
       SELECT d.scope_key, d.target_key, count(*) AS n, min(t.${ident(s.targetName)}::text) AS name
         FROM d
         JOIN ${s.targetSql} t ON t.${ident(s.targetKey)}::text = d.target_key AND ${masterScopeKeyEq('t', s, 'd.scope_key')}${active}${masterScopeWhere('t', s, f, p)}
        GROUP BY d.scope_key, d.target_key
     )
     SELECT d.scope_key, d.source_name, d.action, d.target_key, coalesce(m.n, 0) > 0 AS valid, m.name AS target_name
       FROM d
       LEFT JOIN m ON m.scope_key = d.scope_key AND m.target_key = d.target_key`;
  return { text, values: p.values };
}
