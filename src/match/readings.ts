/** Readings of a name word that is no word of the scope: the one scope word it is a typo of, if there is only one. */
import type { MatcherIndex } from './matcher-index.js';
import { valuesOf } from './multimap.js';
import { twoNames } from './names.js';
import { damerauLevenshtein } from './similarity.js';
import { compassDiffers, deletions, HAS_DIGIT } from './tokens.js';

/**
 * A name word that is no word of this scope and lies one edit from exactly one word of the scope's vocabulary gives
 * that word: the name's word is then a typo of it as far as the scope can tell ("Mloly" has no reading but "Molly"),
 * which is stronger evidence than one edit between two words that both exist ("Caitlin" / "Caitlyn"). The edit must
 * keep the first letter: a changed first letter makes another word more often than a typo ("Best" / "Test"). A known
 * person name is never a typo of another one ("Paula" / "Paul": names.ts).
 */
export function soleReading(ix: MatcherIndex, t: string): string | null {
  const { df, deleteIndex, shortDeleteIndex } = ix;
  if (t.length < 3 || HAS_DIGIT.test(t) || df.has(t)) return null;
  const near = new Set<string>();
  for (const v of valuesOf(deleteIndex, t)) near.add(v);
  for (const d of deletions(t)) {
    if (df.has(d) && d.length >= 3) near.add(d);
    for (const v of valuesOf(deleteIndex, d)) near.add(v);
    for (const v of valuesOf(shortDeleteIndex, d)) near.add(v);
  }
  let only: string | null = null;
  let n = 0;
  for (const v of near) {
    if (v !== t && v[0] === t[0] && damerauLevenshtein(t, v) <= 1 && !twoNames(t, v) && !compassDiffers(t, v)) {
      n++;
      only = v;
    }
  }
  return n === 1 ? only : null;
}

/**
 * The same with two edits, for a word of 5-7 letters with no one-edit reading: the one scope word with the same first
 * letter two edits from it ("Maruc" / "Marcus", "Janegs" / "James").
 */
export function soleReading2(ix: MatcherIndex, t: string): string | null {
  const { df, byHead } = ix;
  if (t.length < 5 || t.length > 7 || HAS_DIGIT.test(t) || df.has(t) || soleReading(ix, t) !== null) return null;
  let only: string | null = null;
  for (let len = t.length - 2; len <= t.length + 2; len++) {
    for (const v of byHead.get(`${t[0]}${len}`) ?? []) {
      if (damerauLevenshtein(t, v) > 2 || twoNames(t, v) || compassDiffers(t, v)) continue;
      if (only !== null) return null;
      only = v;
    }
  }
  return only;
}

/** soleReading memoised for one name (its words and the words it joins into). */
export function readingsOf(ix: MatcherIndex, read: (ix: MatcherIndex, t: string) => string | null): (t: string) => string | null {
  const memo = new Map<string, string | null>();
  return (t) => {
    let r = memo.get(t);
    if (r === undefined) {
      r = read(ix, t);
      memo.set(t, r);
    }
    return r;
  };
}
