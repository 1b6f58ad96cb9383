import { distance as levenshtein } from 'fastest-levenshtein';
import { doubleMetaphone } from 'double-metaphone';

/** String metrics. Levenshtein (bit-parallel) and Double Metaphone come from kept libraries; OSA and Jaro-Winkler are small and exact. */

export { levenshtein };

/**
 * Rows and match flags of the metrics below, reused: they run for most word pairs and candidates scored, and three
 * arrays per call were a good part of their time. Grown to the longest string seen.
 */
let rows = new Int32Array(64);
let flags = new Uint8Array(128);

/** Optimal string alignment distance (Damerau-Levenshtein restricted: adjacent transpositions count 1). */
export function damerauLevenshtein(a: string, b: string): number {
  return damerauLevenshteinWithin(a, b, Number.POSITIVE_INFINITY);
}

/**
 * damerauLevenshtein(a, b) when it is at most `k`, else k + 1 (any number above `k` would do for callers that only ask
 * whether two words are within k edits). Stops once two consecutive rows of the table exceed `k`: no later cell can
 * come back to `k` (a cell is at least the smallest of the row above, or of the row two above plus one).
 */
export function damerauLevenshteinWithin(a: string, b: string, k: number): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > k) return k + 1;
  if (n === 0 || m === 0) return Math.max(n, m);
  const w = m + 1;
  if (rows.length < 3 * w) rows = new Int32Array(6 * w);
  let p2 = 0;
  let p1 = w;
  let c = 2 * w;
  for (let j = 0; j <= m; j++) {
    rows[p2 + j] = 0;
    rows[p1 + j] = j;
  }
  let prevMin = 0; // the smallest cell of row i - 1 (row 0: 0)
  for (let i = 1; i <= n; i++) {
    rows[c] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let v = Math.min(rows[p1 + j]! + 1, rows[c + j - 1]! + 1, rows[p1 + j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
        v = Math.min(v, rows[p2 + j - 2]! + 1);
      }
      rows[c + j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > k && prevMin > k) return k + 1;
    prevMin = rowMin;
    const t = p2;
    p2 = p1;
    p1 = c;
    c = t;
  }
  const d = rows[p1 + m]!;
  return d <= k ? d : k + 1;
}

/** Jaro-Winkler similarity (prefix scale 0.1, prefix up to 4). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  // a's flags at [0, la), b's at [la, la + lb)
  if (flags.length < la + lb) flags = new Uint8Array(2 * (la + lb));
  flags.fill(0, 0, la + lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (flags[la + j] === 0 && b.charCodeAt(j) === c) {
        flags[i] = 1;
        flags[la + j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let k = 0;
  let trans = 0;
  for (let i = 0; i < la; i++) {
    if (flags[i] === 0) continue;
    while (flags[la + k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) trans++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - trans / 2) / matches) / 3;
  let prefix = 0;
  const maxPrefix = Math.min(4, la, lb);
  while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** 1 - levenshtein / max length, in [0, 1]. */
export function levenshteinSimilarity(a: string, b: string): number {
  const max = Math.max(a.length, b.length);
  if (max === 0) return 1;
  return 1 - levenshtein(a, b) / max;
}

const dmCache = new Map<string, [string, string]>();
/** Double Metaphone codes, cached (tokens repeat a lot). */
export function metaphone(token: string): [string, string] {
  let v = dmCache.get(token);
  if (!v) {
    v = doubleMetaphone(token);
    if (dmCache.size > 500_000) dmCache.clear();
    dmCache.set(token, v);
  }
  return v;
}

/** True when the two tokens share a non-empty Double Metaphone code. */
export function phoneticMatch(a: string, b: string): boolean {
  const [a1, a2] = metaphone(a);
  const [b1, b2] = metaphone(b);
  if (a1 === '' && a2 === '') return false;
  return a1 === b1 || a1 === b2 || (a2 !== '' && (a2 === b1 || a2 === b2));
}
