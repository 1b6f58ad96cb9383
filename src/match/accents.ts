/**
 * A word's accents read as letters where both names write them ("Trần Thị Lâm" / Trần Thị Lan, "Phạm Minh Tuyến" /
 * Phạm Minh Tuấn): the matcher folds accents before it compares words, so Lâm and Lan are one letter apart, a typo's
 * distance. But two names that write the same accented word alike (Trần, Thị) come from sources that keep accents,
 * and a source that keeps them keeps them on every word: a word whose accented letters are others than the master
 * word's (â for a, ế for ấ) is another word, not a slip on a base letter. A name written without accents, or with
 * accents on no word it shares with the master, is compared as before.
 */
import { foldChars, nameWords } from './fold.js';
import { damerauLevenshtein } from './similarity.js';

/** A name's words with their accents, by their folded form (null: one folded word written two ways in the name). */
type Spellings = Map<string, string | null>;

const memo = new Map<string, Spellings>();

/** A letter out of ASCII: a name without one has no accent to keep. */
const NON_ASCII = /[^\p{ASCII}]/u;

/** The name's words as written, lower case and NFC, keyed by the word as the matcher reads it (accents folded). */
function spellingsOf(name: string): Spellings {
  let out = memo.get(name);
  if (out !== undefined) return out;
  out = new Map();
  const words = name
    .replace(/\p{Cf}/gu, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/['’`´]/g, '')
    .split(/[^\p{L}\p{M}\p{N}]+/u);
  for (const w of words) {
    const folded = nameWords(w);
    if (folded.length !== 1) continue;
    const k = folded[0]!;
    const had = out.get(k);
    out.set(k, had === undefined || had === w ? w : null);
  }
  if (memo.size > 10_000) memo.clear();
  memo.set(name, out);
  return out;
}

/**
 * The letters of a written word that carry an accent or are no plain letter (â, ế, ß), in order; not a Hangul
 * syllable, which NFD also takes apart.
 */
function accented(w: string): string {
  let out = '';
  for (const ch of w) if (foldChars(ch, false).normalize('NFC') !== ch) out += ch;
  return out;
}

/** Both names write a word they share with the same accented letters (both sources keep accents). */
function bothWriteAccents(a: Spellings, b: Spellings): boolean {
  for (const [k, w] of a) if (w !== null && accented(w) !== '' && b.get(k) === w) return true;
  return false;
}

/**
 * The name's word `a` and the master's word `b` (folded, different) are written with other accented letters, in names
 * that both keep accents (they share a word written with the same ones), and more edits apart with their accents than
 * a typo makes (tokenSimilarity's: one under eight letters, two from eight; an accent put on or left out counts as
 * one): two words, never a typo of one another. "Lâm" / Lan (two edits), "Tuyến" / Tuấn (two); not "Instalatérstvý" /
 * Instalatérství (one), "Hydroizolácie" / Hydroizolace (two in a long word: Slovak and Czech spellings of one word).
 */
export function accentsApart(name: string, master: string, a: string, b: string): boolean {
  if (!NON_ASCII.test(name) || !NON_ASCII.test(master)) return false;
  const qs = spellingsOf(name);
  const es = spellingsOf(master);
  const qa = qs.get(a);
  const eb = es.get(b);
  if (qa === undefined || qa === null || eb === undefined || eb === null || accented(qa) === accented(eb)) return false;
  const allowed = Math.max(qa.length, eb.length) >= 8 ? 2 : 1;
  return damerauLevenshtein(qa, eb) > allowed && bothWriteAccents(qs, es);
}

/** A combining mark left in a folded word: a vowel sign, virama or tone mark of a Brahmic or South-East Asian script. */
const KEPT_MARK = /\p{M}/u;

const KEPT_MARKS = /\p{M}/gu;
/** Every character of a word that is no mark. */
const NOT_MARK = /\P{M}/gu;

/**
 * Two folded words, one with marks kept, that are two names: they carry other vowel signs, viramas or tone marks
 * (Khmer វុទ្ធី / វុទ្ធា, Vuthy / Vutha; Hindi राम / रमा, Ram / Rama; Tamil கலா / கலை; Thai นายสมชาติ / นายสมชาย,
 * Somchat / Somchai) or the same ones elsewhere, or are more than one edit apart. In those scripts a vowel sign is the syllable's vowel: one put
 * on, left out or changed writes another name, not a typo of it (fold.ts keeps those marks), and a syllable is two or
 * three characters, so a long word's second edit is no typo either. One other letter, marks alike, may still be one.
 */
export function marksApart(a: string, b: string): boolean {
  if (a === b || (!KEPT_MARK.test(a) && !KEPT_MARK.test(b))) return false;
  const marksOf = (w: string): string => w.replace(NOT_MARK, '');
  const lettersOf = (w: string): string => w.replace(KEPT_MARKS, '');
  return marksOf(a) !== marksOf(b) || lettersOf(a) === lettersOf(b) || damerauLevenshtein(a, b) > 1;
}
