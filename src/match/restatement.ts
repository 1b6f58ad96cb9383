/**
 * Acronyms a name writes beside the words they stand for (docs/matching.md, "Acronyms written beside their words"):
 * a restatement, not a word of the name. Pure string work on the lower-case, accent-folded name, before punctuation
 * is split; `caps` holds the name's words of 2–6 letters its writer put in capitals (folded, lower case), or is
 * 'caseless' for a name written in one case only.
 */
import { isCity, isCountry, isPlace, LEGAL_FORMS } from './vocabulary.js';

/** The words a name's writer put in capitals, or 'caseless' when the name is all in one case (normalize.ts). */
export type Capitals = ReadonlySet<string> | 'caseless';

/** Stop words skipped when forming an acronym ("Bank of America" -> BoA / BA). */
const ACRONYM_SKIP = new Set(['of', 'and', 'the', 'for', 'de', 'la', 'le', 'du', 'des', 'der', 'und', 'et', 'y', 'e', 'di', 'van', 'von']);

/** True when `acro` (2+ letters) spells initials of `words` in order, starting with the first word. */
export function isAcronymOf(acro: string, words: string[]): boolean {
  if (acro.length < 2 || words.length < 2) return false;
  const initials = words.map((w) => w[0]!);
  const content = words.filter((w) => !ACRONYM_SKIP.has(w)).map((w) => w[0]!);
  const seq = (cands: string[]): boolean => {
    if (cands[0] !== acro[0]) return false;
    let i = 0;
    for (const c of cands) if (i < acro.length && c === acro[i]) i++;
    return i === acro.length && acro.length >= Math.min(cands.length, 2);
  };
  return acro === initials.join('') || acro === content.join('') || (acro.length >= 3 && seq(initials));
}

/** Remove "(ACRO)" when ACRO is an acronym of the words before it. Input is lower-case and folded. */
export function stripAcronym(s: string): string {
  const m = /^(.*?)\s*\(\s*([\p{L}.\s]{2,16})\s*\)\s*(.*)$/u.exec(s);
  if (!m) return s;
  const acro = m[2]!.replace(/[.\s]/g, '');
  const words = m[1]!.split(/[^\p{L}\p{M}\p{N}]+/u).filter((w) => w.length > 0);
  // Legal forms at the end of the name are not part of the acronym ("Foo Bar Ltd (FB)") but may be ("FBL").
  let ws = words;
  if (!isAcronymOf(acro, ws)) {
    while (ws.length > 2 && ws[ws.length - 1]! in LEGAL_FORMS) ws = ws.slice(0, -1);
    if (!isAcronymOf(acro, ws)) return s;
  }
  return `${m[1]!} ${m[3]!}`.trim();
}

const wordsOf = (s: string): string[] => s.split(/[^\p{L}\p{M}\p{N}]+/u).filter((w) => w.length > 0);

/** The words without a trailing legal form ("co ltd", "gmbh", dotted "s a s"). */
function withoutLegal(words: string[]): string[] {
  let n = words.length;
  for (;;) {
    const last = words[n - 1];
    if (last === undefined) break;
    if (last in LEGAL_FORMS || (last.length === 1 && n > 1)) n--;
    else if (n >= 2 && `${words[n - 2]!} ${last}` in LEGAL_FORMS) n -= 2;
    else break;
  }
  return words.slice(0, n);
}

/**
 * `acro` is the initials of every one of `words` (two or more), or of every one but function words: strict. Not when
 * the last word is a place ("CFL Cargo Factory Lausanne" is CFL Cargo's site, whatever its letters spell; "RGB
 * Rotterdam Grain Brokers" is a restatement).
 */
const place = (w: string): boolean => isPlace(w) || isCity(w) || isCountry(w);
const spells = (acro: string, words: string[]): boolean =>
  words.length >= 2 &&
  !place(words[words.length - 1]!) &&
  (acro === words.map((w) => w[0]).join('') ||
    acro ===
      words
        .filter((w) => !ACRONYM_SKIP.has(w))
        .map((w) => w[0])
        .join(''));

/**
 * A word written in capitals that spells the initials of the name's other words, legal form aside, restates them
 * and goes: first ("CCP Chang Chun Petrochemical", "LIP Logística Integrada Paulista"), last ("Operador Logístico
 * Integral OLI S.A.S."), or with the words in brackets after it ("AHA (American Heart Assoc.)", "IGF Co., Ltd.
 * (Incheon Global Forwarding)": the bracket's words, then the legal form). In a name with lower case, only a word
 * written in capitals: "Ace American Computer Equipment" keeps its first word; in one written in one case only
 * (an export's "FES FRANKFURTER ENTSORGUNGS- UND SERVICE GMBH", a typist's lower case) a word of three letters or
 * more that spells the rest, as the same name written with its capitals loses it.
 */
export function stripRestatedAcronym(s: string, caps: Capitals): string {
  const capital = (w: string): boolean => (caps === 'caseless' ? w.length >= 3 : caps.has(w));
  const paren = /^\s*(\p{L}{2,6})\s*([^()]*?)\s*\(([^()]+)\)\s*$/u.exec(s);
  if (paren && capital(paren[1]!)) {
    const legal = wordsOf(paren[2]!);
    const inner = wordsOf(paren[3]!);
    if (withoutLegal(legal).length === 0 && spells(paren[1]!, withoutLegal(inner))) return `${paren[3]!} ${paren[2]!}`.trim();
  }
  // the first word, or its letters dotted ("A.F.S. Aviation Fuel Services GmbH")
  const lead = /^[^\p{L}\p{N}]*((?:\p{L}\.\s?){2,6}|\p{L}{2,6}(?!\p{L}))/u.exec(s);
  if (lead) {
    const acro = lead[1]!.replace(/[.\s]/gu, '');
    const rest = s.slice(lead[0].length);
    if (capital(acro) && spells(acro, withoutLegal(wordsOf(rest)))) return rest.trim();
  }
  const words = wordsOf(s);
  if (words.length < 3) return s;
  const core = withoutLegal(words);
  const last = core[core.length - 1];
  if (last !== undefined && capital(last) && spells(last, core.slice(0, -1))) {
    const at = [...s.matchAll(new RegExp(`(?<![\\p{L}\\p{N}])${last}(?![\\p{L}\\p{N}])`, 'gu'))].pop()?.index;
    if (at !== undefined) return `${s.slice(0, at)} ${s.slice(at + last.length)}`.replace(/\s+/gu, ' ').trim();
  }
  return s;
}
