/** What discover takes and returns (proposals, weak ones, rejected columns, with their evidence), and the catalog as it reads it. */
import type { ConfigDraft, LinkDraft } from '../config/schema.js';

export interface DiscoverOptions {
  /** Only these schemas (default: every non-system schema except fk_backfill). */
  schemas?: readonly string[];
  /** Source rows sampled per overlap check (default 2000). */
  sample?: number;
  /** Proposals below this confidence are listed as weak, never written (default 0.6). */
  minConfidence?: number;
}

/** `target.active`: a boolean column (true = active) or a predicate on a column (a status column: values it must not hold). */
export type ActiveOne =
  string | { column: string; activeWhen: boolean | 'null' | 'notNull' | 'notPast' | 'notFuture' | { in: string[] } | { notIn: string[] } };
/** One predicate, or several that must all hold (a soft-delete timestamp beside a status), as `target.active` takes them. */
export type ActiveProposal = ActiveOne | ActiveOne[];

export interface Overlap {
  sampled: number;
  found: number;
  ratio: number | null;
  /**
   * Names only: of the sample's distinct spellings, those that are a master's name as written (`exact`) and once
   * trimmed and case-folded (`folded`): where folded finds more, `"match": "exact"` would leave those rows unlinked.
   */
  spellings?: { all: number; exact: number; folded: number };
}

export interface Evidence {
  /** Name of an FK constraint already linking the columns. */
  constraint: string | null;
  /** How the column and table names line up. */
  naming: string;
  /** Sampled distinct source names (case/space-folded) found among the target's names. */
  overlap: Overlap;
  /** Sampled values already in the FK column that are keys of the target. */
  keys: Overlap;
}

/** Why a shared column is, or is not, a scope column of a link. */
export interface ScopeVerdict {
  column: string;
  scope: boolean;
  reason: string;
}

export interface Proposal {
  entity: string;
  source: string;
  fk: string;
  fkType: string;
  name: string;
  target: string;
  /** The column the FK points at (with the scope, unique in the target). */
  targetKey: string;
  targetName: string;
  scope: string[];
  /** Every column both tables share that was considered for scope, with the verdict. */
  scopeEvidence: ScopeVerdict[];
  active: ActiveProposal | null;
  /** Why that predicate (and the other active/soft-delete/status columns seen on the target). */
  activeEvidence: string[];
  /** The link's own `active` (documents that count) from the source's soft-delete columns, and why; absent: none proposed. */
  sourceActive?: ActiveProposal;
  sourceActiveEvidence?: string[];
  /** Why the link's `match` is proposed (`normalized`: names the masters hold in another case); absent: the default, exact. */
  matchEvidence?: string;
  document: string | null;
  amount: string | null;
  evidence: Evidence;
  confidence: number;
  link: LinkDraft;
}

/** Plausible but not confident: listed, never written into the config. */
export interface Weak extends Omit<Proposal, 'link'> {
  /** Why it is not confident. */
  why: string[];
  /** What would confirm it. */
  confirm: string[];
  link: LinkDraft;
}

export interface Rejected {
  source: string;
  column: string;
  reason: string;
}

export interface DiscoverResult {
  schemas: string[];
  /** Confident links: exactly what the written config holds. */
  proposals: Proposal[];
  weak: Weak[];
  rejected: Rejected[];
  /** A config `plan` accepts unchanged (validated through parseConfig); null when nothing was found. */
  config: ConfigDraft | null;
  /** What to read first: tables row-level security shows the role no row of (their samples are empty). Absent: none. */
  notices?: string[];
}

export interface Col {
  name: string;
  type: string;
  base: string;
  category: string;
  notNull: boolean;
  identity: string;
  generated: string;
  /** The role running discover may SELECT it (a least-privilege role's unreadable tables are rejected, not sampled). */
  readable: boolean;
}

export interface Index {
  columns: string[];
  primary: boolean;
  unique: boolean;
  partial: boolean;
  expr: boolean;
}

export interface Tbl {
  schema: string;
  table: string;
  oid: number;
  cols: Map<string, Col>;
  order: string[];
  /** Primary key columns (or a unique index over NOT NULL columns), null when neither. */
  pk: string[] | null;
  indexes: Index[];
  sql: string;
  ref: string;
}

export interface Fk {
  oid: number;
  refOid: number;
  name: string;
  columns: string[];
  refColumns: string[];
}

export type Level = 'exact' | 'role' | 'tail' | 'abbreviated' | 'initials';

export interface Candidate {
  tgt: Tbl;
  /** The target column the FK points at. */
  key: string;
  /** Columns the key is unique together with (they must be scope columns). */
  with: string[];
  constraint: Fk | null;
  level: Level | null;
}

/** A proposal in the making (before confidence decides where it goes). */
export interface Draft extends Omit<Weak, 'entity'> {
  entity: string;
  confident: boolean;
}
