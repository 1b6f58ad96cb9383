/**
 * One scope's names decided against its masters, read once (planning/scored.ts reads them): pure, no database.
 */
import {
  type Candidate,
  createMatcher,
  type EvidenceValues,
  type KnownAlias,
  type MasterRecord,
  type MatchOptions,
  normalizeName,
} from '../match/index.js';
import { type EntryDecision, isBlankName, noName, onlyInactive, placeholderReason, unmatchedPlaceholder } from './decide.js';

/** What one scope's names are decided against. */
export interface ScopeMasters {
  /** Active masters. */
  masters: MasterRecord[];
  /** Names already linked by FK (known aliases). */
  aliases: KnownAlias[];
  /** Masters the active predicate excludes: only to say "only an inactive master matches" instead of "no candidate". */
  inactive: MasterRecord[];
}

/** A decision and, when linked, the master's own name as read (an alias candidate carries the alias): what apply rechecks. */
export type NameEntry = EntryDecision & { targetName: string | null };

/** Decides one name of the scope; a NULL or blank name is never linked. */
export type ScopeDecider = (name: string | null, evidence: EvidenceValues | undefined) => NameEntry;

export function scopeDecider(s: ScopeMasters, opts: MatchOptions): ScopeDecider {
  const matcher = createMatcher(s.masters, s.aliases, opts);
  const inactiveMatcher = s.inactive.length === 0 ? null : createMatcher(s.inactive, [], opts);
  // exact and normalised lookups only: cheap enough to ask for every name
  const inactiveNames = s.inactive.length === 0 ? null : createMatcher(s.inactive, [], { ...opts, strategy: 'normalized' });
  const masterNames = new Map(s.masters.map((m) => [m.key, m.name]));
  return (name, evidence) => {
    if (name === null || isBlankName(name)) return { ...noName(name), targetName: null };
    const d = matcher.match(name, evidence);
    // "N/A", "unknown", "-", "X": a master named so (a bucket customer) is linked by its name, exact or normalised,
    // and a decided alias stands; but a placeholder is nobody's acronym, typo or variant (a trial's "N/A" was
    // offered for review as Northstar Automotive PLC)
    const placeholder = d.outcome !== 'unmatched' && strength(d.method) >= 2 ? null : placeholderReason(name);
    if (placeholder !== null) return { ...unmatchedPlaceholder(placeholder), targetName: null };
    // A name that is an inactive master's own name, more nearly than any active master's ("Müller GmbH & Co. KG",
    // closed, beside an active "Müller GmbH"), names that master: never linked to the active one. Written in capitals
    // or with a double space too ("MÜLLER GMBH & CO. KG": normalised to both, but with the closed one's legal form;
    // before, a trial's "MARGIE INDUSTRIES OY" of a blocked Margie Industries Oy was linked to Margie Industries Limited)
    if (inactiveNames !== null && d.method !== 'exact') {
      const i = inactiveNames.match(name);
      if (i.outcome === 'linked') {
        const form = normalizeName(name).legalForm;
        if (nearness(i.method, i.candidates[0], form) > activeNearness(d, form)) return { ...onlyInactive(i.candidates), targetName: null };
      }
    }
    if (d.outcome === 'unmatched' && inactiveMatcher !== null) {
      const i = inactiveMatcher.match(name);
      if (i.outcome !== 'unmatched' && i.candidates.length > 0) return { ...onlyInactive(i.candidates), targetName: null };
    }
    return {
      outcome: d.outcome,
      targetKey: d.targetKey,
      method: d.method,
      score: d.score,
      candidates: d.candidates,
      reason: d.reason,
      targetName: d.outcome === 'linked' && d.targetKey !== null ? (masterNames.get(d.targetKey) ?? null) : null,
    };
  };
}

/**
 * How near the active masters are to the name: the linked one's, or for an ambiguous name its nearest candidate's
 * (two active masters spelled 'Beta' and 'BETA' beside an inactive 'Beta': as near as the inactive one, so the name is
 * ambiguous among them, not "only an inactive master matches", which dropped them from the review; a trial); 0 else.
 */
function activeNearness(
  d: { outcome: string; method: string | null; targetKey: string | null; candidates: readonly Candidate[] },
  form: string | null,
): number {
  if (d.outcome === 'linked')
    return nearness(
      d.method,
      d.candidates.find((c) => c.key === d.targetKey),
      form,
    );
  if (d.outcome !== 'ambiguous') return 0;
  return Math.max(2 * strength(d.method), ...d.candidates.map((c) => nearness(c.method, c, form)));
}

/**
 * How near a candidate found by `method` is to a name whose legal form is `form`: the method's strength, and among
 * names equal once normalised, the one that also has the name's legal form (none when the name has none) nearer than one
 * that has another.
 */
function nearness(method: string | null, c: Candidate | undefined, form: string | null): number {
  const base = 2 * strength(method);
  if (c === undefined || (method !== 'normalized' && method !== 'alias')) return base;
  const spelled = c.method === 'alias' && typeof c.signals.alias === 'string' ? c.signals.alias : c.name;
  return normalizeName(spelled).legalForm === form ? base + 1 : base;
}

/** How near a method says a name is to its master: verbatim, then normalised (or a known alias), then fuzzy. */
function strength(method: string | null): number {
  return method === 'exact' ? 3 : method === 'normalized' || method === 'alias' ? 2 : method === null ? 0 : 1;
}
