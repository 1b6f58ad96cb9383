/** Public types of the matching engine. Pure data: no database, no I/O. */

export type MatchStrategy = 'exact' | 'normalized' | 'fuzzy';

/** An active master record of ONE scope (tenant). */
export interface MasterRecord {
  key: string;
  name: string;
  /** Values of the link's `compare` columns on the master, in config order (null: unknown). See evidence.ts. */
  evidence?: EvidenceValues | undefined;
}

/** Values of a link's `compare` columns, in config order; null or empty: unknown. */
export type EvidenceValues = readonly (string | null)[];

/** A name already linked (via an existing FK) to master `key` in this scope; `rows` = how many rows carry it. */
export interface KnownAlias {
  name: string;
  key: string;
  rows: number;
}

export interface MatchOptions {
  strategy: MatchStrategy;
  /** Score at or above which a fuzzy candidate is auto-linked. */
  autoLinkAt: number;
  /** Lower bound of the review band. */
  reviewAt: number;
  /** Minimum gap between the best candidate and the best candidate of a different key. */
  margin: number;
  /** Candidates listed per decision (default 5). */
  maxCandidates?: number;
  /**
   * The document name column's length: declared (`varchar(40)`), or the one the source's longest names share. A name
   * of exactly this length that is the start of one master's name only was cut there (truncation.ts).
   */
  nameLength?: number;
}

export type MatchMethod = 'exact' | 'normalized' | 'alias' | 'fuzzy';
export type Outcome = 'linked' | 'review' | 'ambiguous' | 'unmatched';

export interface Candidate {
  key: string;
  name: string;
  score: number;
  method: MatchMethod;
  signals: Record<string, number | string | boolean>;
}

export interface NameDecision {
  name: string;
  outcome: Outcome;
  targetKey: string | null;
  method: MatchMethod | null;
  score: number | null;
  candidates: Candidate[];
  reason: string;
}

/** Result of {@link normalizeName}. The original is kept; keys/tokens are for blocking and scoring only. */
export interface NormalizedName {
  original: string;
  /** Normalised comparison key: tokens joined by one space (legal form, leading noise, trailing city removed). */
  key: string;
  /** All equality keys (the key plus its umlaut variants, e.g. "muller" and "mueller"), key first. */
  keys: string[];
  /** Key before a trailing ", City" was removed, or null when no city was removed. */
  qualifiedKey: string | null;
  tokens: string[];
  /** `key` without spaces ("akzo nobel" -> "akzonobel"). */
  compact: string;
  /** Canonical legal form ("gmbh", "inc", "co ltd", ...) or null. */
  legalForm: string | null;
  /** Which normalisation rules fired (for explanations). */
  rules: string[];
  /** Tokens of two or three letters written with a period after them ("Gen.", "Lk."): abbreviations by the writer's own mark. */
  marked?: string[];
  /** The compact name with its web address as written ("bookingcom" for `Booking.com B.V.`; web-address.ts). */
  writtenCompact?: string;
}
