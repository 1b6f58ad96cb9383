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
export { foldDigraphs, isGenericToken, legalAgreement, legalFamily, normalizeName } from './normalize.js';
export { damerauLevenshtein, jaroWinkler, levenshtein, levenshteinSimilarity, metaphone, phoneticMatch } from './similarity.js';
export { MATCH_TUNING, createMatcher, estimateAccuracy, isAbbreviation, reconcileJoins, tokenSimilarity } from './matcher.js';
export type { AccuracyEstimate, Matcher } from './matcher.js';
export { EVIDENCE_TUNING, normalizeEvidence } from './evidence.js';
export { explainScore } from './explain.js';
export type { Contribution } from './explain.js';
