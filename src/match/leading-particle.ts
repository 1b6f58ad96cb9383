/**
 * A firm's name with or without the particle it may begin with: the Arabic article ("Al Zamil Industrial Investment
 * Company" / Zamil Industrial Investment Co., "Al-Jazeera Paints" / Jazeera Paints Co.) and the South Asian honorific
 * ("Sri Venkateswara Drug House" / Venkateswara Drug House), whose spellings are one word ("Sri", "Shri", "Sree",
 * "Shree": "Sri Gokulam Pharma" / Sree Gokulam Pharma). Registries, letterheads and clerks write it or leave it out;
 * it tells no two firms apart.
 */
import type { Entry } from './matcher-index.js';

const HONORIFIC = new Set(['sri', 'shri', 'sree', 'shree', 'shrii', 'sir']);
const ARTICLE = new Set(['al', 'el']);

/** The words without a leading particle, when two words or more stay (`al` alone before one word is a given name). */
function withoutParticle(tokens: readonly string[]): readonly string[] {
  const first = tokens[0];
  if (first === undefined || tokens.length < 3 || !(HONORIFIC.has(first) || ARTICLE.has(first))) return tokens;
  return tokens.slice(1);
}

/**
 * The name's words and the entry's are the same but for a leading particle on one side or both (an honorific's
 * spellings counted as one); the entry's name keeps two words or more. Never two names both without one (equal
 * otherwise, scored as such).
 */
export function equalButParticle(qt: readonly string[], e: Entry): boolean {
  const a = withoutParticle(qt);
  const b = withoutParticle(e.tokens);
  if (a === qt && b === e.tokens) return false;
  return a.length >= 2 && a.length === b.length && a.every((t, i) => t === b[i]);
}
