/** Matching engine: pure code (no database). See docs/matching.md. */
export type {
  Candidate,
  EvidenceValues,
  KnownAlias,
  MasterRecord,
  MatchMethod,
  MatchOptions,
  MatchStrategy,
  NameDecision,
  NormalizedName,
  Outcome,
} from './types.js';
export { DEFAULT_MATCH_OPTIONS, DEFAULT_MAX_CANDIDATES, bestPerKey, compareCandidates, decideFuzzy } from './decide.js';
export { foldDigraphs, isGenericToken, legalAgreement, legalFamily, nameWords, normalizeName, sameNormalisedName } from './normalize.js';
export { damerauLevenshtein, jaroWinkler, levenshtein, levenshteinSimilarity, metaphone, phoneticMatch } from './similarity.js';
export { MATCH_TUNING } from './tuning.js';
export { expandInitials, isAbbreviation, reconcileJoins, tokenSimilarity } from './tokens.js';
export { createMatcher } from './matcher.js';
export type { Matcher } from './matcher.js';
export { estimateAccuracy } from './accuracy.js';
export type { AccuracyEstimate } from './accuracy.js';
export { EVIDENCE_TUNING, normalizeEvidence } from './evidence.js';
export { explainScore } from './explain.js';
export type { Contribution } from './explain.js';
