import { describe, expect, it } from 'vitest';
import { damerauLevenshtein, damerauLevenshteinWithin, jaroWinkler } from '../../src/match/similarity.js';

/** Optimal string alignment distance, the full table (the reference the reused-row versions must equal). */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** Jaro-Winkler with fresh flag arrays per call (as before the flags were reused). */
function jw(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const ma = new Array<boolean>(a.length).fill(false);
  const mb = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - window); j <= Math.min(b.length - 1, i + window); j++) {
      if (!mb[j] && a[i] === b[j]) {
        ma[i] = mb[j] = true;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let k = 0;
  let trans = 0;
  for (let i = 0; i < a.length; i++) {
    if (!ma[i]) continue;
    while (!mb[k]) k++;
    if (a[i] !== b[k]) trans++;
    k++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - trans / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < Math.min(4, a.length, b.length) && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Words from a small alphabet (many near pairs), lengths 0-40 (the reused arrays grow), seeded. */
function words(n: number): [string, string][] {
  let s = 12345;
  const rnd = (m: number): number => (s = (s * 1103515245 + 12345) & 0x7fffffff) % m;
  const word = (len: number): string => Array.from({ length: len }, () => 'abcdeé'[rnd(6)]).join('');
  return Array.from({ length: n }, () => {
    const a = word(rnd(12) === 0 ? rnd(41) : rnd(10));
    // half the pairs one or two edits apart
    let b = a;
    for (let e = rnd(4); e > 0 && b.length > 0; e--) {
      const p = rnd(b.length);
      const op = rnd(4);
      b =
        op === 0
          ? b.slice(0, p) + b.slice(p + 1)
          : op === 1
            ? b.slice(0, p) + 'x' + b.slice(p)
            : op === 2
              ? b.slice(0, p) + 'y' + b.slice(p + 1)
              : b.slice(0, p) + b.slice(p + 1, p + 2) + b[p] + b.slice(p + 2);
    }
    return [a, rnd(3) === 0 ? word(rnd(10)) : b];
  });
}

describe('string metrics with reused arrays', () => {
  const pairs = words(5000);
  it('damerauLevenshtein equals the full-table OSA distance', () => {
    for (const [a, b] of pairs) expect([a, b, damerauLevenshtein(a, b)]).toEqual([a, b, osa(a, b)]);
  });
  it('damerauLevenshteinWithin(a, b, k) is the distance when at most k, else k + 1', () => {
    for (const [a, b] of pairs)
      for (const k of [0, 1, 2, 3]) expect([a, b, k, damerauLevenshteinWithin(a, b, k)]).toEqual([a, b, k, Math.min(osa(a, b), k + 1)]);
  });
  it('jaroWinkler equals the one with fresh flags', () => {
    for (const [a, b] of pairs) expect([a, b, jaroWinkler(a, b)]).toEqual([a, b, jw(a, b)]);
  });
});
