/**
 * What may stand around an organisation's name when a document names one of its sites, units or programmes rather
 * than another organisation: qualifier and unit words, a store's number, a city, and the segments (after a spaced dash,
 * in brackets, after a comma) that hold a unit's or a site's name beside the firm named in full. Read by containment.
 */
import type { Entry, MatcherIndex } from './matcher-index.js';
import { normalizeName } from './normalize.js';
import { HAS_DIGIT } from './tokens.js';
import { FUNCTION_WORDS, isCity, isCountry, isLegalWord, isUsState, LEGAL_FORMS } from './vocabulary.js';
import type { NormalizedName } from './types.js';

/** Words that mark a segment as an organisational unit when it stands apart from the name ("Finance Team"). */
export const UNIT_WORDS = new Set([
  'team',
  'department',
  'dept',
  'service',
  'services',
  'academy',
  'centre',
  'center',
  'office',
  'desk',
  'unit',
  'division',
  'programme',
  'program',
  'abteilung',
  'servicio',
  'servizio',
  'afdeling',
  'avdelning',
]);

/** Words that qualify an organisation's name as one of its sites, units or programmes, in several languages. */
export const QUALIFIER_WORDS = new Set([
  'branch',
  'branches',
  'office',
  'offices',
  'site',
  'plant',
  'depot',
  'warehouse',
  'campus',
  'store',
  'shop',
  'division',
  'region',
  'regional',
  'hq',
  'headquarters',
  'factory',
  'hub',
  'department',
  'dept',
  'team',
  'unit',
  'programme',
  'program',
  'centre',
  'center',
  'desk',
  'section',
  'outlet',
  'facility',
  'location',
  'accounts',
  'payable',
  'receivable',
  'procurement',
  'purchasing',
  'payroll',
  'treasury',
  'graduate',
  'hr',
  'emea',
  'apac',
  'latam',
  'filiale',
  'niederlassung',
  'werk',
  'standort',
  'abteilung',
  'zweigstelle',
  'succursale',
  'agence',
  'usine',
  'bureau',
  'sucursal',
  'oficina',
  'fabrica',
  'planta',
  'filial',
  'sede',
  'stabilimento',
  'ufficio',
  'vestiging',
  'kantoor',
  'afdeling',
  'kontor',
  'avdelning',
  'avdeling',
  'oddzial',
]);

/** A word around an organisation's name that names a site, unit, place or legal form rather than another organisation. */
const isQualifier = (t: string): boolean =>
  !HAS_DIGIT.test(t) && (QUALIFIER_WORDS.has(t) || isCity(t) || isLegalWord(t) || t === 'and' || t === 'the' || t === 'of');

/** A number after a word that makes it a store's or site's ("Store 1711", "Branch 115", "#0412"). */
const MARKED_NUMBER =
  /(?:#|\b(?:store|shop|branch|unit|no|nr|num|number|loc|location|site|ste|suite|dept|outlet|station|stn)\b\.?)\s*#?\s*(\d{1,6})(?!\d)/giu;
/** In a name in capitals only, a number of four digits or more with at most three words after it, at its end. */
const TRAILING_NUMBER = /(?<![\p{L}\d])(\d{4,6})(?:\s+\p{L}+){0,3}\s*$/u;

let numbersOf: { original: string; numbers: ReadonlySet<string> } = { original: '', numbers: new Set() };

/**
 * The numbers `original` writes as a store's or site's ("Walmart Store #2314", "Aldi #87"), without leading zeros as
 * the tokens have them; and, in a name written in capitals only (a card or bank import: "CVS PHARMACY 10293",
 * "SHELL OIL 57442 MARIETTA GA"), a number of four digits or more near its end. A name written by hand keeps such a
 * number as a word of its own ("Test Customer 1234"), and three digits stay a name's in any case ("FORTUNE 500").
 * Read once per name (the last name's are kept: containment asks for every entry it aligns).
 */
function storeNumbers(original: string): ReadonlySet<string> {
  if (numbersOf.original === original) return numbersOf.numbers;
  const numbers = new Set<string>();
  for (const m of original.matchAll(MARKED_NUMBER)) numbers.add(m[1]!.replace(/^0+(?=\d)/, ''));
  const trailing = /\p{Ll}/u.test(original) ? null : TRAILING_NUMBER.exec(original);
  if (trailing !== null) numbers.add(trailing[1]!.replace(/^0+(?=\d)/, ''));
  numbersOf = { original, numbers };
  return numbers;
}

export const storeNumber = (original: string, t: string): boolean => HAS_DIGIT.test(t) && storeNumbers(original).has(t);

/** The name's last segment, after a spaced dash, a comma or in brackets ("Kettle Cuisine - Lynn MA"). */
const LAST_SEGMENT = /(?:\s[-–—]\s|,|\()\s*([^,()\-–—]+?)\s*\)?\s*$/u;

/**
 * "KETTLE CUISINE - LYNN MA", "Fastenal Company - Pecos TX", "US FOODS - NORWICH CT": the extra words are a town,
 * known or not, and its US state code, the name's last segment set off by a spaced dash, a comma or brackets. US
 * ledgers and card imports write a vendor's branch so; the state code says the words before it are a place. One to
 * three words of letters before the code, none a legal or function word.
 */
function townAndState(extra: string[], original: string): boolean {
  const n = extra.length;
  if (n < 2 || n > 4 || !isUsState(extra[n - 1]!)) return false;
  if (extra.slice(0, -1).some((t) => t.length < 2 || HAS_DIGIT.test(t) || isLegalWord(t) || FUNCTION_WORDS.has(t))) return false;
  const m = LAST_SEGMENT.exec(original);
  if (m === null) return false;
  const tail = normalizeName(m[1]!).tokens;
  return tail.length === n && tail.every((t, i) => t === extra[i]);
}

/**
 * Every extra word is a qualifier; two-word places count as one ("north america"); a number is one when the name
 * writes it as a store's number, a US state code when it follows a place or a store number ("#612 Atlanta GA").
 */
export const allQualifiers = (extra: string[], original: string): boolean => {
  if (townAndState(extra, original)) return true;
  // "#612 Marietta GA": after a store's number, a city (known or not) and a state code
  const last = extra.length - 1;
  const num = extra.findIndex((t) => storeNumber(original, t));
  if (num >= 0 && last - num >= 1 && last - num <= 3 && isUsState(extra[last]!)) extra = extra.slice(0, num + 1);
  for (let i = 0; i < extra.length; i++) {
    if (i + 1 < extra.length && isCity(`${extra[i]!} ${extra[i + 1]!}`)) {
      i++;
      continue;
    }
    const t = extra[i]!;
    if (isQualifier(t) || storeNumber(original, t)) continue;
    if (i > 0 && isUsState(t) && (isCity(extra[i - 1]!) || HAS_DIGIT.test(extra[i - 1]!))) continue;
    return false;
  }
  return true;
};

/**
 * A legal word that is (part of) the entry's own legal form, in any spelling ("Limited" of "Infosys Limited", whose
 * form reads `ltd`; "Inc" of "Kolon Industries, Inc."): not a legal form of a company of its own.
 */
export const isOwnLegalWord = (e: Entry, t: string): boolean =>
  isLegalWord(t) && (e.norm.legalForm ?? '').split(' ').includes(LEGAL_FORMS[t] ?? t);

/** A city among the words (one word or two: "los angeles"). */
export const hasPlace = (extra: string[]): boolean => extra.some((t, i) => isCity(t) || (i > 0 && isCity(`${extra[i - 1]!} ${t}`)));
/**
 * The name is the entry's name (with qualifiers only) in one punctuation-separated segment (comma, spaced dash,
 * brackets) and every other segment is a short unit name (≤ 3 words, one of them a unit word: department, team,
 * centre, services, academy, ...; no number, no legal form), or a site's (siteSegment) when that segment names the
 * entry in full: its legal form written too, or two words of its name or more ("Swissport GB Ltd - LHR T2",
 * "American Red Cross - Chicago Chapter", "ALDI INC (BATAVIA DIV)").
 */
export function unitSegments(ix: MatcherIndex, q: NormalizedName, e: Entry): boolean {
  const segs = q.original
    .split(/,|;|\s[-–—]\s|[()]/u)
    .map((x) => normalizeName(x))
    .filter((n) => n.tokens.length > 0);
  if (segs.length < 2) return false;
  let own = 0;
  let full = false;
  const others: string[][] = [];
  for (const { tokens: seg, legalForm } of segs) {
    // the master's own legal form in a segment of its own ("Kolon Industries, Inc. (Gumi Plant)"); after the other
    // segment, it makes that one part of another company's name ("Maple Ridge Homes (Barrie) Ltd.")
    if (seg.every((t) => isOwnLegalWord(e, t))) {
      if (others.length > 0) return false;
      continue;
    }
    const set = new Set(seg);
    if (e.tokens.every((t) => set.has(t))) {
      const rest = [...e.tokens];
      const extra = seg.filter((t) => {
        const i = rest.indexOf(t);
        if (i < 0) return true;
        rest.splice(i, 1);
        return false;
      });
      if (!allQualifiers(extra, q.original)) return false;
      // a legal form of the segment's own, not (part of) the master's, names another firm of the words ("Al Noor …
      // Trading Co. (Sharjah)" beside Al Noor … Trading LLC); "Cedar Falls Brewing Co" writes part of Company LLC
      if (legalForm !== null && !legalForm.split(' ').every((w) => (e.norm.legalForm ?? '').split(' ').includes(w))) return false;
      own++;
      full = e.tokens.length >= 2 || (legalForm !== null && legalForm === e.norm.legalForm);
      continue;
    }
    others.push(seg);
  }
  if (own !== 1) return false;
  // one site at most: "Blueberry's Grill, Myrtle Beach (MB)" is a restaurant of its own as often as a site
  const sites = others.filter((seg) => !unitSegment(seg));
  return sites.length === 0 || (sites.length === 1 && full && siteSegment(ix, sites[0]!, e));
}

/**
 * The entry's name and its own legal form, then a site's words with no separator (`Kavli AS Bergen`, `Coolblue B.V. DC
 * Tilburg`): the legal form ends the company's name as a dash or a bracket would; what follows is read as siteSegment
 * reads a segment.
 */
export function siteAfterLegal(ix: MatcherIndex, q: NormalizedName, e: Entry): boolean {
  const n = e.tokens.length;
  if (e.norm.legalForm === null || q.tokens.length <= n || !e.tokens.every((t, i) => q.tokens[i] === t)) return false;
  let j = n;
  while (j < q.tokens.length && isLegalWord(q.tokens[j]!)) j++;
  const written = q.tokens.slice(n, j).join(' ');
  if (j === n || (LEGAL_FORMS[written] ?? normalizeName(`x ${written}`).legalForm) !== e.norm.legalForm) return false;
  const rest = q.tokens.slice(j);
  if (rest.length === 0) return false;
  // set off by a dash, a comma or a bracket as well (`Everyday Mart Ltd (Lekki Phase 1)`, `Keystone Industrial Services
  // LP - Shutdown Crew B`), the rest is what a ledger adds after a firm's full name: a store, site, crew or department,
  // numbers and letters included, so long as no other master of the scope has its words
  return siteSegment(ix, rest, e) || (SET_OFF.test(q.original) && addedSegment(ix, rest, e));
}

/** A dash, comma or bracket between words (the name's own segments). */
const SET_OFF = /\S\s*(?:[,(]|\s[-–—]\s)/u;

/**
 * What follows a firm's full name and legal form, set off: at most six words, none a legal form or country, not a word
 * and a number alone, and each a number, a city, a qualifier, unit or function word, or a word no other master of the
 * scope has.
 */
function addedSegment(ix: MatcherIndex, seg: string[], e: Entry): boolean {
  if (seg.length > 6 || seg.some((t) => isLegalWord(t) || isCountry(t)) || isCountry(seg.join(' '))) return false;
  if (!seg.some((t) => t.length >= 3 && !HAS_DIGIT.test(t))) return false;
  // a word and a number alone name one of several units ("Line 2", "Team 2"), which may be accounts of their own
  if (seg.length === 2 && NUMBER.test(seg[1]!)) return false;
  return seg.every((t) => placing(ix, t, e));
}

/** A short unit name: ≤ 3 words, one of them a unit word, no number, no legal form ("Finance Team"). */
const unitSegment = (seg: string[]): boolean =>
  seg.length <= 3 && seg.some((t) => UNIT_WORDS.has(t) || QUALIFIER_WORDS.has(t)) && !seg.some((t) => HAS_DIGIT.test(t) || isLegalWord(t));

/**
 * A segment naming a site, branch or line of a firm named in full beside it ("LHR T2", "Ann Arbor", "NetSuite"): at
 * most three words, no number or letter alone, no legal form (its own makes it a company of its own) and no
 * country (a national company as often as a site: "Acme Corp (Canada)"), and every word a city, a qualifier or
 * unit word, a number, or a word no other master of the scope has (`Intel Corporation - Intel Labs`): a word of
 * another master may name that one instead.
 */
function siteSegment(ix: MatcherIndex, seg: string[], e: Entry): boolean {
  if (seg.length > 3 || seg.every((t) => HAS_DIGIT.test(t) || FUNCTION_WORDS.has(t))) return false;
  if (seg.some((t) => isLegalWord(t) || isCountry(t) || NUMBER.test(t)) || isCountry(seg.join(' '))) return false;
  // a letter alone is no site ("Wolf Co.s": a stray "s" after the legal form), nor letters only ("A B")
  if (seg.some((t) => t.length < 2) || !seg.some((t) => t.length >= 3 || QUALIFIER_WORDS.has(t))) return false;
  return seg.every((t) => placing(ix, t, e));
}

/** A number alone ("Team 2" is one of several teams); a terminal's or gate's code keeps its letters ("T2"). */
const NUMBER = /^\p{N}+$/u;

/** A word that places a firm named beside it: a number, a city, a qualifier, unit or function word, or no other master's word. */
function placing(ix: MatcherIndex, t: string, e: Entry): boolean {
  return (
    HAS_DIGIT.test(t) ||
    isCity(t) ||
    FUNCTION_WORDS.has(t) ||
    QUALIFIER_WORDS.has(t) ||
    UNIT_WORDS.has(t) ||
    (ix.df.get(t) ?? 0) === (e.tokens.includes(t) ? 1 : 0)
  );
}
