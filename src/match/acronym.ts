/**
 * Acronyms (issue #16): a name that is one capitalised word of 2–6 letters ("MGH", "UCLA", "TfL", "RSPCA") is read as
 * the initials of a master's words: of all of them, or of those that are not short function words ("Royal Society for
 * the Prevention of Cruelty to Animals" → rspca, "Transport for London" → tfl). Such a master becomes a candidate for
 * review, never an auto-link (decide.ts caps it): an initialism names many things, and a scope holds few of them.
 * Except three letters or more that only one master's own name spells, brackets aside, and no known alias's, and
 * that are no word of the scope (`acronymSole`, at soleAcronymScore): that a non-master's three letters are the
 * initials of exactly one master here is rare (about one in 17,576 per master for random letters).
 */
import { stripAccents } from './fold.js';
import type { Entry, MatcherIndex } from './matcher-index.js';
import { MATCH_TUNING } from './tuning.js';
import { FUNCTION_WORDS, isLegalWord } from './vocabulary.js';
import { normalizeName } from './normalize.js';
import type { Candidate, NormalizedName } from './types.js';
import { raiseByRule } from './rule-candidate.js';

/** The acronym a name is, lower case: one word of 2–6 letters written at least half in capitals; else null. */
export function acronymOf(original: string, q: NormalizedName): string | null {
  if (q.tokens.length !== 1) return null;
  const t = q.tokens[0]!;
  if (t.length < 2 || t.length > 6 || !/^[a-z]+$/.test(t)) return null;
  const letters = original.replace(/[^\p{L}]/gu, '');
  const upper = letters.replace(/[^\p{Lu}]/gu, '').length;
  return upper >= 2 && upper * 2 >= letters.length ? t : null;
}

/** The initials of a name's words: all of them, and without its function words (each of 2–6 letters, else none). */
export function initialsOf(tokens: readonly string[]): string[] {
  if (tokens.length < 2) return [];
  const all = tokens.map((w) => w[0]!).join('');
  const content = tokens
    .filter((w) => !FUNCTION_WORDS.has(w))
    .map((w) => w[0]!)
    .join('');
  return [...new Set([all, content])].filter((x) => x.length >= 2 && x.length <= 6);
}

/** A dotted abbreviation ("U.S.", "U.K.", "S.A."): it stands for as many words as it has letters. */
const DOTTED = /^(?:\p{L}\.){2,}$/u;

/**
 * The initials of a name as it is written (brackets aside): a dotted abbreviation gives each of its letters ("U.S.
 * Department of Agriculture" → usda); in a name with lower case only its capitalised words count, function words
 * included ("The Nature Conservancy" → tnc, "University of California, Los Angeles" → ucla; "BAŤA, akciová
 * společnost" → b), in one without, every word but function words; legal forms never. Normalised tokens lose both
 * (`U.S.` is one word, `The` and `Los` are function words).
 */
export function writtenInitials(text: string): string[] {
  const bare = text.replace(/\([^)]*\)/gu, ' ');
  const mixed = /\p{Ll}/u.test(bare) && /\p{Lu}/u.test(bare);
  let letters = '';
  for (const raw of bare.split(/[\s,;:/&+]+|(?<=\p{L})-(?=\p{L})/u)) {
    const w = stripAccents(raw.normalize('NFKD'));
    if (DOTTED.test(w)) {
      const dotted = w.replace(/\./g, '').toLowerCase();
      if (!isLegalWord(dotted)) letters += dotted;
      continue;
    }
    const word = w.replace(/[^\p{L}\p{N}]/gu, '').toLowerCase();
    if (word === '' || isLegalWord(word)) continue;
    // written in lower case in a name with capitals: no word of the initialism ("akciová společnost", "of")
    if (mixed ? !/^[\p{Lu}\p{N}]/u.test(w) : FUNCTION_WORDS.has(word)) continue;
    letters += word[0]!;
  }
  return /^[a-z]{3,6}$/.test(letters) ? [letters] : [];
}

/** Legal forms written as a word or its short form: an acronym takes their initial ("Johnson Controls, Inc." → JCI). */
const LEGAL_WORDS = new Set(['corporation', 'corp', 'company', 'co', 'incorporated', 'inc', 'limited', 'ltd', 'private', 'pvt', 'public']);

/**
 * The letters a firm's legal form adds to its acronym, as the name writes it: in the words that end the name and are
 * legal words, dotted letters or function words (after one word of the name at least), a legal word's initial
 * (`Corporation`, `Co.`, `Inc.`, `Limited`, `Private`) and each letter of a dotted or capitalised letter form
 * (`S.A.B.`, `LLC`, `NV`), function words skipped; any other legal word ends them (`GmbH`, `Pty`). "San Miguel
 * Corporation" → c (SMC), "Ford Motor Credit Company LLC" → cllc (FMCC), "Farmacias Ahumada S.A." → sa (FASA),
 * "Grupo Industrial Saltillo, S.A.B. de C.V." → sabcv (GISSA).
 */
export function legalLetters(text: string): string {
  const words = text
    .replace(/\([^)]*\)/gu, ' ')
    .split(/[\s,;:/&+]+|(?<=\p{L})-(?=\p{L})/u)
    .map((raw) => stripAccents(raw.normalize('NFKD')))
    .map((w) => ({ w, word: w.replace(/[^\p{L}\p{N}]/gu, '').toLowerCase() }))
    .filter((x) => x.word !== '');
  const legalish = (x: { w: string; word: string }): boolean =>
    LEGAL_WORDS.has(x.word) || isLegalWord(x.word) || DOTTED.test(x.w) || FUNCTION_WORDS.has(x.word);
  let from = words.length;
  while (from > 1 && legalish(words[from - 1]!)) from--;
  let letters = '';
  for (const { w, word } of words.slice(from)) {
    if (LEGAL_WORDS.has(word)) letters += word[0]!;
    else if (DOTTED.test(w) || (isLegalWord(word) && word.length <= 3 && !/\p{Ll}/u.test(w))) letters += word;
    else if (!FUNCTION_WORDS.has(word)) break;
  }
  return letters;
}

/** Initials with the legal form's letters after them, each of its prefixes (`smc` for San Miguel Corporation). */
function withLegal(initials: readonly string[], legal: string): string[] {
  const out: string[] = [];
  for (const i of initials) for (let k = 1; k <= legal.length && i.length >= 2 && i.length + k <= 6; k++) out.push(i + legal.slice(0, k));
  return out;
}

/**
 * Capitalised words of three letters or more that name a payment, a document or a placeholder in ERP and bank data,
 * not an organisation ("TBD", "ATM", "ACH", "EFT", "POS"): never the sole acronym of a master (still a candidate).
 */
// prettier-ignore
const NOT_NAMES = new Set([
  'tbd', 'tba', 'tbc', 'atm', 'ach', 'eft', 'pos', 'nsf', 'fee', 'tax', 'vat', 'gst', 'hst', 'pst', 'chk', 'dep', 'ref',
  'inv', 'pmt', 'adj', 'misc', 'cod', 'rma', 'sepa', 'swift', 'iban', 'wire', 'cash', 'none', 'null', 'test', 'temp',
]);

const indexes = new WeakMap<MatcherIndex, { all: Map<string, Entry[]>; own: Map<string, string[]> }>();

/**
 * Entries by their initials, built on the first acronym a scope is asked about; and masters' keys by the initials of
 * their own name without its bracketed parts ("Amer Sports (United States)" spells AS, not ASUS).
 */
function initialsIndex(ix: MatcherIndex): { all: Map<string, Entry[]>; own: Map<string, string[]> } {
  let m = indexes.get(ix);
  if (m === undefined) {
    m = { all: new Map(), own: new Map() };
    for (const e of ix.entries) {
      const text = e.source === 'master' ? e.master : e.name;
      const written = writtenInitials(text);
      const legal = legalLetters(text);
      const base = [...initialsOf(e.tokens), ...written];
      for (const i of new Set([...base, ...withLegal(base, legal)])) m.all.set(i, [...(m.all.get(i) ?? []), e]);
      if (e.source !== 'master') continue;
      const bare = normalizeName(e.master.replace(/\([^)]*\)/gu, ' '), { store: false }).tokens;
      const ownBase = [...initialsOf(bare), ...written];
      // once per master (a master named "A dba B" has an entry per name too)
      for (const i of new Set([...ownBase, ...withLegal(ownBase, legal)])) m.own.set(i, [...new Set([...(m.own.get(i) ?? []), e.key])]);
    }
    indexes.set(ix, m);
  }
  return m;
}

/**
 * Adds, for a name that is an acronym, every entry whose initials it is as a candidate at `acronymScore` (or lifts
 * the entry's candidate to it), with the signal `acronym`. `ranked` is changed in place; the caller sorts it.
 */
export function applyAcronym(ix: MatcherIndex, original: string, q: NormalizedName, ranked: Candidate[]): void {
  const acro = acronymOf(original, q);
  if (acro === null) return;
  const { all, own } = initialsIndex(ix);
  const spelled = all.get(acro) ?? [];
  const keys = new Set(spelled.map((e) => e.key));
  // Three letters or more that one master's own name spells, and no other entry's, and no word of the scope
  // ("UPS" / United Parcel Service): that master, auto-linkable.
  const sole =
    acro.length >= 3 &&
    !NOT_NAMES.has(acro) &&
    keys.size === 1 &&
    !ix.df.has(acro) &&
    (own.get(acro) ?? []).length === 1 &&
    keys.has(own.get(acro)![0]!);
  const at = sole ? MATCH_TUNING.soleAcronymScore : MATCH_TUNING.acronymScore;
  for (const e of spelled)
    raiseByRule(ranked, e, at, {
      rule: 'acronym',
      acronym: acro,
      ...(sole ? { acronymSole: true } : {}),
      matchedTokens: `${acro}~${e.tokens.join(' ')}`,
    });
}
