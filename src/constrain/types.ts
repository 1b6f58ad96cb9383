/** What constrain takes and returns: options, the steps it runs per link, orphans found. */
import type { ConstrainNames } from '../sql/constrain.js';
import type { CommonOptions } from '../context/context.js';

export interface ConstrainOptions extends CommonOptions {
  /** Print the SQL, change nothing (the orphan scan still runs: it only reads). */
  dryRun?: boolean;
  /** Composite FK (scope…, fk) → target (scope…, key): the database refuses cross-tenant links. */
  tenantSafe?: boolean;
  /** SET NOT NULL once no NULL FK remains. */
  notNull?: boolean;
  /** lock_timeout of every step but the index build or drop CONCURRENTLY, which waits up to INDEX_WAIT_MS or this (default 5s). */
  lockTimeout?: string;
  /** Rows per orphan-scan batch (default 50 000). */
  batchSize?: number;
  executedBy?: string;
  /** Called when a step starts (CLI progress, tests measuring what runs when). */
  onStep?: (e: { entityType: string; step: StepName; phase: 'start' | 'end'; at: number }) => void;
}

export type StepName = 'orphan-scan' | 'unique' | 'index' | 'foreign-key' | 'validate' | 'not-null';

export interface ConstrainStep {
  step: StepName;
  status: 'done' | 'skipped' | 'planned';
  detail: string;
  /** The exact statements (run, or to run with --dry-run). */
  sql: string[];
  ms?: number;
  /** Asked for and not done (`--not-null` with NULL rows left): the CLI exits 1. Present only then. */
  unmet?: true;
}

export interface OrphanSample {
  key: string;
  fk: string;
  scope: string[];
}

export interface LinkConstrain {
  entityType: string;
  table: string;
  fk: string;
  target: string;
  names: ConstrainNames;
  scanned: number;
  /** Rows whose FK points to no master. */
  orphans: number;
  /** The distinct masters they point to, missing (the FK value, with the scope under --tenant-safe). */
  orphanValues: number;
  /** More distinct missing masters than constrain counts (MISSING_COUNTED): orphanValues is a lower bound. */
  orphanValuesCapped: boolean;
  orphanSample: OrphanSample[];
  steps: ConstrainStep[];
  /** Something was (or, in a dry run, would be) changed for this link. */
  changed: boolean;
}

export interface ConstrainResult {
  dryRun: boolean;
  tenantSafe: boolean;
  runId: string | null;
  /** No link needed anything: everything asked for is already in place. */
  nothingToDo: boolean;
  links: LinkConstrain[];
}
