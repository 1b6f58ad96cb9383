/** Word-level rules: how two name words relate (typo, digraph fold, spelling, abbreviation, initial, joined or split). */
import { foldDigraphs } from './normalize.js';
import { damerauLevenshteinWithin, phoneticMatch } from './similarity.js';
import { placeCode, sameCountry } from './country-names.js';
import { FUNCTION_WORDS } from './vocabulary.js';
import { MATCH_TUNING } from './tuning.js';

export const HAS_DIGIT = /\p{N}/u;

export function deletions(t: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) out.push(t.slice(0, i) + t.slice(i + 1));
  return out;
}

/**
 * Short contractions no letter rule finds (isAbbreviation wants three letters and no vowel after the prefix): "St
 * Louis University" / "Saint Louis University", "Mt Sinai", "Ft Worth"; and the contractions clerks and imports write
 * that end in their word's last vowel ("Chgo", "Hdwe", "Whse", "Cty") or are a language's own ("Dt." Deutsche,
 * "Hnos." Hermanos, "Cie" Compagnie). A contraction with two readings ("St": Saint or Street) is as alike as an
 * abbreviation of either.
 */
// prettier-ignore
const CONTRACTIONS: Record<string, readonly string[]> = {
  st: ['saint', 'street'], ste: ['sainte'], sta: ['santa'], mt: ['mount', 'mountain'], ft: ['fort'], pt: ['point', 'port'],
  rd: ['road'], ave: ['avenue'], hwy: ['highway'], jr: ['junior'], sr: ['senior'],
  chgo: ['chicago'], hdwe: ['hardware'], whse: ['warehouse'], sply: ['supply'], pkwy: ['parkway'], cty: ['county', 'city'],
  cmty: ['community'], natl: ['national'], govt: ['government'], bldg: ['building'], blvd: ['boulevard'], svc: ['service'],
  gr: ['greater'], dt: ['deutsche', 'deutscher', 'deutsches'], hnos: ['hermanos'],
  cie: ['compagnie'], flli: ['fratelli'], ass: ['associazione'], soc: ['societa', 'societe', 'society'],
  // written contractions of trade words and places, English, Dutch and French (a word's first letters then a later one)
  fty: ['factory'], mfy: ['manufactory'], wks: ['works'], ctr: ['center', 'centre'], cda: ['canada'],
  ind: ['industrial', 'industries', 'industry'], int: ['international', 'internacional', 'internationale', 'internationaux'],
  zn: ['zonen'], mij: ['maatschappij'], fa: ['firma'],
  // clerks' contractions of firms' words in English, Spanish, Portuguese, Dutch and of a country ("Bros", "Cia.",
  // "Gpo.", "Dpto.", "Fos." Filhos, "Gebr." Gebroeders, "Pship", "Aust"): most end in their word's last letter
  bros: ['brothers'], gebr: ['gebruder', 'gebroeders'], cia: ['compania', 'companhia', 'compagnia'], gpo: ['grupo'],
  dpto: ['departamento'], depto: ['departamento'], tv: ['television'], fos: ['filhos'], pk: ['park'], lj: ['loja'],
  assn: ['association'], assoc: ['association', 'associates'], pship: ['partnership'], ptnrshp: ['partnership'],
  aust: ['australia', 'australian'], agcy: ['agency'], tech: ['technology', 'technologies'], bk: ['bank'], cnty: ['county'],
  tr: ['trust'],
};

/** CONTRACTIONS as a Map: asked for every word pair scored, where an object's string keys were a slow lookup. */
const CONTRACTION_MAP: ReadonlyMap<string, readonly string[]> = new Map(Object.entries(CONTRACTIONS));

/** The words a known contraction stands for ("assn": association), none for any other word. */
export function contractionsOf(t: string): readonly string[] {
  return CONTRACTION_MAP.get(t) ?? [];
}

export function isContraction(a: string, b: string): boolean {
  return CONTRACTION_MAP.get(a)?.includes(b) === true || CONTRACTION_MAP.get(b)?.includes(a) === true;
}

const COMPASS = /north|south|east|west/g;

/**
 * Two words naming different points of the compass ("Northeastern" / "Northwestern", "Eastside" / "Westside"):
 * two places, however few letters tell them apart, never one word's typo.
 */
export function compassDiffers(a: string, b: string): boolean {
  const pa = a.match(COMPASS);
  if (pa === null) return false;
  const pb = b.match(COMPASS);
  // each names a point the other does not ("Nortwestern" lost its "north" to a typo: still Northwestern)
  return pb !== null && pa.some((x) => !pb.includes(x)) && pb.some((x) => !pa.includes(x));
}

/**
 * The word for "and" in the languages ledgers are written in (Italian/Portuguese `e`, Spanish `y`, French `et`, German
 * `und`/`u.`, Dutch `en`, Danish/Norwegian `og`, Swedish `och`, Finnish `ja`, Turkish `ve`, Hungarian `és`, Polish and
 * Catalan `i`, Russian `и`, Ukrainian `і`/`та`).
 */
const CONJUNCTIONS: ReadonlySet<string> = new Set(['e', 'y', 'et', 'und', 'u', 'en', 'og', 'och', 'ja', 've', 'es', 'i', 'и', 'і', 'та']);

/**
 * `and` (what `&` and `+` are read as) on one side and a language's own word for it on the other: one word
 * (`Tavares & Filhos` / Tavares e Filhos, `Snel & Zeker` / Snel en Zeker, `Pictet & Cie` / Pictet et Cie).
 */
export const sameConjunction = (a: string, b: string): boolean =>
  (a === 'and' && CONJUNCTIONS.has(b)) || (b === 'and' && CONJUNCTIONS.has(a));

/**
 * `a` and `b` are one word, singular and plural (`Electrical` / Electricals, `Plastic` / Plastics, `Transport` /
 * Transports, `Fromagerie` / Fromageries): the longer is the shorter (≥ 4 letters) and `s`, or `es` after s, x, z, ch
 * or sh. Not a name's: callers leave out known person names (`William` / Williams, `Robert` / Roberts are two names).
 */
export function pluralPair(a: string, b: string): boolean {
  // asked for every word pair scored: the lengths first, no array built
  const d = a.length - b.length;
  if (d === 0 || d > 2 || d < -2) return false;
  const s = d < 0 ? a : b;
  const l = d < 0 ? b : a;
  if (s.length < 4 || !l.startsWith(s) || HAS_DIGIT.test(l)) return false;
  const end = l.slice(s.length);
  if (end === 's') return !s.endsWith('s');
  return end === 'es' && /(?:s|x|z|ch|sh)$/u.test(s);
}

/**
 * A number written in figures and in words, ordinal or cardinal, one to ten ("1st Baptist Church" / First Baptist
 * Church, "10th of Ramadan" / Tenth of Ramadan, "2 Men & A Truck" / Two Men and a Truck), and a generation's ordinal
 * and Roman numeral ("William H. Thornton 3rd" / … III). English only: the words ledgers in other languages write in
 * figures are read by their own number.
 */
// prettier-ignore
const NUMBER_WORDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['1st', ['first']], ['2nd', ['second', 'ii']], ['3rd', ['third', 'iii']], ['4th', ['fourth', 'iv']], ['5th', ['fifth']],
  ['6th', ['sixth']], ['7th', ['seventh']], ['8th', ['eighth']], ['9th', ['ninth']], ['10th', ['tenth']],
  ['1', ['one']], ['2', ['two']], ['3', ['three']], ['4', ['four']], ['5', ['five']], ['6', ['six']], ['7', ['seven']],
  ['8', ['eight']], ['9', ['nine']], ['10', ['ten']],
]);

/** `a` and `b` are one number, one written in figures ("1st" / "first", "3rd" / "iii", "2" / "two"). */
export function sameNumber(a: string, b: string): boolean {
  return NUMBER_WORDS.get(a)?.includes(b) === true || NUMBER_WORDS.get(b)?.includes(a) === true;
}

/** Near-token similarity in [0, 1]; 0 = not comparable. Digits and short tokens must match exactly. */
export function tokenSimilarity(a: string, b: string): number {
  if (a === b || sameConjunction(a, b)) return 1;
  if (compassDiffers(a, b)) return 0;
  if (a.length >= 3 && b.length >= 3 && foldDigraphs(a) === foldDigraphs(b)) return 0.97;
  if (sameCountry(a, b) || placeCode(a, b) || sameNumber(a, b)) return 0.97;
  if (isContraction(a, b)) return MATCH_TUNING.abbreviationSim;
  // a consonant skeleton of three letters ("Mfg", "Fdn", "Pnt"): no truncation, which three letters make too often
  if (skeleton(a, b) || skeleton(b, a)) return MATCH_TUNING.abbreviationSim;
  if (a.length < 4 || b.length < 4) return 0;
  if (HAS_DIGIT.test(a) || HAS_DIGIT.test(b)) return ocrRead(a, b) || ocrRead(b, a) ? 1 - MATCH_TUNING.editPenalty / maxLenOf(a, b) : 0;
  const maxLen = Math.max(a.length, b.length);
  const allowed = maxLen >= 8 ? 2 : 1;
  if (Math.abs(a.length - b.length) <= allowed) {
    const d = damerauLevenshteinWithin(a, b, allowed); // only a distance within `allowed` is used
    // Two edits only with the same first letter: "southwest" is not a typo of "northwest".
    if (d <= 1 || (d <= allowed && a[0] === b[0])) return 1 - (MATCH_TUNING.editPenalty * d) / maxLen;
  }
  if (a[0] === b[0] && phoneticMatch(a, b)) return MATCH_TUNING.phoneticTokenSim;
  if (isAbbreviation(a, b) || isAbbreviation(b, a)) return MATCH_TUNING.abbreviationSim;
  return 0;
}

const maxLenOf = (a: string, b: string): number => Math.max(a.length, b.length);

/** `short` is three consonants, the first `long`'s first letter, the others in order in it: "mfg" / manufacturing. */
const skeleton = (short: string, long: string): boolean =>
  short.length === 3 && long.length >= 5 && !/[aeiouy]/u.test(short) && isAbbreviation(short, long);

/**
 * `scanned` is `word` with a letter a scanner read as a digit ("Dyn0" / dyno, "Pi1bara" / pilbara, "Austra1ia"): one
 * 0 or 1 among three letters or more, inside the word or (a 0) at its end, read as o, l or i. Counted as one edit.
 * Never a number's own digits ("Studio 54", "3M", "A1"), nor a word with two digits.
 */
function ocrRead(scanned: string, word: string): boolean {
  if (scanned.length !== word.length || HAS_DIGIT.test(word)) return false;
  const m = /^(\p{L}+)([01])(\p{L}*)$/u.exec(scanned);
  if (m === null || m[1]!.length + m[3]!.length < 3 || (m[3] === '' && m[2] === '1')) return false;
  return (m[2] === '0' ? ['o'] : ['l', 'i']).some((c) => `${m[1]}${c}${m[3]}` === word);
}

/** `a` and `b` are within the edits tokenSimilarity allows (a typo guess, not a fold, spelling pair or abbreviation). */
export function isEditNear(a: string, b: string): boolean {
  if (compassDiffers(a, b)) return false;
  const maxLen = Math.max(a.length, b.length);
  const allowed = maxLen >= 8 ? 2 : 1;
  if (Math.abs(a.length - b.length) > allowed) return false;
  const d = damerauLevenshteinWithin(a, b, allowed);
  return d <= 1 || (d <= allowed && a[0] === b[0]);
}

/** Spellings that are neither typos nor abbreviations of each other ("Centre" / "Center"). */
const SPELLING: Record<string, string> = {
  centre: 'center',
  theatre: 'theater',
  metre: 'meter',
  fibre: 'fiber',
  centres: 'centers',
  theatres: 'theaters',
};

/**
 * `short` abbreviates `long`: a prefix of `long` followed only by consonants that appear in order in the rest, and
 * clearly shorter: truncations ("internat", "univ"), contractions ("intl", "dept", "assn", "bros") and consonant
 * skeletons ("mfg", "ctr", "svcs", "mgmt"). A vowel after the prefix is not an abbreviation ("fey" / "Flannery").
 * `minLength` 2 for a word its writer marked as cut short ("Lk.": NormalizedName.marked).
 */
export function isAbbreviation(short: string, long: string, minLength = 3): boolean {
  if (short.length < minLength || long.length < short.length + 2 || short[0] !== long[0]) return false;
  if (HAS_DIGIT.test(short) || HAS_DIGIT.test(long) || !/^[\p{L}\p{M}]+$/u.test(short)) return false;
  let p = 1;
  while (p < short.length && short[p] === long[p]) p++;
  let j = p;
  for (let i = p; i < short.length; i++) {
    const c = short[i]!;
    // a skeleton keeps its word's last y after a consonant ("Spclty" Specialty, "Vly" Valley, "Cnty" County)
    const lastY = c === 'y' && i === short.length - 1 && i > p && long.endsWith('y') && !'aeiouy'.includes(short[i - 1]!);
    if ('aeiouy'.includes(c) && !lastY) return false;
    while (j < long.length && long[j] !== c) j++;
    if (j >= long.length) return false;
    j++;
  }
  return true;
}

/**
 * `short` read as an abbreviation of `long` because its writer marked it as cut short (NormalizedName.marked: "Gen.",
 * "Mus."): two letters or more, not a word of the scope (`inScope`), and never a known contraction's other reading (a
 * contraction stands for its own words only: "Mt." is no Martin).
 */
export function markedAbbreviation(short: string, long: string, marked: readonly string[] | undefined, inScope: boolean): boolean {
  return marked?.includes(short) === true && !inScope && !CONTRACTION_MAP.has(short) && isAbbreviation(short, long, 2);
}

/** How two tokens relate, for containment: only relations that are not guesses about typos. */
export function tokenRelation(a: string, b: string): 'same' | 'abbreviation' | 'initial' | null {
  if (a === b || sameConjunction(a, b) || (a.length >= 3 && b.length >= 3 && foldDigraphs(a) === foldDigraphs(b))) return 'same';
  if ((SPELLING[a] ?? a) === (SPELLING[b] ?? b) || sameCountry(a, b) || placeCode(a, b) || sameNumber(a, b)) return 'same';
  if (isAbbreviation(a, b) || isAbbreviation(b, a) || isContraction(a, b)) return 'abbreviation';
  // a letter for a word; never a digit for a number ("Warehouse 1" is not "Warehouse 17")
  if (HAS_DIGIT.test(a) || HAS_DIGIT.test(b)) return null;
  if ((a.length === 1 && b.length > 1 && b[0] === a) || (b.length === 1 && a.length > 1 && a[0] === b)) return 'initial';
  return null;
}

/**
 * Joined and split words: a name token that is two adjacent entry tokens run together is split ("Bluewater" ->
 * "blue water"), and two adjacent name tokens that together are one entry token are joined ("Inter national").
 * With `near`, two adjacent name tokens that are no entry tokens are also joined when together they are one edit
 * from an entry token of ≥ 4 letters (a word split by a stray space and misspelt: "Clarkg e", "Har risn").
 */
export function reconcileJoins(qt: string[], et: string[], near = false): string[] {
  if (qt.length === 0 || et.length === 0) return qt;
  // runs for every (name, blocked entry) pair: names are a few words, so arrays are searched instead of a Set built
  let out: string[] | null = null;
  const joinsNear = (t: string, next: string): boolean =>
    near && !et.includes(next) && !HAS_DIGIT.test(t + next) && et.some((x) => x.length >= 4 && !qt.includes(x) && isEditNear(t + next, x));
  for (let i = 0; i < qt.length; i++) {
    const t = qt[i]!;
    const next = qt[i + 1];
    const known = et.includes(t);
    if (next !== undefined && !known && (et.includes(t + next) || joinsNear(t, next))) {
      out ??= qt.slice(0, i);
      out.push(t + next);
      i++;
      continue;
    }
    let split = -1;
    if (!known) {
      for (let j = 0; j + 1 < et.length; j++) {
        const a = et[j]!;
        const b = et[j + 1]!;
        if (a.length + b.length === t.length && t.startsWith(a) && t.endsWith(b)) split = j;
      }
    }
    if (split >= 0) {
      out ??= qt.slice(0, i);
      out.push(et[split]!, et[split + 1]!);
    } else if (out) out.push(t);
  }
  return out ?? qt;
}

/**
 * Initials of a run of the entry's words ("FC" for "Football Club", "CF" for "Club de Fútbol", "NY" for "New York"):
 * a name word of 2–4 letters that is no entry word nor a function word and spells the first letters of consecutive
 * entry words (function words between them skipped), none of them a word of the name, is replaced by those words. Not the other way round: a master's short word is as often a
 * brand of its own ("EG Group") as the initials of a document's words ("Exp Group").
 */
export function expandInitials(qt: string[], et: string[]): string[] {
  if (qt.length === 0 || et.length < 2) return qt;
  let out: string[] | null = null;
  for (let i = 0; i < qt.length; i++) {
    const t = qt[i]!;
    const run =
      t.length >= 2 && t.length <= 4 && /^[a-z]+$/.test(t) && !FUNCTION_WORDS.has(t) && !et.includes(t) ? initialsRun(t, et) : null;
    // a restatement of words the name already has ("Astellas Pharma (AP)") is no abbreviation to expand
    if (run !== null && !run.some((w) => qt.includes(w))) {
      out ??= qt.slice(0, i);
      out.push(...run);
    } else if (out) out.push(t);
  }
  return out ?? qt;
}

/** The words of `words` from some position on whose initials (function words skipped inside) spell `t`, or null. */
function initialsRun(t: string, words: string[]): string[] | null {
  for (let j = 0; j < words.length; j++) {
    if (words[j]![0] !== t[0] || FUNCTION_WORDS.has(words[j]!)) continue;
    let k = 0;
    let end = j;
    for (; end < words.length && k < t.length; end++) {
      const w = words[end]!;
      if (FUNCTION_WORDS.has(w) && k > 0) continue;
      if (w[0] !== t[k]) break;
      k++;
    }
    if (k === t.length && end - j >= 2) return words.slice(j, end);
  }
  return null;
}
