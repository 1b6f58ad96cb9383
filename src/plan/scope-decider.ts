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
  nameWords,
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
  /**
   * Keys of the masters among `masters` and `inactive` that are shared by every scope (of no scope: `target.shared`).
   * Absent or empty: none.
   */
  shared?: ReadonlySet<string>;
}

/** A decision and, when linked, the master's own name as read (an alias candidate carries the alias): what apply rechecks. */
export type NameEntry = EntryDecision & { targetName: string | null };

/** Decides one name of the scope; a NULL or blank name is never linked. */
export type ScopeDecider = (name: string | null, evidence: EvidenceValues | undefined) => NameEntry;

export function scopeDecider(s: ScopeMasters, opts: MatchOptions): ScopeDecider {
  const decide = ownDecider(s, opts);
  const shared = s.shared;
  if (shared === undefined || shared.size === 0) return decide;
  return (name, evidence) => withShared(decide(name, evidence), shared, opts);
}

/** The width within which a shared master and a tenant's own master read a name alike: never one over the other. */
export const SHARED_MARGIN = 0.05;

/**
 * A decision among a scope's own masters and the shared ones (of no scope): each shared candidate marked so
 * (`signals.shared`), a link to a shared master said so, and a link that a master of the other kind (the tenant's own
 * beside a shared one, or the reverse) matches as nearly made ambiguous: both verbatim or normalised, or scores within
 * the link's margin (at least SHARED_MARGIN). Which one the writer meant is a person's call.
 */
function withShared(e: NameEntry, shared: ReadonlySet<string>, opts: MatchOptions): NameEntry {
  const candidates = e.candidates.map((c) => (shared.has(c.key) ? { ...c, signals: { ...c.signals, shared: true } } : c));
  if (e.outcome !== 'linked' || e.targetKey === null) {
    const named = e.candidates.some((c) => shared.has(c.key) && c.active !== false);
    return { ...e, candidates, ...(named ? { reason: `${e.reason} (a shared master, of no tenant, among the candidates)` } : {}) };
  }
  const mine = shared.has(e.targetKey);
  const score = e.score ?? 1;
  const width = Math.max(opts.margin, SHARED_MARGIN);
  const rival = candidates.find(
    (c) =>
      c.key !== e.targetKey &&
      c.active !== false &&
      shared.has(c.key) !== mine &&
      ((strength(c.method ?? null) >= 2 && strength(e.method) >= 2) || (c.score ?? 0) >= score - width),
  );
  if (rival === undefined) return mine ? { ...e, candidates, reason: `${e.reason} (a shared master, of no tenant)` } : { ...e, candidates };
  return {
    outcome: 'ambiguous',
    targetKey: null,
    method: e.method,
    score: e.score,
    candidates,
    reason: "this tenant's own master and a shared master (of every tenant) both match this name: never guessed, pick one in review",
    targetName: null,
  };
}

function ownDecider(s: ScopeMasters, opts: MatchOptions): ScopeDecider {
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
        const inactive = nearness(i.method, i.candidates[0], form, name);
        const active = activeNearness(d, form, name);
        if (inactive > active) return { ...onlyInactive(i.candidates), targetName: null };
        // as near as the active master it would link, and the two names one but for their accents ("Vo Van Thanh":
        // active Võ Văn Thạnh, inactive Võ Văn Thành): which one the writer meant is a person's call (a blind trial
        // linked it to the active one). Not a legal form apart: "Château Peyrolle" is the active Château Peyrolle SAS
        // before the closed SCEA Château Peyrolle, as it was.
        if (inactive === active && d.outcome === 'linked' && accentsApart(linkedName(d), i.candidates[0]?.name))
          return { ...asNearAsInactive(d, i.candidates), targetName: null };
      }
    }
    // A fuzzy link an inactive master reads more nearly: "GAGNON JEAN-PAUL" is the inactive person Gagnon, Jean-Paul
    // (0.985) more than the active Succession Jean-Paul Gagnon (0.95) it linked (a blind trial); as much is not enough:
    // alone, the inactive "John R. Miller dba Miller Trucking" reads "Miller Trkg LLC" as well as Miller Trucking LLC
    if (d.outcome === 'linked' && d.method === 'fuzzy' && d.score !== null && inactiveMatcher !== null) {
      const i = inactiveMatcher.match(name);
      // a name cut at its column's length that an inactive master's name starts with as well: which one is a person's call
      const cut = d.candidates[0]?.signals.rule === 'truncated-at-length';
      if (i.outcome === 'linked' && i.score !== null && (i.score > d.score || (cut && i.score >= d.score)))
        return { ...asNearAsInactive(d, i.candidates.slice(0, 1)), targetName: null };
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
  name: string,
): number {
  if (d.outcome === 'linked')
    return nearness(
      d.method,
      d.candidates.find((c) => c.key === d.targetKey),
      form,
      name,
    );
  if (d.outcome !== 'ambiguous') return 0;
  return Math.max(2 * strength(d.method), ...d.candidates.map((c) => nearness(c.method, c, form, name)));
}

/**
 * How near a candidate found by `method` is to `name`, whose legal form is `form`: the method's strength, and among
 * names equal once normalised, the one that also has the name's legal form (none when the name has none) nearer than one
 * that has another, and the one spelled as the name but for case and spacing (its accents kept: "VÕ VĂN THÀNH" is
 * Võ Văn Thành, not Võ Văn Thạnh) nearer still.
 */
function nearness(method: string | null, c: Candidate | undefined, form: string | null, name: string): number {
  const base = 2 * strength(method);
  if (c === undefined || (method !== 'normalized' && method !== 'alias')) return base;
  const spelled = c.method === 'alias' && typeof c.signals.alias === 'string' ? c.signals.alias : c.name;
  return base + (normalizeName(spelled).legalForm === form ? 1 : 0) + (caseless(spelled) === caseless(name) ? 0.5 : 0);
}

/** The name of the master a decision links. */
const linkedName = (d: { targetKey: string | null; candidates: readonly Candidate[] }): string | undefined =>
  d.candidates.find((c) => c.key === d.targetKey)?.name;

/** Two names of the same words once their accents are folded, spelled apart with them (Thạnh / Thành). */
function accentsApart(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return nameWords(a).join(' ') === nameWords(b).join(' ') && caseless(a) !== caseless(b);
}

/** A name compared without case or spacing, every letter and accent kept. */
const caseless = (s: string): string => s.normalize('NFC').toLocaleLowerCase('und').replace(/\s+/g, ' ').trim();

/**
 * A link an inactive master's reading matches as nearly: left to review, the active master first (the one a reviewer can
 * accept), the inactive one shown beside it.
 */
function asNearAsInactive(d: EntryDecision, inactive: readonly Candidate[]): EntryDecision {
  const shown = inactive.slice(0, 1);
  return {
    outcome: 'review',
    targetKey: null,
    method: d.method,
    score: d.score,
    candidates: [...d.candidates, ...shown.map((c) => ({ ...c, active: false }))],
    reason: `an inactive master, ${shown[0]?.name ?? '?'}, matches this name as nearly (not linked)`,
  };
}

/** How near a method says a name is to its master: verbatim, then normalised (or a known alias), then fuzzy. */
function strength(method: string | null): number {
  return method === 'exact' ? 3 : method === 'normalized' || method === 'alias' ? 2 : method === null ? 0 : 1;
}
