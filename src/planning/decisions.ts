import type { Queryable } from '../db/port.js';
import { applyHumanDecision, type DecisionAction } from '../plan/decide.js';
import { ident } from '../sql/quote.js';
import { activeWhere, Params, type ScopeFilter, scopeKeyExpr } from '../sql/link.js';
import type { ResolvedLink } from '../context/catalog.js';
import { shape } from '../context/context.js';
import type { DecidedEntry } from '../plan/decide.js';

export interface StoredDecision {
  scopeKey: (string | null)[];
  sourceName: string;
  action: DecisionAction;
  targetKey: string | null;
  /** For alias: the target is an active master of that scope right now. */
  targetValid: boolean;
  /** For alias: that master's name as read now (recorded in the plan: apply skips the rows once it changed). */
  targetName: string | null;
}

export function decisionKey(scopeKey: readonly (string | null)[], name: string | null): string {
  return JSON.stringify([scopeKey, name]);
}

/** The latest unrevoked decision per (scope, name) of a link, alias targets checked against the masters. */
export async function loadHumanDecisions(db: Queryable, l: ResolvedLink, f: ScopeFilter): Promise<Map<string, StoredDecision>> {
  const s = shape(l);
  const p = new Params();
  const linkParam = p.add(l.entity);
  const tenant = f.tenant !== null && s.scope.length > 0 ? ` AND d.scope_key[1] = ${p.add(f.tenant)}` : '';
  const active = activeWhere('t', s);
  const res = await db.query<{ scope_key: (string | null)[]; source_name: string; action: DecisionAction; target_key: string | null; valid: boolean; target_name: string | null }>(
    `WITH d AS (
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
       LEFT JOIN m ON m.scope_key = d.scope_key AND m.target_key = d.target_key`,
    p.values,
  );
  const out = new Map<string, StoredDecision>();
  for (const r of res.rows) {
    out.set(decisionKey(r.scope_key, r.source_name), {
      scopeKey: r.scope_key,
      sourceName: r.source_name,
      action: r.action,
      targetKey: r.target_key,
      targetValid: r.valid,
      targetName: r.target_name,
    });
  }
  return out;
}

/** People's decisions come before any scoring. */
export function overrideWithDecisions(entries: DecidedEntry[], decisions: Map<string, StoredDecision>): DecidedEntry[] {
  if (decisions.size === 0) return entries;
  return entries.map((e) => {
    const d = decisions.get(decisionKey(e.scopeKey, e.sourceName));
    if (d === undefined) return e;
    const valid = d.targetKey !== null && d.targetValid ? new Set([d.targetKey]) : new Set<string>();
    const decided = applyHumanDecision({ action: d.action, targetKey: d.targetKey }, e, valid);
    return { ...e, ...decided, targetName: decided.outcome === 'linked' ? d.targetName : null };
  });
}
