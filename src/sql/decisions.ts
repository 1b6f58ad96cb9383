/**
 * People's decisions as a plan reads them: the latest unrevoked decision per (scope, name) of a link,
 * each alias target checked against the masters as they are now.
 */
import { ident } from './quote.js';
import { activeWhere, type LinkShape, OWN, Params, type ScopeFilter, scopeKeyExpr, scopeWhere, type Statement } from './link.js';

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
         JOIN ${s.targetSql} t ON t.${ident(s.targetKey)}::text = d.target_key AND ${scopeKeyExpr('t', s)} = d.scope_key${active}
        GROUP BY d.scope_key, d.target_key
     )
     SELECT d.scope_key, d.source_name, d.action, d.target_key, coalesce(m.n, 0) > 0 AS valid, m.name AS target_name
       FROM d
       LEFT JOIN m ON m.scope_key = d.scope_key AND m.target_key = d.target_key`;
  return { text, values: p.values };
}

/**
 * The names a plan links whose master has a namesake now that the plan did not see: an active master of the entry's scope,
 * with another key, named as the planned master or as the document name itself, and absent from the entry's candidates
 * (a master created since, or reactivated: a fresh plan would call the name ambiguous, or link it to the exact one).
 * A person's decision (`decision`) stands: it named its master. Counted with one of the names.
 */
export function namesakesSincePlanStatement(
  link: LinkShape,
  a: { planRunId: string; linkName: string },
  f: ScopeFilter,
): Statement<{ n: unknown; name: string | null; master: string | null }> {
  const p = new Params();
  const tk = `t.${ident(link.targetKey)}`;
  const tn = `t.${ident(link.targetName)}`;
  const text = `SELECT count(DISTINCT (e.scope_key, e.source_name))::int8 AS n, min(e.source_name) AS name, min(${tn}::text) AS master
  FROM ${OWN}.plan_entries e
  JOIN ${link.targetSql} t
    ON ${tn}::text IN (e.target_name, e.source_name) AND ${tk}::text <> e.target_key
   AND e.scope_key = ${scopeKeyExpr('t', link)}${activeWhere('t', link)}
 WHERE e.run_id = ${p.add(a.planRunId)}::int8 AND e.link = ${p.add(a.linkName)} AND e.outcome = 'linked'
   AND e.target_key IS NOT NULL AND e.method IS DISTINCT FROM 'decision'
   AND NOT coalesce(e.candidates @> jsonb_build_array(jsonb_build_object('key', ${tk}::text)), false)${scopeWhere('t', link, f, p)}`;
  return { text, values: p.values };
}
