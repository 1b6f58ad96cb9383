/**
 * fk-backfill: turn free-text name links into trustworthy foreign keys.
 * Library API; the CLI (`fk-backfill`) is a thin front end over these functions.
 */
export { BackfillError, isBackfillError, type BackfillErrorCode } from './errors.js';
export { openDatabase, adapt, redactUrl, DEFAULT_DB_URL, type Database, type Queryable } from './db/index.js';
export { loadConfig, parseConfig, defaultConfig, configHash, AXIS_CONFIG } from './config/index.js';
export { activePredicate } from './config/index.js';
export type { Config, ConfigInput, LinkConfig, LinkInput, ActiveConfig } from './config/index.js';
export type { ActivePredicate, ActiveWhen } from './sql/active.js';
export { migrate } from './store/migrate.js';
export { getRun, listRuns, type RunRecord } from './store/runs.js';
export { backfillForeignKeys, type BackfillOptions, type BackfillSummary, type EntityType } from './apply/backfill.js';
export { status, type StatusReport, type LinkStatus } from './status/status.js';
export { plan, type PlanOptions, type PlanResult, type EntityResult, type UnmatchedRecord } from './planning/plan.js';
export { apply, resumeApply, type ApplyOptions, type ResumeApplyOptions } from './apply/apply.js';
export type { ApplyResult } from './apply/result.js';
export type { BatchOptions } from './batch/batch.js';
export type { SkipReasons } from './apply/skips.js';
export { progressFor, jsonProgress, barProgress } from './render/progress.js';
export type { ProgressEvent, ProgressListener } from './batch/progress.js';
export { undo, resumeUndo, type UndoOptions, type ResumeUndoOptions } from './undo/undo.js';
export type { UndoResult, LinkUndoResult } from './undo/result.js';
export { verify, type VerifyReport, type LinkVerify } from './verify/verify.js';
export type { CommonOptions } from './context/context.js';
export { discover } from './discover/discover.js';
export type { ActiveProposal, DiscoverOptions, DiscoverResult, Proposal, Rejected, ScopeVerdict, Weak } from './discover/types.js';
export { constrain } from './constrain/constrain.js';
export type { ConstrainOptions, ConstrainResult, LinkConstrain } from './constrain/types.js';
export { revenueReport, type RevenueOptions, type RevenueReport, type LinkRevenue, type MasterRevenue } from './report/revenue.js';
export { runDemo, type DemoResult } from './demo/run.js';
export { reviewQueue, reviewCounts } from './review/queue.js';
export { decide, revokeDecision, type DecideInput, type DecideResult } from './review/decide.js';
export { bulkAccept } from './review/bulk.js';
export { exportQueueCsv, importDecisionsCsv, type ImportResult } from './review/csv.js';
export type { ReviewQueue, QueueItem, QueueFilter } from './review/types.js';
export { proposeMasters, createMasters, type ProposalsFile, type MasterProposal, type CreateMastersResult } from './masters/masters.js';
export { runReport, type RunReport, type ReportFormat } from './report/report.js';
export { report } from './render/report.js';
export { startReviewServer, type ReviewServer, type ReviewServerOptions } from './review/server.js';
export {
  installGuard,
  guardStatus,
  removeGuard,
  type GuardInstallOptions,
  type GuardInstallResult,
  type GuardStatus,
  type GuardStatusLink,
  type GuardRemoveResult,
} from './guard/guard.js';
export { drift, type DriftReport, type LinkDrift, type DriftOptions } from './guard/drift.js';
