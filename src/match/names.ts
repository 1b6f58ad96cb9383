/**
 * Known person names: the given names and surnames of every locale of @faker-js/faker (about 39,000 words from 60
 * locales' curated lists) and of chance (its English, Italian, Dutch, German, French, Spanish, Japanese and Polish
 * lists), tokenised as the matcher tokenises names. Two different words that are both known names
 * ("Paula" / "Paul", "Erica" / "Eric", "Tanner" / "Turner") are two people's names, not a typo of one: read as typos,
 * a trial on person names the matcher had never seen linked 38 near-namesakes at 0.88–0.98 ("Paula Parker" → Paul
 * Parker). Built once per process, on the first question (≈ 0.1–0.2 s; about 1 MB stays): a plan that never scores
 * a word pair never loads it.
 */
import { createRequire } from 'node:module';
import { nameWords } from './fold.js';
import { damerauLevenshtein } from './similarity.js';

/** faker's locales: a person's names as an array, or arrays by gender (`generic`, `female`, `male`). */
interface FakerLocales {
  allLocales: Record<string, { person?: { first_name?: unknown; last_name?: unknown } }>;
}

/** Every known name, and the given names and surnames apart (a word may be both: "Thomas", "Kumar"). */
interface Lists {
  known: Set<string>;
  given: Set<string>;
  surname: Set<string>;
  /** Given names by the gender the lists file them under (a name may be in both: "Jean", "Andrea"). */
  male: Set<string>;
  female: Set<string>;
  /** Given names of every list, gender-detection-from-name's too (about 67,000 first names of six languages' lists). */
  givenWide: Set<string>;
  /** The given names of all lists by the sex they are filed under (a name may be under both: "Andrea", "Simone"). */
  maleWide: Set<string>;
  femaleWide: Set<string>;
}

let lists: Lists | null = null;

/** Every string in nested arrays and objects (faker keeps its names by gender, chance by gender and nationality). */
function strings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(strings);
  if (typeof x === 'object' && x !== null) return Object.values(x).flatMap(strings);
  return [];
}

function load(): Lists {
  // the CommonJS build, required synchronously: the matcher is synchronous and most commands never get here
  const req = createRequire(import.meta.url);
  const { allLocales } = req('@faker-js/faker') as FakerLocales;
  const out: Lists = {
    known: new Set(),
    given: new Set(),
    surname: new Set(),
    male: new Set(),
    female: new Set(),
    givenWide: new Set(),
    maleWide: new Set(),
    femaleWide: new Set(),
  };
  const add = (n: string, role: 'given' | 'surname', gender?: 'male' | 'female'): void => {
    // one-word names only ("Mary-Jane" and "Van der Berg" are several words, each a name or a particle)
    const w = nameWords(n);
    if (w.length === 1 && w[0]!.length >= 3 && /^[\p{L}\p{M}]+$/u.test(w[0]!)) {
      out.known.add(w[0]!);
      out[role].add(w[0]!);
      if (gender !== undefined) out[gender].add(w[0]!);
    }
  };
  const byGender = (x: unknown, g: 'male' | 'female'): unknown =>
    typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[g] : undefined;
  for (const locale of Object.values(allLocales)) {
    for (const n of strings(locale.person?.first_name)) add(n, 'given');
    for (const g of ['male', 'female'] as const) for (const n of strings(byGender(locale.person?.first_name, g))) add(n, 'given', g);
    for (const n of strings(locale.person?.last_name)) add(n, 'surname');
  }
  // chance's lists add the common English surnames faker has few of (its en: 473; Ball, Barker, Walters, Hooper)
  const Chance = req('chance') as new () => { get: (k: string) => unknown };
  const chance = new Chance();
  for (const n of strings(chance.get('firstNames'))) add(n, 'given');
  for (const g of ['male', 'female'] as const) for (const n of strings(byGender(chance.get('firstNames'), g))) add(n, 'given', g);
  for (const n of strings(chance.get('lastNames'))) add(n, 'surname');
  // gender-detection-from-name's first names (en, fr, es, it, de, tr lists): given names only, for twoGivenNames
  for (const lang of ['en', 'fr', 'es', 'it', 'de', 'tr']) {
    for (const [n, sex] of req(`gender-detection-from-name/names/${lang}.js`) as Map<string, string>) {
      const w = nameWords(n);
      if (w.length !== 1 || w[0]!.length < 3) continue;
      out.givenWide.add(w[0]!);
      if (sex === 'male') out.maleWide.add(w[0]!);
      else if (sex === 'female') out.femaleWide.add(w[0]!);
    }
  }
  for (const n of out.given) out.givenWide.add(n);
  for (const n of out.male) out.maleWide.add(n);
  for (const n of out.female) out.femaleWide.add(n);
  // only the names are kept: the modules (every locale's addresses, words, …) leave the require cache for the GC
  for (const id of Object.keys(req.cache))
    if (id.includes('@faker-js') || id.includes('gender-detection-from-name') || /[\\/]chance[\\/]/.test(id)) delete req.cache[id];
  return out;
}

/** A given name the lists file under men only ("Harold", "Giuseppe"); not "Jean", "Andrea", nor a word they lack. */
export function maleOnly(word: string): boolean {
  lists ??= load();
  return lists.male.has(word) && !lists.female.has(word);
}

/** Whether the lists know `word` as a given name (whether or not also as a surname: "Thomas", "Ryan"). */
export function couldBeGiven(word: string): boolean {
  lists ??= load();
  return lists.given.has(word);
}

/** Whether `word` (a matcher token) is a known given name or surname. */
export function isKnownName(word: string): boolean {
  lists ??= load();
  return lists.known.has(word);
}

/**
 * What a known name is in every list that has it: only a given name ("Anjali", "Giuseppe"), only a surname
 * ("Deshpande", "Esposito"), or either ("Thomas", "Kumar": null, as for a word no list has).
 */
export function nameRole(word: string): 'given' | 'surname' | null {
  lists ??= load();
  const g = lists.given.has(word);
  const s = lists.surname.has(word);
  return g === s ? null : g ? 'given' : 'surname';
}

/** Endings that make another (mostly feminine) name of a name: Paul-a, Daniel-le, Louis-e, Paul-ine, Henri-ette. */
const NAME_ENDINGS = /^(a|e|ia|ie|le|lle|ne|na|ina|ine|ette|elle)$/;

/**
 * A clipped form of a name is the same name ("Doug" / "Douglas", "Matt" / "Matthew", "Alex" / "Alexander"): the
 * shorter word, of 3 letters or more, begins the longer one, which goes on for 2 letters or more that are not just
 * one of the endings that make another name ("Daniel" / "Danielle", "Paul" / "Paula").
 */
function clipped(a: string, b: string): boolean {
  const [s, l] = a.length < b.length ? [a, b] : [b, a];
  if (s.length < 3 || !l.startsWith(s)) return false;
  const rest = l.slice(s.length);
  return rest.length >= 2 && !NAME_ENDINGS.test(rest) && !PATRONYMIC.test(rest);
}

/**
 * Endings that make a surname of a given name, its bearer's father's ("Martín" / "Martínez", "John" / "Johnson",
 * "Ivan" / "Ivanov", "Jakob" / "Jakobsen", "Nikola" / "Nikolić"): the surname of a family, not the name cut short.
 */
const PATRONYMIC = /^(ez|es|is|son|sen|sson|ov|ova|ev|eva|ovic|evic|ic|ovich|evich|enko)$/;

/**
 * One edit inside a long name, its first letter and its ending kept ("Maxmilian" / "Maximilian"): a spelling of the
 * same name; both spellings are in the lists, and a different name is rarely one inner letter away from an 8-letter one.
 */
function innerVariant(a: string, b: string): boolean {
  return Math.min(a.length, b.length) >= 8 && a[0] === b[0] && a.slice(-2) === b.slice(-2) && damerauLevenshtein(a, b) === 1;
}

/** One letter doubled in one and single in the other ("Conor" / "Connor", "Philip" / "Phillip"): one name's spellings. */
function doubled(a: string, b: string): boolean {
  const [s, l] = a.length < b.length ? [a, b] : [b, a];
  if (l.length !== s.length + 1) return false;
  for (let i = 1; i < l.length; i++) if (l[i] === l[i - 1] && l.slice(0, i) + l.slice(i + 1) === s) return true;
  return false;
}

/**
 * Two different words that are both known names and neither a clipped form, a doubled letter nor an inner variant of
 * the other: two names, never a typo, a variant or an abbreviation of one another.
 */
export function twoNames(a: string, b: string): boolean {
  return a !== b && isKnownName(a) && isKnownName(b) && !clipped(a, b) && !doubled(a, b) && !innerVariant(a, b);
}

/**
 * A given name's consonants, as its spellings and romanisations keep them: vowels, y, j and h left out, a doubled
 * letter single, c/k/q one letter, z as s, zh as j, w as v, ph as f, a closing ng as n and a closing d as t ("Khaled" /
 * Khalid, "Fatima" / Fathima, "Faysal" / Faisal, "Mohamed" / Muhammad, "Karthick" / Karthik, "Andrea" / Andreea,
 * "Tidjane" / Tidiane, "Tenzin" / Tenzing, "David" / Davit all keep theirs).
 */
export function consonants(w: string): string {
  return w
    .replace(/ph/g, 'f')
    .replace(/ck/g, 'k')
    .replace(/[cq]/g, 'k')
    .replace(/zh/g, 'j')
    .replace(/z/g, 's')
    .replace(/w/g, 'v')
    .replace(/ng$/, 'n')
    .replace(/d$/, 't')
    .replace(/[aeiouyhj]/g, '')
    .replace(/(.)\1+/g, '$1');
}

/**
 * Two different given names, as the given-name lists know them (gender-detection-from-name's too), that the lists
 * file under two sexes, one each ("Franziska" / Franz), or that differ by a consonant ("Masoud" / Mahmoud, "Keiji" /
 * Kenji, "Arif" / Asif): two people's names, never a typo of one. Spellings and romanisations of one name, which keep
 * its consonants ("Khaled" / Khalid), a slip of typing (`typed`: "Kye" / Kyle, "Jamea" / James, "Mete" / Mette; a
 * typo more often than another person), and a clipped form or an inner variant of one sex (twoNames' exceptions) stay
 * one name.
 */
export function twoGivenNames(a: string, b: string): boolean {
  if (a === b) return false;
  lists ??= load();
  const { givenWide, maleWide, femaleWide } = lists;
  if (!givenWide.has(a) || !givenWide.has(b) || typed(a, b)) return false;
  const sex = (w: string): 'm' | 'f' | null => (maleWide.has(w) === femaleWide.has(w) ? null : maleWide.has(w) ? 'm' : 'f');
  const sa = sex(a);
  const sb = sex(b);
  if (sa !== null && sb !== null && sa !== sb) return true;
  return consonants(a) !== consonants(b) && !clipped(a, b) && !innerVariant(a, b);
}

/** The letter keys of a QWERTY keyboard by row, each row shifted half a key from the one above. */
const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** Two letters on neighbouring keys: beside each other on a row, or touching across rows ("s" / a, w, e, d, z, x). */
function neighbours(x: string, y: string): boolean {
  for (let r = 0; r < ROWS.length; r++) {
    const i = ROWS[r]!.indexOf(x);
    if (i < 0) continue;
    if (ROWS[r]![i - 1] === y || ROWS[r]![i + 1] === y) return true;
    if (r > 0 && (ROWS[r - 1]![i] === y || ROWS[r - 1]![i + 1] === y)) return true;
    if (r < ROWS.length - 1 && (ROWS[r + 1]![i] === y || ROWS[r + 1]![i - 1] === y)) return true;
  }
  return false;
}

/**
 * What a slip of typing makes of a word: a letter left out or added, two letters swapped, a letter struck as its
 * neighbour on the keyboard; or two letters left out or added. Not a letter replaced by one far from it on the
 * keyboard ("Arif" / Asif, "Keiji" / Kenji) nor two changes that are not only letters dropped ("Masoud" / Mahmoud):
 * another name, as far as typing goes.
 */
export function typed(a: string, b: string): boolean {
  const d = damerauLevenshtein(a, b);
  if (d === 0 || d > 2) return false;
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  let i = 0;
  for (const c of l) if (c === s[i]) i++;
  if (i === s.length) return true; // letters only left out or added
  if (d === 2 || a.length !== b.length) return false;
  const diff = [...a].flatMap((c, k) => (c === b[k] ? [] : [k]));
  if (diff.length === 2) return diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
  return diff.length === 1 && neighbours(a[diff[0]!]!, b[diff[0]!]!);
}
