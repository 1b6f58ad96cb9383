/** A candidate a rule gives at a fixed score (an acronym, a cut name), with the rule's signals. */
import type { Entry } from './matcher-index.js';
import type { Candidate } from './types.js';

/** Puts entry `e` in `ranked` at `at` with `signals` after its source's, unless its candidate there scores as much already. */
export function raiseByRule(ranked: Candidate[], e: Entry, at: number, signals: Record<string, unknown>): void {
  const i = ranked.findIndex((c) => c.key === e.key);
  if (i >= 0 && ranked[i]!.score >= at) return;
  const c: Candidate = {
    key: e.key,
    name: e.master,
    score: at,
    method: 'fuzzy',
    signals: { via: e.source, ...(e.source === 'alias' ? { alias: e.name } : {}), ...signals },
  };
  if (i >= 0) ranked[i] = c;
  else ranked.push(c);
}
