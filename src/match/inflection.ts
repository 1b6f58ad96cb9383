/** One word in the singular and the plural ("Electrical" / Electricals), read as one where the scope allows it. */
import type { MatcherIndex } from './matcher-index.js';
import { isKnownName } from './names.js';
import { isGenericToken } from './normalize.js';
import { pluralPair } from './tokens.js';
import { isTrade, twoCities } from './vocabulary.js';

/**
 * The name's word `t` is read as the entry's word `u`, its singular or plural (tokens.ts pluralPair: `Electrical` /
 * Electricals, `Plastic` / Plastics): neither a known person name (`William` / Williams, `Bank` / Banks are two names)
 * nor two cities; and `t` as written is no word of the scope's masters unless one of the two is a trade or generic
 * word (`Walgreens` beside masters Walgreens #05290 and Walgreen Co. names the stores, not the company; `Electrical`
 * beside Bright Spark Electrical Services still reads Bajaj Electricals).
 */
export function singularPlural(ix: MatcherIndex, t: string, u: string): boolean {
  if (!pluralPair(t, u) || isKnownName(t) || isKnownName(u) || twoCities(t, u)) return false;
  return !ix.masterWords.has(t) || isTrade(t) || isTrade(u) || isGenericToken(t) || isGenericToken(u);
}
