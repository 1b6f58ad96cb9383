/**
 * A body or firm named after its founders, called by their surname alone ("Kellogg Foundation" / W. K. Kellogg
 * Foundation, "Gates Foundation" / Bill & Melinda Gates Foundation, "Smith & Sons" / R.J. Smith & Sons Pty Ltd):
 * containment.ts, docs/matching.md "A founder's given names and initials left out".
 */
import type { Entry } from './matcher-index.js';
import { isKnownName, nameRole } from './names.js';
import { normalizeName } from './normalize.js';
import { isParticle } from './particles.js';
import { FUNCTION_WORDS, isLegalWord, isPlace } from './vocabulary.js';
import type { NormalizedName } from './types.js';

/** A founder's given name or initials: a known given name, or one or two letters that are no particle or function word. */
const givenOrInitials = (t: string): boolean =>
  (t.length <= 2 && /^[\p{L}\p{M}]+$/u.test(t) && !FUNCTION_WORDS.has(t) && !isParticle(t) && !isLegalWord(t)) ||
  (t.length > 2 && isKnownName(t) && nameRole(t) !== 'surname' && !isPlace(t));

/**
 * The master's extra words all come before the name's and are its founders' given names and initials (up to two
 * people joined by `and`: "John D. and Catherine T. MacArthur Foundation"), in its first segment; the name goes on
 * after the surname with a word that is no person's name (`Foundation`, `& Sons`, `Charitable Trust`), so it names a
 * body, not a person (`Smith` never names John Smith, nor `Sarah Goldberg` Daniel & Sarah Goldberg); its legal form,
 * if any, is the master's.
 */
export function foundersDropped(q: NormalizedName, qt: readonly string[], e: Entry, extraE: readonly string[]): boolean {
  const n = extraE.length;
  if (e.source !== 'master' || n === 0 || n > 5 || qt.length < 2) return false;
  if (q.legalForm !== null && q.legalForm !== e.norm.legalForm) return false;
  if (!extraE.every((t, i) => e.tokens[i] === t) || !qt.every((t, i) => e.tokens[n + i] === t)) return false;
  // given names and initials, `and` only between two people's
  if (extraE[0] === 'and' || extraE[n - 1] === 'and' || extraE.filter((t) => t === 'and').length > 1) return false;
  if (!extraE.every((t) => t === 'and' || givenOrInitials(t))) return false;
  // a person's initials or two people's names: one given name alone before a word may be a place's or a firm's word
  // ("Austin Smile Design Studio"; "Robert Bosch" is leadingDrop's, for a firm with a legal form)
  if (!extraE.some((t) => t === 'and' || t.length <= 2)) return false;
  // the surname first, then a word no person's name is (a body or a firm)
  if (isKnownName(qt[0]!) && nameRole(qt[0]!) === 'given') return false;
  if (qt.slice(1).every((t) => isKnownName(t) || FUNCTION_WORDS.has(t))) return false;
  // in the master's first segment ("Harold Smith, Trustee of …" is a person's; an initial's dot ends none)
  const first = e.norm.original.split(/[,;:(]|(?<=\p{L}{2})\.\s|\s[-–—]\s/u)[0] ?? '';
  const head = normalizeName(first, { store: false }).tokens;
  return qt.every((t) => head.includes(t));
}
