/**
 * Unique containment: the one master whose name the name contains with qualifier words only around it (a site, unit
 * or programme of it), or that contains the name, is raised to MATCH_TUNING.containmentScore (docs/matching.md).
 */
import type { Entry, MatcherIndex } from './matcher-index.js';
import { singularPlural } from './inflection.js';
import { isKnownName, twoNames } from './names.js';
import { givenConflict, longerGiven } from './given-names.js';
import { twoKin } from './kin.js';
import { legalNameThenMore } from './legal-close.js';
import { valuesOf } from './multimap.js';
import { normalizeName } from './normalize.js';
import { expandInitials, HAS_DIGIT, isContraction, markedAbbreviation, reconcileJoins, tokenRelation } from './tokens.js';
import {
  allQualifiers,
  hasPlace,
  isOwnLegalWord,
  QUALIFIER_WORDS,
  siteAfterLegal,
  storeNumber,
  UNIT_WORDS,
  unitSegments,
} from './qualifiers.js';
import { soleHolder } from './sole-holder.js';
import { foundersDropped } from './founders.js';
import { isParticle } from './particles.js';
import { MATCH_TUNING } from './tuning.js';
import {
  FUNCTION_WORDS,
  GENERATIONS,
  isCity,
  isCountry,
  isDescriptive,
  isGenericToken,
  isLegalWord,
  isPlace,
  isRetail,
  isTrade,
  legalAgreement,
  twoCities,
} from './vocabulary.js';
import type { Candidate, NormalizedName } from './types.js';

/**
 * How the name relates to an entry when every token of one side has a counterpart on the other that is the same
 * word, its abbreviation or its initial (never a typo guess). null when neither side is contained.
 */
function containment(
  ix: MatcherIndex,
  qt: string[],
  e: Entry,
  original: string,
  expanded = false,
  marked: readonly string[] | undefined = undefined,
): { rel: Relation; extraQ: string[]; extraE: string[]; anchor: boolean; initials: boolean; loose: boolean } | null {
  const { df } = ix;
  const et = e.tokens;
  const qUsed = new Array<boolean>(qt.length).fill(false);
  const eUsed = new Array<boolean>(et.length).fill(false);
  let anchor = false;
  let loose = expanded;
  let initials = false;
  let abbreviated = false;
  for (const pass of ['same', 'other'] as const) {
    for (let j = 0; j < et.length; j++) {
      if (eUsed[j]) continue;
      for (let i = 0; i < qt.length; i++) {
        if (qUsed[i]) continue;
        let r = tokenRelation(qt[i]!, et[j]!);
        if (r === null && singularPlural(ix, qt[i]!, et[j]!)) r = 'same';
        // a word of three letters its writer marked as cut short ("Mus." for Museum), of no word of the scope and no
        // known contraction (those stand for their own words: "Mt." is no Martin); two letters ("Br.": Brown? Bridge?)
        // only score as an abbreviation, never make the one reading
        if (r === null && qt[i]!.length === 3 && markedAbbreviation(qt[i]!, et[j]!, marked, df.has(qt[i]!))) r = 'abbreviation';
        if (r === null || (pass === 'same') !== (r === 'same')) continue;
        // A "short form" that is a word of its own in this scope ("Jack" / "Jackson") is not an abbreviation.
        // (A known contraction is one whatever the scope: "St" is Saint beside two masters named "St. …".)
        if (
          r === 'abbreviation' &&
          !isContraction(qt[i]!, et[j]!) &&
          (df.get(qt[i]!.length < et[j]!.length ? qt[i]! : et[j]!) ?? 0) >= (qt[i]!.length < et[j]!.length ? 1 : 2)
        )
          continue;
        // Nor is one known person name of another ("Daniel" / "Danielle", "Franz" / Franziska: names.ts), nor a city of
        // another ("Bern" / "Berlin").
        if (
          r === 'abbreviation' &&
          (twoNames(qt[i]!, et[j]!) ||
            givenConflict(e, qt[i]!, et[j]!) ||
            longerGiven(e, qt[i]!, et[j]!) ||
            twoCities(qt[i]!, et[j]!) ||
            twoKin(qt[i]!, et[j]!))
        )
          continue;
        if (r === 'initial' && qt.length + et.length < 4) continue;
        if (r !== 'same') loose = true;
        if (r === 'initial') initials = true;
        if (r === 'abbreviation') abbreviated = true;
        qUsed[i] = true;
        eUsed[j] = true;
        if (r === 'same' && qt[i]!.length >= 3 && !isGenericToken(qt[i]!) && !HAS_DIGIT.test(qt[i]!)) anchor = true;
        break;
      }
    }
  }
  const extraQ = qt.filter((_, i) => !qUsed[i]);
  let extraE = et.filter((_, j) => !eUsed[j]);
  // The master's words, some cut short, without its articles and prepositions ("Alq. Mobiliario Eventos Madrid" /
  // Alquiler de Mobiliario …, "Cave Coop. Vignerons" / Cave Coopérative des Vignerons): an abbreviated name drops
  // those too. A word cut short says so; an initial does not ("J. Berg" is not J. van Berg).
  if (
    (abbreviated || expanded) &&
    extraQ.length === 0 &&
    extraE.length > 0 &&
    extraE.every((t) => t.length > 1 && FUNCTION_WORDS.has(t) && !PARTICLES.has(t))
  )
    extraE = [];
  // Words on both sides: still one firm when the name's extra words are a store's number ("Shaw's #7523" / "Shaw's
  // Supermarkets") and the entry's only name its shops' trade. Not a city: a site named by its city is as often a
  // local firm of its own ("Linde Lyon" is no site of "Linde Group", nor "Children's Hospital Los Angeles"
  // of "… of Philadelphia"), and "Lawson Store 100" (a chain of its own) is no store of "Lawson Entertainment".
  if (
    extraQ.length > 0 &&
    extraE.length > 0 &&
    !(
      allQualifiers(extraQ, original) &&
      extraQ.some((t) => storeNumber(original, t)) &&
      !hasPlace(extraQ) &&
      extraE.every((t) => isRetail(t) || isLegalWord(t))
    )
  )
    return null;
  if (extraQ.length === qt.length) return null;
  if (extraQ.length === 0 && extraE.length === 0 && !loose) return null; // same words: the scorer's business
  return {
    loose,
    rel: extraE.length === 0 ? (extraQ.length === 0 ? 'equal' : 'superset') : extraQ.length === 0 ? 'subset' : 'placed-subset',
    extraQ,
    extraE,
    anchor,
    initials,
  };
}

/** The entry's words the name's one-letter words may stand for: words the name does not hold, starting with one of them. */
function initialWords(qt: readonly string[], et: readonly string[]): string {
  const letters = new Set(qt.filter((t) => t.length === 1));
  return et
    .filter((t) => !qt.includes(t) && letters.has(t[0]!))
    .sort()
    .join(' ');
}

/** `o` is `e`'s name and a generation after it ("James T. Williams II" / James T. Williams): the son of the same name. */
function generationMore(e: Entry, o: Entry): boolean {
  const more = o.tokens.filter((t) => !e.tokens.includes(t));
  return more.length > 0 && more.every((t) => GENERATIONS.has(t)) && e.tokens.every((t) => o.tokens.includes(t));
}

/** A person's name particles among the function words: part of a surname, never dropped as an article. */
const PARTICLES = new Set(['van', 'von', 'voor']);

/**
 * The entry's one extra word is a letter between two words the name writes side by side, in a longer name ("Est. of
 * Walter Brennan" / Estate of Walter J. Brennan): a middle initial left out, as in "Gary Kowalski" / Kowalski, Gary J.
 */
function initialBetween(qt: readonly string[], et: readonly string[], extraE: readonly string[]): boolean {
  if (qt.length < 3 || extraE.length !== 1 || extraE[0]!.length !== 1) return false;
  const k = et.indexOf(extraE[0]!);
  if (k <= 0 || k >= et.length - 1 || et.lastIndexOf(extraE[0]!) !== k) return false;
  const i = qt.indexOf(et[k - 1]!);
  return i >= 0 && qt[i + 1] === et[k + 1] && et[k - 1]!.length > 1 && et[k + 1]!.length > 1;
}

/** How a name's words relate to an entry's: `placed-subset`, fewer words of the entry and words placing the name. */
type Relation = 'equal' | 'superset' | 'subset' | 'placed-subset';

/**
 * Every extra word of a master says what it does, or is its legal form ("Costco Wholesale Corporation" for "Costco").
 * Not a place: "Ontario Northland Railway" is not named by "Northland Railway".
 */
const allDescriptive = (extra: string[]): boolean =>
  extra.every((t) => isLegalWord(t) || isDescriptive(t) || t === 'the' || t === 'and' || t === 'of');

/**
 * The master is the firm a ledger names by its brand ("Realtek" / "Realtek Semiconductor Corp.", "Orica" / "Orica
 * Australia Pty Ltd"): its extra words are its legal form, words of its trade (vocabulary.ts TRADE), or a country
 * this scope's masters name often (homeCountryMasters and homeCountryShare: the ledger's own country, where "Acme
 * Australia" is the firm it trades with; in a ledger of firms from everywhere a country stays a national company of
 * its own, "Boeing UK" for "Boeing"); and the name's first word is the brand of no other master of the scope (a brand with two masters may
 * name either, or their parent: "XPO Logistics" beside XPO Logistics Freight and XPO Last Mile).
 */
function brandFirm(ix: MatcherIndex, qt: string[], e: Entry, extraE: string[]): boolean {
  if (e.source !== 'master' || personWords(qt)) return false;
  const home = new Set<string>();
  const et = e.tokens;
  for (let i = 0; i < et.length; i++) {
    for (const span of [et.slice(i, i + 2), et.slice(i, i + 1)]) {
      if (span.length === 0 || !isCountry(span.join(' ')) || !span.every((t) => extraE.includes(t))) continue;
      const n = Math.min(...span.map((t) => ix.df.get(t) ?? 0));
      if (n >= MATCH_TUNING.homeCountryMasters && n >= MATCH_TUNING.homeCountryShare * ix.masterCount) span.forEach((t) => home.add(t));
      break;
    }
  }
  if (!extraE.every((t) => home.has(t) || isTrade(t) || isLegalWord(t) || t === 'the' || t === 'and' || t === 'of')) return false;
  const brand = qt.find((t) => !isGenericToken(t) && !isTrade(t) && !FUNCTION_WORDS.has(t));
  return brand !== undefined && brand.length >= 3 && !HAS_DIGIT.test(brand) && !isPlace(brand) && (ix.df.get(brand) ?? 0) <= 1;
}

/**
 * The master's extra words all come before the name's ("Robert Bosch LLC" / "Bosch", "Koninklijke Philips N.V." /
 * "Philips", "Banco Santander" / "Santander"): a founder's given name, a royal or trade prefix, which a firm's short
 * name drops. The name's legal form, if any, is the master's; and the master is a firm's name, not a person's alone
 * ("John Smith" is not named by "Smith": a legal form, three words or more, or a first word that is no person's name).
 * A dropped word at the end ("Mitsubishi Electric", "AT&T Mobility") names a business line instead: not this rule.
 */
function leadingDrop(q: NormalizedName, e: Entry, extraE: string[]): boolean {
  if (e.source !== 'master' || extraE.length > 2) return false;
  const lead = e.tokens.slice(0, extraE.length);
  if (lead.some((t, i) => t !== extraE[i] || !plainWord(t)) || hasPlace(lead)) return false;
  // "Graduate School, Chiang Mai University": a unit's name before its parent's, in a segment of its own
  const first = e.norm.original.split(/[,;:(]|\.\s|\s[-–—]\s/u)[0] ?? '';
  if (!normalizeName(first).tokens.includes(e.tokens[extraE.length]!)) return false;
  if (q.legalForm !== null && q.legalForm !== e.norm.legalForm) return false;
  // a person's name ("John Paul Smith", "Mary Ann Miller") is not named by its last words; a firm bearing one is
  // told by its legal form ("Robert Bosch LLC")
  if (e.norm.legalForm === null && e.tokens.every(isKnownName)) return false;
  return e.norm.legalForm !== null || e.tokens.length >= 3 || !extraE.every(isKnownName);
}

/**
 * Words that are a person's name alone: known names, and the particles such names carry ("Al Amin", "Van Dijk", "bin
 * Laden"): a person may be named so as well as a firm named after one ("Al-Amin Stores", "Miller Brewing").
 */
const personWords = (qt: readonly string[]): boolean => qt.some((t) => !isParticle(t)) && qt.every((t) => isKnownName(t) || isParticle(t));

/** A word that may be a founder's name or a prefix: no unit, trade, generic or function word, no place, no number. */
const plainWord = (t: string): boolean =>
  !(UNIT_WORDS.has(t) || QUALIFIER_WORDS.has(t) || isGenericToken(t) || isDescriptive(t) || FUNCTION_WORDS.has(t) || isPlace(t)) &&
  !HAS_DIGIT.test(t) &&
  t.length >= 2;

/**
 * The entries of other masters than `key` whose names hold every one of `tokens` and more words; null when that
 * cannot be told (a word no entry has, or only words too common to look through): the caller stays safe.
 */
export function containingOthers(ix: MatcherIndex, tokens: readonly string[], key: string): Entry[] | null {
  const { entries, postings } = ix;
  let rarest: number[] | undefined;
  for (const t of tokens) {
    if (!postings.has(t)) return null;
    const p = valuesOf(postings, t);
    if (rarest === undefined || p.length < rarest.length) rarest = p;
  }
  if (rarest === undefined || rarest.length > MATCH_TUNING.containmentPosting) return null;
  const out: Entry[] = [];
  for (const id of rarest) {
    const o = entries[id]!;
    if (o.key === key || o.tokens.length <= tokens.length) continue;
    if (tokens.every((t) => o.tokens.includes(t))) out.push(o);
  }
  return out;
}

/** Another master of the scope whose name is `e`'s and more words after it ("Inversiones Los Andes Dos"). */
function goesOn(ix: MatcherIndex, e: Entry): boolean {
  const others = containingOthers(ix, e.tokens, e.key);
  return others === null || others.some((o) => o.source === 'master' && e.tokens.every((t, i) => o.tokens[i] === t));
}

/** Another master of the scope whose name contains all of `e`'s words (a child of `e`: "Acme" -> "Acme Bank"). */
function hasChild(ix: MatcherIndex, e: Entry): boolean {
  const others = containingOthers(ix, e.tokens, e.key);
  return others === null || others.length > 0;
}

/**
 * Unique containment: raise to containmentScore the one entry the name contains (with qualifier words or a store's
 * number around it), or is contained in (the master adds its legal form, words of its trade, or a founder's name or
 * prefix before the name's), or equals up to abbreviations and initials. Never when another master is also
 * contained/containing (but a master the name equals beats those), or when a child of the contained master exists
 * (parent and child).
 */
export function applyContainment(ix: MatcherIndex, q: NormalizedName, blocked: Entry[], ranked: Candidate[]): void {
  const hits = new Map<string, { e: Entry; rel: Relation; ok: boolean; sole: boolean; initials: boolean; expanded: boolean }>();
  const rivals = new Set<string>();
  for (const e of blocked) {
    // initials of the entry's words stand for them ("N.Y. State Dept. of Health"), as when scoring
    const joined = reconcileJoins(q.tokens, e.tokens);
    const qt = expandInitials(joined, e.tokens);
    const c = containment(ix, qt, e, q.original, qt !== joined, q.marked);
    if (c === null) continue;
    rivals.add(e.key);
    // the master's whole name and legal form, then a site, unit or reference of it (legal-close.ts)
    const closed = c.rel === 'superset' && legalNameThenMore(ix, q, e);
    if (closed) c.extraQ = [];
    let ok = c.anchor || closed;
    // "Ian M. Thomas" for Ian Thomas: one letter between two words of a three-word name is a middle initial
    const middleInitial =
      c.rel === 'superset' && qt.length === 3 && c.extraQ.length === 1 && c.extraQ[0]!.length === 1 && qt[1] === c.extraQ[0];
    if (middleInitial) c.extraQ = [];
    if (c.rel === 'superset' && ok && !closed && !allQualifiers(c.extraQ, q.original)) {
      // The extra words may instead be a unit in a segment of their own ("Acme, Finance Team", "Customer Service - Acme").
      ok = unitSegments(ix, q, e) || siteAfterLegal(ix, q, e);
      if (ok) c.extraQ = [];
    }
    if (ok && !closed && (c.rel === 'superset' || c.rel === 'placed-subset')) {
      // Its own legal form makes the name a separate company ("Acme Benelux B.V." is not a site of "Acme").
      const ownLegal =
        c.extraQ.some((t) => isLegalWord(t) && !isOwnLegalWord(e, t)) || (q.legalForm !== null && q.legalForm !== e.norm.legalForm);
      ok = !ownLegal && !c.initials && allQualifiers(c.extraQ, q.original) && !hasChild(ix, e);
    }
    // "Gary Kowalski" for KOWALSKI, GARY J: the master's middle initial, the name without it, in the same order (the
    // other way round above); "Kowalski Gary" may be another person
    const masterMiddle =
      c.rel === 'subset' &&
      ((qt.length === 2 && e.tokens.length === 3 && e.tokens[1]!.length === 1 && qt[0] === e.tokens[0] && qt[1] === e.tokens[2]) ||
        initialBetween(qt, e.tokens, c.extraE));
    if (masterMiddle) c.extraE = [];
    let sole = false;
    if (ok && !masterMiddle && (c.rel === 'subset' || c.rel === 'placed-subset')) {
      // The entry's extra words are its legal form, or say what it does ("Costco" / "Costco Wholesale Corporation"),
      // or come before the name's (leadingDrop); the name keeps a word of its own that says which firm (not a place,
      // not a trade, not a surname alone), and has no legal form of its own: "Mitsubishi Corp" is a whole firm's
      // name, not Mitsubishi Electric's.
      const legalOnly = c.extraE.every((t) => isLegalWord(t) || t === 'the' || t === 'and');
      const distinctive = qt.some((t) => t.length >= 4 && !isGenericToken(t) && !isDescriptive(t) && !isCity(t) && !HAS_DIGIT.test(t));
      ok = legalOnly
        ? qt.some((t) => t.length >= 4 && !isGenericToken(t))
        : !c.loose &&
          ((distinctive &&
            ((q.legalForm === null && allDescriptive(c.extraE) && !personWords(qt)) ||
              (c.rel === 'subset' && (leadingDrop(q, e, c.extraE) || foundersDropped(q, qt, e, c.extraE))))) ||
            (c.rel === 'subset' && q.legalForm === null && brandFirm(ix, qt, e, c.extraE)));
      // the one master holding the name's words, which drops some of its (sole-holder.ts): a lower score
      if (!ok && c.rel === 'subset' && !c.loose && soleHolder(ix, q, qt, e, c.extraE)) ok = sole = true;
    }
    if (ok && legalAgreement(q.legalForm, e.norm.legalForm) === 'disagree') ok = false;
    const prev = hits.get(e.key);
    if (prev === undefined || (!prev.ok && ok)) hits.set(e.key, { e, rel: c.rel, ok, sole, initials: c.initials, expanded: qt !== joined });
  }
  // One master the name equals, up to abbreviations and initials, is the name's reading beside masters that only
  // contain it or are contained ("City of Chgo": City of Chicago, not City Colleges of Chicago), as a normalised
  // equality is. Not a master equal only without its trailing place ("Univ. of California" is no more UCLA than Berkeley).
  // A master of two words only when no other master holds its words and more ("Fox Ent" may be cut from Fox
  // Entertainment Group as well as Fox Entertainment), and not a person's two names ("Alex Webb" is not the one reading
  // of "Alexander Webb").
  // Nor one whose legal form is not the name's ("C.T. Bologna ASD" beside Circolo Tennis Bologna S.S.D. a r.l.).
  // Nor, when the name's last word is cut short, one another master goes on from ("INVERSIONES LOS AND": Inversiones
  // Los Andes beside Inversiones Los Andes Dos; "N.Y. State Dept. of Health" still reads the Department of Health).
  const containedIn = (key: string): boolean =>
    [...hits.values()].some((h) => h.e.key !== key && (h.rel === 'subset' || h.rel === 'placed-subset'));
  const last = q.tokens[q.tokens.length - 1] ?? '';
  const equal = [...hits.values()].filter(
    (h) =>
      h.rel === 'equal' &&
      h.e.norm.qualifiedKey === null &&
      legalAgreement(q.legalForm, h.e.norm.legalForm) !== 'disagree' &&
      (h.e.tokens.length >= 3 || (h.e.tokens.length === 2 && !h.e.tokens.every(isKnownName) && !containedIn(h.e.key))) &&
      !(!h.e.tokens.includes(last) && goesOn(ix, h.e)),
  );
  // Initials that read a man's name read his son's of the same name too ("J. T. Williams" beside James T. Williams and
  // James T. Williams II): the one word that tells them apart is the generation, which a name cut to initials leaves
  // out as readily as the given names. For review, both offered (a blind trial linked two such names to the father).
  for (const h of hits.values()) {
    if (h.rel !== 'equal' || !(h.initials || h.expanded)) continue;
    const son = [...hits.values()].find((o) => o.e.key !== h.e.key && generationMore(h.e, o.e));
    const cand = son === undefined ? undefined : ranked.find((c) => c.key === h.e.key);
    if (cand !== undefined && son !== undefined) cand.signals['generation'] = son.e.key;
  }
  const [only] = equal.length === 1 ? equal : rivals.size === 1 ? [...hits.values()] : [];
  if (only === undefined || !only.ok || ranked.find((c) => c.key === only.e.key)?.signals['generation'] !== undefined) return;
  // An initial that reads another master's word as well is no one reading: "G. Bouchard" beside Bouchard, Ghislaine,
  // Bouchard, Ghislain and Bouchard, Gilles (the two left out of `equal` as a person's two names are still there), or
  // "QUISPE MAMANI J." beside Quispe Mamani, Juana and Quispe Mamani, Juan Carlos (a blind trial linked both). The
  // same word read in both is no rival ("Ahmad B. Ismail": bin, in Ahmad bin Ismail and Ahmad Faizal bin Ismail).
  if (only.initials) {
    const read = initialWords(q.tokens, only.e.tokens);
    const rival = (h: { e: Entry; rel: Relation; initials: boolean }): boolean =>
      h.e.key !== only.e.key && (h.rel === 'equal' || (h.initials && h.rel === 'subset')) && initialWords(q.tokens, h.e.tokens) !== read;
    if ([...hits.values()].some(rival)) return;
  }
  const cand = ranked.find((c) => c.key === only.e.key);
  const raised = only.sole ? MATCH_TUNING.soleHolderScore : MATCH_TUNING.containmentScore;
  // a word the name leaves out that tells this master from others stays for review (score.ts droppedBetween)
  if (cand === undefined || cand.score >= raised || (only.sole && cand.signals['droppedWord'] !== undefined)) return;
  cand.score = raised;
  cand.signals['containment'] = only.sole ? 'sole-holder' : only.rel;
}
