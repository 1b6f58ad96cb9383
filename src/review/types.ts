/** The review queue's shapes: bands, filters, items with their candidates and decisions, counts and facets. */
import type { DecisionAction } from '../plan/decide.js';
import type { Facet, QueueSort } from '../sql/review.js';
import type { Contribution } from '../match/index.js';
import type { CommonOptions } from '../context/context.js';

export type Band = 'review' | 'ambiguous' | 'unmatched';
export const BANDS: readonly Band[] = ['review', 'ambiguous', 'unmatched'];
export const DECISION_VALUES = ['alias', 'never', 'create', 'none'] as const;

export interface QueueFilter {
  /** Entity names (links); default all configured. */
  links?: readonly string[] | undefined;
  /** Only this value of the first scope column (within the scope the queue was opened for). */
  tenant?: string | undefined;
  /** Only these values of the first scope column. */
  tenants?: readonly string[] | undefined;
  bands?: readonly Band[] | undefined;
  minScore?: number | undefined;
  maxScore?: number | undefined;
  search?: string | undefined;
  /** open = without a decision; decided = with one; all (default). */
  state?: 'all' | 'open' | 'decided' | undefined;
  /** Decision in force: alias, never, create, or none (open). */
  decisions?: readonly (typeof DECISION_VALUES)[number][] | undefined;
}

export interface ReviewQueueOptions extends CommonOptions {
  filter?: QueueFilter;
  /** Use this plan run; default: the latest done plan for this config and scope, else a new plan. */
  planRunId?: string;
  /** Always plan anew. */
  fresh?: boolean;
  /** Names per page (default 500). */
  limit?: number;
  /** Names skipped before the page (default 0). */
  offset?: number;
  /** Default: amount when every link has an amount column, else rows. */
  sort?: QueueSort;
  /** Default true (largest first), except for name (A→Z). */
  desc?: boolean;
  /** Document numbers shown per name (default 3). */
  samples?: number;
  executedBy?: string | null;
}

export interface QueueCandidate {
  key: string;
  name: string;
  score: number | null;
  method: string | null;
  number: string | null;
  active: boolean;
  signals: Record<string, unknown>;
  /** Each signal's share of the score (a waterfall that adds up to it). */
  contributions: Contribution[];
  /**
   * Rows already linked to this master (every link to its table, same scope): given for candidates
   * whose name another candidate of the same name shares, so duplicates can be told apart.
   */
  linkedRows?: number;
}

export interface DecisionRecord {
  id: string;
  action: DecisionAction;
  targetKey: string | null;
  decidedBy: string | null;
  decidedAt: string;
}

export interface MasterRef {
  key: string;
  name: string;
  number: string | null;
  active: boolean;
}

export interface QueueItem {
  /** Position in the whole filtered, sorted queue (0-based). */
  pos: number;
  link: string;
  table: string;
  scopeKey: (string | null)[];
  name: string;
  outcome: Band;
  score: number | null;
  reason: string | null;
  rows: number;
  amount: number | null;
  sampleDocuments: string[];
  candidates: QueueCandidate[];
  decision: (DecisionRecord & { target: MasterRef | null }) | null;
}

/** Decided / remaining under every selection but the state's (so a state filter does not zero them). */
export interface QueueCounts {
  names: number;
  decided: number;
  remaining: number;
  rows: number;
  rowsDecided: number;
  rowsRemaining: number;
}

export interface FacetValue {
  value: string;
  names: number;
  rows: number;
}

export interface ReviewQueue {
  planRunId: string;
  tenantId: string | null;
  /** Links in the queue with their thresholds (for score bars and bulk accept). */
  links: { entity: string; table: string; strategy: string; autoLinkAt: number; reviewAt: number; amount: boolean }[];
  /** Every first-scope value present in the queue. */
  tenants: string[];
  items: QueueItem[];
  counts: QueueCounts;
  /** Names matching every selection (what the pages walk). */
  total: number;
  totalRows: number;
  /** The whole queue before any selection (search and score range still apply). */
  queue: { names: number; rows: number };
  /** Per facet, the values present with their counts (other facets' selections applied, not its own). */
  facets: Record<Facet, FacetValue[]>;
  offset: number;
  limit: number;
  sort: QueueSort;
  desc: boolean;
  /** More names match than this page shows. */
  truncated: boolean;
}
