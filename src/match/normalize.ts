import type { NormalizedName } from './types.js';
import {
  GENERATIONS,
  HONORIFICS,
  isCountry,
  LEADING_LEGAL,
  LEADING_LEGAL_CANON,
  LEGAL_FORMS,
  legalTypo,
  MAX_LEGAL_WORDS,
  PLACES,
  POST_NOMINALS,
} from './vocabulary.js';
import { particleName } from './particles.js';
import { type Capitals, isAcronymOf, stripAcronym, stripRestatedAcronym } from './restatement.js';
import { hasCyrillic, latinCore, transliterate } from './cyrillic.js';
import { decodeEntities, repairMojibake } from './mojibake.js';
import { withoutPersonNote } from './person-note.js';
import { foldChars, hasTwoWay } from './fold.js';
import { readWebAddresses } from './web-address.js';

export { nameWords } from './fold.js';

export { isAcronymOf };
// The word tests live in vocabulary.ts; re-exported so the matcher and the package index keep importing them from here.
export { isCity, isGenericToken, isLegalWord, isPlace, legalAgreement, legalFamily } from './vocabulary.js';

/**
 * Name normalisation. Every rule is conservative: it only removes things that do not identify a company
 * (legal form, punctuation, case, accents, a leading "The", a trailing ", City") and records itself in `rules`.
 */

/** Merge runs of 2+ single-letter tokens: "a b c" -> "abc", "n v" -> "nv", "sp z o o" -> "sp zoo". */
function mergeSingles(tokens: string[]): string[] {
  const out: string[] = [];
  let run = '';
  let runLen = 0;
  const flush = (): void => {
    if (runLen >= 4 && !(run in LEGAL_FORMS)) {
      // "S/A B.V." -> "s a b v": split into two legal forms ("sa", "bv") when possible.
      for (let i = 2; i <= run.length - 2; i++) {
        const a = run.slice(0, i);
        const b = run.slice(i);
        if (a in LEGAL_FORMS && b in LEGAL_FORMS) {
          out.push(a, b);
          run = '';
          runLen = 0;
          return;
        }
      }
    }
    if (runLen >= 1) out.push(run);
    run = '';
    runLen = 0;
  };
  for (const t of tokens) {
    if (t.length === 1 && /\p{L}/u.test(t)) {
      run += t;
      runLen++;
    } else {
      flush();
      out.push(t);
    }
  }
  flush();
  return out;
}

/** A number's digits without leading zeros ("#0871" is store 871). */
const stripZeros = (t: string): string => (/^0+\d/.test(t) && /^\d+$/.test(t) ? t.replace(/^0+(?=\d)/, '') : t);

/** Words marking the number after them ("No. 1432", "Nr 5"): the number alone is what tells stores apart. */
const NUMBER_WORDS = new Set(['no', 'nr', 'nro', 'num']);

function tokenize(segment: string): string[] {
  const toks = segment
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map(stripZeros)
    .filter((t, i, all) => !(NUMBER_WORDS.has(t) && i > 0 && /^\d+$/.test(all[i + 1] ?? '')));
  return mergeSingles(toks);
}

/** Longest trailing legal form in `tokens` (leaving at least one token), or null. */
function trailingLegal(tokens: string[], minKeep: number): { canon: string; n: number } | null {
  for (let n = Math.min(MAX_LEGAL_WORDS, tokens.length - minKeep); n >= 1; n--) {
    const tail = tokens.slice(tokens.length - n).join(' ');
    const canon = LEGAL_FORMS[tail];
    if (canon !== undefined) return { canon, n };
    if (n === 1) {
      const typo = legalTypo(tail);
      if (typo !== null) return { canon: typo, n };
    }
  }
  return null;
}

/** Whole segment is one legal form ("Inc", "Co Ltd"; a form written first elsewhere, "…, PT"). */
function segmentLegal(tokens: string[]): string | null {
  if (tokens.length === 0 || tokens.length > MAX_LEGAL_WORDS) return null;
  const s = tokens.join(' ');
  return LEGAL_FORMS[s] ?? leadingCanon(s) ?? (tokens.length === 1 ? legalTypo(s) : null);
}

/** The canonical form of a legal form written first ("PT", "SIA", "Kabushiki Kaisha"), or null. */
function leadingCanon(s: string): string | null {
  return LEADING_LEGAL.has(s) ? (LEADING_LEGAL_CANON[s] ?? LEGAL_FORMS[s] ?? s) : null;
}

/** Two-letter forms that initials merge into as well ("A.-S. de Montclair" is Anne-Sophie): only as written words. */
const LEADING_AS_WORD = new Set(['as', 'cv', 'ud', 'oy', 'et']);

/** How many first tokens are a legal form written first ("kabushiki kaisha": two), leaving one; `first` as written. */
function leadingLegal(tokens: string[], first: string): number {
  if (tokens.length > 2 && LEADING_LEGAL.has(`${tokens[0]!} ${tokens[1]!}`)) return 2;
  if (tokens.length < 2 || !LEADING_LEGAL.has(tokens[0]!)) return 0;
  return !LEADING_AS_WORD.has(tokens[0]!) || /^\p{L}+[.,]?$/u.test(first) ? 1 : 0;
}

/** Card and payment processors' descriptor prefixes (Square, Toast, PayPal, Shopify, Intuit, …): a word then "*". */
const PROCESSOR_PREFIX =
  /^\s*(?:sq|tst|paypal|pp|sp|in|py|ck|pos|gglpay|goog|apl|apple pay|amzn mktp|wpy|bt|dd|sumup|iz|zettle|stripe)\s*\*\s*/u;

/** A French bank statement's direct debit or transfer before the payee ("PRLV SEPA ORANGE SA", "VIR SEPA …"). */
const BANK_PREFIX = /^\s*(?:prlv(?:\s+sepa)?|vir\s+sepa|vir\s+inst)\s+/u;

const ATTENTION = /(?:\battn\b\.?|\battention\s*:|\bc\s*\/\s*o\b)[^,;)]*/gu;

/** The name without its "Attn …" / "Attention: …" / "c/o …" parts, each when some name is left before it. */
function dropAttention(s: string): string {
  return s.replace(ATTENTION, (m, at: number) => (/\p{L}/u.test(s.slice(0, at)) ? ' ' : m));
}

interface CoreResult {
  tokens: string[];
  qualifiedTokens: string[] | null;
  legal: string[];
  rules: Set<string>;
}

function normalizeCore(folded: string, caps: Capitals, asWritten = false): CoreResult {
  const rules = new Set<string>();
  let s = folded;
  if (/[&+]/.test(s)) {
    s = s.replace(/[&+]/g, ' and ');
    rules.add('ampersand');
  }
  // Apostrophes join ("McDonald's" -> "mcdonalds"); dots separate, single letters are merged afterwards.
  s = s.replace(/['’`´]/g, '');
  // "Co-op" is one word (an abbreviation of "cooperative"), not the legal form "Co" and a word "op"; "F.lli" is
  // Fratelli, "v.d." van der, "w/o" without (their dots and slashes would cut them into letters).
  s = s
    .replace(/\bco-op\b/gu, 'coop')
    .replace(/\bf\.\s?lli\b/gu, 'flli')
    .replace(/(^|\s)v\.\s?d\.?(?=\s)/gu, '$1van der')
    .replace(/\bw\/o\b/gu, 'without');
  // "Moonpig.com Limited", "www.trainline.co.uk": a web address names the firm by its word, not by `.com`.
  const web = asWritten ? s : readWebAddresses(s);
  if (web !== s) {
    s = web;
    rules.add('web-address');
  }
  // "SQ *JOES PIZZA", "PAYPAL *ACMETOOLS", "TST* OLIVE GARDEN": a payment processor's prefix, not the seller's name.
  const seller = s.replace(PROCESSOR_PREFIX, '').replace(BANK_PREFIX, '');
  if (seller !== s && /\p{L}/u.test(seller)) {
    s = seller;
    rules.add('processor-prefix');
  }
  // "Attn: Purchasing", "c/o Joseph Russo": whom the letter is for, not the name (to the end of its segment). Not
  // "care of": "Home Care of Texas" is a firm's name.
  const attention = dropAttention(s);
  if (attention !== s) {
    s = attention;
    rules.add('attention');
  }
  // A parenthesised acronym of the words before it is a restatement, not a qualifier: "World Health Org (WHO)".
  // So is one in capitals first or last, or before its words in brackets: "CCP Chang Chun Petrochemical".
  const acro = stripRestatedAcronym(stripAcronym(s), caps);
  if (acro !== s) {
    s = acro;
    rules.add('acronym');
  }
  // Brackets and other punctuation/symbols become spaces; commas (and semicolons) separate segments.
  s = s.replace(/[;]/g, ',');
  const before = s;
  s = s.replace(/[^\p{L}\p{M}\p{N},\s]+/gu, ' ');
  if (s !== before) rules.add('punctuation');
  let segments = s
    .split(',')
    .map(tokenize)
    .filter((seg) => seg.length > 0);

  const legal: string[] = [];
  let qualifiedTokens: string[] | null = null;
  // Degrees after a person's name: a segment of them (", DDS"), or the name's last words ("John Miller MD").
  const postNominal = (seg: string[]): boolean => seg.length > 0 && seg.every((t) => POST_NOMINALS.has(t));
  const dropDegrees = (): void => {
    while (segments.length > 1 && postNominal(segments[segments.length - 1]!) && segments.flat().length > 2) {
      segments = segments.slice(0, -1);
      rules.add('post-nominal');
    }
    // the name's last words; in "Surname, Given I MD" the given names' ("Albright, Susan K MD")
    const at = segments.length === 1 ? 0 : segments.length === 2 && segments[0]!.length <= 2 ? 1 : -1;
    const tail = segments[at];
    if (tail !== undefined) {
      let n = tail.length;
      while (n > (at === 0 ? 2 : 1) && POST_NOMINALS.has(tail[n - 1]!)) n--;
      if (n < tail.length) {
        segments = segments.map((seg, i) => (i === at ? tail.slice(0, n) : seg));
        rules.add('post-nominal');
      }
    }
  };
  dropDegrees();
  // Trailing segments that are only a legal form or a place: ", Inc." / ", London".
  while (segments.length > 1) {
    const last = segments[segments.length - 1]!;
    const lf = segmentLegal(last);
    if (lf !== null) {
      legal.unshift(lf);
      segments = segments.slice(0, -1);
      rules.add('legal-form');
      continue;
    }
    // a country after a firm's full name and legal form names the national company ("Formosa Plastics Corporation,
    // U.S.A." is not Formosa Plastics Corporation), as a bracketed place does; a city there is a site
    const prev = segments[segments.length - 2]!;
    if (isCountry(last.join(' ')) && prev.length > 1 && trailingLegal(prev, 1) !== null) break;
    if (PLACES.has(last.join(' '))) {
      qualifiedTokens ??= segments.flat();
      segments = segments.slice(0, -1);
      rules.add('trailing-city');
      continue;
    }
    break;
  }
  // degrees before the legal form ("Susan K. Albright, MD, PC"): the professional corporation of the same person
  if (legal.length > 0) dropDegrees();

  let tokens: string[];
  // "Lastname, Firstname": exactly two short alphabetic segments; the given names may carry an initial or a title
  // ("Miller, John A.", "Leclerc, Dr. Anne"), or be a couple's ("Smith, John & Mary").
  const isWordSeg = (seg: string[]): boolean => seg.length >= 1 && seg.length <= 2 && seg.every((t) => /^[\p{L}\p{M}]{2,}$/u.test(t));
  // a couple's given names after one surname ("Smith, John & Mary"; not "Oaks Hotels, Resorts & Suites")
  const couple = (seg: string[]): boolean =>
    segments[0]!.length === 1 && seg.length === 3 && seg[1] === 'and' && isWordSeg([seg[0]!, seg[2]!]);
  const isGivenSeg = (seg: string[]): boolean =>
    isWordSeg(seg) ||
    couple(seg) ||
    (seg.length >= 2 &&
      seg.length <= 3 &&
      seg.every((t) => /^[\p{L}\p{M}]+$/u.test(t)) &&
      seg.filter((t) => t.length === 1).length + (HONORIFICS.has(seg[0]!) ? 1 : 0) === 1);
  // a generation after the given names ("Porter, James Jr", "Navarro, Benigno III") goes after the surname again
  const given = segments[1] ?? [];
  const gen = given.length >= 2 && GENERATIONS.has(given[given.length - 1]!) ? given.slice(-1) : [];
  const givenNames = given.slice(0, given.length - gen.length);
  if (
    segments.length === 2 &&
    legal.length === 0 &&
    isWordSeg(segments[0]!) &&
    isGivenSeg(givenNames) &&
    trailingLegal(givenNames, 0) === null &&
    trailingLegal(segments[0]!, 0) === null
  ) {
    tokens = [...givenNames, ...segments[0]!, ...gen];
    rules.add('name-order');
  } else {
    // with particles in the surname or the given names ("Martínez de la Rosa, Javier"): particles.ts
    const particled = segments.length === 2 && legal.length === 0 ? particleName(segments[0]!, givenNames) : null;
    tokens = particled === null ? segments.flat() : [...particled, ...gen];
    if (particled !== null) rules.add('name-order');
  }

  // Trailing legal forms, repeatedly ("Foo Holdings Co., Ltd.", "Foo GmbH & Co. KG").
  for (;;) {
    const lf = trailingLegal(tokens, 1);
    if (lf !== null) {
      legal.unshift(lf.canon);
      tokens = tokens.slice(0, tokens.length - lf.n);
      rules.add('legal-form');
      continue;
    }
    if (tokens.length > 1 && tokens[tokens.length - 1] === 'and' && legal.length > 0) {
      tokens = tokens.slice(0, -1);
      continue;
    }
    break;
  }
  // Leading legal forms ("PT Telkom", "OOO Gazprom").
  const lead = leadingLegal(tokens, folded.trim().split(/\s+/)[0] ?? '');
  if (lead > 0) {
    legal.unshift(leadingCanon(tokens.slice(0, lead).join(' '))!);
    tokens = tokens.slice(lead);
    rules.add('legal-form');
  }
  // Leading "the".
  if (tokens.length > 1 && tokens[0] === 'the') {
    tokens = tokens.slice(1);
    rules.add('leading-the');
  }
  // "Trustees of the Hemi Family Trust", "Trustees Walton Park Trust", Australia's "The Trustee for the Nguyen Family
  // Trust": the trust as its trustees sign for it, one name with "Hemi Family Trust" (a trust is not a legal person; its
  // trustees hold its accounts), only before a name that ends on "trust" itself ("Trustees of Columbia University" is
  // the university's own name, kept)
  const trustees = tokens[0] === 'trustees' || tokens[0] === 'trustee' ? trusteesOf(tokens) : 0;
  if (trustees > 0) {
    tokens = tokens.slice(trustees);
    rules.add('trustees');
  }
  // A leading honorific before two more words ("Mr. Ian Thomas", "Prof. C. Martin"); before one it stays ("Dr. Oetker").
  if (tokens.length > 2 && HONORIFICS.has(tokens[0]!)) {
    tokens = tokens.slice(1);
    rules.add('honorific');
  }
  if (qualifiedTokens !== null) {
    // Keep the qualified form comparable: same legal/the stripping applied to the same prefix.
    const extra = qualifiedTokens.slice(segments.flat().length);
    qualifiedTokens = [...tokens, ...extra];
  }
  return { tokens, qualifiedTokens, legal, rules };
}

/** How many first tokens say "trustees (of / for the)" before a trust's name of two words or more, or 0. */
function trusteesOf(tokens: string[]): number {
  let n = 1;
  if (tokens[n] === 'of' || tokens[n] === 'for') n++;
  if (tokens[n] === 'the') n++;
  return tokens.length - n >= 2 && tokens[tokens.length - 1] === 'trust' ? n : 0;
}

function canonicalLegal(parts: string[]): string | null {
  if (parts.length === 0) return null;
  const joined = parts.join(' ');
  return LEGAL_FORMS[joined] ?? joined;
}

const cache = new Map<string, NormalizedName>();
const CACHE_MAX = 200_000;

/**
 * Normalise a company/person name for comparison. Pure and deterministic. Results are cached (the masters of a
 * scope are normalised again by every matcher built over them); `store: false` reads the cache but does not add to
 * it, for names normalised once (the distinct names a plan matches: 100 k of them held ~100 MB, issue #21).
 */
export function normalizeName(name: string, opts?: { store: boolean }): NormalizedName {
  const hit = cache.get(name);
  if (hit) return hit;
  // format characters (a zero-width space or joiner, a soft hyphen, a BOM) are invisible: not a word break
  const lower = decodeEntities(repairMojibake(name))
    .replace(/\p{Cf}/gu, '')
    .normalize('NFKC')
    .toLowerCase();
  const rulesBase: string[] = [];
  if (lower !== name) rulesBase.push('case');
  const stripped = foldChars(lower, false);
  if (stripped !== lower) rulesBase.push('diacritics');
  // words of 2–6 letters written in capitals, in a name with lower case too; none told in one case only (restatement.ts)
  const caps = new Set<string>();
  for (const m of name.normalize('NFKC').matchAll(/(?<!\p{L})(?:\p{Lu}{2,6}|(?:\p{Lu}\.){2,6})(?!\p{L})/gu))
    caps.add(foldChars(m[0].replace(/\./gu, '').toLowerCase(), false));
  const capitals: Capitals = /\p{Ll}/u.test(name) && /\p{Lu}/u.test(name) ? caps : 'caseless';
  const noted = withoutPersonNote(stripped);
  const core = normalizeCore(noted ?? stripped, capitals);
  if (noted !== null) core.rules.add('person-note');
  if (hasCyrillic(stripped)) latinCore(core);
  const key = core.tokens.join(' ');
  const keys = [key];
  if (hasTwoWay(lower)) {
    const expanded = foldChars(lower, true);
    const alt = transliterate(normalizeCore(withoutPersonNote(expanded) ?? expanded, capitals).tokens).join(' ');
    if (alt !== key) keys.push(alt);
  }
  // a web address as written too ("bol com", "bookingcom"): the name a document writes without its dot
  const written = core.rules.has('web-address') ? normalizeCore(noted ?? stripped, capitals, true).tokens : null;
  if (written !== null && !keys.includes(written.join(' '))) keys.push(written.join(' '));
  // Arrays at their exact length (slice/concat): one grown by push or spread keeps room for 17 elements, and the
  // index holds one of each per master.
  const result: NormalizedName = {
    original: name,
    key,
    keys: keys.slice(),
    qualifiedKey: core.qualifiedTokens ? core.qualifiedTokens.join(' ') : null,
    tokens: core.tokens.slice(),
    compact: core.tokens.join(''),
    legalForm: canonicalLegal(core.legal),
    rules: rulesBase.concat([...core.rules]),
  };
  if (written !== null) result.writtenCompact = written.join('');
  const marked = markedAbbreviations(stripped, core.tokens);
  if (marked.length > 0) result.marked = marked;
  if (opts?.store === false) return result;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(name, result);
  return result;
}

/**
 * Words of two or three letters the writer marked as cut short with a period ("Gen. Merchant", "Lk. Athabasca",
 * "Mus. of Am. Art"), that are tokens of the name (not a legal form or honorific removed): abbreviations too short to
 * be read as one without that mark (tokens.ts isAbbreviation).
 */
function markedAbbreviations(folded: string, tokens: readonly string[]): string[] {
  if (!folded.includes('.')) return [];
  const out = new Set<string>();
  for (const m of folded.matchAll(/(?<![\p{L}\p{N}.])(\p{L}{2,3})\.(?!\p{L}\.)/gu)) if (tokens.includes(m[1]!)) out.add(m[1]!);
  return [...out];
}

/** Fold German-style digraphs so "mueller" and "muller" compare equal at token level. */
export function foldDigraphs(token: string): string {
  // one pass, and none for a token without such a pair (most of them): this runs for every token pair scored
  return DIGRAPH.test(token) ? token.replace(DIGRAPHS, '$1') : token;
}
const DIGRAPH = /[aou]e/;
const DIGRAPHS = /([aou])e/g;

/**
 * Two names the normaliser reads as one (a key in common: case, accents, punctuation, spacing, legal form): what a
 * plan calls the same name. The namesake checks of apply and drift fold names to their letters and digits in SQL,
 * which also joins words ('Silver-Foods' / 'SilverFoods', kept apart here); they keep a folded pair only when this holds.
 */
export function sameNormalisedName(a: string, b: string): boolean {
  const keys = new Set(normalizeName(a, { store: false }).keys);
  return normalizeName(b, { store: false }).keys.some((k) => keys.has(k));
}
