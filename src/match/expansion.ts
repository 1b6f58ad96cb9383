/**
 * A clerk's abbreviation with one reading in the scope ("KWONG LEE ELEC COMPONENTS" / Kwong Lee Electronic Components,
 * "Benevity Comm Impact Fd", "Bell Equip Sales"): a name word that is no word of the scope, cut from the start of
 * exactly one word of the scope's names (its singular and plural counted as one), is read as that word.
 */
import type { MatcherIndex } from './matcher-index.js';
import { isKnownName } from './names.js';
import { contractionsOf, HAS_DIGIT, isAbbreviation } from './tokens.js';
import { MATCH_TUNING } from './tuning.js';
import type { Candidate } from './types.js';
import { FUNCTION_WORDS, isCity, isCountry, isLegalWord } from './vocabulary.js';

/** Latin letters only: in Hangul, kana or Han a name's start is a word of its own ("대덕" / 대덕전자), never a cut. */
const LATIN = /^\p{Script=Latin}+$/u;

/** A scope word as it counts for "one reading": its plural's -s dropped ("Electronic" / Electronics). */
const stem = (w: string): string => (w.endsWith('s') ? w.slice(0, -1) : w);

/**
 * The scope words `t` abbreviates when they are one word (or its singular and plural), else null. `t` is four letters
 * or more (or a known contraction, "assn"), no word of the scope, no person's name, function word or legal form; a
 * scope word is read only when it is no person's name either, and when `t` is its start, not the start of a compound
 * whose rest is a word of the scope ("Gold" is no abbreviation of Goldfields where the scope writes "fields").
 */
export function soleExpansion(ix: MatcherIndex, t: string): readonly string[] | null {
  const { df, byPrefix } = ix;
  if (t.length < 3 || df.has(t) || HAS_DIGIT.test(t) || !LATIN.test(t)) return null;
  if (FUNCTION_WORDS.has(t) || isLegalWord(t) || isKnownName(t) || isCity(t) || isCountry(t)) return null;
  const found = new Set<string>();
  for (const w of contractionsOf(t)) if (df.has(w)) found.add(w);
  if (t.length >= 4) {
    for (const w of byPrefix.get(t.slice(0, 3)) ?? []) {
      // never a person's name nor a place ("Bern" is no cut of Berlin)
      if (!isAbbreviation(t, w) || isKnownName(w) || isCity(w) || isCountry(w)) continue;
      const rest = w.startsWith(t) ? w.slice(t.length) : '';
      if (rest.length >= 3 && df.has(rest)) continue;
      // cut after a vowel, a word's start is a word or brand of its own more often than a clerk's cut ("Reno" /
      // Renovations, "Pharma", "Bio", "Auto", a given name "Ekene" / Ekenedilichukwu)
      if (rest.length > 0 && 'aeiouy'.includes(t[t.length - 1]!)) continue;
      found.add(w);
    }
  }
  if (found.size === 0) return null;
  const stems = new Set([...found].map(stem));
  return stems.size === 1 ? [...found].sort() : null;
}

/**
 * The name's words with each abbreviation read as the entry's word it has its one reading in (`readingOf`:
 * soleExpansion memoised), and the words so read ("elec~electronic"); a word of the entry is never read again.
 */
export function expandAbbreviations(
  qt: readonly string[],
  et: readonly string[],
  readingOf: (t: string) => readonly string[] | null,
): { tokens: string[]; read: string[] } {
  const read: string[] = [];
  const tokens = qt.map((t) => {
    if (et.includes(t)) return t;
    const r = readingOf(t);
    const w = r === null ? undefined : et.find((x) => r.includes(x) && !qt.includes(x));
    if (w === undefined) return t;
    read.push(`${t}~${w}`);
    return w;
  });
  return { tokens, read };
}

/** soleExpansion memoised for one name (as readings.ts's readingsOf). */
export function expansionsOf(ix: MatcherIndex): (t: string) => readonly string[] | null {
  const memo = new Map<string, readonly string[] | null>();
  return (t) => {
    let r = memo.get(t);
    if (r === undefined) {
      r = soleExpansion(ix, t);
      memo.set(t, r);
    }
    return r;
  };
}

/**
 * A name read through an abbreviation names no master where another master holds every word of it as read, and more
 * ("Kobayashi Chem. Corp." beside Kobayashi Chemical Corporation and Kobayashi Chemical Holdings Corporation: the name
 * may be cut from either): such candidates are held below autoLinkAt, for review (`ranked` in place).
 */
export function holdBesideHolder(ranked: Candidate[]): void {
  for (const c of ranked) {
    if (c.signals['abbreviation'] === undefined || c.score <= MATCH_TUNING.legalDisagreeCap) continue;
    const held = ranked.some((o) => o !== c && o.key !== c.key && o.signals['unmatchedName'] === '' && o.signals['unmatchedMaster'] !== '');
    if (held) c.score = MATCH_TUNING.legalDisagreeCap;
  }
}
