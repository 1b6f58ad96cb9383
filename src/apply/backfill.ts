import { formatRate } from '../plan/decide.js';
import { applyIn } from './apply.js';
import { noticesOf, prepare, type CommonOptions } from '../context/context.js';
import { BackfillError } from '../errors.js';
import { planIn, type EntityResult, type SeedSummaryFields } from '../planning/plan.js';

export type EntityType = 'sales_order' | 'sales_invoice' | 'purchase_order' | 'purchase_bill' | (string & {});

/** The seed's options (Axis `backfillForeignKeys`), plus fk-backfill's common options. */
export interface BackfillOptions extends Omit<CommonOptions, 'tenantId' | 'entities'> {
  tenantId: string | null;
  /** Default true: nothing is written to user tables. */
  dryRun?: boolean;
  userId?: string | null;
  entities?: EntityType[];
  maxUnmatchedRecords?: number;
}

/** The seed's result shape, plus `runId` / `planRunId` and per-entity extras. */
export interface BackfillSummary extends SeedSummaryFields {
  tenantId: string | null;
  results: EntityResult[];
  planRunId: string;
  runId: string;
  /**
   * What the user should read before trusting the numbers, as `plan`, `apply` and the CLI give them (the built-in links
   * in use, a soft-delete column the active predicate leaves out, a trigger that overwrites updated_at…). Absent: none.
   */
  notices?: string[];
}

/**
 * Drop-in for the seed's service: dry run by default; a live run applies the plan in one transaction
 * and logs every change (so `undo` can revert it).
 */
export async function backfillForeignKeys(db: unknown, options: BackfillOptions): Promise<BackfillSummary> {
  const given: unknown = options.dryRun;
  // a JavaScript caller's '' or 0 (an empty query-string value) was falsy: a live run nobody asked for
  if (given !== undefined && given !== null && typeof given !== 'boolean') {
    throw new BackfillError('USAGE', `dryRun must be true or false (got ${JSON.stringify(given) ?? String(given)}); nothing was run`);
  }
  const dryRun = options.dryRun ?? true;
  const executedAt = new Date().toISOString();
  const executedBy = options.userId ?? null;
  const ctx = await prepare(
    db,
    {
      tenantId: options.tenantId,
      ...(options.allTenants !== undefined ? { allTenants: options.allTenants } : {}),
      ...(options.config !== undefined ? { config: options.config } : {}),
      ...(options.entities !== undefined ? { entities: options.entities } : {}),
    },
    { tenant: 'required' },
  );
  const planOpts = {
    executedBy,
    ...(options.maxUnmatchedRecords !== undefined ? { maxUnmatchedRecords: options.maxUnmatchedRecords } : {}),
  };
  let results: EntityResult[];
  let planRunId: string;
  let runId: string;
  if (dryRun) {
    const p = await planIn(ctx, planOpts);
    results = p.results;
    planRunId = runId = p.runId;
  } else {
    const a = await applyIn(ctx, planOpts);
    const p = a.plan!;
    results = p.results.map((r) => {
      const applied = a.results.find((x) => x.entityType === r.entityType);
      return { ...r, recordsUpdated: applied?.updated ?? 0, recordsSkipped: applied?.skipped ?? 0 };
    });
    planRunId = a.planRunId;
    runId = a.runId;
  }
  const processed = results.reduce((s, r) => s + r.recordsWithNullFK, 0);
  const matched = results.reduce((s, r) => s + r.recordsMatched, 0);
  return {
    tenantId: ctx.filter.tenant,
    dryRun,
    executedAt,
    executedBy,
    totalRecordsProcessed: processed,
    totalRecordsUpdated: results.reduce((s, r) => s + r.recordsUpdated, 0),
    overallMatchRate: formatRate(matched, processed),
    results,
    planRunId,
    runId,
    ...noticesOf(ctx),
  };
}
