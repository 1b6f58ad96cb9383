/**
 * A note after a person written surname first (`Patel, Nisha (Immigration)`, `Brooks, Tamika L. - Trust Deposit`,
 * `Nguyen, Linh - Mochi`, `KOWALSKI, JAN (PAYE)`, `Iyer, Ramesh Kumar (Dr.)`): a matter, a pet, a payroll code or a
 * title that the ledger writes after the person's name in brackets or after a spaced dash. `Surname, Given` already
 * ends the person's name, so what follows names no other party: the note is read off and the name is the person
 * (rule `person-note`). Not when the note holds an entity's, a legal form's or a trade's word (`Chen, Rosalind -
 * Revocable Trust` is her trust, `Magee, Patrick - Butchers` may be his shop, `Keswick, Dorothy (Estate of)` her
 * estate), nor when the words before it are not one surname and one person's given names.
 */
import { foldChars } from './fold.js';
import { isKnownName } from './names.js';
import { ENTITY_WORDS, GENERATIONS, isDescriptive, isGenericToken, isLegalWord, isTrade } from './vocabulary.js';

/** `Surname[-Surname], Given [Given] [I.]` then `(note)` or ` - note` at the end: the surname-first person's part. */
const NOTED =
  /^\s*([\p{L}\p{M}'’-]+(?:\s[\p{L}\p{M}'’-]+){0,2}),\s*(\p{L}[\p{L}\p{M}'’-]*(?:\s+\p{L}[\p{L}\p{M}'’-]*\.?){0,2})\s*(?:\(([^()]+)\)|\s[-–—]\s+([^()]+))\s*$/u;

/**
 * Words a note names another person or party by: the person's trust, estate, firm or shop, a relative or a generation
 * (`Reyes, Jose (Jr.)` is the son, `Cruz, Ana (wife)` another person), someone acting for the person.
 */
// prettier-ignore
const NOT_A_NOTE = new Set([
  'estate', 'est', 'heirs', 'company', 'shop', 'store', 'and', 'family',
  'wife', 'husband', 'spouse', 'son', 'daughter', 'mother', 'father', 'widow', 'child', 'minor', 'guardian', 'deceased',
  'mrs', 'miss', 'for', 'obo', 'co', 'care', 'attn',
]);

export function withoutPersonNote(folded: string): string | null {
  return readNote(folded)?.person ?? null;
}

const notes = new Map<string, string | null>();

/** The note read off a name's person (its words, folded, one space apart), or null (no note read off). */
function noteOf(name: string): string | null {
  let n = notes.get(name);
  if (n === undefined) {
    n = readNote(foldChars(name.normalize('NFKC').toLowerCase(), false))?.note ?? null;
    if (notes.size > 10_000) notes.clear();
    notes.set(name, n);
  }
  return n;
}

/**
 * Two names that read off the same note ("Murphy, Seán (Ballyhea)" / MURPHY, SEAN (BALLYHEA)): a ledger that writes a
 * townland, a colony or a parish after a person writes it to hold namesakes apart, so of two masters one normalised
 * name apart the one with the name's note is the one it names (matcher.ts).
 */
export function sameNote(a: string, b: string): boolean {
  const na = noteOf(a);
  return na !== null && na === noteOf(b);
}

function readNote(folded: string): { person: string; note: string } | null {
  const m = NOTED.exec(folded);
  if (m === null) return null;
  const note = (m[3] ?? m[4] ?? '').split(/[^\p{L}\p{M}\p{N}]+/u).filter((w) => w.length > 0);
  if (note.length === 0 || note.length > 4) return null;
  if (
    note.some(
      (w) =>
        ENTITY_WORDS.has(w) ||
        NOT_A_NOTE.has(w) ||
        GENERATIONS.has(w) ||
        isLegalWord(w) ||
        isTrade(w) ||
        isDescriptive(w) ||
        isGenericToken(w),
    )
  )
    return null;
  // a note of given names or surnames only names another person (a spouse, a child, an English name: "Chen, Wei
  // (David)")
  if (note.every((w) => isKnownName(w) || /^\p{L}$/u.test(w))) return null;
  const person = [...m[1]!.split(/\s+/u), ...m[2]!.split(/\s+/u)].map((w) => w.replace(/[.'’-]/gu, ''));
  if (person.some((w) => isLegalWord(w) || ENTITY_WORDS.has(w) || isTrade(w) || isGenericToken(w))) return null;
  return { person: `${m[1]!}, ${m[2]!}`, note: note.join(' ') };
}
