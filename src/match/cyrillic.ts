/**
 * Cyrillic names read in Latin letters, as their own countries' ledgers and their foreign partners write them
 * (`Аптека Сердика ООД` / Apteka Serdika OOD, `ТОВ «Полтавазернопродукт»` / TOV Poltavazernoprodukt): a word in
 * Cyrillic is transliterated after normalisation (legal forms are read in Cyrillic first), so the two scripts meet in
 * one vocabulary and a name in one is scored against a master in the other as any two spellings are. Three schemes,
 * chosen by the letters only one language has: Serbian and Macedonian (`ђ ј љ њ ћ џ`) as their Latin alphabet writes
 * them with its accents folded (`Кошутњак` → kosutnjak, as `Košutnjak` folds), Ukrainian (`і є ґ`: `г` → h, `и` → y,
 * `Микола` → mykola), else Russian and Bulgarian in the English convention (`ш` → sh, `ж` → zh, `х` → kh).
 */

// prettier-ignore
const COMMON: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', ҋ: 'y', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'sht',
  ъ: 'a', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};
// prettier-ignore
const SERBIAN: Record<string, string> = {
  ...COMMON, ҋ: 'j', ђ: 'd', ј: 'j', љ: 'lj', њ: 'nj', ћ: 'c', џ: 'dz', ж: 'z', х: 'h', ц: 'c', ч: 'c', ш: 's', ѓ: 'g', ќ: 'k', ѕ: 'dz',
};
const UKRAINIAN: Record<string, string> = { ...COMMON, г: 'h', ґ: 'g', и: 'y', і: 'i', ї: 'yi', є: 'ye', щ: 'shch', ҋ: 'i' };

const CYRILLIC = /[\u0400-\u04ff]/u; // ҋ (U+048B) included: normalize.ts keeps й as it
const SERBIAN_LETTERS = /[ђјљњћџѓќѕ]/u;
const UKRAINIAN_LETTERS = /[іїєґ]/u;

/** Whether a name holds a Cyrillic letter (the only names transliterate() changes). */
export function hasCyrillic(s: string): boolean {
  return CYRILLIC.test(s);
}

/**
 * The tokens with each Cyrillic letter in Latin, by the scheme the whole name's letters point to (`all`: every token
 * of the name, so a Serbian name's words without `ђ` or `њ` read as Serbian too).
 */
export function transliterate(tokens: readonly string[], all: readonly string[] = tokens): string[] {
  const joined = all.join(' ');
  const table = SERBIAN_LETTERS.test(joined) ? SERBIAN : UKRAINIAN_LETTERS.test(joined) ? UKRAINIAN : COMMON;
  // Russian -ий / -ый end in y in English (Волконский, Volkonsky)
  const word = (t: string): string => (table === COMMON ? t.replace(/[иы]ҋ$/u, 'ҋ') : t);
  return tokens.map((t) => (CYRILLIC.test(t) ? [...word(t)].map((c) => table[c] ?? c).join('') : t));
}

/** A name's words after normalisation: what latinCore reads and rewrites. */
interface Core {
  tokens: string[];
  qualifiedTokens: string[] | null;
  rules: Set<string>;
}

/** A name in Cyrillic read in Latin letters once its legal form is read (cyrillic.ts): rule `transliteration`. */
export function latinCore(core: Core): void {
  const all = core.qualifiedTokens ?? core.tokens;
  let latin = transliterate(core.tokens, all);
  if (latin.join(' ') === core.tokens.join(' ')) return;
  // the name beside itself in the other script ("Georgi Dimitrov (Георги Димитров)") is the name once
  const half = latin.length / 2;
  if (Number.isInteger(half) && latin.slice(0, half).join(' ') === latin.slice(half).join(' ')) latin = latin.slice(0, half);
  core.tokens = latin;
  if (core.qualifiedTokens !== null) core.qualifiedTokens = transliterate(core.qualifiedTokens, all);
  core.rules.add('transliteration');
}
