import { aliasFits, block } from './block.js';
import { applyContainment, containingOthers } from './containment.js';
import { bestPerKey, compareCandidates, decideFuzzy, DEFAULT_MAX_CANDIDATES, noCandidate } from './decide.js';
import { applyEvidence, createEvidenceModel, documentEvidence, judgeRuled } from './evidence.js';
import { buildIndex } from './matcher-index.js';
import type { Entry } from './matcher-index.js';
import { valuesOf } from './multimap.js';
import { legalAgreement, normalizeName } from './normalize.js';
import { legalTranslated } from './vocabulary.js';
import { readingsOf, soleReading, soleReading2 } from './readings.js';
import { expansionsOf, holdBesideHolder } from './expansion.js';
import { decideTradeNames, tradeNames } from './trade-names.js';
import { applyTruncation } from './truncation.js';
import { sameNote } from './person-note.js';
import { withoutReference } from './references.js';
import { applyAcronym } from './acronym.js';
import { generationOthers, groupOthers } from './equality.js';
import { titledSpouse } from './spouse.js';
import { score } from './score.js';
import type {
  Candidate,
  KnownAlias,
  MasterRecord,
  MatchMethod,
  MatchOptions,
  NameDecision,
  NormalizedName,
  EvidenceValues,
} from './types.js';

/** The reason of an exact name made ambiguous by a master of the same normalised name (plan counts them in a notice). */
export const EXACT_BESIDE_NAMESAKE = 'exact name, but another master has the same normalised name';

/**
 * The matcher of one scope: an index over that scope's active masters and known aliases, built once, then
 * `match(name)` per distinct name. Cost per name is bounded by the blocking caps, not by the number of masters.
 * Here: the rules (exact name, known alias, normalised name) and the order of the steps; the index is built in
 * matcher-index.ts, then fuzzy matching is block.ts, readings.ts, score.ts and containment.ts.
 */

/** Two legal forms tell two same-named masters apart only when both are present and of different families (GmbH vs Inc). */
function legalDistinguishes(a: string | null, b: string | null): boolean {
  return legalAgreement(a, b) === 'disagree';
}

export interface Matcher {
  /** Decide `name`; `evidence`: the document's `compare` column values, weighed against the masters' (evidence.ts). */
  match(name: string, evidence?: EvidenceValues): NameDecision;
  /** Match while ignoring known aliases spelled exactly `excludeAlias` (leave-one-out evaluation). */
  matchExcluding(name: string, excludeAlias: string, evidence?: EvidenceValues): NameDecision;
  /** Keys of the entries blocking would score for `name` (for blocking-recall tests and explanations). */
  candidateKeys(name: string): string[];
  readonly size: { masters: number; aliases: number; tokens: number };
}

export function createMatcher(masters: MasterRecord[], aliases: KnownAlias[], options: MatchOptions): Matcher {
  const ix = buildIndex(masters, aliases, options);
  const { entries, exactIndex, aliasRaw, normIndex, df } = ix;
  const maxCandidates = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;

  const certain = (e: Entry, method: MatchMethod, rule: string): Candidate => ({
    key: e.key,
    name: e.master,
    score: 1,
    method,
    signals: { via: e.source, ...(e.source === 'alias' ? { alias: e.name } : {}), rule },
  });

  function keysOf(list: Entry[]): string[] {
    return [...new Set(list.map((e) => e.key))].sort();
  }

  /**
   * A name sent to review with these candidates (a rule found it, but cannot tell it is the master); its score is its
   * best candidate's, as a fuzzy decision's is (before: 1 whatever they scored, and `report` showed 1.000 beside a
   * best candidate of 0.600: a known alias from one linked row, suggested at a low score).
   */
  const review = (name: string, candidates: Candidate[], reason: string): NameDecision => ({
    name,
    outcome: 'review',
    targetKey: null,
    method: null,
    score: candidates.length === 0 ? null : Math.max(...candidates.map((c) => c.score)),
    candidates: candidates.slice(0, maxCandidates),
    reason,
  });

  function decisionFor(
    name: string,
    method: MatchMethod,
    list: Entry[],
    rule: string,
    docValues: (string | null)[] | null = null,
  ): NameDecision {
    const cands = bestPerKey(list.map((e) => certain(e, method, rule)));
    const keys = keysOf(list);
    const judged = evidenceModel !== null && docValues !== null ? judgeRuled(keys, evidenceModel, docValues) : null;
    if (judged !== null && 'veto' in judged)
      return review(
        name,
        cands,
        `${rule}, but ${judged.veto.disagree} other column(s) differ and none agrees: a namesake? best candidate ${keys[0]!}`,
      );
    if (judged !== null && 'pick' in judged) {
      const picked = cands.filter((c) => c.key === judged.pick).concat(cands.filter((c) => c.key !== judged.pick));
      return {
        name,
        outcome: 'linked',
        targetKey: judged.pick,
        method,
        score: 1,
        candidates: picked.slice(0, maxCandidates),
        reason: `${rule}: ${keys.length} masters; only ${judged.pick} agrees on the other columns`,
      };
    }
    if (keys.length === 1) {
      return { name, outcome: 'linked', targetKey: keys[0]!, method, score: 1, candidates: cands.slice(0, maxCandidates), reason: rule };
    }
    return {
      name,
      outcome: 'ambiguous',
      targetKey: null,
      method: null,
      score: 1,
      candidates: cands.slice(0, maxCandidates),
      reason: `${rule}: ${keys.length} different masters (${keys
        .slice(0, 5)
        .map((k) =>
          list.some((e) => e.key === k && e.source === 'master')
            ? k
            : `${k} by an alias: ${JSON.stringify(list.find((e) => e.key === k)!.name)}`,
        )
        .join(', ')})`,
    };
  }

  function normLookup(q: NormalizedName, excluded: string | null): Entry[] {
    const ok = (e: Entry): boolean => !(excluded !== null && e.source === 'alias' && e.name === excluded) && aliasFits(q, e);
    if (q.qualifiedKey !== null) {
      const hit = valuesOf(normIndex, q.qualifiedKey).filter(ok);
      if (hit.length > 0) return hit;
    }
    const out: Entry[] = [];
    const seen = new Set<number>();
    for (const k of q.keys) {
      for (const e of valuesOf(normIndex, k)) {
        if (!seen.has(e.id) && ok(e)) {
          seen.add(e.id);
          out.push(e);
        }
      }
    }
    // namesakes one note apart ("Friesen, Heinrich (Kol. Menno, Dorf 7)" beside … (Kol. Fernheim, Dorf 12)): the name's
    // note picks the one that carries it (person-note.ts)
    const noted = out.length > 1 ? out.filter((e) => sameNote(q.original, e.norm.original)) : [];
    return noted.length > 0 ? noted : out;
  }

  const evidenceModel = options.strategy === 'fuzzy' ? createEvidenceModel(masters) : null;

  /** `normalized`: `name` normalised, when the caller has it (each name is normalised once, never cached: issue #21). */
  function run(
    name: string,
    excluded: string | null,
    evidence: EvidenceValues | undefined,
    whole = true,
    normalized?: NormalizedName,
  ): NameDecision {
    const exact = valuesOf(exactIndex, name);
    if (options.strategy === 'exact') {
      if (exact.length === 0) return noCandidate(name, 'no active master has exactly this name');
      return decisionFor(name, 'exact', exact, 'exact name');
    }
    const q = normalized ?? normalizeName(name, { store: false });
    const normHits = normLookup(q, excluded);
    const docValues = evidenceModel === null ? null : documentEvidence(evidence);
    if (exact.length > 0) {
      // An exact hit is only safe if no other master has the same normalised name with an indistinguishable legal
      // form ("Foo" vs "Foo Inc."): such near-duplicate masters make the name ambiguous.
      const exactKeys = new Set(exact.map((e) => e.key));
      const rivals = normHits.filter(
        (e) => e.source === 'master' && !exactKeys.has(e.key) && !legalDistinguishes(q.legalForm, e.norm.legalForm),
      );
      // beside one exactly named master only: a name two masters have exactly is ambiguous under "exact" too
      if (rivals.length > 0)
        return decisionFor(
          name,
          'exact',
          [...exact, ...rivals],
          keysOf(exact).length === 1 ? EXACT_BESIDE_NAMESAKE : 'exact name',
          docValues,
        );
      return decisionFor(name, 'exact', exact, 'exact name', docValues);
    }

    const rawAlias = name === excluded ? [] : valuesOf(aliasRaw, name);
    if (rawAlias.length > 0) {
      // a master of the same normalised name is a rival unless the name's legal form tells it apart (as for an exact
      // hit): 'IRIS TOOLS GMBH', linked to Iris Tools GmbH beside Iris Tools LLC by the legal form, and so learned as
      // an alias of it, was called ambiguous by every later plan
      const aliasKeys = new Set(rawAlias.map((e) => e.key));
      const rivals = normHits.filter(
        (e) => e.source === 'master' && !aliasKeys.has(e.key) && !legalDistinguishes(q.legalForm, e.norm.legalForm),
      );
      const all = [...rawAlias, ...rivals];
      return decisionFor(
        name,
        'alias',
        all,
        keysOf(all).length > 1 && keysOf(rawAlias).length === 1
          ? 'known alias conflicts with a master of the same normalised name'
          : 'known alias (existing FK)',
        docValues,
      );
    }
    let fallThroughDisagree = false;
    if (normHits.length > 0 && q.key.length > 0) {
      const keys = keysOf(normHits);
      const method: MatchMethod = normHits.some((e) => e.source === 'master') ? 'normalized' : 'alias';
      if (keys.length > 1 && q.legalForm !== null) {
        const agree = normHits.filter((e) => e.source === 'master' && e.norm.legalForm === q.legalForm);
        const others = normHits.filter((e) => !agree.includes(e));
        if (keysOf(agree).length === 1 && others.every((e) => legalDistinguishes(q.legalForm, e.norm.legalForm)))
          return decisionFor(name, method, agree, 'normalised name, legal form breaks the tie', docValues);
      }
      if (
        keys.length === 1 &&
        options.strategy === 'fuzzy' &&
        normHits.every(
          (e) => legalAgreement(q.legalForm, e.norm.legalForm) === 'disagree' && !legalTranslated(q.legalForm, e.norm.legalForm),
        )
      ) {
        fallThroughDisagree = true; // same name, different legal form family: let the score (with its penalty) decide
      } else {
        // "Erik Olsen" beside OLSEN, ERIK and OLSEN, ERIK JR: father or son; "Mitsubishi" beside Mitsubishi Corporation
        // and Mitsubishi Chemical Corporation: the group's name as much as either's (equality.ts)
        const namesakes =
          keys.length === 1 ? [...generationOthers(ix, q, normHits), ...(method === 'normalized' ? groupOthers(ix, q, normHits) : [])] : [];
        if (namesakes.length > 0)
          return decisionFor(
            name,
            method,
            [...normHits, ...namesakes],
            'normalised name, and another master is the same name with a generation or more words after it',
            docValues,
          );
        // "University of California" is the name of "University of California, Los Angeles" without its place only:
        // another master holding all its words ("…, Berkeley") is as good a reading of it.
        const placeOnly = q.qualifiedKey === null && normHits.every((e) => e.norm.qualifiedKey !== null && e.norm.qualifiedKey !== q.key);
        const others = placeOnly && keys.length === 1 ? containingOthers(ix, q.tokens, keys[0]!) : [];
        // too common words to look through: not linked on a name that may be any of them
        if (others === null)
          return review(
            name,
            bestPerKey(normHits.map((e) => certain(e, method, 'normalised name without its place'))),
            'normalised name without its place, and too many masters share its words to tell whether another holds them',
          );
        if (others.length > 0)
          return decisionFor(
            name,
            method,
            [...normHits, ...others],
            'normalised name without its place, and other masters hold its words',
            docValues,
          );
        return decisionFor(name, method, normHits, method === 'alias' ? 'known alias (normalised)' : 'normalised name', docValues);
      }
    }
    if (options.strategy === 'normalized' || q.tokens.length === 0)
      return noCandidate(name, 'no master or known alias has the same normalised name');
    // "A dba B": each of the party's names read on its own (trade-names.ts)
    const two = whole ? tradeNames(name) : null;
    if (two !== null)
      return decideTradeNames(name, [run(two[0], excluded, evidence, false), run(two[1], excluded, evidence, false)], options);
    // "BOC Limited (Acct 441190)": the name without the reference after it, when that links (references.ts)
    const cut = whole ? withoutReference(name) : null;
    if (cut !== null) {
      const bare = run(cut.bare, excluded, evidence, false);
      if (bare.outcome === 'linked')
        return {
          ...bare,
          name,
          reason: `${bare.reason} (${JSON.stringify(cut.bare)}, the name without its reference ${JSON.stringify(cut.ref)})`,
        };
    }
    const blocked = block(ix, q, excluded);
    if (fallThroughDisagree) for (const e of normHits) if (!blocked.includes(e)) blocked.push(e);
    const typoOf = readingsOf(ix, soleReading);
    const typo2Of = readingsOf(ix, soleReading2);
    const abbreviationOf = expansionsOf(ix);
    const ranked = bestPerKey(blocked.map((e) => score(ix, q, e, typoOf, typo2Of, abbreviationOf)));
    holdBesideHolder(ranked);
    applyContainment(ix, q, blocked, ranked);
    applyAcronym(ix, name, q, ranked);
    applyTruncation(ix, name, q, ranked, options.nameLength);
    if (evidenceModel !== null && docValues !== null) applyEvidence(ranked, evidenceModel, docValues);
    ranked.sort(compareCandidates);
    return decideFuzzy(name, ranked, options);
  }

  /**
   * A name a known alias of too few rows spells (same normalised key and a legal form that fits it, as aliasFits asks
   * of any alias; MATCH_TUNING.aliasMinRows), where a known alias of more rows would be consulted (no exact hit): linked
   * only where the matcher links it to that master anyway; else sent to review with that master first (its score the
   * foot of the review band: no bulk accept of high scores takes it), or ambiguous, the matcher's master first, where
   * the matcher links it to another.
   */
  function withWeakAliases(name: string, excluded: string | null, d: NameDecision, q: NormalizedName): NameDecision {
    if (ix.weakAliases.size === 0 || name === excluded || valuesOf(exactIndex, name).length > 0) return d;
    const weak = valuesOf(ix.weakAliases, q.key).filter((e) => aliasFits(q, e));
    if (weak.length === 0) return d;
    const keys = keysOf(weak);
    if (d.outcome === 'linked' && keys.length === 1 && d.targetKey === keys[0]) return d;
    const rule = 'known alias (existing FK) of one linked row';
    const low = Math.min(options.reviewAt, 0.99);
    const suggested = bestPerKey(weak.map((e) => ({ ...certain(e, 'alias', rule), score: low })));
    const others = d.candidates.filter((c) => !keys.includes(c.key));
    const w = weak[0]!;
    const why =
      keys.length > 1
        ? `known aliases of ${keys.join(', ')}, each from one linked row`
        : `known alias ${JSON.stringify(w.name)} of ${w.master} (${w.key}) comes from one linked row`;
    // two masters for the name (two such aliases, or the alias and the one the matcher finds): ambiguous
    if (keys.length > 1 || d.outcome === 'linked' || d.outcome === 'ambiguous')
      return {
        ...review(
          name,
          [...others, ...suggested],
          `${why}${d.outcome === 'linked' ? `, and the name matches ${d.targetKey ?? ''}` : ''}: ambiguous`,
        ),
        outcome: 'ambiguous',
      };
    return review(
      name,
      [...suggested, ...others],
      `${why} only: one FK set by hand does not link every row of the name; confirm it in review`,
    );
  }

  /**
   * A document's name normalised once for every step, and not kept in normalizeName's cache: each distinct name is
   * decided once, and the plan's 100 k names cached (up to its 200 k entries) were most of the heap the collector
   * grows to several times its live size (issue #21).
   */
  function decide(name: string, excluded: string | null, evidence: EvidenceValues | undefined): NameDecision {
    const q = normalizeName(name, { store: false });
    return withWeakAliases(name, excluded, titledSpouse(name, q, run(name, excluded, evidence, true, q)), q);
  }

  return {
    match: (name, evidence) => decide(name, null, evidence),
    matchExcluding: (name, excludeAlias, evidence) => decide(name, excludeAlias, evidence),
    candidateKeys(name) {
      const q = normalizeName(name);
      const keys = new Set<string>();
      for (const e of valuesOf(exactIndex, name)) keys.add(e.key);
      for (const e of normLookup(q, null)) keys.add(e.key);
      for (const e of valuesOf(ix.weakAliases, q.key)) keys.add(e.key);
      if (options.strategy === 'fuzzy') for (const e of block(ix, q, null)) keys.add(e.key);
      return [...keys].sort();
    },
    size: { masters: masters.length, aliases: entries.length - masters.length, tokens: df.size },
  };
}
