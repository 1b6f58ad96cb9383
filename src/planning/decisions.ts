import type { Queryable } from '../db/port.js';
import { applyHumanDecision, type DecisionAction } from '../plan/decide.js';
import { humanDecisionsStatement } from '../sql/decisions.js';
import type { ScopeFilter } from '../sql/link.js';
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
  const res = await db.query(humanDecisionsStatement(shape(l), l.entity, f));
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
