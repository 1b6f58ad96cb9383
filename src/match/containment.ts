/**
 * Unique containment: the one master whose name the name contains with qualifier words only around it (a site, unit
 * or programme of it), or that contains the name, is raised to MATCH_TUNING.containmentScore (docs/matching.md).
 */
import type { Entry, MatcherIndex } from './matcher-index.js';
import { twoNames } from './names.js';
import { valuesOf } from './multimap.js';
import { isCity, isGenericToken, isLegalWord, legalAgreement, normalizeName } from './normalize.js';
import { HAS_DIGIT, reconcileJoins, tokenRelation } from './tokens.js';
import { MATCH_TUNING } from './tuning.js';
import type { Candidate, NormalizedName } from './types.js';

/** Words that mark a segment as an organisational unit when it stands apart from the name ("Finance Team"). */
const UNIT_WORDS = new Set([
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
const QUALIFIER_WORDS = new Set([
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

/**
 * How the name relates to an entry when every token of one side has a counterpart on the other that is the same
 * word, its abbreviation or its initial (never a typo guess). null when neither side is contained.
 */
function containment(
  ix: MatcherIndex,
  qt: string[],
  e: Entry,
): { rel: 'equal' | 'superset' | 'subset'; extraQ: string[]; extraE: string[]; anchor: boolean; initials: boolean } | null {
  const { df } = ix;
  const et = e.tokens;
  const qUsed = new Array<boolean>(qt.length).fill(false);
  const eUsed = new Array<boolean>(et.length).fill(false);
  let anchor = false;
  let loose = false;
  let initials = false;
  for (const pass of ['same', 'other'] as const) {
    for (let j = 0; j < et.length; j++) {
      if (eUsed[j]) continue;
      for (let i = 0; i < qt.length; i++) {
        if (qUsed[i]) continue;
        const r = tokenRelation(qt[i]!, et[j]!);
        if (r === null || (pass === 'same') !== (r === 'same')) continue;
        // A "short form" that is a word of its own in this scope ("Jack" / "Jackson") is not an abbreviation.
        if (
          r === 'abbreviation' &&
          (df.get(qt[i]!.length < et[j]!.length ? qt[i]! : et[j]!) ?? 0) >= (qt[i]!.length < et[j]!.length ? 1 : 2)
        )
          continue;
        // Nor is one known person name of another ("Daniel" / "Danielle": names.ts).
        if (r === 'abbreviation' && twoNames(qt[i]!, et[j]!)) continue;
        if (r === 'initial' && qt.length + et.length < 4) continue;
        if (r !== 'same') loose = true;
        if (r === 'initial') initials = true;
        qUsed[i] = true;
        eUsed[j] = true;
        if (r === 'same' && qt[i]!.length >= 3 && !isGenericToken(qt[i]!) && !HAS_DIGIT.test(qt[i]!)) anchor = true;
        break;
      }
    }
  }
  const extraQ = qt.filter((_, i) => !qUsed[i]);
  const extraE = et.filter((_, j) => !eUsed[j]);
  if (extraQ.length > 0 && extraE.length > 0) return null;
  if (extraQ.length === qt.length) return null;
  if (extraQ.length === 0 && extraE.length === 0 && !loose) return null; // same words: the scorer's business
  return {
    rel: extraQ.length === 0 && extraE.length === 0 ? 'equal' : extraE.length === 0 ? 'superset' : 'subset',
    extraQ,
    extraE,
    anchor,
    initials,
  };
}

/** A word around an organisation's name that names a site, unit, place or legal form rather than another organisation. */
const isQualifier = (t: string): boolean =>
  !HAS_DIGIT.test(t) && (QUALIFIER_WORDS.has(t) || isCity(t) || isLegalWord(t) || t === 'and' || t === 'the' || t === 'of');

/** Every extra word is a qualifier; two-word places count as one ("north america"). */
const allQualifiers = (extra: string[]): boolean => {
  for (let i = 0; i < extra.length; i++) {
    if (i + 1 < extra.length && isCity(`${extra[i]!} ${extra[i + 1]!}`)) {
      i++;
      continue;
    }
    if (!isQualifier(extra[i]!)) return false;
  }
  return true;
};

/**
 * The name is the entry's name (with qualifiers only) in one punctuation-separated segment (comma, spaced dash,
 * brackets) and every other segment is a short unit name (≤ 3 words, one of them a unit word: department, team,
 * centre, services, academy, ...; no number, no legal form).
 */
function unitSegments(q: NormalizedName, e: Entry): boolean {
  const segs = q.original
    .split(/,|;|\s[-–—]\s|[()]/u)
    .map((x) => normalizeName(x).tokens)
    .filter((t) => t.length > 0);
  if (segs.length < 2) return false;
  let own = 0;
  for (const seg of segs) {
    const set = new Set(seg);
    if (e.tokens.every((t) => set.has(t))) {
      const rest = [...e.tokens];
      const extra = seg.filter((t) => {
        const i = rest.indexOf(t);
        if (i < 0) return true;
        rest.splice(i, 1);
        return false;
      });
      if (!allQualifiers(extra)) return false;
      own++;
      continue;
    }
    if (
      seg.length > 3 ||
      !seg.some((t) => UNIT_WORDS.has(t) || QUALIFIER_WORDS.has(t)) ||
      seg.some((t) => HAS_DIGIT.test(t) || isLegalWord(t))
    )
      return false;
  }
  return own === 1;
}

/** Another master of the scope whose name contains all of `e`'s words (a child of `e`: "Acme" -> "Acme Bank"). */
function hasChild(ix: MatcherIndex, e: Entry): boolean {
  const { entries, postings } = ix;
  let rarest: number[] | undefined;
  for (const t of e.tokens) {
    if (!postings.has(t)) return true; // cannot check: be safe
    const p = valuesOf(postings, t);
    if (rarest === undefined || p.length < rarest.length) rarest = p;
  }
  if (rarest === undefined || rarest.length > MATCH_TUNING.containmentPosting) return true;
  for (const id of rarest) {
    const o = entries[id]!;
    if (o.key === e.key || o.tokens.length <= e.tokens.length) continue;
    if (e.tokens.every((t) => o.tokens.includes(t))) return true;
  }
  return false;
}

/**
 * Unique containment: raise the one entry the name contains (with qualifier words around it) or is contained in
 * (the master adds only generic words), or equals up to abbreviations/initials, to containmentScore. Never when
 * another master is also contained/containing, or when a child of the contained master exists (parent and child).
 */
export function applyContainment(ix: MatcherIndex, q: NormalizedName, blocked: Entry[], ranked: Candidate[]): void {
  const hits = new Map<string, { e: Entry; rel: 'equal' | 'superset' | 'subset'; ok: boolean }>();
  const rivals = new Set<string>();
  for (const e of blocked) {
    const qt = reconcileJoins(q.tokens, e.tokens);
    const c = containment(ix, qt, e);
    if (c === null) continue;
    rivals.add(e.key);
    let ok = c.anchor;
    // "Ian M. Thomas" for Ian Thomas: one letter between two words of a three-word name is a middle initial
    const middleInitial =
      c.rel === 'superset' && qt.length === 3 && c.extraQ.length === 1 && c.extraQ[0]!.length === 1 && qt[1] === c.extraQ[0];
    if (middleInitial) c.extraQ = [];
    if (c.rel === 'superset' && ok && !allQualifiers(c.extraQ)) {
      // The extra words may instead be a unit in a segment of their own ("Acme, Finance Team", "Customer Service - Acme").
      ok = unitSegments(q, e);
      if (ok) c.extraQ = [];
    }
    if (ok && c.rel === 'superset') {
      // Its own legal form makes the name a separate company ("Acme Benelux B.V." is not a site of "Acme").
      const eLegal = new Set((e.norm.legalForm ?? '').split(' '));
      const ownLegal =
        c.extraQ.some((t) => isLegalWord(t) && !eLegal.has(normalizeName(t).legalForm ?? t)) ||
        (q.legalForm !== null && q.legalForm !== e.norm.legalForm);
      ok = !ownLegal && !c.initials && allQualifiers(c.extraQ) && !hasChild(ix, e);
    }
    if (ok && c.rel === 'subset')
      ok = c.extraE.every((t) => isLegalWord(t) || t === 'the' || t === 'and') && qt.some((t) => !isGenericToken(t) && t.length >= 4);
    if (ok && legalAgreement(q.legalForm, e.norm.legalForm) === 'disagree') ok = false;
    const prev = hits.get(e.key);
    if (prev === undefined || (!prev.ok && ok)) hits.set(e.key, { e, rel: c.rel, ok });
  }
  if (rivals.size !== 1) return;
  const [only] = [...hits.values()];
  if (only === undefined || !only.ok) return;
  const cand = ranked.find((c) => c.key === only.e.key);
  if (cand === undefined || cand.score >= MATCH_TUNING.containmentScore) return;
  cand.score = MATCH_TUNING.containmentScore;
  cand.signals['containment'] = only.rel;
}
