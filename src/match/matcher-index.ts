/**
 * The index of one scope, built once per createMatcher: its entries (active masters, then known aliases), word weights,
 * the exact and normalised lookups, the blocking postings and the typo indexes. Nothing modifies it once built.
 */
import { addTo, trimmed } from './multimap.js';
import type { Multi } from './multimap.js';
import { foldDigraphs, isGenericToken, normalizeName } from './normalize.js';
import { deletions, HAS_DIGIT } from './tokens.js';
import { MATCH_TUNING } from './tuning.js';
import { tradeNames } from './trade-names.js';
import type { KnownAlias, MasterRecord, MatchOptions, NormalizedName } from './types.js';

/** A master or known alias of the scope: its normalised name, its words and their weights. */
export interface Entry {
  id: number;
  key: string;
  /** The text indexed: the master's name, or the alias's. */
  name: string;
  /** The master's own name (an alias's master): what a candidate shows. */
  master: string;
  source: 'master' | 'alias';
  norm: NormalizedName;
  tokens: string[];
  weights: number[];
  wsum: number;
}

/** What buildIndex returns: the state blocking, readings, scoring and containment read (built once, then only read). */
export interface MatcherIndex {
  /** Masters in input order, then known aliases (sorted, deduplicated); an entry's `id` is its position. */
  readonly entries: Entry[];
  /** Masters by exact name. */
  readonly exactIndex: Multi<Entry>;
  /** Known aliases by exact name (not with the exact strategy). */
  readonly aliasRaw: Multi<Entry>;
  /**
   * Known aliases of fewer rows than MATCH_TUNING.aliasMinRows, by normalised key: not indexed (they link nothing by
   * themselves), their master put first in review for a name of that key (matcher.ts).
   */
  readonly weakAliases: Multi<Entry>;
  /** Entries by normalised key and qualified key (not with the exact strategy). */
  readonly normIndex: Multi<Entry>;
  /** Document frequency per token = number of distinct keys whose names contain it. */
  readonly df: Map<string, number>;
  /** Words of the masters' names (not of known aliases). */
  readonly masterWords: Set<string>;
  /** How often a word starts / ends a multi-word master name, and how many such names there are (rotatedByPosition). */
  readonly startsName: Map<string, number>;
  readonly endsName: Map<string, number>;
  readonly multiWordNames: number;
  /** Active masters of the scope (distinct keys). */
  readonly masterCount: number;
  /** A token's weight (idf, generic words discounted). */
  readonly idfOf: (t: string) => number;
  /** The weight of a token no name of the scope has. */
  readonly unseenWeight: number;
  /** Entry ids per indexed string, ascending (fuzzy strategy only). */
  readonly postings: Multi<number>;
  /** Words of ≥ 4 letters by each of their one-letter deletions; the same for three-letter words (fuzzy only). */
  readonly deleteIndex: Multi<string>;
  readonly shortDeleteIndex: Multi<string>;
  /** Scope words by first letter and length, for two-edit readings (fuzzy only). */
  readonly byHead: Map<string, string[]>;
  /** Scope words of 6+ letters by their first three letters, for clerks' abbreviations (expansion.ts; fuzzy only). */
  readonly byPrefix: Map<string, string[]>;
}

/** Index the scope's masters and, unless the strategy is exact, its known aliases of active masters. */
export function buildIndex(masters: MasterRecord[], aliases: KnownAlias[], options: MatchOptions): MatcherIndex {
  const entries: Entry[] = [];
  const masterKeys = new Set(masters.map((m) => m.key));
  const exactIndex: Multi<Entry> = new Map();
  const aliasRaw: Multi<Entry> = new Map();
  const weakAliases: Multi<Entry> = new Map();
  const normIndex: Multi<Entry> = new Map();
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V): void => {
    const arr = m.get(k);
    if (arr) arr.push(v);
    else m.set(k, [v]);
  };
  const masterName = new Map<string, string>();
  const mkEntry = (key: string, name: string, source: 'master' | 'alias'): Entry => {
    const norm = normalizeName(name);
    const master = masterName.get(key) ?? name;
    return { id: entries.length, key, name, master, source, norm, tokens: norm.tokens, weights: [], wsum: 0 };
  };
  for (const m of masters) {
    if (!masterName.has(m.key)) masterName.set(m.key, m.name);
    const e = mkEntry(m.key, m.name, 'master');
    entries.push(e);
    addTo(exactIndex, m.name, e);
    // a master named "A dba B" is found by either of its names too (trade-names.ts); not with the exact strategy
    if (options.strategy !== 'exact') for (const part of tradeNames(m.name) ?? []) entries.push(mkEntry(m.key, part, 'master'));
  }
  const useAliases = options.strategy !== 'exact';
  if (useAliases) {
    const seen = new Set<string>();
    const sorted = [...aliases].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const a of sorted) {
      if (!masterKeys.has(a.key)) continue; // linked to an inactive or unknown master: no evidence for active ones
      const id = `${a.key}\u0000${a.name}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const e = mkEntry(a.key, a.name, 'alias');
      if (a.rows < MATCH_TUNING.aliasMinRows) {
        if (e.norm.key.length > 0) addTo(weakAliases, e.norm.key, { ...e, id: -1 });
        continue;
      }
      entries.push(e);
      addTo(aliasRaw, a.name, e);
    }
  }

  // Document frequency per token = number of distinct keys whose names contain it.
  const df = new Map<string, number>();
  {
    const seenKeyTok = new Set<string>();
    for (const e of entries) {
      for (const t of e.tokens) {
        const id = `${e.key}\u0000${t}`;
        if (seenKeyTok.has(id)) continue;
        seenKeyTok.add(id);
        df.set(t, (df.get(t) ?? 0) + 1);
      }
    }
  }
  // Where each word stands in the scope's multi-word master names: how often it starts one and how often it ends one.
  // A name whose words are the master's rotated ("Ryan Thomas" for "Thomas Ryan") is in "surname first" order only
  // when the scope itself never starts a name with the master's last word nor ends one with its first (docs/matching.md).
  /** Words of the masters' names (not of known aliases: an alias "Global Suplies" is a spelling, not another name). */
  const masterWords = new Set<string>();
  for (const e of entries) if (e.source === 'master') for (const t of e.tokens) masterWords.add(t);
  const startsName = new Map<string, number>();
  const endsName = new Map<string, number>();
  let multiWordNames = 0;
  for (const e of entries) {
    if (e.source !== 'master' || e.tokens.length < 2) continue;
    multiWordNames++;
    const a = e.tokens[0]!;
    const z = e.tokens[e.tokens.length - 1]!;
    startsName.set(a, (startsName.get(a) ?? 0) + 1);
    endsName.set(z, (endsName.get(z) ?? 0) + 1);
  }
  const N = Math.max(1, masterKeys.size);
  const idfOf = (t: string): number => {
    const d = df.get(t);
    const idf = d === undefined ? Math.log(1 + 2 * N) : Math.log(1 + N / d);
    return isGenericToken(t) ? idf * MATCH_TUNING.genericFactor : idf;
  };
  const unseenWeight = Math.log(1 + 2 * N);

  /** Entry ids per indexed string, ascending (entries are posted in id order, each string once per entry). */
  const postings: Multi<number> = new Map();
  const deleteIndex: Multi<string> = new Map();
  const post = (e: Entry, s: string): void => {
    const cur = postings.get(s);
    if (cur === e.id || (Array.isArray(cur) && cur[cur.length - 1] === e.id)) return; // already posted under s
    addTo(postings, s, e.id);
  };
  for (const e of entries) {
    e.weights = e.tokens.map(idfOf);
    e.wsum = e.weights.reduce((a, b) => a + b, 0);
    if (options.strategy !== 'exact') {
      for (const k of e.norm.keys) addTo(normIndex, k, e);
      if (e.norm.qualifiedKey !== null && !e.norm.keys.includes(e.norm.qualifiedKey)) addTo(normIndex, e.norm.qualifiedKey, e);
    }
    if (options.strategy !== 'fuzzy') continue;
    e.tokens.forEach((t, i) => {
      post(e, t);
      const f = foldDigraphs(t);
      if (f !== t) post(e, f);
      const next = e.tokens[i + 1];
      if (next !== undefined) post(e, t + next);
    });
    if (e.tokens.length > 1) post(e, e.norm.compact);
    if (e.norm.writtenCompact !== undefined) post(e, e.norm.writtenCompact);
  }
  /** Scope words of 4-7 letters by first letter and length, for two-edit readings (soleReading2). */
  const byHead = new Map<string, string[]>();
  if (options.strategy === 'fuzzy') {
    for (const t of df.keys()) if (t.length >= 4 && t.length <= 9 && !HAS_DIGIT.test(t)) push(byHead, `${t[0]}${t.length}`, t);
  }
  const byPrefix = new Map<string, string[]>();
  if (options.strategy === 'fuzzy') {
    for (const t of df.keys()) if (t.length >= 6 && !HAS_DIGIT.test(t)) push(byPrefix, t.slice(0, 3), t);
  }
  // Three-letter words, apart: blocking never probes them for typos; only soleReading reads this one.
  const shortDeleteIndex: Multi<string> = new Map();
  if (options.strategy === 'fuzzy') {
    for (const t of df.keys()) {
      if (t.length < 3 || HAS_DIGIT.test(t)) continue;
      for (const d of new Set(deletions(t))) addTo(t.length < 4 ? shortDeleteIndex : deleteIndex, d, t);
    }
  }
  for (const m of [exactIndex, aliasRaw, normIndex]) trimmed(m);
  trimmed(postings);
  for (const m of [deleteIndex, shortDeleteIndex]) trimmed(m);
  return {
    entries,
    exactIndex,
    aliasRaw,
    weakAliases,
    normIndex,
    df,
    masterWords,
    startsName,
    endsName,
    multiWordNames,
    masterCount: masterKeys.size,
    idfOf,
    unseenWeight,
    postings,
    deleteIndex,
    shortDeleteIndex,
    byHead,
    byPrefix,
  };
}

/** Entry `id` is posted under `s` (binary search of the ascending posting list). */
export function isPosted(ix: MatcherIndex, id: number, s: string): boolean {
  const { postings } = ix;
  const cur = postings.get(s);
  if (!Array.isArray(cur)) return cur === id;
  let lo = 0;
  let hi = cur.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = cur[mid]!;
    if (x === id) return true;
    if (x < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
