/**
 * A person's given name read as another given name one or two letters away ("Hosseini, Seyed Masoud" / Hosseini,
 * Seyed Mahmoud, "Keiji Saito" / Kenji Saitō, "Muhammad Arif" / Muhammad Asif): where both words are given names the
 * lists know and differ by a consonant, they name two people, not one person's typo (names.ts `twoGivenNames`).
 */
import type { Entry } from './matcher-index.js';
import { couldBeGiven, twoGivenNames } from './names.js';
import { isGenericToken } from './normalize.js';
import { FUNCTION_WORDS, isTrade } from './vocabulary.js';

/**
 * The entry is a person's name (no legal form on either side, two or three words or written "Surname, Given …", no
 * generic, trade or function word: not "Tejas Logistics Group LLC", "San Roque Rice Mill", whose words the long
 * given-name lists also hold) and the name's word `a` and the entry's word `b` are two given names (names.ts).
 */
export function givenConflict(e: Entry, a: string, b: string, qLegalForm: string | null = null): boolean {
  return twoGivenNames(a, b) && personEntry(e, qLegalForm);
}

/** The entry is a person's name and the name has no legal form (givenConflict's conditions). */
function personEntry(e: Entry, qLegalForm: string | null): boolean {
  const et = e.tokens;
  if (qLegalForm !== null || e.norm.legalForm !== null || et.length < 2) return false;
  // two or three words, or the master's own "Surname, Given …" (a firm of four words may hold a given name: "San
  // Roque Rice Mill")
  if (et.length > 3 && !e.norm.rules.includes('name-order')) return false;
  return et.every((t) => !isGenericToken(t) && !isTrade(t) && !FUNCTION_WORDS.has(t));
}

/**
 * The master writes a person's given name that the lists know (`b`: "Juha", "Abdou") and the name a longer one that
 * begins with it (`a`: "Juhani", "Abdourahmane"): the master's is the name the person is registered under, not a
 * clerk's clipping of the name's (which the other way round it is: "Doug Smith" / Douglas Smith).
 */
export function longerGiven(e: Entry, a: string, b: string, qLegalForm: string | null = null): boolean {
  return b.length >= 3 && a.length > b.length && a.startsWith(b) && couldBeGiven(b) && personEntry(e, qLegalForm);
}
