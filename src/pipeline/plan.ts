import { adapt } from '../db/index.js';
import { withReconnect } from './reconnect.js';
import { num } from '../db/port.js';
import type { Queryable } from '../db/port.js';
import { decideExact, formatRate, type EntryDecision, type Outcome } from '../plan/decide.js';
import { exactCandidatesStatement, statusStatement, unlinkedRecordsStatement } from '../sql/statements.js';
import { createRun, failRun, finishRun, insertPlanEntries, type PlanEntryRow } from '../store/runs.js';
import type { ResolvedLink } from './catalog.js';
import { prepare, shape, type CommonOptions, type Context } from './context.js';
import { loadHumanDecisions, overrideWithDecisions } from './decisions.js';
import { planScored } from './scored.js';

export interface UnmatchedRecord {
  documentNumber: string | null;
  entityName: string | null;
  /** Extras: why it was not linked, and the candidates when there were some. */
  outcome: Exclude<Outcome, 'linked'>;
  reason: string | null;
  candidates: unknown[];
}

/** Seed shape per entity, plus extras (names, ambiguous/review counts, methods). */
export interface EntityResult {
  entityType: string;
  totalRecords: number;
  recordsWithNullFK: number;
  recordsMatched: number;
  recordsUnmatched: number;
  recordsUpdated: number;
  matchRate: string;
  unmatchedRecords: UnmatchedRecord[];
  // extras
  table: string;
  strategy: string;
  recordsAmbiguous: number;
  recordsReview: number;
  recordsSkipped?: number;
  distinctNames: Record<Outcome, number>;
  linkedByMethod: Record<string, number>;
  unmatchedRecordsTruncated: boolean;
  /** Names linked by anything but exact equality (normalized, alias, fuzzy, a person's decision), most rows first: what to eyeball. */
  inferredLinks: InferredLink[];
  inferredLinksTruncated: boolean;
  accuracy?: unknown;
}

export interface InferredLink {
  scopeKey: (string | null)[];
  name: string;
  rows: number;
  targetKey: string;
  targetName: string | null;
  method: string;
  score: number | null;
  reason: string;
  /** The signals behind the score of the chosen candidate. */
  signals: Record<string, unknown> | null;
}

export interface PlanResult {
  runId: string;
  tenantId: string | null;
  configHash: string;
  results: EntityResult[];
  /** What the catalog made fk-backfill do differently (present when there is something to say). */
  notices?: string[];
}

export interface PlanOptions extends CommonOptions {
  executedBy?: string | null;
  /** How many unmatched rows to list per entity (default 1000). */
  maxUnmatchedRecords?: number;
}

export interface DecidedEntry extends EntryDecision {
  scopeKey: (string | null)[];
  sourceName: string | null;
  rowCount: number;
}

/** Decides every distinct (scope, name) of one link: exact in SQL, normalized/fuzzy with the matcher. */
async function decideLink(db: Queryable, l: ResolvedLink, ctx: Context): Promise<{ entries: DecidedEntry[]; accuracy?: unknown }> {
  const s = shape(l);
  if (l.config.match === 'exact') {
    const st = exactCandidatesStatement(s, ctx.filter);
    const res = await db.query<{ scope_key: (string | null)[]; source_name: string | null; row_count: unknown; keys: string[] | null; candidate_count: unknown; inactive_keys: string[] | null }>(st.text, st.values);
    const entries = res.rows.map((r) => ({
      scopeKey: r.scope_key,
      sourceName: r.source_name,
      rowCount: num(r.row_count),
      ...decideExact(r.source_name, r.keys ?? [], num(r.candidate_count), r.inactive_keys ?? []),
    }));
    return { entries };
  }
  return planScored(db, l, ctx);
}

/**
 * Plans every link: one decision per distinct (scope, name) among rows whose FK is NULL, persisted in
 * fk_backfill.plan_entries under a new run. Writes nothing to user tables.
 */
export async function planIn(ctx: Context, opts: PlanOptions = {}): Promise<PlanResult> {
  const runId = await createRun(ctx.db, {
    kind: 'plan',
    tenant: ctx.filter.tenant,
    entities: ctx.links.map((l) => l.entity),
    executedBy: opts.executedBy ?? null,
    dryRun: true,
    configHash: ctx.configHash,
    config: ctx.config,
  });
  try {
    const results: EntityResult[] = [];
    for (const l of ctx.links) {
      const s = shape(l);
      const st = statusStatement(s, ctx.filter);
      const tot = (await ctx.db.query<{ total: unknown; null_fks: unknown }>(st.text, st.values)).rows[0];
      const decided = await decideLink(ctx.db, l, ctx);
      const human = await loadHumanDecisions(ctx.db, l, ctx.filter);
      const entries = overrideWithDecisions(decided.entries, human);
      await insertPlanEntries(ctx.db, runId, l.entity, entries.map(toRow));
      // Fresh rows have no statistics: without them the planner nests loops over every NULL-FK row
      // and every entry (seen: 44 s instead of 0.2 s on 200 k rows). A role that may not analyse gets a warning, not an error.
      await ctx.db.query('ANALYZE fk_backfill.plan_entries');
      const rows: Record<Outcome, number> = { linked: 0, review: 0, ambiguous: 0, unmatched: 0 };
      const names: Record<Outcome, number> = { linked: 0, review: 0, ambiguous: 0, unmatched: 0 };
      const byMethod: Record<string, number> = {};
      for (const e of entries) {
        rows[e.outcome] += e.rowCount;
        names[e.outcome] += 1;
        if (e.outcome === 'linked' && e.method !== null) byMethod[e.method] = (byMethod[e.method] ?? 0) + e.rowCount;
      }
      const limit = opts.maxUnmatchedRecords ?? 1000;
      const inferred = inferredLinks(entries);
      const ur = unlinkedRecordsStatement(s, runId, l.entity, ctx.filter, limit + 1);
      const urows = (await ctx.db.query<{ document_number: string | null; entity_name: string | null; outcome: string; reason: string | null; candidates: unknown }>(ur.text, ur.values)).rows;
      const nullFks = num(tot?.null_fks);
      const result: EntityResult = {
        entityType: l.entity,
        totalRecords: num(tot?.total),
        recordsWithNullFK: nullFks,
        recordsMatched: rows.linked,
        recordsUnmatched: nullFks - rows.linked,
        recordsUpdated: 0,
        matchRate: formatRate(rows.linked, nullFks),
        unmatchedRecords: urows.slice(0, limit).map((r) => ({
          documentNumber: r.document_number,
          entityName: r.entity_name,
          outcome: r.outcome as UnmatchedRecord['outcome'],
          reason: r.reason,
          candidates: (typeof r.candidates === 'string' ? JSON.parse(r.candidates) : r.candidates ?? []) as unknown[],
        })),
        table: l.config.table,
        strategy: l.config.match,
        recordsAmbiguous: rows.ambiguous,
        recordsReview: rows.review,
        distinctNames: names,
        linkedByMethod: byMethod,
        unmatchedRecordsTruncated: urows.length > limit,
        inferredLinks: inferred.slice(0, limit),
        inferredLinksTruncated: inferred.length > limit,
      };
      if (decided.accuracy !== undefined) result.accuracy = decided.accuracy;
      results.push(result);
    }
    const out: PlanResult = { runId, tenantId: ctx.filter.tenant, configHash: ctx.configHash, results, ...noticesOf(ctx) };
    await finishRun(ctx.db, runId, 'done', summarize(out));
    return out;
  } catch (e) {
    throw await failRun(ctx.db, runId, e, 'planning');
  }
}

/** The links' notices, as an optional result field. */
export function noticesOf(ctx: Context): { notices?: string[] } {
  const n = ctx.links.flatMap((l) => l.notices);
  return n.length > 0 ? { notices: n } : {};
}

/** Linked entries whose method is not plain exact equality, most rows first (then name: deterministic). */
export function inferredLinks(entries: DecidedEntry[]): InferredLink[] {
  return entries
    .filter((e) => e.outcome === 'linked' && e.method !== 'exact' && e.targetKey !== null && e.sourceName !== null)
    .map((e) => {
      const chosen = e.candidates.find((c) => c.key === e.targetKey);
      return {
        scopeKey: e.scopeKey,
        name: e.sourceName!,
        rows: e.rowCount,
        targetKey: e.targetKey!,
        targetName: chosen?.name ?? null,
        method: e.method ?? 'unknown',
        score: e.score,
        reason: e.reason,
        signals: (chosen?.signals as Record<string, unknown> | undefined) ?? null,
      };
    })
    .sort((a, b) => b.rows - a.rows || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function toRow(e: DecidedEntry): PlanEntryRow {
  return {
    scopeKey: e.scopeKey,
    sourceName: e.sourceName,
    outcome: e.outcome,
    targetKey: e.targetKey,
    method: e.method,
    score: e.score,
    rowCount: e.rowCount,
    candidates: e.candidates,
    reason: e.reason,
  };
}

/** What is kept in runs.summary: counts only (the lists live in plan_entries). */
export function summarize(p: { results: EntityResult[] }): unknown {
  return {
    results: p.results.map(({ unmatchedRecords: _u, inferredLinks: _i, ...rest }) => rest),
  };
}

/** Dry run: plans and reports; writes only to fk_backfill. */
export async function plan(db: unknown, opts: PlanOptions = {}): Promise<PlanResult> {
  const d = adapt(db);
  // a lost connection: plan again on a new one (a plan writes nothing to user tables)
  return withReconnect(d, {}, { kind: 'plan' }, async () => planIn(await prepare(d, opts, { tenant: 'required' }), opts));
}
