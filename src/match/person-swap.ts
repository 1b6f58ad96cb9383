/**
 * A person's two names swapped where only one of them can be a given name ("László Nagy" / Nagy László e.v., "Bērziņš
 * Jānis" / Jānis Bērziņš): Hungarian, Baltic, East Asian and many payroll and bank ledgers write the surname first, so
 * the two orders of one person's two names are everywhere. Two people's names only swap into each other where both
 * words can be given names ("Ryan Thomas" / Thomas Ryan), which stays a reordering, for review.
 */
import type { Entry } from './matcher-index.js';
import { couldBeGiven, isKnownName } from './names.js';
import { isGenericToken } from './normalize.js';
import { HAS_DIGIT } from './tokens.js';
import type { NormalizedName } from './types.js';
import { FUNCTION_WORDS, GENERATIONS, isCity, isCountry, isLegalWord, isTrade } from './vocabulary.js';

/** Legal forms of one person trading in their own name: Hungary's e.v., Germany's e.K., Norway's ENK, Ukraine's FOP. */
const SOLE_TRADER = new Set(['ev', 'ek', 'enk', 'fop']);

/**
 * The name is the entry's two words in the other order, the name without a legal form and the entry's none or a sole
 * trader's; each word a name's (three letters or more, no number, generic, trade, function, legal or place word), at
 * least one a name the lists know, and not both names the lists know as given names.
 */
export function swappedPair(q: NormalizedName, e: Entry, qt: readonly string[], qAl: readonly number[]): boolean {
  const et = e.tokens;
  if (qt.length !== 2 || et.length !== 2 || q.legalForm !== null) return false;
  if (e.norm.legalForm !== null && !SOLE_TRADER.has(e.norm.legalForm)) return false;
  if (qAl[0] !== 1 || qAl[1] !== 0 || qt[0] !== et[1] || qt[1] !== et[0]) return false;
  const personal = (t: string): boolean =>
    t.length >= 3 &&
    !HAS_DIGIT.test(t) &&
    !isGenericToken(t) &&
    !isTrade(t) &&
    !FUNCTION_WORDS.has(t) &&
    !isLegalWord(t) &&
    !isCity(t) &&
    !isCountry(t);
  if (!et.every(personal) || !et.some(isKnownName)) return false;
  return !(couldBeGiven(et[0]!) && couldBeGiven(et[1]!));
}

/**
 * A person's given name first on both sides and the same surnames after it in another order ("Mamani Apaza, Teodoro"
 * / Apaza Mamani, Teodoro, "María García López" / María López García): where a person carries two surnames (Spanish,
 * Portuguese and Andean names: the father's, then the mother's), their order is the person's; a sibling's child or a
 * cousin carries them the other way round. Two people, not one name's words reordered. No legal form on either side,
 * two surnames or more of three letters or more (no initial or generation among them), every word the entry's own.
 */
export function surnamesSwapped(q: NormalizedName, e: Entry, qt: readonly string[], qAl: readonly number[]): boolean {
  if (qt.length < 3 || qt.length !== e.tokens.length || q.legalForm !== null || e.norm.legalForm !== null) return false;
  if (qAl[0] !== 0 || !couldBeGiven(qt[0]!)) return false;
  // surnames only after the given name: no initial, generation ("Jr", "Jnr") or other short word moved with them
  if (qt.slice(1).some((t) => t.length < 3 || GENERATIONS.has(t) || t === 'jnr' || t === 'snr')) return false;
  return qAl.every((j, i) => j >= 1 || i === 0) && qAl.some((j, i) => j !== i);
}
