/**
 * Review: the queue of names the machine is unsure of (review / ambiguous / unmatched), and the
 * decisions people take on them (alias → master, never, create), stored in fk_backfill.decisions and
 * read by every later plan before any scoring. The CLI, the CSV round trip and the review server are
 * front ends over these functions.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { adapt } from '../db/index.js';
import { num } from '../db/port.js';
import { migrate } from '../store/migrate.js';
import type { Queryable } from '../db/port.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';
import { mastersByKeyStatement, reviewQueueStatement, type ReviewFilterSql } from '../sql/statements.js';
import type { ResolvedLink } from './catalog.js';
import { prepare, shape, type CommonOptions, type Context } from './context.js';
import { planIn } from './plan.js';
import { matchOptionsFor } from './scored.js';

export type Band = 'review' | 'ambiguous' | 'unmatched';
export const BANDS: readonly Band[] = ['review', 'ambiguous', 'unmatched'];
export type ReviewAction = 'alias' | 'never' | 'create';

export interface QueueFilter {
  /** Entity names (links); default all configured. */
  links?: string[] | undefined;
  /** Only this value of the first scope column (within the scope the queue was opened for). */
  tenant?: string | undefined;
  bands?: Band[] | undefined;
  minScore?: number | undefined;
  maxScore?: number | undefined;
  search?: string | undefined;
  /** open = without a decision; decided = with one; all (default). */
  state?: 'all' | 'open' | 'decided' | undefined;
}

export interface ReviewQueueOptions extends CommonOptions {
  filter?: QueueFilter;
  /** Use this plan run; default: the latest done plan for this config and scope, else a new plan. */
  planRunId?: string;
  /** Always plan anew. */
  fresh?: boolean;
  /** Most names returned (default 500). */
  limit?: number;
  /** Document numbers shown per name (default 3). */
  samples?: number;
  executedBy?: string | null;
}

export interface QueueCandidate {
  key: string;
  name: string;
  score: number | null;
  method: string | null;
  number: string | null;
  active: boolean;
  signals: Record<string, unknown>;
}

export interface DecisionRecord {
  id: string;
  action: ReviewAction;
  targetKey: string | null;
  decidedBy: string | null;
  decidedAt: string;
}

export interface QueueItem {
  link: string;
  table: string;
  scopeKey: (string | null)[];
  name: string;
  outcome: Band;
  score: number | null;
  reason: string | null;
  rows: number;
  amount: number | null;
  sampleDocuments: string[];
  candidates: QueueCandidate[];
  decision: DecisionRecord | null;
}

export interface QueueCounts {
  names: number;
  decided: number;
  remaining: number;
  rows: number;
  rowsDecided: number;
  rowsRemaining: number;
}

export interface ReviewQueue {
  planRunId: string;
  tenantId: string | null;
  /** Links in the queue with their thresholds (for score bars and bulk accept). */
  links: { entity: string; table: string; strategy: string; autoLinkAt: number; reviewAt: number; amount: boolean }[];
  /** Every first-scope value present in the (unfiltered by tenant) queue. */
  tenants: string[];
  items: QueueItem[];
  counts: QueueCounts;
  truncated: boolean;
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** The latest finished plan made with this config, for this scope, covering these links. */
async function latestPlan(ctx: Context): Promise<string | null> {
  const res = await ctx.db.query<{ id: string }>(
    `SELECT id::text AS id FROM fk_backfill.runs
      WHERE kind = 'plan' AND status = 'done' AND config_hash = $1 AND scope = $2::jsonb AND entities @> $3::text[]
      ORDER BY runs.id DESC LIMIT 1`,
    [ctx.configHash, JSON.stringify({ tenant: ctx.filter.tenant }), ctx.links.map((l) => l.entity)],
  );
  return res.rows[0]?.id ?? null;
}

function checkFilter(f: QueueFilter): void {
  for (const b of f.bands ?? []) if (!BANDS.includes(b)) throw new BackfillError('USAGE', `unknown band "${b}"; use ${BANDS.join(', ')}`);
  for (const [k, v] of [
    ['minScore', f.minScore],
    ['maxScore', f.maxScore],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0 || v > 1)) throw new BackfillError('USAGE', `${k} must be a number between 0 and 1`);
  }
}

function sqlFilter(f: QueueFilter): ReviewFilterSql {
  return { bands: f.bands ?? [], minScore: f.minScore ?? null, maxScore: f.maxScore ?? null, search: f.search?.trim() || null };
}

/** The queue inside a prepared context (the review server keeps one context). */
export async function reviewQueueIn(ctx: Context, opts: Omit<ReviewQueueOptions, keyof CommonOptions> = {}): Promise<ReviewQueue> {
  const filter = opts.filter ?? {};
  checkFilter(filter);
  let planRunId = opts.planRunId ?? (opts.fresh === true ? null : await latestPlan(ctx));
  if (planRunId === null) planRunId = (await planIn(ctx, { executedBy: opts.executedBy ?? null, maxUnmatchedRecords: 0 })).runId;
  const limit = opts.limit ?? 500;
  const samples = opts.samples ?? 3;
  const wanted = filter.links !== undefined && filter.links.length > 0 ? new Set(filter.links) : null;
  if (wanted !== null) {
    const unknown = [...wanted].filter((w) => !ctx.links.some((l) => l.entity === w));
    if (unknown.length > 0) throw new BackfillError('UNKNOWN_ENTITY', `unknown link ${unknown.join(', ')}`);
  }
  const scopeFilter = filter.tenant !== undefined && filter.tenant !== '' ? { tenant: filter.tenant } : ctx.filter;
  if (ctx.filter.tenant !== null && scopeFilter.tenant !== ctx.filter.tenant) {
    throw new BackfillError('USAGE', `tenant ${filter.tenant} is outside the scope of this review (tenant ${ctx.filter.tenant})`);
  }
  let items: QueueItem[] = [];
  let truncated = false;
  const tenants = new Set<string>();
  for (const l of ctx.links) {
    if (wanted !== null && !wanted.has(l.entity)) continue;
    const st = reviewQueueStatement(shape(l), { planRunId, linkName: l.entity, samples, limit: limit + 1 }, sqlFilter(filter), scopeFilter);
    // Fresh plan_entries have no statistics yet (estimated at 1 row): without this the planner picks
    // nested loops that are quadratic in distinct names. Hash joins are right at every size here.
    const rows = (
      await queryHashJoins<{
        scope_key: (string | null)[];
        source_name: string;
        outcome: Band;
        score: number | null;
        reason: string | null;
        candidates: unknown;
        row_count: unknown;
        amount: string | null;
        documents: string[] | null;
        decision_id: string | null;
        decision_action: ReviewAction | null;
        decision_target: string | null;
        decided_by: string | null;
        decided_at: string | null;
      }>(ctx.db, st.text, st.values)
    ).rows;
    if (rows.length > limit) truncated = true;
    const linkItems = rows.slice(0, limit).map((r): QueueItem => {
      const cands = json<{ key: string; name?: string; score?: number; method?: string; signals?: Record<string, unknown> }[]>(r.candidates) ?? [];
      return {
        link: l.entity,
        table: l.config.table,
        scopeKey: r.scope_key,
        name: r.source_name,
        outcome: r.outcome,
        score: r.score === null ? null : Number(r.score),
        reason: r.reason,
        rows: num(r.row_count),
        amount: r.amount === null ? null : Number(r.amount),
        sampleDocuments: r.documents ?? [],
        candidates: cands.map((c) => ({ key: c.key, name: c.name ?? '', score: c.score ?? null, method: c.method ?? null, number: null, active: true, signals: c.signals ?? {} })),
        decision:
          r.decision_id === null
            ? null
            : { id: r.decision_id, action: r.decision_action!, targetKey: r.decision_target, decidedBy: r.decided_by, decidedAt: r.decided_at ?? '' },
      };
    });
    await annotateCandidates(ctx.db, l, linkItems);
    for (const it of linkItems) if (it.scopeKey[0] != null) tenants.add(it.scopeKey[0]);
    items.push(...linkItems);
  }
  if (filter.state === 'open') items = items.filter((i) => i.decision === null);
  if (filter.state === 'decided') items = items.filter((i) => i.decision !== null);
  const byAmount = items.length > 0 && items.every((i) => i.amount !== null);
  items.sort((a, b) =>
    byAmount
      ? b.amount! - a.amount! || b.rows - a.rows || cmp(a.name, b.name)
      : b.rows - a.rows || (b.amount ?? 0) - (a.amount ?? 0) || cmp(a.name, b.name) || cmp(a.link, b.link),
  );
  if (items.length > limit) {
    items = items.slice(0, limit);
    truncated = true;
  }
  return {
    planRunId,
    tenantId: ctx.filter.tenant,
    links: ctx.links.map((l) => {
      const o = matchOptionsFor(l);
      return { entity: l.entity, table: l.config.table, strategy: l.config.match, autoLinkAt: o.autoLinkAt, reviewAt: o.reviewAt, amount: l.config.amount !== undefined };
    }),
    tenants: [...tenants].sort(),
    items,
    counts: countsOf(items),
    truncated,
  };
}

/** One read-only statement with nested loops disabled for it (SET LOCAL: ends with the transaction). */
async function queryHashJoins<R>(db: Context['db'], text: string, values: unknown[]): Promise<{ rows: R[] }> {
  return db.transaction(async (tx) => {
    await tx.query('SET LOCAL enable_nestloop = off');
    return tx.query<R>(text, values);
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function countsOf(items: QueueItem[]): QueueCounts {
  const decided = items.filter((i) => i.decision !== null);
  const rows = items.reduce((a, i) => a + i.rows, 0);
  const rowsDecided = decided.reduce((a, i) => a + i.rows, 0);
  return { names: items.length, decided: decided.length, remaining: items.length - decided.length, rows, rowsDecided, rowsRemaining: rows - rowsDecided };
}

function keyLink(l: ResolvedLink): Parameters<typeof mastersByKeyStatement>[0] {
  return { ...shape(l), targetKeyType: l.targetKeyType, number: l.config.target.number };
}

/** Fills master numbers and the active flag of candidates (one statement per link). */
async function annotateCandidates(db: Queryable, l: ResolvedLink, items: QueueItem[]): Promise<void> {
  const keys = [...new Set(items.flatMap((i) => i.candidates.map((c) => c.key)))];
  if (keys.length === 0) return;
  const found = await mastersFor(db, l, keys);
  for (const it of items) {
    for (const c of it.candidates) {
      const m = found.get(c.key);
      if (m !== undefined) {
        c.number = m.number;
        c.active = m.active;
      }
    }
  }
}

interface MasterInfo {
  key: string;
  scopeKey: (string | null)[];
  name: string;
  number: string | null;
  active: boolean;
}

async function mastersFor(db: Queryable, l: ResolvedLink, keys: string[]): Promise<Map<string, MasterInfo>> {
  const out = new Map<string, MasterInfo>();
  if (keys.length === 0) return out;
  const st = mastersByKeyStatement(keyLink(l), keys);
  try {
    const res = await db.query<{ key: string; scope_key: (string | null)[]; name: string; number: string | null; active: boolean }>(st.text, st.values);
    for (const r of res.rows) out.set(r.key, { key: r.key, scopeKey: r.scope_key, name: r.name, number: r.number, active: r.active });
  } catch (e) {
    const state = sqlState(e);
    // A key that is not even a valid value of the key type (e.g. not a uuid): none found.
    if (state === '22P02' || state === '22003' || state === '22008' || state === '22007') return out;
    throw wrapDbError(e, `looking up masters in ${l.config.target.table}`);
  }
  return out;
}

/** Review queue: the latest plan's unsure names for this config and scope (or a new plan), filtered and ordered. */
export async function reviewQueue(db: unknown, opts: ReviewQueueOptions = {}): Promise<ReviewQueue> {
  const ctx = await prepare(db, opts, { tenant: 'required' });
  return reviewQueueIn(ctx, opts);
}

// ------------------------------------------------------------------------------------------ decisions

export interface DecideInput {
  link: string;
  scopeKey: (string | null)[];
  name: string;
  action: ReviewAction;
  targetKey?: string | null | undefined;
  by: string | null;
}

export interface DecideResult {
  decision: DecisionRecord;
  /** False when the same decision was already in force (nothing written). */
  changed: boolean;
  /** Decisions this one replaced (revoked). */
  replaced: string[];
}

function linkOf(ctx: Context, entity: string): ResolvedLink {
  const l = ctx.links.find((x) => x.entity === entity);
  if (l === undefined) throw new BackfillError('UNKNOWN_ENTITY', `unknown link "${entity}"; configured: ${ctx.links.map((x) => x.entity).join(', ')}`);
  return l;
}

/** Checks one decision against the config and the masters; returns a message or null. */
async function validateDecisions(db: Queryable, ctx: Context, list: DecideInput[]): Promise<(string | null)[]> {
  const errors: (string | null)[] = list.map(() => null);
  const aliasByLink = new Map<string, number[]>();
  list.forEach((d, i) => {
    const l = ctx.links.find((x) => x.entity === d.link);
    if (l === undefined) return void (errors[i] = `unknown link "${d.link}"`);
    if (!['alias', 'never', 'create'].includes(d.action)) return void (errors[i] = `unknown action "${String(d.action)}" (use alias, never or create)`);
    if (typeof d.name !== 'string' || d.name.length === 0) return void (errors[i] = 'name is empty');
    if (!Array.isArray(d.scopeKey) || d.scopeKey.length !== l.config.scope.length) {
      return void (errors[i] = `scope must have ${l.config.scope.length} value(s) (${l.config.scope.join(', ')})`);
    }
    if (ctx.filter.tenant !== null && l.config.scope.length > 0 && d.scopeKey[0] !== ctx.filter.tenant) {
      return void (errors[i] = `scope ${JSON.stringify(d.scopeKey)} is outside tenant ${ctx.filter.tenant}`);
    }
    if (d.action === 'alias') {
      if (d.targetKey === undefined || d.targetKey === null || d.targetKey === '') return void (errors[i] = 'alias needs a target key');
      const arr = aliasByLink.get(d.link) ?? [];
      arr.push(i);
      aliasByLink.set(d.link, arr);
    } else if (d.targetKey !== undefined && d.targetKey !== null && d.targetKey !== '') {
      errors[i] = `${d.action} takes no target key`;
    }
  });
  for (const [entity, idx] of aliasByLink) {
    const l = linkOf(ctx, entity);
    const found = await mastersFor(db, l, [...new Set(idx.map((i) => list[i]!.targetKey!))]);
    for (const i of idx) {
      const d = list[i]!;
      const m = found.get(d.targetKey!);
      if (m === undefined) errors[i] = `target key ${d.targetKey} is not a master of ${l.config.target.table}`;
      else if (JSON.stringify(m.scopeKey) !== JSON.stringify(d.scopeKey)) errors[i] = `master ${d.targetKey} belongs to another scope (${JSON.stringify(m.scopeKey)})`;
      else if (!m.active) errors[i] = `master ${d.targetKey} (${m.name}) is not active`;
    }
  }
  return errors;
}

/**
 * Writes decisions (already validated) in one statement: for each, the live decision of the same
 * (link, scope, name) is revoked unless it is identical (then nothing is written for it).
 */
async function writeDecisions(tx: Queryable, list: DecideInput[]): Promise<{ results: DecideResult[] }> {
  if (list.length === 0) return { results: [] };
  const payload = list.map((d, i) => ({ i, link: d.link, scope_key: d.scopeKey, source_name: d.name, action: d.action, target_key: d.action === 'alias' ? d.targetKey : null, decided_by: d.by }));
  const res = await tx.query<{ i: number; id: string; action: ReviewAction; target_key: string | null; decided_by: string | null; decided_at: string; changed: boolean; replaced: string[] | null }>(
    `WITH x AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i int, link text, scope_key text[], source_name text, action text, target_key text, decided_by text)
     ), cur AS (
       SELECT x.i, d.id, d.action, d.target_key
         FROM x JOIN fk_backfill.decisions d
           ON d.link = x.link AND d.scope_key = x.scope_key AND d.source_name = x.source_name AND d.revoked_at IS NULL
     ), same AS (
       SELECT DISTINCT ON (x.i) x.i, c.id FROM x JOIN cur c ON c.i = x.i
        WHERE c.action = x.action AND c.target_key IS NOT DISTINCT FROM x.target_key
        ORDER BY x.i, c.id DESC
     ), rev AS (
       UPDATE fk_backfill.decisions d SET revoked_at = clock_timestamp()
         FROM cur c WHERE d.id = c.id AND c.i NOT IN (SELECT i FROM same)
       RETURNING c.i, d.id
     ), ins AS (
       INSERT INTO fk_backfill.decisions (link, scope_key, source_name, action, target_key, decided_by)
       SELECT x.link, x.scope_key, x.source_name, x.action, x.target_key, x.decided_by FROM x WHERE x.i NOT IN (SELECT i FROM same) ORDER BY x.i
       RETURNING id, link, scope_key, source_name, action, target_key, decided_by, decided_at
     )
     SELECT x.i, coalesce(ins.id, d.id)::text AS id, coalesce(ins.action, d.action) AS action, coalesce(ins.target_key, d.target_key) AS target_key,
            coalesce(ins.decided_by, d.decided_by) AS decided_by, coalesce(ins.decided_at, d.decided_at)::text AS decided_at,
            ins.id IS NOT NULL AS changed,
            (SELECT array_agg(rev.id::text) FROM rev WHERE rev.i = x.i) AS replaced
       FROM x
       LEFT JOIN ins ON ins.link = x.link AND ins.scope_key = x.scope_key AND ins.source_name = x.source_name
       LEFT JOIN same s ON s.i = x.i
       LEFT JOIN fk_backfill.decisions d ON d.id = s.id
      ORDER BY x.i`,
    [JSON.stringify(payload)],
  );
  return {
    results: res.rows.map((r) => ({
      decision: { id: r.id, action: r.action, targetKey: r.target_key, decidedBy: r.decided_by, decidedAt: r.decided_at },
      changed: r.changed,
      replaced: r.replaced ?? [],
    })),
  };
}

function dedupe(list: DecideInput[]): void {
  const seen = new Set<string>();
  for (const d of list) {
    const k = JSON.stringify([d.link, d.scopeKey, d.name]);
    if (seen.has(k)) throw new BackfillError('INVALID_INPUT', `two decisions for the same name: ${d.link} ${JSON.stringify(d.scopeKey)} ${JSON.stringify(d.name)}`);
    seen.add(k);
  }
}

/** Validates and records many decisions in one transaction (all or nothing). */
export async function decideManyIn(ctx: Context, list: DecideInput[]): Promise<DecideResult[]> {
  const errors = await validateDecisions(ctx.db, ctx, list);
  const bad = errors.map((e, i) => (e === null ? null : { index: i, message: e })).filter((x) => x !== null);
  if (bad.length > 0) {
    throw new BackfillError('INVALID_INPUT', bad.map((b) => b.message).join('; '), { details: { errors: bad } });
  }
  dedupe(list);
  try {
    return (await ctx.db.transaction((tx) => writeDecisions(tx, list))).results;
  } catch (e) {
    throw wrapDbError(e, 'recording decisions');
  }
}

export async function decideIn(ctx: Context, input: DecideInput): Promise<DecideResult> {
  return (await decideManyIn(ctx, [input]))[0]!;
}

/**
 * Records what a person decided for a name in a scope: alias → that master (must be an active master
 * of the same scope), never → never linked, create → left for `masters create`. Replaces (revokes)
 * the name's earlier decision; the same decision twice writes nothing.
 */
export async function decide(db: unknown, input: DecideInput & { config?: CommonOptions['config'] }): Promise<DecideResult> {
  const ctx = await prepare(db, { ...(input.config !== undefined ? { config: input.config } : {}), allTenants: true });
  return decideIn(ctx, input);
}

/** Undo of a decision (before apply): sets revoked_at. Rows already linked stay linked (`undo --run`). */
export async function revokeDecision(db: unknown, input: { id: string; by?: string | null }): Promise<DecisionRecord & { link: string; scopeKey: (string | null)[]; name: string }> {
  const d = adapt(db);
  await migrate(d);
  return revokeIn(d, input.id);
}

/** Revokes decision `id`; with `tenant`, only a decision of that tenant (first scope value). */
export async function revokeIn(db: Queryable, id: string, tenant: string | null = null): Promise<DecisionRecord & { link: string; scopeKey: (string | null)[]; name: string }> {
  if (!/^\d{1,18}$/.test(id)) throw new BackfillError('INVALID_INPUT', `decision id must be a number, got "${id}"`);
  const res = await db.query<{ id: string; link: string; scope_key: (string | null)[]; source_name: string; action: ReviewAction; target_key: string | null; decided_by: string | null; decided_at: string }>(
    `UPDATE fk_backfill.decisions SET revoked_at = clock_timestamp()
      WHERE id = $1::int8 AND revoked_at IS NULL AND ($2::text IS NULL OR scope_key[1] = $2::text)
     RETURNING id::text AS id, link, scope_key, source_name, action, target_key, decided_by, decided_at::text AS decided_at`,
    [id, tenant],
  );
  const r = res.rows[0];
  if (r === undefined) throw new BackfillError('NOT_FOUND', `no decision ${id} in force${tenant === null ? '' : ` for tenant ${tenant}`} (unknown or already revoked)`);
  return { id: r.id, link: r.link, scopeKey: r.scope_key, name: r.source_name, action: r.action, targetKey: r.target_key, decidedBy: r.decided_by, decidedAt: r.decided_at };
}

export interface BulkAcceptResult {
  accepted: number;
  /** Names in the filter above the score but not accepted: ambiguous, or the top candidate is inactive. */
  skipped: number;
  decisions: DecideResult[];
}

/**
 * Accepts the top candidate of every open name in the filter whose best score is at least `minScore`.
 * Ambiguous names (two candidates within the margin) are never bulk-accepted.
 */
export async function bulkAcceptIn(ctx: Context, opts: { filter?: QueueFilter; minScore: number; by: string | null; planRunId?: string }): Promise<BulkAcceptResult> {
  if (!Number.isFinite(opts.minScore) || opts.minScore < 0 || opts.minScore > 1) throw new BackfillError('USAGE', 'minScore must be between 0 and 1');
  const q = await reviewQueueIn(ctx, { filter: { ...(opts.filter ?? {}), state: 'open' }, limit: 100_000, ...(opts.planRunId !== undefined ? { planRunId: opts.planRunId } : {}) });
  const list: DecideInput[] = [];
  let skipped = 0;
  for (const it of q.items) {
    const top = it.candidates[0];
    if (top === undefined || top.score === null || top.score < opts.minScore) continue;
    if (it.outcome === 'ambiguous' || !top.active) {
      skipped++;
      continue;
    }
    list.push({ link: it.link, scopeKey: it.scopeKey, name: it.name, action: 'alias', targetKey: top.key, by: opts.by });
  }
  const decisions = await decideManyIn(ctx, list);
  return { accepted: decisions.filter((d) => d.changed).length, skipped, decisions };
}

export async function bulkAccept(db: unknown, opts: CommonOptions & { filter?: QueueFilter; minScore: number; by: string | null; planRunId?: string }): Promise<BulkAcceptResult> {
  const ctx = await prepare(db, opts, { tenant: 'required' });
  return bulkAcceptIn(ctx, opts);
}

export async function reviewCounts(db: unknown, opts: ReviewQueueOptions = {}): Promise<QueueCounts> {
  return (await reviewQueue(db, { ...opts, limit: opts.limit ?? 100_000 })).counts;
}

// ------------------------------------------------------------------------------------------ CSV

const CANDIDATES_IN_CSV = 3;

/** Spreadsheets run cells starting with = + - @ as formulas: such names are exported with a leading ' (import strips it). */
const FORMULA = /^[=+\-@\t\r]/;
export function csvSafe(s: string): string {
  return FORMULA.test(s) ? `'${s}` : s;
}
function csvUnsafe(s: string): string {
  return s.startsWith("'") && FORMULA.test(s.slice(1)) ? s.slice(1) : s;
}
const CSV_HEADER = [
  'link',
  'scope',
  'name',
  'rows',
  'amount',
  'outcome',
  'score',
  'sample_documents',
  ...Array.from({ length: CANDIDATES_IN_CSV }, (_, i) => [`candidate_${i + 1}_key`, `candidate_${i + 1}_name`, `candidate_${i + 1}_score`]).flat(),
  'current_decision',
  'decision',
  'target_key',
];

/**
 * The queue as CSV: one line per name with its candidates, the decision in force, and two columns to
 * fill: `decision` (accept | alias | never | create, or empty to leave it) and `target_key` (for
 * alias; accept takes candidate 1 unless target_key is filled).
 */
export async function exportQueueCsv(db: unknown, opts: ReviewQueueOptions = {}): Promise<{ csv: string; names: number; planRunId: string }> {
  const q = await reviewQueue(db, { ...opts, limit: opts.limit ?? 100_000 });
  const rows = q.items.map((it) => [
    it.link,
    JSON.stringify(it.scopeKey),
    csvSafe(it.name),
    it.rows,
    it.amount ?? '',
    it.outcome,
    it.score ?? '',
    it.sampleDocuments.join(' '),
    ...Array.from({ length: CANDIDATES_IN_CSV }, (_, i) => {
      const c = it.candidates[i];
      return c === undefined ? ['', '', ''] : [c.key, csvSafe(c.name), c.score ?? ''];
    }).flat(),
    it.decision === null ? '' : it.decision.action === 'alias' ? `alias ${it.decision.targetKey}` : it.decision.action,
    '',
    '',
  ]);
  return { csv: stringifyCsv([CSV_HEADER, ...rows]), names: rows.length, planRunId: q.planRunId };
}

export interface CsvLineError {
  line: number;
  message: string;
}

export interface ImportResult {
  /** Lines with a decision. */
  decided: number;
  /** Decisions written (new or changed). */
  written: number;
  /** Decisions already in force (e.g. the same file imported twice): nothing written. */
  unchanged: number;
  /** Lines with an empty decision column. */
  blank: number;
}

/**
 * Reads an edited export: validates every line first (link, scope, name, decision, target = an active
 * master of that scope), then writes all decisions in one transaction, or nothing if any line is bad
 * (the error lists each bad line with its line number). Importing the same file twice writes nothing
 * the second time.
 */
export async function importDecisionsCsv(db: unknown, text: string, opts: CommonOptions & { by: string | null }): Promise<ImportResult> {
  const ctx = await prepare(db, opts, { tenant: 'required' });
  let header: string[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, { columns: (h: string[]) => ((header = h.map((x) => x.trim())), header), skip_empty_lines: true, info: true, bom: true, trim: false, relax_column_count: false }) as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    const line = err.lines;
    throw new BackfillError('INVALID_INPUT', `CSV ${line !== undefined ? `line ${line}: ` : ''}${err.message}`, {
      details: { errors: [{ line: line ?? 0, message: err.message }] },
    });
  }
  const errors: CsvLineError[] = [];
  for (const col of ['link', 'scope', 'name', 'decision', 'target_key']) {
    if (!header.includes(col)) errors.push({ line: 1, message: `missing column "${col}"` });
  }
  if (errors.length > 0) throw csvError(errors);
  const list: DecideInput[] = [];
  const lineOf: number[] = [];
  let blank = 0;
  for (const { record: r, info } of records) {
    const line = info.lines;
    const decision = (r['decision'] ?? '').trim().toLowerCase();
    if (decision === '' || decision === 'skip') {
      blank++;
      continue;
    }
    let scopeKey: (string | null)[];
    try {
      const v: unknown = JSON.parse(r['scope'] ?? '');
      if (!Array.isArray(v) || !v.every((x) => x === null || typeof x === 'string')) throw new Error('not an array of strings');
      scopeKey = v as (string | null)[];
    } catch {
      errors.push({ line, message: `scope ${JSON.stringify(r['scope'] ?? '')} is not a JSON array of strings (keep the exported value)` });
      continue;
    }
    const target = (r['target_key'] ?? '').trim();
    let action: ReviewAction;
    let targetKey: string | null = null;
    if (decision === 'accept' || decision === 'alias' || decision === 'a') {
      action = 'alias';
      targetKey = target !== '' ? target : decision === 'alias' ? '' : (r['candidate_1_key'] ?? '').trim();
      if (targetKey === '') {
        errors.push({ line, message: decision === 'alias' ? 'alias needs target_key' : 'accept needs a candidate_1_key or a target_key' });
        continue;
      }
    } else if (decision === 'never' || decision === 'create') {
      action = decision;
      if (target !== '') {
        errors.push({ line, message: `${decision} takes no target_key` });
        continue;
      }
    } else {
      errors.push({ line, message: `decision "${r['decision']}" is not one of accept, alias, never, create (or empty)` });
      continue;
    }
    list.push({ link: (r['link'] ?? '').trim(), scopeKey, name: csvUnsafe(r['name'] ?? ''), action, targetKey, by: opts.by });
    lineOf.push(line);
  }
  const v = await validateDecisions(ctx.db, ctx, list);
  v.forEach((m, i) => {
    if (m !== null) errors.push({ line: lineOf[i]!, message: m });
  });
  const seen = new Map<string, number>();
  list.forEach((d, i) => {
    const k = JSON.stringify([d.link, d.scopeKey, d.name]);
    const prev = seen.get(k);
    if (prev !== undefined) errors.push({ line: lineOf[i]!, message: `same name as line ${prev}` });
    else seen.set(k, lineOf[i]!);
  });
  if (errors.length > 0) throw csvError(errors.sort((a, b) => a.line - b.line));
  let results: DecideResult[];
  try {
    results = (await ctx.db.transaction((tx) => writeDecisions(tx, list))).results;
  } catch (e) {
    throw wrapDbError(e, 'importing decisions');
  }
  const written = results.filter((r) => r.changed).length;
  return { decided: list.length, written, unchanged: list.length - written, blank };
}

function csvError(errors: CsvLineError[]): BackfillError {
  const shown = errors.slice(0, 20).map((e) => `line ${e.line}: ${e.message}`);
  if (errors.length > 20) shown.push(`… and ${errors.length - 20} more`);
  return new BackfillError('INVALID_INPUT', `CSV not imported, nothing written (${errors.length} bad line(s)):\n  ${shown.join('\n  ')}`, { details: { errors } });
}
