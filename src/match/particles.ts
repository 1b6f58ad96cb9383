/**
 * "Surname, Given" where the surname has particles ("Martínez de la Rosa, Javier", "Van der Berg, Johannes") or the
 * given names do ("Oliveira, Maria das Graças", Dutch "Berg, Johannes van der"): read in the given-name order, as
 * normalize.ts reads "Miller, John". Pure word work on normalised tokens.
 */
import { ENTITY_WORDS, isGenericToken, isLegalWord, isPlace, isTrade } from './vocabulary.js';

/** Particles of Romance, Dutch, German and Arabic surnames and given names. */
const PARTICLES = new Set([
  'de', 'del', 'della', 'di', 'da', 'das', 'do', 'dos', 'du', 'la', 'le', 'van', 'von', 'der', 'den', 'ter', 'ten', 'zu',
  'y', 'bin', 'binti', 'al', 'el',
]); // prettier-ignore

export const isParticle = (t: string): boolean => PARTICLES.has(t);

/** A word of a person's name: letters only, no firm's, trade's or place's word. */
const personWord = (t: string): boolean =>
  isParticle(t) ||
  (/^[\p{L}\p{M}]{2,}$/u.test(t) && !isGenericToken(t) && !isTrade(t) && !isLegalWord(t) && !ENTITY_WORDS.has(t) && !isPlace(t));

/**
 * The given-first words of `surname, given` when either has a particle: the surname one or two words and its
 * particles, ending on a word (not a particle); the given names one to three words, particles between them, and
 * particles after them that belong to the surname ("Johannes van der" → johannes van der berg). Else null.
 */
export function particleName(surname: readonly string[], given: readonly string[]): string[] | null {
  if (!surname.some(isParticle) && !given.some(isParticle)) return null;
  if (![...surname, ...given].every(personWord)) return null;
  const last = surname[surname.length - 1];
  if (last === undefined || isParticle(last) || surname.length > 5 || surname.filter((t) => !isParticle(t)).length > 2) return null;
  let n = given.length;
  while (n > 0 && isParticle(given[n - 1]!)) n--;
  const core = given.slice(0, n);
  if (core.length === 0 || isParticle(core[0]!) || core.filter((t) => !isParticle(t)).length > 3) return null;
  return [...core, ...given.slice(n), ...surname];
}
