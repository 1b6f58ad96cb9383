/**
 * Scoring: one name against one blocked entry. Words are aligned (similarity, single-reading typos), weighed into a
 * token score, combined with character and phonetic similarity and capped for word conflicts and reorderings.
 */
import { accentsApart, marksApart } from './accents.js';
import { bodyKindMoved } from './body-kind.js';
import type { Entry, MatcherIndex } from './matcher-index.js';
import { singularPlural } from './inflection.js';
import { isKnownName, nameRole, twoNames } from './names.js';
import { givenConflict } from './given-names.js';
import { isNicknameOf } from './nicknames.js';
import { isGenericToken, legalAgreement, nameWords, normalizeName } from './normalize.js';
import { jaroWinkler, levenshteinSimilarity, phoneticMatch } from './similarity.js';
import {
  expandInitials,
  HAS_DIGIT,
  isAbbreviation,
  isEditNear,
  markedAbbreviation,
  reconcileJoins,
  sameConjunction,
  tokenSimilarity,
} from './tokens.js';
import { MATCH_TUNING } from './tuning.js';
import { placeLeftOut } from './placed-master.js';
import { expandAbbreviations } from './expansion.js';
import { surnamesSwapped, swappedPair } from './person-swap.js';
import { equalButParticle } from './leading-particle.js';
import { twoEditsFromShared } from './two-edits.js';
import { irishGeneration, twoKin } from './kin.js';
import { ENTITY_WORDS, FUNCTION_WORDS, GENERATIONS, isLegalWord, isTrade, twoCities } from './vocabulary.js';
import type { Candidate, NormalizedName } from './types.js';

const round4 = (x: number): number => Math.round(x * 10000) / 10000;

/** k when the name's n words align to the entry's n words rotated by k ≠ 0 (`qAl[i] = (i + k) mod n`), else null. */
function rotationOf(qAl: number[], n: number): number | null {
  const k = qAl[0];
  if (n < 2 || qAl.length !== n || k === undefined || k <= 0) return null;
  return qAl.every((j, i) => j === (i + k) % n) ? k : null;
}

/**
 * The name's words are the entry's words rotated (`qAl[i] = (i + k) mod n`, k ≠ 0: "Surname Given", "Surname Given
 * Middle") and the scope's own names do not place them the other way round: the word the name starts with starts no
 * master name here and the word it ends with ends none. In a scope of ≥ `positionEvidence` multi-word names that is
 * evidence of surname-first order whatever the words; in a smaller one "never" says little, and only a person's name
 * is read so: two to four words, each the entry's own (no typo), none a trade or generic word, none a name the lists
 * know both as a given name and as a surname ("Ryan Thomas" / Thomas Ryan may be two people), no legal form on either
 * side (a rotated firm name, "Steel Pacific" / Pacific Steel, may be another firm), and something saying it is a
 * person's (personEvidence). Measured on the trial sets (docs/matching.md): their tenants hold 50–70 masters, and
 * their people written surname first stayed in review.
 */
function rotatedByPosition(ix: MatcherIndex, q: NormalizedName, e: Entry, qt: string[], qAl: number[]): boolean {
  const { multiWordNames, startsName, endsName } = ix;
  const et = e.tokens;
  const k = rotationOf(qAl, et.length);
  if (k === null) return false;
  const head = et[k]!; // the master word the name starts with
  const tail = et[k - 1]!; // the master word the name ends with
  if ((startsName.get(head) ?? 0) > 0 || (endsName.get(tail) ?? 0) > 0) return false;
  if (multiWordNames >= MATCH_TUNING.positionEvidence) return true;
  return (
    et.length <= 4 &&
    qt.every((t, i) => t === et[qAl[i]!]) &&
    q.legalForm === null &&
    e.norm.legalForm === null &&
    et.every((t) => !isGenericToken(t) && !isTrade(t) && !(isKnownName(t) && nameRole(t) === null)) &&
    personEvidence(q, e)
  );
}

/**
 * Something says the words are a person's name, not words in another order ("Rock Hard" / Hard Rock, "Sky Blue" /
 * Blue Sky: a review): a word the lists know as a given name or a surname, an initial, or a title or honour written
 * with the name on either side (Dr., Mrs., OBE; "Surname, Given" with a comma).
 */
function personEvidence(q: NormalizedName, e: Entry): boolean {
  if (e.tokens.some((t) => t.length === 1 || nameRole(t) !== null)) return true;
  return [q.rules, e.norm.rules].some((r) => r.includes('honorific') || r.includes('post-nominal') || r.includes('name-order'));
}

/**
 * A person's two to four names in the other convention ("Deshpande Anjali" / Anjali Deshpande, "Sharma Ramesh Kumar"
 * / Ramesh Kumar Sharma, "Hernandez Lopez Juan Carlos" / Juan Carlos Hernández López): the name's words are the entry's,
 * rotated, and the entry and the name begin one with a word every list knows as a given name only, the other with
 * one known as a surname only. Words that are both ("Thomas Ryan" / Ryan Thomas) or unknown tell nothing: those stay
 * a reordering, for review. No legal form on either side (a firm's word order is firmOrder's).
 */
function swappedPerson(q: NormalizedName, e: Entry, qt: string[], qAl: number[]): boolean {
  const et = e.tokens;
  if (et.length > 4 || q.legalForm !== null || e.norm.legalForm !== null) return false;
  const k = rotationOf(qAl, et.length);
  if (k === null || qt.some((t, i) => t !== et[qAl[i]!])) return false;
  const roles = new Set([nameRole(et[0]!), nameRole(et[k]!)]);
  return roles.has('given') && roles.has('surname');
}

/**
 * Every word of a name of three words or more in another order, a person's name among them: a person or a firm
 * written surname first, or its trade or title first ("Restrepo Gomez Carlos Andres" / Carlos Andrés Restrepo Gómez,
 * "Wójcik Grzegorz Usługi Transportowe" / Usługi Transportowe Grzegorz Wójcik, "Keswick, Dorothy (Estate of)"). Only
 * two one-word names swapped may be two people ("Ryan Thomas" / Thomas Ryan), so initials do not count towards the
 * three ("RYAN THOMAS J": the initial's place says the order, initialLast); nor legal or function words. Legal forms
 * of one family that differ ("Cellers Roca i Puig, S.L." / Cellers Puig i Roca, S.A.) are two firms of two partners.
 */
function sameWordsOrder(q: NormalizedName, e: Entry, qt: string[]): boolean {
  if (legalAgreement(q.legalForm, e.norm.legalForm) === 'compatible') return false;
  return qt.filter((t) => t.length > 1 && !isLegalWord(t) && !FUNCTION_WORDS.has(t)).length >= 3;
}

/**
 * A person's name in two blocks, one a hyphenated pair, the blocks swapped ("Dubois Jean-François" / Jean-François
 * Dubois, "Brunner Hans-Peter", "Young-ho Kim" / Kim Young-ho): the pair is one name, given name or surname, and
 * stays one whichever comes first, so the two orders are one person's (only two one-word names swapped, "Ryan
 * Thomas" / Thomas Ryan, may be two people). Three or four words, each the entry's own, the hyphen written on either
 * side; no legal form, generic or trade word.
 */
function hyphenSwap(q: NormalizedName, e: Entry, qt: string[], qAl: number[]): boolean {
  const et = e.tokens;
  if (et.length < 3 || et.length > 4 || q.legalForm !== null || e.norm.legalForm !== null) return false;
  const k = rotationOf(qAl, et.length);
  if (k === null || qt.some((t, i) => t !== et[qAl[i]!]) || et.some((t) => isGenericToken(t) || isTrade(t))) return false;
  const pairs = [q.original, e.norm.original].flatMap((o) =>
    [...o.matchAll(/[\p{L}\p{M}]+-[\p{L}\p{M}]+/gu)].map((m) => nameWords(m[0]).join(' ')),
  );
  const blocks = [et.slice(0, k), et.slice(k)];
  return blocks.every((b) => b.length <= 2) && blocks.some((b) => b.length === 2 && pairs.includes(b.join(' ')));
}

/**
 * "COLE BENJAMIN A" / Benjamin A. Cole: a bank's or payroll's export writes the surname first and the middle initial
 * last, where no one writes a given name first; the initial's place says the order. Three words, the last one letter,
 * the entry's given name, initial and surname, no legal form on either side; or four, the same generation closing
 * both ("WASHINGTON SAMUEL L IV" / Samuel L. Washington IV; another generation is another person).
 */
function initialLast(q: NormalizedName, e: Entry, qt: string[]): boolean {
  const gen = qt.length === 4 && e.tokens.length === 4 && GENERATIONS.has(qt[3]!) && e.tokens[3] === qt[3];
  const n = gen ? qt.slice(0, 3) : qt;
  const et = gen ? e.tokens.slice(0, 3) : e.tokens;
  if (n.length !== 3 || et.length !== 3 || q.legalForm !== null || e.norm.legalForm !== null) return false;
  return n[2]!.length === 1 && et[1] === n[2] && et[0] === n[1] && et[2] === n[0] && n[0]!.length > 1 && n[1]!.length > 1;
}

/**
 * The name's words in the order its master is written, the comma left out ("JOHNSON MARY", "DUPONT JEAN PIERRE" for
 * the master `Johnson, Mary`, `Dupont, Jean-Pierre`): an export that drops punctuation keeps the master's own order,
 * which the master's comma says is surname first. Not a reordering, whatever the words: the record itself writes them
 * so. Only a master read as `Surname, Given` (rule `name-order`); every word the master's own, none left over.
 */
function asWritten(e: Entry, qt: string[]): boolean {
  if (!e.norm.rules.includes('name-order') || qt.length !== e.tokens.length) return false;
  const written = normalizeName(e.norm.original.replace(/,/gu, ' ')).tokens;
  return written.length === qt.length && written.every((t, i) => t === qt[i]);
}

/**
 * The name is the entry with a word left out between two kept words ("MGM Television" / MGM Worldwide Television,
 * "Samsung Display" / Samsung Mobile Display), and that word is what tells the entry apart in this scope: every word
 * the name keeps is also in another master's name (or a known alias of another master: "Amazon MGM Studios", "Fuji
 * Television"), so the kept words name no master by themselves and the name may be another firm of the group, or one
 * the ledger lacks. Not an initial, a function word or a legal form, nor a middle name after a person's given name
 * ("John Smith" / John Paul Smith: the words before it all known person names). Returns the word, or null.
 */
function droppedBetween(ix: MatcherIndex, e: Entry, qAl: number[], eAl: number[]): string | null {
  const et = e.tokens;
  if (qAl.length !== 2 || qAl.some((j) => j < 0)) return null;
  const kept = eAl.flatMap((i, j) => (i >= 0 ? [j] : []));
  const first = kept[0];
  const last = kept[kept.length - 1];
  if (first === undefined || last === undefined || kept.some((j) => (ix.df.get(et[j]!) ?? 0) < 2)) return null;
  for (let g = first + 1; g < last; g++) {
    const w = et[g]!;
    if (eAl[g]! >= 0 || w.length < 2 || FUNCTION_WORDS.has(w) || isLegalWord(w)) continue;
    if (kept.filter((j) => j < g).every((j) => isKnownName(et[j]!))) continue;
    return w;
  }
  return null;
}

/** Score `q` against `e`; `typoOf` / `typo2Of`: the name's one- and two-edit readings (readings.ts), memoised per name. */
export function score(
  ix: MatcherIndex,
  q: NormalizedName,
  e: Entry,
  typoOf: (t: string) => string | null,
  typo2Of: (t: string) => string | null,
  abbreviationOf: (t: string) => readonly string[] | null,
): Candidate {
  const { df, idfOf, masterWords, unseenWeight } = ix;
  const et = e.tokens;
  // a familiar form of the entry's given name is read as that name ("Bob Smith" / Robert Smith: nicknames.ts), capped
  // below a name written in full: a person's name on both sides (two to four words, no legal form, the entry's given
  // name first and no trade or generic word), the familiar form first and no word of any master of the scope (not
  // "Rick Steves" beside Rick Steves Tours), and the name's other words the entry's, in few masters (a Tommy White is
  // not taken for the one Thomas White among many Whites)
  const raw0 = expandInitials(reconcileJoins(q.tokens, et, true), et);
  const nickname =
    raw0.length >= 2 &&
    raw0.length <= 4 &&
    et.length >= 2 &&
    et.length <= 4 &&
    q.legalForm === null &&
    e.norm.legalForm === null &&
    !masterWords.has(raw0[0]!) &&
    isNicknameOf(raw0[0]!, et[0]!) &&
    isKnownName(et[0]!) &&
    et.every((t) => !isGenericToken(t) && !isTrade(t)) &&
    raw0.slice(1).every((t) => et.includes(t) && (FUNCTION_WORDS.has(t) || (df.get(t) ?? 0) <= MATCH_TUNING.nicknameWordMasters));
  // a clerk's abbreviation with one reading in the scope, read as that word ("Elec" / Electronic: expansion.ts)
  // (never of a master whose place was cut from its key: "Univ. of California" / University of California, Los Angeles)
  const expanded = expandAbbreviations(
    nickname ? [et[0]!, ...raw0.slice(1)] : raw0,
    e.norm.qualifiedKey === null ? et : [],
    abbreviationOf,
  );
  const qt = expanded.tokens;
  const qCompact = nickname || expanded.read.length > 0 ? qt.join('') : q.compact;
  const pairs: { i: number; j: number; s: number }[] = [];
  for (let i = 0; i < qt.length; i++) {
    for (let j = 0; j < et.length; j++) {
      let s = tokenSimilarity(qt[i]!, et[j]!);
      // singular and plural of one word ("Electrical" / Electricals), a known person name's aside ("Williams")
      if (s < 0.97 && singularPlural(ix, qt[i]!, et[j]!)) s = 0.97;
      // a word of two or three letters its writer marked as cut short ("Gen.", "Lk."), of no word of the scope
      if (s === 0 && markedAbbreviation(qt[i]!, et[j]!, q.marked, df.has(qt[i]!))) s = MATCH_TUNING.abbreviationSim;
      // Two different cities ("Bern" / "Berlin": vocabulary.ts) are two places, never one's typo of the other.
      // So are two kin words of two kinds ("Fils" / Filles, "Hijos" / Hijas: kin.ts).
      if (s < 0.97 && (twoCities(qt[i]!, et[j]!) || twoKin(qt[i]!, et[j]!))) s = 0;
      // Another accented letter where both names keep accents ("Lâm" / Lan, "Tuyến" / Tuấn: accents.ts) is another
      // word, not a typo of one on a base letter.
      else if (
        s < 0.97 &&
        accentsApart(q.original, e.norm.original, qt[i]!, et[j]!) &&
        (isEditNear(qt[i]!, et[j]!) || typoOf(qt[i]!) === et[j] || typo2Of(qt[i]!) === et[j] || phoneticMatch(qt[i]!, et[j]!))
      )
        s = 0;
      // Another vowel sign on the same letters (Khmer វុទ្ធី / វុទ្ធា, Hindi राम / रमा: accents.ts) is another name.
      else if (s < 1 && marksApart(qt[i]!, et[j]!)) s = 0;
      // Two different known person names ("Paula" / "Paul", "Tanner" / "Turner": names.ts) are two words whatever
      // the scope holds, as unlike as any two (a digraph fold, 0.97, stays): a name that differs by one of them on
      // each side is a word conflict, for review at most ("Andrea Vázquez Jiménez" / "Andrés Vázquez Jiménez"). So
      // are two given names a consonant or a sex apart in a person's name, read as a typo or not ("Masoud" / Mahmoud:
      // given-names.ts).
      else if (
        s < 0.97 &&
        (s > 0 || typo2Of(qt[i]!) === et[j]) &&
        (twoNames(qt[i]!, et[j]!) || givenConflict(e, qt[i]!, et[j]!, q.legalForm))
      )
        s = 0;
      // Two letters from a word two masters of the scope carry (a family's or a place's: "Molen" beside Van der Meulen
      // Machinehandel and Van der Meulen Techniek) is another family or place more often than a typo (two-edits.ts).
      else if (s > 0 && s < 0.97 && s !== MATCH_TUNING.abbreviationSim && twoEditsFromShared(df, qt[i]!, et[j]!)) s = 0;
      // A typo with a single reading in this scope, short words included ("Rei" of "Reid", "Mloly" of "Molly").
      else if (s < MATCH_TUNING.soleTypoSim && typoOf(qt[i]!) === et[j]) s = MATCH_TUNING.soleTypoSim;
      else if (s === 0 && qt[i]![0] === et[j]![0] && typo2Of(qt[i]!) === et[j]) s = MATCH_TUNING.soleTypo2Sim;
      // Two different words that are both words of this scope ("Jordan" / "Jordyn", "Gadis" / "Gadisa") are two
      // names, not a typo of one: no more alike than a phonetic match.
      else if (s > MATCH_TUNING.phoneticTokenSim && s < 0.97 && masterWords.has(qt[i]!) && isEditNear(qt[i]!, et[j]!))
        s = MATCH_TUNING.phoneticTokenSim;
      // A name-side "abbreviation" that is a word of its own in this scope ("Jack" / "Jackson") is not one.
      if (s === MATCH_TUNING.abbreviationSim && qt[i]!.length < et[j]!.length && df.has(qt[i]!) && isAbbreviation(qt[i]!, et[j]!)) s = 0;
      // Nor is a master's short word that two masters use ("Jack" of "Jack Carbone" is no abbreviation of "Jackson"),
      // as in containment.
      if (
        s === MATCH_TUNING.abbreviationSim &&
        et[j]!.length < qt[i]!.length &&
        (df.get(et[j]!) ?? 0) >= 2 &&
        isAbbreviation(et[j]!, qt[i]!)
      )
        s = 0;
      if (s > 0) pairs.push({ i, j, s });
    }
  }
  pairs.sort((a, b) => b.s - a.s || a.i - b.i || a.j - b.j);
  const qAl = new Array<number>(qt.length).fill(-1);
  const eAl = new Array<number>(et.length).fill(-1);
  const simOf = new Array<number>(qt.length).fill(0);
  for (const p of pairs) {
    if (qAl[p.i] !== -1 || eAl[p.j] !== -1) continue;
    qAl[p.i] = p.j;
    eAl[p.j] = p.i;
    simOf[p.i] = p.s;
  }
  let qSum = 0;
  let qGot = 0;
  let eGot = 0;
  let phon = 0;
  const matched: string[] = [];
  for (let i = 0; i < qt.length; i++) {
    const t = qt[i]!;
    const j = qAl[i]!;
    const wq = df.has(t) ? idfOf(t) : j >= 0 ? e.weights[j]! : unseenWeight;
    qSum += wq;
    if (j >= 0) {
      const s = simOf[i]!;
      qGot += wq * s;
      eGot += e.weights[j]! * s;
      const other = et[j]!;
      // A typo read as its word sounds like it; two names of the scope that sound alike ("Jordan" / "Jordyn") are
      // still two names.
      if (
        t === other ||
        typoOf(t) === other ||
        (simOf[i] === 0.97 && singularPlural(ix, t, other)) ||
        sameConjunction(t, other) ||
        (simOf[i] === MATCH_TUNING.soleTypo2Sim && typo2Of(t) === other) ||
        (!masterWords.has(t) && !twoNames(t, other) && phoneticMatch(t, other))
      )
        phon += wq;
      matched.push(t === other ? t : `${t}~${other}`);
    }
  }
  const covQ = qSum > 0 ? qGot / qSum : 0;
  // a familiar form of the given name, the entry's middle initial left out ("Bob Jenkins" / Robert L. Jenkins): the
  // initial weighs nothing, as a middle initial in unique containment
  const middleLeft = nickname && qt.length === 2 && et.length === 3 && et[1]!.length === 1 && qAl[0] === 0 && qAl[1] === 2;
  const eSum = middleLeft ? e.wsum - e.weights[1]! : e.wsum;
  const covE = eSum > 0 ? eGot / eSum : 0;
  let tok = covQ + covE > 0 ? (2 * covQ * covE) / (covQ + covE) : 0;
  // the same words but for a leading article or honorific ("Al Zamil …" / Zamil …, "Sri …": leading-particle.ts)
  const particle = !nickname && qCompact !== e.norm.compact && equalButParticle(qt, e);
  const compactEqual =
    particle || qCompact === e.norm.compact || (!nickname && (q.keys.some((k) => e.norm.keys.includes(k)) || sameAddress(q, e.norm)));
  if (compactEqual) tok = 1;
  let jw = jaroWinkler(qCompact, e.norm.compact);
  let lev = levenshteinSimilarity(qCompact, e.norm.compact);
  // Word order ("Smith John" / "John Smith"): compare characters with the name's words in the entry's order too.
  const order = qt.map((t, i) => ({ t, k: qAl[i]! >= 0 ? qAl[i]! : et.length + i }));
  let reordered = false;
  let reorderOnly = false;
  for (let i = 1; i < order.length; i++) if (order[i]!.k < order[i - 1]!.k) reordered = true;
  if (reordered && !compactEqual) {
    const rc = order
      .sort((a, b) => a.k - b.k)
      .map((x) => x.t)
      .join('');
    const rjw = MATCH_TUNING.reorderFactor * jaroWinkler(rc, e.norm.compact);
    const rlev = MATCH_TUNING.reorderFactor * levenshteinSimilarity(rc, e.norm.compact);
    if (rjw + rlev > jw + lev) {
      jw = rjw;
      lev = rlev;
      reorderOnly = true;
    }
  }
  // Surname-first order the scope's names vouch for is the same name, not a reordering that might be another person.
  const rotated =
    reorderOnly &&
    (rotatedByPosition(ix, q, e, qt, qAl) ||
      swappedPerson(q, e, qt, qAl) ||
      swappedPair(q, e, qt, qAl) ||
      initialLast(q, e, qt) ||
      hyphenSwap(q, e, qt, qAl));
  if (rotated) reorderOnly = false;
  // the master's own written order ("JOHNSON MARY" / Johnson, Mary)
  const written = reorderOnly && asWritten(e, qt);
  if (written) reorderOnly = false;
  // A family firm's words in another order ("Rossi Fratelli SpA" / "Fratelli Rossi S.p.A.", "Maschinenbau Müller" /
  // "Müller Maschinenbau GmbH"): every word the same on both sides, a legal form on one side at least, a person's
  // name among the words and not only names (reversed, two people's names may be two people; and without a name,
  // "National American Insurance" and "American National Insurance" are two insurers). Or, without a legal form to
  // say so, three words or more of two letters or more, a person's name among them (sameWordsOrder).
  const sameWords = reorderOnly && qAl.every((j, i) => j >= 0 && qt[i] === et[j]) && eAl.every((i) => i >= 0);
  const firmOrder =
    sameWords &&
    qt.some(isKnownName) &&
    (((q.legalForm !== null || e.norm.legalForm !== null) && !qt.every(isKnownName)) || sameWordsOrder(q, e, qt)) &&
    !surnamesSwapped(q, e, qt, qAl);
  if (firmOrder) reorderOnly = false;
  // a body's kind first on one side, last on the other ("Stiftung Alpenblick" / Alpenblick Stiftung; body-kind.ts)
  const kindMoved = reorderOnly && bodyKindMoved(qt, et, qAl);
  if (kindMoved) reorderOnly = false;
  const charSim = compactEqual ? 1 : (jw + lev) / 2;
  const phonetic = compactEqual ? 1 : qSum > 0 ? phon / qSum : 0;
  const legal = legalAgreement(q.legalForm, e.norm.legalForm);
  const adj = legal === 'disagree' ? MATCH_TUNING.legalDisagree : 0;
  const extraName = qt.filter((t, i) => qAl[i] === -1 && !isGenericToken(t));
  const extraMaster = et.filter((t, j) => eAl[j] === -1 && !isGenericToken(t));
  // a number, or a generation ("Jr", "II"), on one side only: another person, fund or site of the same name
  const oneSided = (t: string): boolean => HAS_DIGIT.test(t) || GENERATIONS.has(t);
  // (or Irish Óg / Mór, written with the accent: kin.ts)
  const numberDiffers =
    qt.some((t, i) => qAl[i] === -1 && (oneSided(t) || irishGeneration(t, q.original))) ||
    et.some((t, j) => eAl[j] === -1 && (oneSided(t) || irishGeneration(t, e.norm.original)));
  // the name adds a foundation, trust or fund to the master's name: that body, not the master (ENTITY_WORDS)
  const ownBody = extraName.some((t) => ENTITY_WORDS.has(t));
  const wordConflict = !compactEqual && ((extraName.length > 0 && extraMaster.length > 0) || numberDiffers || ownBody);
  const dropped = compactEqual ? null : (droppedBetween(ix, e, qAl, eAl) ?? placeLeftOut(qt, e));
  const raw = MATCH_TUNING.wToken * tok + MATCH_TUNING.wChar * charSim + MATCH_TUNING.wPhonetic * phonetic + adj;
  const cap = Math.min(
    wordConflict ? MATCH_TUNING.conflictCap : 1,
    reorderOnly ? MATCH_TUNING.reorderCap : 1,
    legal === 'disagree' ? MATCH_TUNING.legalDisagreeCap : 1,
    nickname ? MATCH_TUNING.nicknameCap : 1,
    dropped !== null ? MATCH_TUNING.droppedWordCap : 1,
    expanded.read.length > 0 ? MATCH_TUNING.expansionCap : 1,
    particle ? MATCH_TUNING.particleCap : 1,
  );
  const s = round4(Math.min(cap, Math.max(0, raw)));
  // reading an abbreviation never lowers a candidate below its score as written (the cap is for what the reading adds)
  if (expanded.read.length > 0) {
    const plain = score(ix, q, e, typoOf, typo2Of, () => null);
    if (plain.score >= s) return plain;
  }
  return {
    key: e.key,
    name: e.master,
    score: s,
    method: 'fuzzy',
    signals: {
      via: e.source,
      ...(e.source === 'alias' ? { alias: e.name } : {}),
      tokenScore: round4(tok),
      coverageName: round4(covQ),
      coverageMaster: round4(covE),
      charSim: round4(charSim),
      jaroWinkler: round4(jw),
      levenshtein: round4(lev),
      phonetic: round4(phonetic),
      legalForm: legal,
      compactEqual,
      wordConflict,
      reordered: reorderOnly,
      ...(rotated
        ? { order: 'surname-first' }
        : written
          ? { order: 'as-written' }
          : firmOrder || kindMoved
            ? { order: 'words-reordered' }
            : {}),
      ...(nickname ? { nickname: true } : {}),
      ...(particle ? { particle: true } : {}),
      ...(expanded.read.length > 0 ? { abbreviation: expanded.read.join(' ') } : {}),
      ...(dropped !== null ? { droppedWord: dropped } : {}),
      matchedTokens: matched.join(' '),
      unmatchedName: qt.filter((_, i) => qAl[i] === -1).join(' '),
      unmatchedMaster: et.filter((_, j) => eAl[j] === -1).join(' '),
    },
  };
}

/** One name writes a web address the other writes run together ("Bookingcom B.V." / Booking.com B.V.; web-address.ts). */
function sameAddress(q: NormalizedName, e: NormalizedName): boolean {
  return (
    (e.writtenCompact !== undefined && e.writtenCompact === q.compact) || (q.writtenCompact !== undefined && q.writtenCompact === e.compact)
  );
}
