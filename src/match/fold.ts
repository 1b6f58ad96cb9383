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
  // Cyrillic short i, which NFD would fold to и: kept apart for transliteration (cyrillic.ts)
  й: 'ҋ',
};

/** Lower-case, NFKC, fold accents. `expand` picks "ue" for ü (else "u"). */
export function foldChars(s: string, expand: boolean): string {
  let out = '';
  for (const ch of s) {
    const two = TWO_WAY[ch];
    if (two) {
      out += expand ? two[1] : two[0];
      continue;
    }
    const one = ONE_WAY[ch];
    out += one ?? ch;
  }
  return out.normalize('NFD').replace(/\p{M}+/gu, '');
}

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
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

export function hasTwoWay(s: string): boolean {
  for (const ch of s) if (TWO_WAY[ch]) return true;
  return false;
}
