/**
 * A name that leaves out words of the one master of the scope holding its words (containment.ts, `soleHolder`;
 * docs/matching.md, "A name that drops words of the one master holding its words").
 */
import type { Entry, MatcherIndex } from './matcher-index.js';
import { QUALIFIER_WORDS, UNIT_WORDS } from './qualifiers.js';
import { ENTITY_WORDS, FUNCTION_WORDS, GENERATIONS, isDescriptive, isGenericToken, isLegalWord, isPlace, isTrade } from './vocabulary.js';
import { isKnownName, nameRole } from './names.js';
import { HAS_DIGIT } from './tokens.js';
import { normalizeName } from './normalize.js';
import type { NormalizedName } from './types.js';

/** A group's or a holding's words: a name without them may be the group, or another company of it. */
const GROUP_WORDS = new Set(['group', 'groupe', 'gruppe', 'gruppo', 'grupo', 'grupa', 'holding', 'holdings']);

/** The estate or the household of a person is another payee than the person ("Estate of Harold B. Lindqvist"). */
const BODY_WORDS = new Set(['estate', 'succession', 'verlassenschaft', 'nachlass', 'heirs', 'erben']);

/** Kinds of institution (not trade words): what a master adds after one names a body of it. */
const INSTITUTIONS = new Set([
  'hospital',
  'university',
  'college',
  'school',
  'academy',
  'institute',
  'church',
  'parish',
  'clinic',
  'museum',
  'bank',
  'club',
  'council',
  'city',
  'county',
  'universidad',
  'universita',
  'universite',
  'universitat',
  'krankenhaus',
  'klinikum',
]);

/** A word the name lists know as a given name, in one list at least ("Sarah", "Daniel"; not "Goldberg"). */
const givenName = (t: string): boolean => isKnownName(t) && nameRole(t) !== 'surname';

/**
 * The master holds every word of the name, in the name's order, and more words: the name is that master's short form
 * when nothing else of the scope could be meant. The name has no legal form of its own (`Boral Limited` is a company,
 * not Boral Resources (NSW)), two words or more as written (a bare brand names a group as often as the one firm of it a
 * ledger holds: `Boeing` / Boeing UK), is no person's name (a given name first, or a given name among the words it
 * leaves out: a spouse, a middle name), and every one of its words that says which firm (no function or generic word)
 * is in this master's name only, so the kept words name no other master of the scope. The name's words and what the
 * master adds stand in its first segment (`Chulalongkorn University` is no faculty of it), the name does not end on an
 * institution's kind the master goes on from (`Massachusetts General Hospital` / … Physicians Organization), and what
 * the master adds is none of: a place or country (a national company: `Medtronic USA`), a code of two letters
 * (`Wolters Kluwer ČR`), a unit or site word, a group's word (`Fox Entertainment Group`), a body of its own (a
 * foundation, trust, fund, an estate), a generation (`Robert Hale Jr.`), a number (`Portfolio 2`), nor only generic
 * words (`Hewlett Packard Enterprise`, `Fletcher Building Products`: an arm of the firm the name may be).
 */
export function soleHolder(ix: MatcherIndex, q: NormalizedName, qt: readonly string[], e: Entry, extraE: readonly string[]): boolean {
  // two words as written: one written word ("VolkerStevin") is a bare brand, whatever joined-word reading it has
  if (e.source !== 'master' || q.legalForm !== null || q.tokens.length < 2 || qt.length < 2 || extraE.length === 0) return false;
  // the name's words in the master's order (a reordering is scored as one: "Zhang Wei" / Wei-Lin Zhang)
  let at = 0;
  for (const t of qt) {
    const i = e.tokens.indexOf(t, at);
    if (i < 0) return false;
    at = i + 1;
  }
  const telling = qt.filter((t) => !FUNCTION_WORDS.has(t) && !isGenericToken(t));
  // a person's name: a full middle name, a second surname or a spouse the name lacks may be another person of the
  // family ("Sarah Goldberg" beside Daniel & Sarah Goldberg), and stays for review, first (docs/matching.md)
  if (givenName(telling[0] ?? '') || extraE.some(givenName)) return false;
  if (!telling.some((t) => t.length >= 3 && !HAS_DIGIT.test(t) && !isPlace(t))) return false;
  // the kept words name no other master: each is this master's only, or one of them is its brand (soleBrandWord)
  const only = (t: string): boolean => (ix.df.get(t) ?? 0) <= 1;
  if (!telling.every(only) && !soleBrandWord(e, qt, telling, only)) return false;
  const added = extraE.filter((t) => !isLegalWord(t) && !FUNCTION_WORDS.has(t));
  if (added.length === 0 || added.every(isGenericToken)) return false;
  // what the master adds stands in its first segment: after a comma, a bracket or a dash it names a unit, a site or a
  // national company of the firm the name is ("Spectrum Brands (United Kingdom)", "Univerza v Mariboru. Fakulteta …")
  const first = normalizeName(e.norm.original.split(/[,;:(]|\.\s|\s[-–—]\s/u)[0] ?? '', { store: false }).tokens;
  if (!added.every((t) => first.includes(t)) || !qt.every((t) => first.includes(t))) return false;
  // the name ends on an institution's kind that the master goes on from: a body of that institution, not it
  // ("Massachusetts General Hospital" / … Hospital Physicians Organization)
  const last = qt[qt.length - 1]!;
  if (INSTITUTIONS.has(last) && e.tokens.indexOf(last) < e.tokens.length - 1) return false;
  if (e.tokens.some((t, i) => extraE.includes(t) && extraE.includes(e.tokens[i + 1] ?? '') && isPlace(`${t} ${e.tokens[i + 1]}`)))
    return false;
  return !added.some(
    (t) =>
      t.length <= 2 ||
      isPlace(t) ||
      UNIT_WORDS.has(t) ||
      QUALIFIER_WORDS.has(t) ||
      GROUP_WORDS.has(t) ||
      ENTITY_WORDS.has(t) ||
      BODY_WORDS.has(t) ||
      GENERATIONS.has(t) ||
      HAS_DIGIT.test(t),
  );
}

/**
 * One of the name's words is this master's only and a brand ("Dayton Freight" / Dayton Freight Lines, Inc. beside other
 * freight carriers; no other master can hold all the name's words): four letters or more, no number, no place, person's
 * name, institution's kind or trade word; the name's words stand side by side in the master (`Ohio University` is not
 * The Ohio State University); and the master does not go on with `and` after the name's last word (`Clearwater Scaffold` / Clearwater Scaffold &
 * Insulation Inc. may be another firm of one trade of the two).
 */
function soleBrandWord(e: Entry, qt: readonly string[], telling: readonly string[], only: (t: string) => boolean): boolean {
  const brand = (t: string): boolean =>
    only(t) &&
    t.length >= 4 &&
    !HAS_DIGIT.test(t) &&
    !isPlace(t) &&
    !isKnownName(t) &&
    !INSTITUTIONS.has(t) &&
    !isTrade(t) &&
    !isDescriptive(t);
  if (!telling.some(brand)) return false;
  // the name's words side by side in the master: a word left out between them tells masters apart ("Ohio University"
  // is not The Ohio State University)
  const at = e.tokens.indexOf(qt[0]!);
  if (!qt.every((t, i) => e.tokens[at + i] === t)) return false;
  return e.tokens[at + qt.length] !== 'and';
}
