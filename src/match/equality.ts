/**
 * When a normalised equality is not the claim it looks like: a person's name beside the same name with a generation,
 * and a group's one-word name beside the masters of the group (docs/matching.md, trials T4–T6).
 */
import { containingOthers } from './containment.js';
import type { Entry, MatcherIndex } from './matcher-index.js';
import type { NormalizedName } from './types.js';

/** Words that tell a father from a son of the same name. */
const GENERATIONS = new Set(['jr', 'sr', 'junior', 'senior', 'ii', 'iii', 'iv']);

/**
 * Masters other than the one hit whose names are the name and a generation ("Erik Olsen" / OLSEN, ERIK beside
 * OLSEN, ERIK JR): the name says which of the two it is no more than the other. Empty when the name has a
 * generation itself (then it equals the one that has it).
 */
export function generationOthers(ix: MatcherIndex, q: NormalizedName, hits: readonly Entry[]): Entry[] {
  if (q.tokens.length < 2 || q.tokens.some((t) => GENERATIONS.has(t))) return [];
  const key = hits[0]?.key;
  if (key === undefined || hits.some((e) => e.key !== key)) return [];
  const others = containingOthers(ix, q.tokens, key) ?? [];
  return others.filter((o) => o.source === 'master' && o.tokens.every((t) => q.tokens.includes(t) || GENERATIONS.has(t)));
}

/**
 * Masters other than the one hit whose names begin with a one-word name that equals the hit's name without its legal
 * form ("Mitsubishi" / Mitsubishi Corporation beside Mitsubishi Chemical Corporation): the group's name as much as
 * that master's. Empty when the name is longer than one word, the hit's own name is, or the word is too common.
 */
export function groupOthers(ix: MatcherIndex, q: NormalizedName, hits: readonly Entry[]): Entry[] {
  const word = q.tokens[0];
  if (q.tokens.length !== 1 || word === undefined || !hits.every((e) => e.source === 'master' && e.tokens.length === 1)) return [];
  const others = containingOthers(ix, q.tokens, hits[0]!.key) ?? [];
  return others.filter((o) => o.source === 'master' && o.tokens[0] === word);
}
