import { BackfillError, wrapDbError } from '../errors.js';
import { turn } from '../batch/sleep.js';
import { pingStatement } from '../sql/session.js';
import { checkBatchOptions } from '../batch/check-options.js';
import { assertCanPlan } from '../context/privileges.js';
import { adapt } from '../db/index.js';
import { withReconnect } from '../batch/reconnect.js';
import { whileLive, writersNow, writtenLinks } from '../batch/live.js';
import { num } from '../db/port.js';
import { type DecidedEntry, formatRate, type Outcome } from '../plan/decide.js';
import {
  deletePlanEntriesStatement,
  exactPlanInsertStatement,
  planCountsStatement,
  planEntriesStatement,
  type PlanEntryDbRow,
  workMemStatement,
  unfitKeysStatement,
} from '../sql/plan.js';
import { statusStatement } from '../sql/status.js';
import { type UnlinkedRecordRow, unlinkedRecordsStatement, unlinkedSampleSettingsStatement } from '../sql/unlinked.js';
import { createRun, failRun, finishRun } from '../store/runs.js';
import { insertPlanEntries, type PlanEntryRow, planEntryWriter } from '../store/plan-entries.js';
import { ANALYZE_PLAN_NAMES, analyzePlanEntries } from '../store/plans.js';
import type { ResolvedLink } from '../context/catalog.js';
import { type CommonOptions, type Context, prepare, runScope, shape, noticesOf } from '../context/context.js';
import { loadHumanDecisions, overrideWithDecisions } from './decisions.js';
import { planScored } from './scored.js';
import { type CheckRefusalCount, noteCheckRefusals } from './refusals.js';
import { noteNameMisses } from './name-notices.js';
import { unfitKeyReason, withinFk } from '../plan/fk-range.js';

export interface UnmatchedRecord {
  /** The row's document number (its key without a document column); null on a line of rows without a name. */
  documentNumber: string | null;
  entityName: string | null;
  /** The row's scope (tenant) values as text, in the link's scope order. */
  scopeKey: (string | null)[];
  /** Rows this line stands for: 1 for a named row; rows without a name (NULL or blank) are one line per scope, outcome and reason. */
  rows: number;
  /** Extras: why it was not linked, and the candidates when there were some. */
  outcome: Exclude<Outcome, 'linked'>;
  reason: string | null;
  candidates: unknown[];
}

/** Seed shape per entity, plus extras (names, ambiguous/review counts, methods). */
export interface EntityResult extends CheckRefusalCount {
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
  /** With the link's own `active`: NULL-FK rows left out as not active (not in recordsWithNullFK: neither planned nor linked). */
  recordsNotActive?: number;
  distinctNames: Record<Outcome, number>;
  linkedByMethod: Record<string, number>;
  unmatchedRecordsTruncated: boolean;
  /** Names linked by anything but exact equality (normalized, alias, fuzzy, a person's decision), most rows first: what to eyeball. */
  inferredLinks: InferredLink[];
  inferredLinksTruncated: boolean;
  /** How many names were linked other than by exact equality (inferredLinks lists the first --max-records). */
  inferredLinksTotal: number;
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

/** The seed's summary fields, in every command that produces a summary (issue #17). */
export interface SeedSummaryFields {
  dryRun: boolean;
  /** ISO 8601 (UTC). */
  executedAt: string;
  executedBy: string | null;
  /** Rows whose FK was NULL when planned. */
  totalRecordsProcessed: number;
  totalRecordsUpdated: number;
  /** Rows matched / rows processed, "100.0%" like the seed. */
  overallMatchRate: string;
}

/** The seed's summary fields from per-entity counts. */
export function seedFields(a: {
  dryRun: boolean;
  executedAt: string;
  executedBy: string | null;
  processed: number;
  matched: number;
  updated: number;
}): SeedSummaryFields {
  return {
    dryRun: a.dryRun,
    executedAt: a.executedAt,
    executedBy: a.executedBy,
    totalRecordsProcessed: a.processed,
    totalRecordsUpdated: a.updated,
    overallMatchRate: formatRate(a.matched, a.processed),
  };
}

export interface PlanResult extends SeedSummaryFields {
  runId: string;
  tenantId: string | null;
  configHash: string;
  dryRun: true;
  results: EntityResult[];
  /** What the catalog made fk-backfill do differently (present when there is something to say). */
  notices?: string[];
}

export interface PlanOptions extends CommonOptions {
  executedBy?: string | null;
  /** How many unmatched rows to list per entity (default 1000). */
  maxUnmatchedRecords?: number;
  /**
   * Stops the plan between names (the CLI's Ctrl-C): it fails with STOPPED and its run is marked failed, so no apply
   * or review takes its entries; a plan writes nothing to the linked tables, so nothing else is left to undo.
   */
  signal?: AbortSignal;
}

/** Names decided between two looks at the plan's signal (a turn of the event loop each: PGlite gives none of its own). */
const STOP_EVERY = 1000;

export type { DecidedEntry } from '../plan/decide.js';

/** A link's plan as counted for the result: rows and distinct names per outcome, rows per method, inferred links. */
interface LinkPlan {
  rows: Record<Outcome, number>;
  names: Record<Outcome, number>;
  byMethod: Record<string, number>;
  inferred: InferredLink[];
  /** How many inferred links there are (`inferred` may list only the first ones). */
  inferredTotal: number;
  accuracy?: unknown;
}

function emptyCounts(): Record<Outcome, number> {
  return { linked: 0, review: 0, ambiguous: 0, unmatched: 0 };
}

function entryOf(r: PlanEntryDbRow): DecidedEntry {
  return {
    scopeKey: r.scope_key,
    sourceName: r.source_name,
    rowCount: num(r.row_count),
    outcome: r.outcome,
    targetKey: r.target_key,
    method: r.method,
    score: r.score === null ? null : Number(r.score),
    candidates: (typeof r.candidates === 'string' ? JSON.parse(r.candidates) : (r.candidates ?? [])) as DecidedEntry['candidates'],
    reason: r.reason ?? '',
    targetName: r.target_name,
  };
}

/**
 * Exact plan of one link, set-based: one INSERT … SELECT decides every distinct (scope, name) where the
 * rows are (sql/plan.ts); people's decisions then replace the entries they name (few: read, decided
 * again by the same pure code as every plan, written back). Counts come from the entries.
 */
async function planExact(ctx: Context, l: ResolvedLink, runId: string): Promise<LinkPlan> {
  const a = { runId, linkName: l.entity };
  const ins = exactPlanInsertStatement({ ...shape(l), scopeTypes: l.scopeTypes }, a, ctx.filter);
  await ctx.db.transaction(async (tx) => {
    await tx.query(workMemStatement());
    await tx.query(ins);
  });
  const human = await loadHumanDecisions(ctx.db, l, ctx.filter);
  if (human.size > 0) {
    const which = { pairs: [...human.values()].map((d): [(string | null)[], string] => [d.scopeKey, d.sourceName]) };
    const decided = overrideWithDecisions((await ctx.db.query(planEntriesStatement({ ...a, which }))).rows.map(entryOf), human);
    await ctx.db.query(deletePlanEntriesStatement({ ...a, which }));
    await insertPlanEntries(ctx.db, runId, l.entity, decided.map(toRow));
  }
  if (l.fkRange !== undefined) await ctx.db.query(unfitKeysStatement(a, l.fkRange, unfitKeyReason(l.config.fk, l.fkRange)));
  const rows = emptyCounts();
  const names = emptyCounts();
  const byMethod: Record<string, number> = {};
  for (const r of (await ctx.db.query(planCountsStatement(a))).rows) {
    rows[r.outcome] += num(r.rows);
    names[r.outcome] += num(r.names);
    if (r.outcome === 'linked' && r.method !== null) byMethod[r.method] = (byMethod[r.method] ?? 0) + num(r.rows);
  }
  const inferred = inferredLinks((await ctx.db.query(planEntriesStatement({ ...a, which: { inferred: true } }))).rows.map(entryOf));
  return { rows, names, byMethod, inferred, inferredTotal: inferred.length };
}

/**
 * Normalised / fuzzy plan of one link: scored by the matcher in memory, people's decisions applied,
 * written as the names are decided (about 1 MB of JSON per statement, collected off the JS heap), counted on the way.
 */
async function planMatched(
  ctx: Context,
  l: ResolvedLink,
  runId: string,
  keepInferred: number,
  stopIfAsked: () => Promise<void>,
): Promise<LinkPlan> {
  const human = await loadHumanDecisions(ctx.db, l, ctx.filter);
  const rows = emptyCounts();
  const names = emptyCounts();
  const byMethod: Record<string, number> = {};
  // only the first inferred links are listed: the others are counted, not held (33 k of them were ~10 MB)
  const inferred: InferredLink[] = [];
  let inferredTotal = 0;
  const writer = planEntryWriter(ctx.db, runId, l.entity);
  let seen = 0;
  const decided = await planScored(ctx.db, l, ctx, async (scored) => {
    if (++seen % STOP_EVERY === 0) await stopIfAsked();
    const e = withinFk(overrideWithDecisions([scored], human)[0]!, l.config.fk, l.fkRange);
    rows[e.outcome] += e.rowCount;
    names[e.outcome] += 1;
    if (e.outcome === 'linked' && e.method !== null) byMethod[e.method] = (byMethod[e.method] ?? 0) + e.rowCount;
    const inf = inferredLink(e);
    if (inf !== null) {
      inferredTotal++;
      keepFirst(inferred, inf, keepInferred);
    }
    await writer.add(toRow(e));
  });
  await writer.flush();
  return { rows, names, byMethod, inferred, inferredTotal, ...(decided.accuracy !== undefined ? { accuracy: decided.accuracy } : {}) };
}

/**
 * Plans every link: one decision per distinct (scope, name) among rows whose FK is NULL, persisted in
 * fk_backfill.plan_entries under a new run. Writes nothing to user tables.
 */
export async function planIn(ctx: Context, opts: PlanOptions = {}): Promise<PlanResult> {
  const executedAt = new Date().toISOString();
  await assertCanPlan(ctx);
  const written = writtenLinks(ctx);
  const writers = await writersNow(ctx.db, written);
  const runId = await createRun(ctx.db, {
    kind: 'plan',
    ...runScope(ctx),
    executedBy: opts.executedBy ?? null,
    dryRun: true,
  });
  const stopIfAsked = async (): Promise<void> => {
    await turn();
    if (opts.signal?.aborted === true)
      throw new BackfillError(
        'STOPPED',
        `plan run ${runId} stopped before it finished: nothing was written to the linked tables; plan again`,
        {
          details: { runId },
        },
      );
  };
  try {
    // its live lock held while it plans: a plan whose process died shows in `runs` as such, not as running for ever
    return await whileLive(ctx.db, runId, `fk-backfill plan run ${runId}`, async () => {
      const results: EntityResult[] = [];
      let planned = 0; // names decided, every link
      for (const l of ctx.links) {
        await stopIfAsked();
        const s = shape(l);
        const tot = (await ctx.db.query(statusStatement(s, ctx.filter))).rows[0];
        const limit = opts.maxUnmatchedRecords ?? 1000;
        const { rows, names, byMethod, inferred, inferredTotal, accuracy } =
          l.config.match === 'exact' ? await planExact(ctx, l, runId) : await planMatched(ctx, l, runId, limit, stopIfAsked);
        await stopIfAsked(); // an exact plan's link is one statement: looked at before and after it
        const nullFks = num(tot?.null_fks);
        // every NULL-FK row linked (or none at all), or no list asked for: no sample to list, no second scan
        let urows: UnlinkedRecordRow[] = [];
        if (nullFks > rows.linked && limit > 0) {
          const ur = unlinkedRecordsStatement({ ...s, scopeTypes: l.scopeTypes }, runId, l.entity, ctx.filter, limit + 1);
          urows = await ctx.db.transaction(async (tx) => {
            await tx.query(workMemStatement());
            await tx.query(unlinkedSampleSettingsStatement());
            return (await tx.query(ur)).rows;
          });
        }
        const result: EntityResult = {
          entityType: l.entity,
          totalRecords: num(tot?.total),
          recordsWithNullFK: nullFks,
          ...(tot?.not_active !== undefined ? { recordsNotActive: num(tot.not_active) } : {}),
          recordsMatched: rows.linked,
          recordsUnmatched: nullFks - rows.linked,
          recordsUpdated: 0,
          matchRate: formatRate(rows.linked, nullFks),
          unmatchedRecords: urows.slice(0, limit).map((r) => ({
            documentNumber: r.document_number,
            entityName: r.entity_name,
            scopeKey: r.scope_key,
            rows: num(r.row_count),
            outcome: r.outcome as UnmatchedRecord['outcome'],
            reason: r.reason,
            candidates: (typeof r.candidates === 'string' ? JSON.parse(r.candidates) : (r.candidates ?? [])) as unknown[],
          })),
          table: l.config.table,
          strategy: l.config.match,
          recordsAmbiguous: rows.ambiguous,
          recordsReview: rows.review,
          distinctNames: names,
          linkedByMethod: byMethod,
          unmatchedRecordsTruncated: limit === 0 ? nullFks > rows.linked : urows.length > limit,
          inferredLinks: inferred.slice(0, limit),
          inferredLinksTruncated: inferredTotal > limit,
          inferredLinksTotal: inferredTotal,
        };
        if (accuracy !== undefined) result.accuracy = accuracy;
        results.push(result);
        await noteCheckRefusals(ctx, l, runId, result); // CHECKs over the FK: the planned rows they would refuse
        await noteNameMisses(ctx, l, runId, rows.ambiguous); // names another strategy would read otherwise
        planned += Object.values(names).reduce((a, n) => a + n, 0);
      }
      if (planned >= ANALYZE_PLAN_NAMES) await analyzePlanEntries(ctx.db);
      const seed = seedFields({
        dryRun: true,
        executedAt,
        executedBy: opts.executedBy ?? null,
        processed: results.reduce((a, r) => a + r.recordsWithNullFK, 0),
        matched: results.reduce((a, r) => a + r.recordsMatched, 0),
        updated: 0,
      });
      // an apply or undo writing a link while this plan read it: the plan saw it part way (a trial: review export --fresh
      // during another process's undo listed names that undo was about to set back, without a word)
      for (const w of [...writers, ...(await writersNow(ctx.db, written))].filter(
        (x, i, all) => all.findIndex((y) => y.what === x.what) === i,
      )) {
        ctx.notices.push(
          `${w.what} was being written by ${w.who.join(', ')} while this plan read it: it saw the link part way; plan again when that run is done`,
        );
      }
      const out: PlanResult = {
        runId,
        tenantId: ctx.filter.tenant,
        configHash: ctx.configHash,
        ...seed,
        dryRun: true,
        results,
        ...noticesOf(ctx),
      };
      await finishRun(ctx.db, runId, 'done', summarize(out));
      return out;
    });
  } catch (e) {
    throw await failRun(ctx.db, runId, e, 'planning');
  }
}

/** Linked entries whose method is not plain exact equality, most rows first (then name: deterministic). */
export function inferredLinks(entries: DecidedEntry[]): InferredLink[] {
  return entries.flatMap((e) => inferredLink(e) ?? []).sort(byRowsThenName);
}

/** A linked entry not linked by exact equality, as the plan lists it (null for any other entry). */
function inferredLink(e: DecidedEntry): InferredLink | null {
  if (e.outcome !== 'linked' || e.method === 'exact' || e.targetKey === null || e.sourceName === null) return null;
  const chosen = e.candidates.find((c) => c.key === e.targetKey);
  return {
    scopeKey: e.scopeKey,
    name: e.sourceName,
    rows: e.rowCount,
    targetKey: e.targetKey,
    targetName: chosen?.name ?? null,
    method: e.method ?? 'unknown',
    score: e.score,
    reason: e.reason,
    signals: (chosen?.signals as Record<string, unknown> | undefined) ?? null,
  };
}

const byRowsThenName = (a: InferredLink, b: InferredLink): number => b.rows - a.rows || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Adds `x` to `top` (in byRowsThenName order, ties in the order added) and keeps its first `keep`: a stable sort and slice, one at a time. */
function keepFirst(top: InferredLink[], x: InferredLink, keep: number): void {
  let lo = 0;
  let hi = top.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byRowsThenName(top[mid]!, x) <= 0) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= keep) return;
  top.splice(lo, 0, x);
  if (top.length > keep) top.pop();
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
    targetName: e.outcome === 'linked' ? (e.targetName ?? null) : null,
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
  checkBatchOptions({ ...(opts.maxUnmatchedRecords !== undefined ? { maxUnmatchedRecords: opts.maxUnmatchedRecords } : {}) });
  const d = adapt(db);
  const fail = (e: unknown): never => {
    throw wrapDbError(e, 'plan');
  };
  // a database that cannot be reached at all (no server, no such database) is said at once, not after the back-offs
  await d.query(pingStatement()).catch(fail);
  // a lost connection: plan again on a new one (a plan writes nothing to user tables)
  return withReconnect(d, {}, { kind: 'plan' }, async () => planIn(await prepare(d, opts, { tenant: 'required' }), opts)).catch(fail);
}
