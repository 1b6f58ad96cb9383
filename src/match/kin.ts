/**
 * Words of kinship in a family firm's name, and the Irish generation words.
 *
 * A family firm names the generation or the kin that carries it on: `… et Fils` / `… et Filles`, `… e Hijos` / `…
 * e Hijas`, `Fratelli …` / `Sorelle …`, `& Sons` / `& Daughters`. In the Romance languages the son's and the
 * daughter's word (the brothers' and the sisters') differ by a letter or two (fils / filles, hijos / hijas, figli /
 * figlie, filhos / filhas, hermanos / hermanas), a typo's distance, so the matcher read `Ferme Gagnon et Filles Inc.`
 * as a typo of Ferme Gagnon et Fils Inc. (trial T39). Two kin words of two kinds are two words, never a typo of one
 * another; singular and plural of one kind (`& Son` / & Sons, `Hijo` / Hijos) stay one.
 *
 * Irish names write the younger or the elder of two namesakes with `Óg` ("young") or `Mór` ("big, elder") after the
 * given name (`Sheehan, Donal Óg` beside Sheehan, Donal): a generation as Jr. or Sr. is. Folded, `og` is also
 * Norwegian and Danish "and" and `mor` a word of many languages, so they count as a generation only where the name
 * writes them with their accent.
 */
const KIN_WORDS: Record<string, readonly string[]> = {
  son: ['son', 'sons', 'fils', 'hijo', 'hijos', 'filho', 'filhos', 'figlio', 'figli', 'sohn', 'sohne', 'soehne', 'zoon', 'zonen'],
  daughter: [
    'daughter',
    'daughters',
    'fille',
    'filles',
    'hija',
    'hijas',
    'filha',
    'filhas',
    'figlia',
    'figlie',
    'tochter',
    'tochtere',
    'dochter',
    'dochters',
  ],
  brother: [
    'brother',
    'brothers',
    'bros',
    'frere',
    'freres',
    'hermano',
    'hermanos',
    'fratello',
    'fratelli',
    'irmaos',
    'gebruder',
    'gebrueder',
    'broers',
  ],
  sister: ['sister', 'sisters', 'soeur', 'soeurs', 'hermana', 'hermanas', 'sorella', 'sorelle', 'irmas', 'schwestern', 'zusters'],
};

const KIN = new Map<string, string>(Object.entries(KIN_WORDS).flatMap(([kind, words]) => words.map((w) => [w, kind] as const)));

/** Two kin words of two kinds ("fils" / "filles", "hijos" / "hijas"): two words, never one's typo of the other. */
export function twoKin(a: string, b: string): boolean {
  const ka = KIN.get(a);
  const kb = KIN.get(b);
  return ka !== undefined && kb !== undefined && ka !== kb;
}

const IRISH_GENERATION = /(?:^|[\s,(])(?:óg|mór)(?=$|[\s,.)])/u;
const memo = new Map<string, boolean>();

/** `token` (folded) is an Irish generation word its name writes with the accent ("Donal Óg", "SEÁN MÓR"). */
export function irishGeneration(token: string, original: string): boolean {
  if (token !== 'og' && token !== 'mor') return false;
  let out = memo.get(original);
  if (out === undefined) {
    out = IRISH_GENERATION.test(original.normalize('NFC').toLowerCase());
    if (memo.size > 50_000) memo.clear();
    memo.set(original, out);
  }
  return out;
}
