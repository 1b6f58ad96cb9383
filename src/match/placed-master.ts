/**
 * A master whose name closes on a place in brackets (`Anheuser-Busch InBev (New York)`, `Novartis (Mexico)`, `Kone
 * (Switzerland)`): a national company or site of the firm, told from the firm by that place, as normalisation keeps
 * it. A name without the place (`Anheuser-Busch InBev`) names the firm or its parent as much as that master: bench
 * :accuracy's one cross-tenant link at its held-out threshold, a parent's name beside its New York company of another
 * tenant, at 0.82. Capped at `droppedWordCap` (review only, whatever the threshold), as a left-out word that tells
 * masters apart is.
 */
import type { Entry } from './matcher-index.js';
import { normalizeName } from './normalize.js';
import { isPlace } from './vocabulary.js';

const BRACKETED = /\(([^()]+)\)\s*$/u;

/** The place the master's name closes on in brackets, when the name has none of its words; null else. */
export function placeLeftOut(qt: readonly string[], e: Entry): string | null {
  if (!e.norm.original.includes('(')) return null;
  const m = BRACKETED.exec(e.norm.original.trim());
  if (m === null) return null;
  const words = normalizeName(m[1]!).tokens;
  if (words.length === 0 || !isPlace(words.join(' ')) || words.some((w) => qt.includes(w))) return null;
  return words.join(' ');
}
