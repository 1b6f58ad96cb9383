/** Case and accent folding of names, shared by normalisation and the name lists (names.ts). */

/** Characters with two accepted ASCII spellings: [stripped, expanded]. Müller = Muller = Mueller. */
const TWO_WAY: Record<string, [string, string]> = {
  ä: ['a', 'ae'],
  ö: ['o', 'oe'],
  ü: ['u', 'ue'],
  ø: ['o', 'oe'],
};
/** Characters that NFD does not decompose. */
const ONE_WAY: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ŀ: 'l',
  ħ: 'h',
  // The letters Kazakh, Uzbek, Kyrgyz, Tatar and Bashkir add to Cyrillic, which a Russian keyboard lacks: typed as the
  // Russian letter they are built on (`Оңтүстік` / Онтустик, `Қазақстан` / Казахстан), as é is typed e
  ә: 'а',
  ғ: 'г',
  қ: 'к',
  ң: 'н',
  ө: 'о',
  ұ: 'у',
  ү: 'у',
  һ: 'х',
  ҳ: 'х',
  ў: 'у',
  җ: 'ж',
  ҙ: 'з',
  ҫ: 'с',
  // Cyrillic short i, which NFD would fold to и: kept apart for transliteration (cyrillic.ts)
  й: 'ҋ',
};

/** The letters of Kazakh, Uzbek, Kyrgyz, Tatar and Bashkir Cyrillic folded above (never Ukrainian's). */
const TURKIC_CYRILLIC = /[әғқңөұүһҳҗҙҫӘҒҚҢӨҰҮҺҲҖҘҪ]/u;

/** Lower-case, NFKC, fold accents. `expand` picks "ue" for ü (else "u"). */
export function foldChars(s: string, expand: boolean): string {
  let out = '';
  // Kazakh (and Kyrgyz) write і beside those letters; typed on a Russian keyboard it is и: read so, or the name would
  // be transliterated as Ukrainian (cyrillic.ts), whose only other і-writer it is
  const text = TURKIC_CYRILLIC.test(s) ? s.replace(/і/gu, 'и').replace(/І/gu, 'И') : s;
  for (const ch of text) {
    const two = TWO_WAY[ch];
    if (two) {
      out += expand ? two[1] : two[0];
      continue;
    }
    const one = ONE_WAY[ch];
    out += one ?? ch;
  }
  return stripAccents(out.normalize('NFD'));
}

/**
 * Scripts whose combining marks are accents: Latin, Greek and Cyrillic diacritics (é, ά, ё), and the optional vowel
 * points of Arabic, Hebrew and Syriac (harakat, niqqud), which most names are written without. A mark after no letter
 * (a digit, a space, the start) goes too.
 */
const ACCENTED_BASE =
  /^[^\p{L}]|^[\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}\p{sc=Arabic}\p{sc=Hebrew}\p{sc=Syriac}\p{sc=Armenian}\p{sc=Georgian}]/u;

/**
 * Removes the combining marks of a decomposed (NFD) string that are accents, and keeps those that are letters: in
 * Brahmic and South-East Asian scripts a vowel sign, virama or tone mark is part of the word (Thai มาลา / มาลัย,
 * Hindi राम / रमा, Tamil கலா / கலை, Khmer, Myanmar, Lao), and without it two names read as one or one letter
 * apart; so are a kana's voicing marks (カ / ガ). Those marks are kept after any letter of a script not listed above,
 * but for the Indic nukta, a dot below that writes a loan sound and is often left out (ज़ाकिर / जाकिर, Zakir).
 */
export function stripAccents(nfd: string): string {
  if (!MARK.test(nfd)) return nfd;
  return nfd.replace(MARKED, (all: string, base: string) => (ACCENTED_BASE.test(base) || base === '' ? base : all.replace(NUKTA, '')));
}
const NUKTA = /[\u093c\u09bc\u0a3c\u0abc\u0b3c\u0cbc]/gu;
const MARK = /\p{M}/u;
/** A character that is no mark (or the start) and the marks after it. */
const MARKED = /(^|\P{M})\p{M}+/gu;

/** The words of a person's name as the matcher tokenises them: NFKC, lower case, accents folded, apostrophes joined. */
export function nameWords(name: string): string[] {
  return foldChars(
    name
      .replace(/\p{Cf}/gu, '')
      .normalize('NFKC')
      .toLowerCase(),
    false,
  )
    .replace(/['’`´]/g, '')
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

export function hasTwoWay(s: string): boolean {
  for (const ch of s) if (TWO_WAY[ch]) return true;
  return false;
}
