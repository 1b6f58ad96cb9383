/**
 * Blocking: the entries of the scope worth scoring for a name, through the postings of its words, their digraph folds,
 * adjacent pairs, the compact name and one-edit neighbours, best MATCH_TUNING.scoreTop by a cheap weighted overlap.
 */
import { isPosted } from './matcher-index.js';
import type { Entry, MatcherIndex } from './matcher-index.js';
import { countOf, valuesOf } from './multimap.js';
import { foldDigraphs, legalAgreement } from './normalize.js';
import { damerauLevenshtein } from './similarity.js';
import { deletions, HAS_DIGIT } from './tokens.js';
import { MATCH_TUNING } from './tuning.js';
import type { NormalizedName } from './types.js';

/** The entries to score for `q`, best first; known aliases spelled exactly `excluded` are left out. */
export function block(ix: MatcherIndex, q: NormalizedName, excluded: string | null): Entry[] {
  const { entries, df, postings, deleteIndex, idfOf, unseenWeight } = ix;
  // Exact probes: tokens, their digraph folds, adjacent pairs and the whole compact name ("akzonobel").
  const probes = new Set<string>();
  const fuzzyProbes = new Set<string>();
  q.tokens.forEach((t, i) => {
    probes.add(t);
    fuzzyProbes.add(t);
    probes.add(foldDigraphs(t));
    const next = q.tokens[i + 1];
    if (next !== undefined) probes.add(t + next);
  });
  if (q.tokens.length > 1) probes.add(q.compact);
  if (q.writtenCompact !== undefined) probes.add(q.writtenCompact);
  // (vocabulary string, similarity) hits
  const hits = new Map<string, number>();
  const addHit = (v: string, sim: number): void => {
    const prev = hits.get(v);
    if (prev === undefined || prev < sim) hits.set(v, sim);
  };
  for (const p of probes) if (postings.has(p)) addHit(p, 1);
  // Near probes (one edit) for single tokens only, through the deletion index of the token vocabulary.
  for (const p of fuzzyProbes) {
    if (p.length < 4 || HAS_DIGIT.test(p) || (df.get(p) ?? 0) > 20) continue; // common words are not typos
    const near = new Set<string>();
    for (const v of valuesOf(deleteIndex, p)) near.add(v);
    for (const d of deletions(p)) {
      if (postings.has(d) && d.length >= 4) near.add(d);
      for (const v of valuesOf(deleteIndex, d)) near.add(v);
    }
    for (const v of near) {
      if (v === p) continue;
      if (damerauLevenshtein(p, v) <= 1) addHit(v, 0.8);
    }
  }
  const ordered = [...hits.entries()]
    .map(([v, sim]) => ({ v, sim, w: idfOf(v), n: countOf(postings, v) }))
    .sort((a, b) => a.n - b.n || b.w - a.w || (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
  const acc = new Map<number, number>();
  for (const h of ordered) {
    if (!postings.has(h.v)) continue;
    const list = valuesOf(postings, h.v);
    const gain = h.w * h.sim;
    if (acc.size === 0 || (acc.size < MATCH_TUNING.poolMax && list.length <= MATCH_TUNING.postingCap)) {
      for (const id of list) acc.set(id, (acc.get(id) ?? 0) + gain);
    } else {
      for (const [id, w] of acc) if (isPosted(ix, id, h.v)) acc.set(id, w + gain);
    }
  }
  let qW = 0;
  for (const t of q.tokens) qW += df.has(t) ? idfOf(t) : unseenWeight;
  // The best scoreTop by (overlap desc, id asc), a total order: kept sorted as they come (the pool holds up to
  // poolMax entries, and sorting all of them for 40 was a tenth of a plan's matching time).
  const top: Entry[] = [];
  const topS: number[] = [];
  const k = MATCH_TUNING.scoreTop;
  for (const [id, w] of acc) {
    const e = entries[id]!;
    if ((excluded !== null && e.source === 'alias' && e.name === excluded) || !aliasFits(q, e)) continue;
    const s = w / Math.max(1e-9, qW + e.wsum - w);
    const n = top.length;
    if (n === k && !before(s, id, topS[n - 1]!, top[n - 1]!.id)) continue;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(topS[mid]!, top[mid]!.id, s, id)) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, e);
    topS.splice(lo, 0, s);
    if (top.length > k) {
      top.pop();
      topS.pop();
    }
  }
  return top;
}

/** Whether overlap `s` of entry `id` ranks before `t` of entry `jd`: higher overlap first, then lower id. */
function before(s: number, id: number, t: number, jd: number): boolean {
  return s > t || (s === t && id < jd);
}

/**
 * A known alias stands for its master only under its own legal form: a name spelt like the alias but with
 * another legal form ("Magnolia Machinery NA Inc" beside the alias "Magnolia Machinery NA LLC" a reviewer
 * gave the LLC) may be the sister company of that other form, which the alias says nothing about. Before, it
 * linked such names to the alias's master at 1.0 where the masters' own names were ambiguous (a new user's
 * trial: 7 wrong links after correct review decisions). A name or alias without a legal form fits any.
 */
export function aliasFits(q: NormalizedName, e: Entry): boolean {
  if (e.source !== 'alias') return true;
  const a = legalAgreement(q.legalForm, e.norm.legalForm);
  return a === 'agree' || a === 'missing';
}
