import type { Candidate, MatchOptions, MatchStrategy, NameDecision } from './types.js';

/**
 * Defaults. `exact` keeps the seed's semantics (no thresholds apply). The fuzzy thresholds were chosen from
 * `npm run bench:accuracy` (see docs/matching.md): the lowest auto-link score that keeps auto-link precision
 * >= 99.5 % with zero ambiguous and zero cross-tenant auto-links, plus a safety buffer.
 */
export const DEFAULT_MATCH_OPTIONS: Record<MatchStrategy, MatchOptions> = {
  exact: { strategy: 'exact', autoLinkAt: 1, reviewAt: 1, margin: 0, maxCandidates: 5 },
  normalized: { strategy: 'normalized', autoLinkAt: 1, reviewAt: 1, margin: 0, maxCandidates: 5 },
  fuzzy: { strategy: 'fuzzy', autoLinkAt: 0.88, reviewAt: 0.6, margin: 0.05, maxCandidates: 5 },
};

export const DEFAULT_MAX_CANDIDATES = 5;

/** Deterministic candidate order: score desc, then name, then key. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return 0;
}

/** Keep the best candidate per key, sorted deterministically. */
export function bestPerKey(cands: Candidate[]): Candidate[] {
  const sorted = [...cands].sort(compareCandidates);
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const c of sorted) {
    if (seen.has(c.key)) continue;
    seen.add(c.key);
    out.push(c);
  }
  return out;
}

const fmt = (x: number): string => x.toFixed(3);
/** `x` as it compares with `limit`: a fourth decimal where three would print them equal ("0.8799 below 0.880"). */
const fmtBelow = (x: number, limit: number): string => (fmt(x) === fmt(limit) && x < limit ? x.toFixed(4) : fmt(x));

/** A name with no candidate at all: unmatched, nothing listed, and why. */
export function noCandidate(name: string, reason: string): NameDecision {
  return { name, outcome: 'unmatched', targetKey: null, method: null, score: null, candidates: [], reason };
}

/** A scored candidate that holds every word of the name (exactly or near), whatever words it adds. */
function holdsAllWords(c: Candidate): boolean {
  return c.signals['unmatchedName'] === '' && typeof c.signals['unmatchedMaster'] === 'string';
}

/** Why a candidate is for review only, whatever autoLinkAt is. */
function capReason(best: Candidate): string {
  if (best.signals['acronym'] !== undefined) return 'an acronym of its words';
  if (best.signals['reordered'] === true) return 'words reordered';
  if (best.signals['wordConflict'] === true) return 'a word differs on both sides';
  if (best.signals['generation'] !== undefined) return `its initials read ${String(best.signals['generation'])} too, a generation apart`;
  return 'it leaves out a word that tells this master from others';
}

/**
 * Decide the outcome for scored candidates (already one per key, sorted by {@link compareCandidates}).
 * linked:    best >= autoLinkAt and best - runnerUp >= margin (runner-up = best candidate with a different key)
 * ambiguous: best and runner-up both >= reviewAt and closer than margin
 * review:    best >= reviewAt
 * unmatched: otherwise (best candidates still listed)
 */
export function decideFuzzy(name: string, ranked: Candidate[], options: MatchOptions): NameDecision {
  const max = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const listed = ranked.filter((c) => c.score > 0).slice(0, max);
  const best = ranked[0];
  if (!best || best.score <= 0) return noCandidate(name, 'no candidate shares a token or near-token with this name');
  const runner = ranked.find((c) => c.key !== best.key);
  const runnerScore = runner ? runner.score : 0;
  const gap = best.score - runnerScore;
  const gapOk = runner === undefined ? true : gap >= options.margin - 1e-9 && gap > 1e-9;
  // Siblings ("… Sezione matematica" / "… Sezione costruzioni") and reorderings the scope does not vouch for are capped
  // for review: never auto-linked, whatever autoLinkAt is (a threshold at or below the cap used to link them).
  const capped =
    ((best.signals['wordConflict'] === true || best.signals['reordered'] === true || best.signals['droppedWord'] !== undefined) &&
      best.signals['containment'] === undefined) ||
    (best.signals['acronym'] !== undefined && best.signals['acronymSole'] !== true) ||
    best.signals['generation'] !== undefined;
  // The name's words all in the best master, which has more, and all in another master too ("Holy Family Westbury" /
  // Holy Family Parish, Westbury beside Holy Family Catholic School, Westbury): it tells the two apart only by what
  // it lacks, which is no evidence of either. Two masters, as when they score alike.
  const alsoContains =
    runner !== undefined &&
    runnerScore >= options.reviewAt &&
    holdsAllWords(best) &&
    best.signals['unmatchedMaster'] !== '' &&
    holdsAllWords(runner) &&
    best.signals['containment'] === undefined;
  if (alsoContains && best.score >= options.autoLinkAt && gapOk && !capped)
    return {
      name,
      outcome: 'ambiguous',
      targetKey: null,
      method: null,
      score: best.score,
      candidates: listed,
      reason: `every word of the name is in ${best.key} (${fmt(best.score)}) and in ${runner.key} (${fmt(runnerScore)}), each with words the name lacks`,
    };
  if (best.score >= options.autoLinkAt && gapOk && !capped) {
    return {
      name,
      outcome: 'linked',
      targetKey: best.key,
      method: best.method,
      score: best.score,
      candidates: listed,
      reason:
        `score ${fmt(best.score)} >= autoLinkAt ${fmt(options.autoLinkAt)}` +
        (runner ? `, gap ${fmt(gap)} to runner-up ${runner.key} >= margin ${fmt(options.margin)}` : ', no runner-up'),
    };
  }
  if (runner && best.score >= options.reviewAt && runnerScore >= options.reviewAt && !gapOk) {
    return {
      name,
      outcome: 'ambiguous',
      targetKey: null,
      method: null,
      score: best.score,
      candidates: listed,
      reason: `${best.key} (${fmt(best.score)}) and ${runner.key} (${fmt(runnerScore)}) are within margin ${fmt(options.margin)}`,
    };
  }
  if (best.score >= options.reviewAt) {
    const why =
      capped && best.score >= options.autoLinkAt && gapOk
        ? `${capReason(best)}: review only`
        : best.score >= options.autoLinkAt
          ? `runner-up ${runner?.key ?? ''} within margin ${fmt(options.margin)}`
          : `score ${fmtBelow(best.score, options.autoLinkAt)} below autoLinkAt ${fmt(options.autoLinkAt)}`;
    return {
      name,
      outcome: 'review',
      targetKey: null,
      method: null,
      score: best.score,
      candidates: listed,
      reason: `${why}; best candidate ${best.key}`,
    };
  }
  return {
    name,
    outcome: 'unmatched',
    targetKey: null,
    method: null,
    score: best.score,
    candidates: listed,
    reason: `best score ${fmtBelow(best.score, options.reviewAt)} below reviewAt ${fmt(options.reviewAt)}`,
  };
}
