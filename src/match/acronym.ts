/**
 * Acronyms (issue #16): a name that is one capitalised word of 2–6 letters ("MGH", "UCLA", "TfL", "RSPCA") is read as
 * the initials of a master's words: of all of them, or of those that are not short function words ("Royal Society for
 * the Prevention of Cruelty to Animals" → rspca, "Transport for London" → tfl). Such a master becomes a candidate for
 * review, never an auto-link (decide.ts caps it): an initialism names many things, and a scope holds few of them.
 */
import type { Entry, MatcherIndex } from './matcher-index.js';
import { MATCH_TUNING } from './tuning.js';
import { FUNCTION_WORDS } from './vocabulary.js';
import type { Candidate, NormalizedName } from './types.js';

/** The acronym a name is, lower case: one word of 2–6 letters written at least half in capitals; else null. */
export function acronymOf(original: string, q: NormalizedName): string | null {
  if (q.tokens.length !== 1) return null;
  const t = q.tokens[0]!;
  if (t.length < 2 || t.length > 6 || !/^[a-z]+$/.test(t)) return null;
  const letters = original.replace(/[^\p{L}]/gu, '');
  const upper = letters.replace(/[^\p{Lu}]/gu, '').length;
  return upper >= 2 && upper * 2 >= letters.length ? t : null;
}

/** The initials of a name's words: all of them, and without its function words (each of 2–6 letters, else none). */
export function initialsOf(tokens: readonly string[]): string[] {
  if (tokens.length < 2) return [];
  const all = tokens.map((w) => w[0]!).join('');
  const content = tokens
    .filter((w) => !FUNCTION_WORDS.has(w))
    .map((w) => w[0]!)
    .join('');
  return [...new Set([all, content])].filter((x) => x.length >= 2 && x.length <= 6);
}

const indexes = new WeakMap<MatcherIndex, Map<string, Entry[]>>();

/** Entries by their initials, built on the first acronym a scope is asked about. */
function initialsIndex(ix: MatcherIndex): Map<string, Entry[]> {
  let m = indexes.get(ix);
  if (m === undefined) {
    m = new Map();
    for (const e of ix.entries) for (const i of initialsOf(e.tokens)) m.set(i, [...(m.get(i) ?? []), e]);
    indexes.set(ix, m);
  }
  return m;
}

/**
 * Adds, for a name that is an acronym, every entry whose initials it is as a candidate at `acronymScore` (or lifts
 * the entry's candidate to it), with the signal `acronym`. `ranked` is changed in place; the caller sorts it.
 */
export function applyAcronym(ix: MatcherIndex, original: string, q: NormalizedName, ranked: Candidate[]): void {
  const acro = acronymOf(original, q);
  if (acro === null) return;
  for (const e of initialsIndex(ix).get(acro) ?? []) {
    const at = ranked.findIndex((c) => c.key === e.key);
    if (at >= 0 && ranked[at]!.score >= MATCH_TUNING.acronymScore) continue;
    const c: Candidate = {
      key: e.key,
      name: e.master,
      score: MATCH_TUNING.acronymScore,
      method: 'fuzzy',
      signals: {
        via: e.source,
        ...(e.source === 'alias' ? { alias: e.name } : {}),
        rule: 'acronym',
        acronym: acro,
        matchedTokens: `${acro}~${e.tokens.join(' ')}`,
      },
    };
    if (at >= 0) ranked[at] = c;
    else ranked.push(c);
  }
}
