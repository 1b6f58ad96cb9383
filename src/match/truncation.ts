/**
 * Names cut at a field's length ("Massachusetts General Hos", "SOUTHWESTERN REFRIGERATION & H"): an import or an
 * older system kept the first N characters. Such a name is the start of one master's name as written (case, accents
 * and punctuation aside), cut inside a word; its missing words are no evidence against that master (score.ts weighs
 * them as words the master has and the name lacks). Only a cut inside a word is read so: a name that ends on a whole
 * word may be a parent or a short name (`Boeing` beside Boeing UK), which is not the same claim.
 */
import { stripAccents } from './fold.js';
import type { Entry, MatcherIndex } from './matcher-index.js';
import { MATCH_TUNING } from './tuning.js';
import type { Candidate, NormalizedName } from './types.js';
import { raiseByRule } from './rule-candidate.js';

/** A name's letters, digits and single spaces, lower case, without accents (stripAccents): how a cut name is compared. */
export function foldForPrefix(name: string): string {
  return stripAccents(name.normalize('NFKD'))
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

const DIGIT = /\p{N}/u;

/** The shortest cut name read as such: fewer characters than this match too many names by chance. */
const MIN_CUT = 16;

const sorted = new WeakMap<MatcherIndex, { folded: string; entry: Entry }[]>();

/** The scope's masters and known aliases by their folded name, sorted (built on the first cut name a scope meets). */
function byFolded(ix: MatcherIndex): { folded: string; entry: Entry }[] {
  let list = sorted.get(ix);
  if (list === undefined) {
    list = ix.entries.map((entry) => ({ folded: foldForPrefix(entry.name), entry }));
    list.sort((a, b) => (a.folded < b.folded ? -1 : a.folded > b.folded ? 1 : a.entry.id - b.entry.id));
    sorted.set(ix, list);
  }
  return list;
}

/** The shortest column length whose full names are read as cut (MatchOptions.nameLength). */
const MIN_DECLARED = 10;

/**
 * The name fills its column: it is exactly `nameLength` characters long (the source column's declared length,
 * `varchar(40)`, or the length the source's longest names share), so whatever it names may go on past it.
 */
export function fillsColumn(name: string, nameLength: number | undefined): boolean {
  if (nameLength === undefined || nameLength < MIN_DECLARED) return false;
  let n = 0;
  for (const _ of name) if (++n > nameLength) return false;
  return n === nameLength;
}

/**
 * The one master whose name (or known alias) starts with `name` cut inside a word, if exactly one does: `name` has
 * two words or more and 16 characters or more, and its last word is no word of the scope (a whole word there is a
 * name of its own, "American Express" beside American Expressway Logistics). A name that fills its column
 * (fillsColumn) was cut there whatever its last word: it may end on a whole word, and is read from 10 characters.
 * Never when two masters go on from it, nor when a master's name is the name itself.
 */
export function truncatedFrom(ix: MatcherIndex, name: string, q: NormalizedName, nameLength?: number): Entry[] {
  const cut = foldForPrefix(name);
  const words = cut.split(' ');
  const last = words[words.length - 1]!;
  const full = fillsColumn(name, nameLength);
  if (full ? cut.length < MIN_DECLARED : cut.length < MIN_CUT || words.length < 2 || ix.df.has(last)) return [];
  if (q.tokens.length === 0 || (!full && ix.df.has(q.tokens[q.tokens.length - 1]!))) return [];
  const list = byFolded(ix);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.folded < cut) lo = mid + 1;
    else hi = mid;
  }
  const out: Entry[] = [];
  for (let i = lo; i < list.length && list[i]!.folded.startsWith(cut); i++) {
    const { folded, entry } = list[i]!;
    if (folded.length === cut.length) {
      if (full) return [];
      continue;
    }
    // cut inside a word: the master's name goes on with a letter or digit of the same word; but not inside a number
    // (Warehouse 1 is no cut of Warehouse 12, nor Filiale 4 of Filiale 457: a number names its own site or store),
    // even where the name fills its column
    if (DIGIT.test(cut.at(-1)!) && DIGIT.test(folded[cut.length]!)) continue;
    if (full || folded[cut.length] !== ' ') out.push(entry);
  }
  return new Set(out.map((e) => e.key)).size === 1 ? out : [];
}

/** Adds the master a cut name is the start of (truncatedFrom) as a candidate at truncatedScore, signal `rule: truncated`. */
export function applyTruncation(ix: MatcherIndex, name: string, q: NormalizedName, ranked: Candidate[], nameLength?: number): void {
  const from = truncatedFrom(ix, name, q, nameLength);
  const e = from.find((x) => x.source === 'master') ?? from[0];
  if (e === undefined) return;
  raiseByRule(ranked, e, MATCH_TUNING.truncatedScore, {
    rule: fillsColumn(name, nameLength) ? 'truncated-at-length' : 'truncated',
    matchedTokens: `${foldForPrefix(name)}…~${e.tokens.join(' ')}`,
  });
}
