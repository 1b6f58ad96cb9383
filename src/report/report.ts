/**
 * Reports of a plan (or of an apply, through its plan): per-link match rates, a score histogram with
 * the thresholds, and the names left for people (review / ambiguous / unmatched): the data, read only
 * from fk_backfill's own tables. src/render/report.ts renders it (HTML, JSON, CSV, text).
 */
import type { LinkConfig } from '../config/schema.js';
import { adapt } from '../db/index.js';
import { num } from '../db/port.js';
import type { Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { DEFAULT_MATCH_OPTIONS } from '../match/index.js';
import { formatRate } from '../plan/decide.js';
import { article, getRun, type RunRecord } from '../store/runs.js';
import { migrateIfPresent } from '../store/migrate.js';
import { scoreHistogram, undoneBy, unlinkedEntries } from '../store/report.js';
import type { SkipReasons } from '../apply/skips.js';

export type ReportFormat = 'html' | 'json' | 'csv' | 'text';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'json', 'csv', 'text'];

export interface ReportLink {
  entityType: string;
  table: string;
  strategy: string;
  autoLinkAt: number;
  reviewAt: number;
  totalRecords: number;
  recordsWithNullFK: number;
  recordsMatched: number;
  recordsReview: number;
  recordsAmbiguous: number;
  recordsUnmatched: number;
  /** Rows the apply run updated (apply reports only). */
  recordsUpdated: number | null;
  /** Apply reports: planned rows not updated, and why (issue #23); null for plans or when none were skipped. */
  skipReasons: SkipReasons | null;
  matchRate: string;
  /** Populated FKs after the run, over all rows: an apply counts the rows it updated, a plan the rows it would link. */
  populationAfter: string;
  /** Score histogram of distinct names: 20 bins of 0.05. */
  histogram: { from: number; to: number; names: Record<string, number>; rows: number }[];
}

export interface ReportEntry {
  link: string;
  scopeKey: (string | null)[];
  name: string | null;
  outcome: string;
  rows: number;
  score: number | null;
  reason: string | null;
  /** `active` false: an inactive master, offered but never linked (as plan prints it). */
  candidates: { key: string; name: string; score: number | null; active?: false }[];
}

export interface RunReport {
  runId: string;
  kind: string;
  planRunId: string;
  tenantId: string | null;
  executedBy: string | null;
  startedAt: string;
  status: string;
  /** An apply run set back since by this undo run (its rows are no longer linked by it). */
  undoneBy: string | null;
  links: ReportLink[];
  /** Names not linked by the plan, most rows first (at most `maxEntries`). */
  entries: ReportEntry[];
  entriesTruncated: boolean;
  /** All the plan's names not linked, and their rows (`entries` lists the first of them). */
  entriesTotal: { names: number; rows: number };
}

const BINS = 20;

function thresholds(l: LinkConfig | undefined): { autoLinkAt: number; reviewAt: number } {
  const base = DEFAULT_MATCH_OPTIONS[l?.match ?? 'exact'];
  return { autoLinkAt: l?.autoLinkAt ?? base.autoLinkAt, reviewAt: l?.reviewAt ?? base.reviewAt };
}

interface SummaryResult {
  entityType: string;
  table?: string;
  strategy?: string;
  totalRecords?: number;
  recordsWithNullFK?: number;
  recordsMatched?: number;
  recordsAmbiguous?: number;
  recordsReview?: number;
  recordsNotActive?: number;
}

async function build(db: Queryable, run: RunRecord, plan: RunRecord, maxEntries: number): Promise<RunReport> {
  const undone = run.kind === 'apply' ? await undoneBy(db, run.id) : null;
  const summary = (plan.summary as { results?: SummaryResult[] } | null)?.results ?? [];
  const applied =
    run.kind === 'apply'
      ? ((run.summary as { results?: { entityType: string; updated: number; skipReasons?: SkipReasons }[] } | null)?.results ?? [])
      : null;
  const hist = await scoreHistogram(db, plan.id, BINS);
  const links: ReportLink[] = summary.map((r) => {
    const cfg = plan.config.links.find((l) => l.entity === r.entityType);
    const t = thresholds(cfg);
    const histogram = Array.from({ length: BINS }, (_, i) => ({
      from: i / BINS,
      to: (i + 1) / BINS,
      names: {} as Record<string, number>,
      rows: 0,
    }));
    for (const h of hist.filter((x) => x.link === r.entityType)) {
      const b = histogram[Math.max(0, Math.min(BINS, h.bin) - 1)]!;
      b.names[h.outcome] = (b.names[h.outcome] ?? 0) + num(h.names);
      b.rows += num(h.rows);
    }
    const total = r.totalRecords ?? 0;
    const nulls = r.recordsWithNullFK ?? 0;
    const counted = total - (r.recordsNotActive ?? 0);
    const matched = r.recordsMatched ?? 0;
    const updated = applied === null ? null : (applied.find((a) => a.entityType === r.entityType)?.updated ?? 0);
    const review = r.recordsReview ?? 0;
    const ambiguous = r.recordsAmbiguous ?? 0;
    return {
      entityType: r.entityType,
      table: r.table ?? cfg?.table ?? '',
      strategy: r.strategy ?? cfg?.match ?? 'exact',
      ...t,
      totalRecords: total,
      recordsWithNullFK: nulls,
      recordsMatched: matched,
      recordsReview: review,
      recordsAmbiguous: ambiguous,
      recordsUnmatched: nulls - matched - review - ambiguous,
      recordsUpdated: updated,
      skipReasons: applied?.find((a) => a.entityType === r.entityType)?.skipReasons ?? null,
      matchRate: formatRate(matched, nulls),
      // an apply: what it did (planned rows skipped are not populated; rows added since may make it exceed the plan's total),
      // of the rows that count, as status rates them: a NULL-FK row the link's own `active` leaves out is not populated (a
      // trial: 404 voided invoices counted as linked, 55.0% after for 54.1% in status)
      populationAfter: formatRate(Math.min(counted, counted - nulls + (updated ?? matched)), counted),
      histogram,
    };
  });
  const unlinked = await unlinkedEntries(db, plan.id, maxEntries + 1);
  const entries = unlinked.slice(0, maxEntries).map((r) => {
    const cands = (typeof r.candidates === 'string' ? JSON.parse(r.candidates) : r.candidates) as
      { key: string; name?: string; score?: number; active?: boolean }[] | null;
    return {
      link: r.link,
      scopeKey: r.scope_key,
      name: r.source_name,
      outcome: r.outcome,
      rows: num(r.row_count),
      score: r.score === null ? null : Number(r.score),
      reason: r.reason,
      candidates: (cands ?? []).slice(0, 3).map((c) => ({
        key: c.key,
        name: c.name ?? '',
        score: c.score ?? null,
        ...(c.active === false ? { active: false as const } : {}),
      })),
    };
  });
  const entriesTotal = { names: num(unlinked[0]?.total_names ?? 0), rows: num(unlinked[0]?.total_rows ?? 0) };
  const listedRows = entries.reduce((a, x) => a + x.rows, 0);
  if (
    entries.length > entriesTotal.names ||
    listedRows > entriesTotal.rows ||
    unlinked.length > maxEntries !== entriesTotal.names > entries.length
  )
    throw new BackfillError(
      'INTERNAL',
      `report of run ${run.id}: ${entries.length} names of ${listedRows} rows listed out of ${entriesTotal.names} names of ${entriesTotal.rows} rows left`,
    );
  return {
    runId: run.id,
    kind: run.kind,
    planRunId: plan.id,
    tenantId: run.scope?.tenant ?? null,
    executedBy: run.executedBy,
    startedAt: run.startedAt,
    status: run.status,
    undoneBy: undone,
    links,
    entries,
    entriesTruncated: unlinked.length > maxEntries,
    entriesTotal,
  };
}

/** The report data of a plan or apply run. */
export async function runReport(handle: unknown, opts: { runId: string; maxEntries?: number }): Promise<RunReport> {
  const db = adapt(handle);
  await migrateIfPresent(db);
  const run = await getRun(db, opts.runId);
  let plan = run;
  if (run.kind === 'apply') {
    if (run.planRunId === null) throw new BackfillError('RUN_STATE', `apply run ${run.id} has no plan`);
    plan = await getRun(db, run.planRunId);
  } else if (run.kind !== 'plan') {
    throw new BackfillError('RUN_STATE', `run ${run.id} is ${article(run.kind)} run; reports are made of plan and apply runs`);
  }
  if (plan.status !== 'done') throw new BackfillError('RUN_STATE', `plan ${plan.id} is ${plan.status}, not done`);
  return build(db, run, plan, opts.maxEntries ?? 5000);
}
