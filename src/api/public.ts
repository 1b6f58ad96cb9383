/**
 * The library's calls as `index.ts` exports them: each checks its option objects' keys first (src/api/strict.ts), so
 * a misspelt or misplaced option (`dryRun` given to `apply`, `planId` for `planRunId`) is USAGE, nothing run, not
 * ignored. One table per call; `Keys<T>` makes the compiler hold each table to the call's option type.
 */
import { apply as applyImpl, resumeApply as resumeApplyImpl, type ApplyOptions, type ResumeApplyOptions } from '../apply/apply.js';
import { backfillForeignKeys as backfillImpl, type BackfillOptions } from '../apply/backfill.js';
import type { BatchOptions } from '../batch/options.js';
import { constrain as constrainImpl } from '../constrain/constrain.js';
import type { ConstrainOptions } from '../constrain/types.js';
import type { CommonOptions } from '../context/context.js';
import { adapt, openDatabase as openDatabaseImpl } from '../db/index.js';
import { runDemo as runDemoImpl } from '../demo/run.js';
import { discover as discoverImpl } from '../discover/discover.js';
import type { DiscoverOptions } from '../discover/types.js';
import { drift as driftImpl, type DriftOptions } from '../guard/drift.js';
import { guardStatus as guardStatusImpl, installGuard as installGuardImpl, removeGuard as removeGuardImpl } from '../guard/guard.js';
import type { GuardInstallOptions } from '../guard/guard.js';
import { createMasters as createMastersImpl, proposeMasters as proposeMastersImpl, type ProposeOptions } from '../masters/masters.js';
import { plan as planImpl, type PlanOptions } from '../planning/plan.js';
import { report as reportImpl } from '../render/report.js';
import { runReport as runReportImpl } from '../report/report.js';
import { revenueReport as revenueReportImpl, type RevenueOptions } from '../report/revenue.js';
import { bulkAccept as bulkAcceptImpl } from '../review/bulk.js';
import { exportQueueCsv as exportQueueCsvImpl, importDecisionsCsv as importDecisionsCsvImpl } from '../review/csv.js';
import { decide as decideImpl, revokeDecision as revokeDecisionImpl, type DecideInput } from '../review/decide.js';
import { reviewCounts as reviewCountsImpl, reviewQueue as reviewQueueImpl } from '../review/queue.js';
import { startReviewServer as startReviewServerImpl, type ReviewServerOptions } from '../review/server.js';
import type { QueueFilter, ReviewQueueOptions } from '../review/types.js';
import { status as statusImpl } from '../status/status.js';
import { migrate as migrateImpl } from '../store/migrate.js';
import { getRun as getRunImpl, listRuns as listRunsImpl, type RunRecord } from '../store/runs.js';
import { undo as undoImpl, resumeUndo as resumeUndoImpl, type ResumeUndoOptions, type UndoOptions } from '../undo/undo.js';
import { verify as verifyImpl } from '../verify/verify.js';
import { type ArgSpec, type Keys, strict } from './strict.js';

type Opts<F extends (...a: never[]) => unknown, N extends number> = NonNullable<Parameters<F>[N]>;

const COMMON: Keys<CommonOptions> = { config: true, tenantId: true, allTenants: true, entities: true };
const BATCH: Keys<BatchOptions> = {
  batchSize: true,
  targetBatchMs: true,
  minBatchSize: true,
  maxBatchSize: true,
  lockTimeoutMs: true,
  statementTimeoutMs: true,
  lockRetries: true,
  backoffMs: true,
  maxRate: true,
  pauseMs: true,
  walk: true,
  reconnectAttempts: true,
  reconnectBackoffMs: true,
  parallel: true,
  autoParallelMinRows: true,
  signal: true,
  onProgress: true,
};
const FILTER: Keys<QueueFilter> = {
  links: true,
  tenant: true,
  tenants: true,
  bands: true,
  minScore: true,
  maxScore: true,
  search: true,
  state: true,
  decisions: true,
};
const QUEUE: Keys<ReviewQueueOptions> = {
  ...COMMON,
  filter: true,
  planRunId: true,
  fresh: true,
  limit: true,
  offset: true,
  sort: true,
  desc: true,
  samples: true,
  executedBy: true,
};

const opts = (keys: Readonly<Record<string, true>>, arg = 1, required = false): ArgSpec => ({ arg, what: 'options', keys, required });
const withFilter = (keys: Readonly<Record<string, true>>, required = false): ArgSpec => ({
  ...opts(keys, 1, required),
  nested: { filter: FILTER },
});

export const openDatabase: typeof openDatabaseImpl = strict(
  'openDatabase',
  openDatabaseImpl,
  opts({ create: true, connections: true } satisfies Keys<Opts<typeof openDatabaseImpl, 1>>),
);
export const backfillForeignKeys: typeof backfillImpl = strict(
  'backfillForeignKeys',
  backfillImpl,
  opts(
    {
      config: true,
      allTenants: true,
      tenantId: true,
      dryRun: true,
      userId: true,
      entities: true,
      maxUnmatchedRecords: true,
    } satisfies Keys<BackfillOptions>,
    1,
    true,
  ),
);
export const status: typeof statusImpl = strict('status', statusImpl, opts(COMMON));
export const plan: typeof planImpl = strict(
  'plan',
  planImpl,
  opts({ ...COMMON, executedBy: true, maxUnmatchedRecords: true, signal: true } satisfies Keys<PlanOptions>),
);
export const apply: typeof applyImpl = strict(
  'apply',
  applyImpl,
  opts({
    ...COMMON,
    ...BATCH,
    planRunId: true,
    executedBy: true,
    maxUnmatchedRecords: true,
    singleTransaction: true,
  } satisfies Keys<ApplyOptions>),
);
export const resumeApply: typeof resumeApplyImpl = strict(
  'resumeApply',
  resumeApplyImpl,
  opts({ ...BATCH, runId: true, tenantId: true, allTenants: true } satisfies Keys<ResumeApplyOptions>, 1, true),
);
export const undo: typeof undoImpl = strict(
  'undo',
  undoImpl,
  opts({ ...BATCH, entities: true, runId: true, executedBy: true, singleTransaction: true } satisfies Keys<UndoOptions>, 1, true),
);
export const resumeUndo: typeof resumeUndoImpl = strict(
  'resumeUndo',
  resumeUndoImpl,
  opts({ ...BATCH, runId: true } satisfies Keys<ResumeUndoOptions>, 1, true),
);
export const verify: typeof verifyImpl = strict('verify', verifyImpl, opts(COMMON));
export const discover: typeof discoverImpl = strict(
  'discover',
  discoverImpl,
  opts({ schemas: true, sample: true, minConfidence: true } satisfies Keys<DiscoverOptions>),
);
export const constrain: typeof constrainImpl = strict(
  'constrain',
  constrainImpl,
  opts({
    ...COMMON,
    dryRun: true,
    tenantSafe: true,
    notNull: true,
    lockTimeout: true,
    batchSize: true,
    executedBy: true,
    onStep: true,
  } satisfies Keys<ConstrainOptions>),
);
export const drift: typeof driftImpl = strict('drift', driftImpl, opts({ ...COMMON, limit: true } satisfies Keys<DriftOptions>));
export const installGuard: typeof installGuardImpl = strict(
  'installGuard',
  installGuardImpl,
  opts({ config: true, entities: true, executedBy: true, lockTimeoutMs: true } satisfies Keys<GuardInstallOptions>),
);
export const guardStatus: typeof guardStatusImpl = strict(
  'guardStatus',
  guardStatusImpl,
  opts({ config: true, entities: true } satisfies Keys<Opts<typeof guardStatusImpl, 1>>),
);
export const removeGuard: typeof removeGuardImpl = strict(
  'removeGuard',
  removeGuardImpl,
  opts({ entities: true, lockTimeoutMs: true } satisfies Keys<Opts<typeof removeGuardImpl, 1>>),
);
export const reviewQueue: typeof reviewQueueImpl = strict('reviewQueue', reviewQueueImpl, withFilter(QUEUE));
export const reviewCounts: typeof reviewCountsImpl = strict('reviewCounts', reviewCountsImpl, withFilter(QUEUE));
export const exportQueueCsv: typeof exportQueueCsvImpl = strict('exportQueueCsv', exportQueueCsvImpl, withFilter(QUEUE));
export const importDecisionsCsv: typeof importDecisionsCsvImpl = strict(
  'importDecisionsCsv',
  importDecisionsCsvImpl,
  opts({ ...COMMON, by: true } satisfies Keys<Opts<typeof importDecisionsCsvImpl, 2>>, 2, true),
);
export const decide: typeof decideImpl = strict(
  'decide',
  decideImpl,
  opts(
    { link: true, scopeKey: true, name: true, action: true, targetKey: true, by: true, config: true } satisfies Keys<
      DecideInput & { config?: unknown }
    >,
    1,
    true,
  ),
);
export const revokeDecision: typeof revokeDecisionImpl = strict(
  'revokeDecision',
  revokeDecisionImpl,
  opts({ id: true, by: true } satisfies Keys<Opts<typeof revokeDecisionImpl, 1>>, 1, true),
);
export const bulkAccept: typeof bulkAcceptImpl = strict(
  'bulkAccept',
  bulkAcceptImpl,
  withFilter({ ...COMMON, filter: true, minScore: true, by: true, planRunId: true } satisfies Keys<Opts<typeof bulkAcceptImpl, 1>>, true),
);
export const proposeMasters: typeof proposeMastersImpl = strict(
  'proposeMasters',
  proposeMastersImpl,
  opts({ ...COMMON, executedBy: true } satisfies Keys<ProposeOptions>),
);
export const createMasters: typeof createMastersImpl = strict(
  'createMasters',
  createMastersImpl,
  opts({ ...COMMON, proposals: true, by: true } satisfies Keys<Opts<typeof createMastersImpl, 1>>, 1, true),
);
export const revenueReport: typeof revenueReportImpl = strict(
  'revenueReport',
  revenueReportImpl,
  opts({ ...COMMON, limit: true } satisfies Keys<RevenueOptions>),
);
export const runReport: typeof runReportImpl = strict(
  'runReport',
  runReportImpl,
  opts({ runId: true, maxEntries: true } satisfies Keys<Opts<typeof runReportImpl, 1>>, 1, true),
);
export const report: typeof reportImpl = strict(
  'report',
  reportImpl,
  opts({ runId: true, format: true, maxEntries: true } satisfies Keys<Opts<typeof reportImpl, 1>>, 1, true),
);
export const startReviewServer: typeof startReviewServerImpl = strict(
  'startReviewServer',
  startReviewServerImpl,
  opts({ ...COMMON, port: true, by: true, limit: true } satisfies Keys<ReviewServerOptions>, 1, true),
);
export const runDemo: typeof runDemoImpl = strict(
  'runDemo',
  runDemoImpl,
  opts({ url: true, reset: true, userId: true } satisfies Keys<Opts<typeof runDemoImpl, 0>>, 0),
);

/**
 * A run's record (`runs ID`), the latest runs, and fk-backfill's own schema brought up to date: on any handle the other
 * calls take. They took a Queryable only: a Drizzle db failed with DB_ERROR "db.query is not a function", and neither
 * it nor a PGlite instance compiled.
 */
export const getRun = (handle: unknown, id: string): Promise<RunRecord> => getRunImpl(adapt(handle), id);
export const listRuns = (handle: unknown, limit?: number): Promise<RunRecord[]> =>
  limit === undefined ? listRunsImpl(adapt(handle)) : listRunsImpl(adapt(handle), limit);
export const migrate = (handle: unknown): Promise<{ applied: string[] }> => migrateImpl(adapt(handle));
