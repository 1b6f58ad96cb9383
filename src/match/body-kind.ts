/**
 * A body's kind written first on one side and last on the other ("Stiftung Alpenblick" / Alpenblick Stiftung,
 * "Anstalt Nordstern Holding" / Nordstern Holding Anstalt, "Fondation Lenoir" / Lenoir Fondation): German,
 * Liechtenstein and Romance ledgers put the kind first, their imports and other clerks last (issue #16, lab10).
 */
import { isGenericToken } from './normalize.js';
import { ENTITY_WORDS, FUNCTION_WORDS, isTrade } from './vocabulary.js';

/** Kinds of body beside ENTITY_WORDS (foundation, trust, fund …): Liechtenstein's Anstalt, Austria's Privatstiftung. */
const KINDS: ReadonlySet<string> = new Set([...ENTITY_WORDS, 'anstalt', 'privatstiftung', 'familienstiftung']);

/**
 * The name's words are the entry's own (`qt[i] === et[qAl[i]]`), one kind of body moved from the entry's first place
 * to the name's last or from its last to the name's first, and what is left holds a word that names (no generic,
 * trade, function or kind word): "Stiftung Bank" / Bank Stiftung says nothing but kinds and stays a reordering, as do
 * a person's or a firm's other words in another order ("Ryan William", "Steel Pacific").
 */
export function bodyKindMoved(qt: readonly string[], et: readonly string[], qAl: readonly number[]): boolean {
  const n = et.length;
  if (n < 2 || qt.length !== n || qAl.length !== n) return false;
  const k = qAl[0]!;
  if (k <= 0 || qAl.some((j, i) => j !== (i + k) % n || qt[i] !== et[j])) return false;
  // k = 1: the entry's first word closes the name; k = n - 1: the entry's last word opens it (both when n = 2)
  const moved = [k === 1 ? 0 : -1, k === n - 1 ? n - 1 : -1].filter((j) => j >= 0 && KINDS.has(et[j]!));
  if (moved.length === 0) return false;
  const rest = et.filter((_, j) => j !== moved[0]);
  return rest.some((t) => t.length > 1 && !isGenericToken(t) && !isTrade(t) && !FUNCTION_WORDS.has(t) && !KINDS.has(t));
}
