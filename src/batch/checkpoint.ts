/** A run's checkpoint (fk_backfill.runs.checkpoint): per link, where its walk is (batch.ts). */
export interface LinkCheckpoint {
  /** Last key (apply) or change id (undo) done; null: not started. */
  after: string | null;
  done: boolean;
  /** Rows changed by this run in this link so far. */
  changed: number;
  keys: number;
  batches: number;
  /** Apply: how this link is walked (absent: 'key', as before walks were chosen). */
  walk?: 'key' | 'ctid';
  /** ctid walk: the block the current pass stops before, fixed when the pass starts. */
  end?: number;
  /** ctid walk: 1, or 2 for the catch-up pass over rows that moved behind the first one (see apply.ts). */
  pass?: number;
  /** Apply: the walk(s) ended and the final sweep over rows they passed by has started (see apply.ts). */
  sweep?: boolean;
  /** Parallel apply: the first pass was cut into this many slices, each with its own checkpoint (fk_backfill.run_slices). */
  slices?: number;
  /** A Citus tenant walk inside tenant `tenant` (after `after`), done up to row key `key` (LinkWalk.part). */
  part?: { tenant: string; key: string };
}

export interface Checkpoint {
  links: Record<string, LinkCheckpoint>;
}

export const DEFAULT_BATCH_SIZE = 20_000;
export const DEFAULT_TARGET_MS = 1000;

export function emptyLinkCheckpoint(): LinkCheckpoint {
  return { after: null, done: false, changed: 0, keys: 0, batches: 0 };
}

export function parseCheckpoint(raw: unknown): Checkpoint {
  const c = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Partial<Checkpoint> | null;
  return { links: { ...(c?.links ?? {}) } };
}
