/**
 * fk-backfill: turn free-text name links into trustworthy foreign keys.
 * Library API; the CLI (`fk-backfill`) is a thin front end over these functions.
 */
export { BackfillError, isBackfillError, type BackfillErrorCode } from './errors.js';
export { adapt, redactUrl, DEFAULT_DB_URL, type Database, type Queryable } from './db/index.js';
export { loadConfig, parseConfig, defaultConfig, configHash, AXIS_CONFIG } from './config/index.js';
export { activePredicate } from './config/index.js';
export type { Config, ConfigInput, LinkConfig, LinkInput, ActiveConfig } from './config/index.js';
export type { ActivePredicate, ActiveWhen } from './sql/active.js';
// the calls that take option objects, each checking their keys (src/api/public.ts)
export {
  openDatabase,
  backfillForeignKeys,
  status,
  plan,
  apply,
  resumeApply,
  undo,
  resumeUndo,
  verify,
  discover,
  constrain,
  drift,
  installGuard,
  guardStatus,
  removeGuard,
  reviewQueue,
  reviewCounts,
  exportQueueCsv,
  importDecisionsCsv,
  decide,
  revokeDecision,
  bulkAccept,
  proposeMasters,
  createMasters,
  revenueReport,
  runReport,
  report,
  startReviewServer,
  runDemo,
  getRun,
  listRuns,
  migrate,
} from './api/public.js';
export type { RunRecord } from './store/runs.js';
export { type BackfillOptions, type BackfillSummary, type EntityType } from './apply/backfill.js';
export { type StatusReport, type LinkStatus } from './status/status.js';
export { type PlanOptions, type PlanResult, type EntityResult, type UnmatchedRecord, type InferredLink } from './planning/plan.js';
export { type ApplyOptions, type ResumeApplyOptions } from './apply/apply.js';
export type { ApplyResult, LinkApplyResult } from './apply/result.js';
export type { BatchOptions } from './batch/batch.js';
export type { SkipReasons } from './apply/skips.js';
export { progressFor, jsonProgress, barProgress } from './render/progress.js';
export type { ProgressEvent, ProgressListener } from './batch/progress.js';
export { type UndoOptions, type ResumeUndoOptions } from './undo/undo.js';
export type { UndoResult, LinkUndoResult } from './undo/result.js';
export { type VerifyReport, type LinkVerify } from './verify/verify.js';
export type { CommonOptions } from './context/context.js';
export type { ActiveProposal, DiscoverOptions, DiscoverResult, Proposal, Rejected, ScopeVerdict, Weak } from './discover/types.js';
export type { ConstrainOptions, ConstrainResult, LinkConstrain } from './constrain/types.js';
export { type RevenueOptions, type RevenueReport, type LinkRevenue, type MasterRevenue } from './report/revenue.js';
export { type DemoResult } from './demo/run.js';
export { type AcceptInput, type DecideInput, type DecideResult } from './review/decide.js';
export { type ImportResult } from './review/csv.js';
export type { ReviewQueue, ReviewQueueOptions, QueueItem, QueueCandidate, QueueFilter } from './review/types.js';
export type { BulkAcceptResult } from './review/bulk.js';
export type { DecisionAction } from './review/queue.js';
export {
  type ProposalsFile,
  type MasterProposal,
  type CreateMastersResult,
  type CreatedMaster,
  type ProposeOptions,
} from './masters/masters.js';
export { type RunReport, type ReportFormat } from './report/report.js';
export { type ReviewServer, type ReviewServerOptions } from './review/server.js';
export {
  type GuardInstallOptions,
  type GuardInstallResult,
  type GuardStatus,
  type GuardStatusLink,
  type GuardRemoveResult,
} from './guard/guard.js';
export { type DriftReport, type LinkDrift, type DriftOptions } from './guard/drift.js';
