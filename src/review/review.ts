/**
 * Review: the queue of names the machine is unsure of (review / ambiguous / unmatched), and the
 * decisions people take on them (alias → master, never, create), stored in fk_backfill.decisions and
 * read by every later plan before any scoring. The CLI, the CSV round trip and the review server are
 * front ends over these functions.
 */
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { adapt } from '../db/index.js';
import { num, type Database, type Queryable } from '../db/port.js';
import { migrate } from '../store/migrate.js';
import type { DecisionAction } from '../plan/decide.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';
import { mastersByKeyStatement } from '../sql/masters.js';
import { FACETS, linkedRowsSql, masterSearchSql, QUEUE_SORTS, reviewQueueSql, type Facet, type QueueSort, type QueueSqlFilter, type QueueSqlLink } from '../sql/review.js';
import { explainScore, type Contribution } from '../match/index.js';
import type { ResolvedLink } from '../context/catalog.js';
import { type CommonOptions, type Context, prepare, shape } from '../context/context.js';
import { planIn } from '../planning/plan.js';
import { createRun, failRun, finishRun } from '../store/runs.js';
import { matchOptionsFor } from '../planning/scored.js';

export type { DecisionAction } from '../plan/decide.js';

export type Band = 'review' | 'ambiguous' | 'unmatched';
export const BANDS: readonly Band[] = ['review', 'ambiguous', 'unmatched'];
export { FACETS, QUEUE_SORTS, type Facet, type QueueSort } from '../sql/review.js';
export const DECISION_VALUES = ['alias', 'never', 'create', 'none'] as const;

export interface QueueFilter {
  /** Entity names (links); default all configured. */
  links?: string[] | undefined;
  /** Only this value of the first scope column (within the scope the queue was opened for). */
  tenant?: string | undefined;
  /** Only these values of the first scope column. */
  tenants?: string[] | undefined;
  bands?: Band[] | undefined;
  minScore?: number | undefined;
  maxScore?: number | undefined;
  search?: string | undefined;
  /** open = without a decision; decided = with one; all (default). */
  state?: 'all' | 'open' | 'decided' | undefined;
  /** Decision in force: alias, never, create, or none (open). */
  decisions?: (typeof DECISION_VALUES)[number][] | undefined;
}

export interface ReviewQueueOptions extends CommonOptions {
  filter?: QueueFilter;
  /** Use this plan run; default: the latest done plan for this config and scope, else a new plan. */
  planRunId?: string;
  /** Always plan anew. */
  fresh?: boolean;
  /** Names per page (default 500). */
  limit?: number;
  /** Names skipped before the page (default 0). */
  offset?: number;
  /** Default: amount when every link has an amount column, else rows. */
  sort?: QueueSort;
  /** Default true (largest first), except for name (A→Z). */
  desc?: boolean;
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
  /** Each signal's share of the score (a waterfall that adds up to it). */
  contributions: Contribution[];
  /**
   * Rows already linked to this master (every link to its table, same scope): given for candidates
   * whose name another candidate of the same name shares, so duplicates can be told apart.
   */
  linkedRows?: number;
}

export interface DecisionRecord {
  id: string;
  action: DecisionAction;
  targetKey: string | null;
  decidedBy: string | null;
  decidedAt: string;
}

export interface MasterRef {
  key: string;
  name: string;
  number: string | null;
  active: boolean;
}

export interface QueueItem {
  /** Position in the whole filtered, sorted queue (0-based). */
  pos: number;
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
  decision: (DecisionRecord & { target: MasterRef | null }) | null;
}

/** Decided / remaining under every selection but the state's (so a state filter does not zero them). */
export interface QueueCounts {
  names: number;
  decided: number;
  remaining: number;
  rows: number;
  rowsDecided: number;
  rowsRemaining: number;
}

export interface FacetValue {
  value: string;
  names: number;
  rows: number;
}

export interface ReviewQueue {
  planRunId: string;
  tenantId: string | null;
  /** Links in the queue with their thresholds (for score bars and bulk accept). */
  links: { entity: string; table: string; strategy: string; autoLinkAt: number; reviewAt: number; amount: boolean }[];
  /** Every first-scope value present in the queue. */
  tenants: string[];
  items: QueueItem[];
  counts: QueueCounts;
  /** Names matching every selection (what the pages walk). */
  total: number;
  totalRows: number;
  /** The whole queue before any selection (search and score range still apply). */
  queue: { names: number; rows: number };
  /** Per facet, the values present with their counts (other facets' selections applied, not its own). */
  facets: Record<Facet, FacetValue[]>;
  offset: number;
  limit: number;
  sort: QueueSort;
  desc: boolean;
  /** More names match than this page shows. */
  truncated: boolean;
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** The latest finished plan made with this config, for this scope, covering these links (not a decisions-only copy). */
async function latestPlan(ctx: Context): Promise<string | null> {
  const res = await ctx.db.query<{ id: string }>(
    `SELECT id::text AS id FROM fk_backfill.runs
      WHERE kind = 'plan' AND status = 'done' AND config_hash = $1 AND scope = $2::jsonb AND entities @> $3::text[]
        AND NOT (options ? 'decisionsOnlyOf')
      ORDER BY runs.id DESC LIMIT 1`,
    [ctx.configHash, JSON.stringify({ tenant: ctx.filter.tenant }), ctx.links.map((l) => l.entity)],
  );
  return res.rows[0]?.id ?? null;
}

function checkFilter(f: QueueFilter): void {
  for (const b of f.bands ?? []) if (!BANDS.includes(b)) throw new BackfillError('USAGE', `unknown band "${b}"; use ${BANDS.join(', ')}`);
  for (const d of f.decisions ?? []) {
    if (!DECISION_VALUES.includes(d)) throw new BackfillError('USAGE', `unknown decision "${String(d)}"; use ${DECISION_VALUES.join(', ')}`);
  }
  for (const [k, v] of [
    ['minScore', f.minScore],
    ['maxScore', f.maxScore],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0 || v > 1)) throw new BackfillError('USAGE', `${k} must be a number between 0 and 1`);
  }
}

function sqlFilter(ctx: Context, f: QueueFilter): QueueSqlFilter {
  const links = f.links ?? [];
  const unknown = links.filter((w) => !ctx.links.some((l) => l.entity === w));
  if (unknown.length > 0) throw new BackfillError('UNKNOWN_ENTITY', `unknown link ${unknown.join(', ')}`);
  const tenants = [...(f.tenants ?? []), ...(f.tenant !== undefined && f.tenant !== '' ? [f.tenant] : [])];
  if (ctx.filter.tenant !== null) {
    const outside = tenants.filter((t) => t !== ctx.filter.tenant);
    if (outside.length > 0) throw new BackfillError('USAGE', `tenant ${outside.join(', ')} is outside the scope of this review (tenant ${ctx.filter.tenant})`);
  }
  const state = f.state === 'open' || f.state === 'decided' ? [f.state] : [];
  return {
    minScore: f.minScore ?? null,
    maxScore: f.maxScore ?? null,
    search: f.search?.trim() || null,
    facets: { band: f.bands ?? [], state, decision: f.decisions ?? [], link: links, tenant: tenants },
  };
}

interface QueueRow {
  pos: number;
  link: string;
  scope_key: (string | null)[];
  source_name: string;
  outcome: Band;
  score: number | null;
  reason: string | null;
  candidates: { key: string; name?: string; score?: number; method?: string; signals?: Record<string, unknown> }[] | null;
  row_count: number;
  amount: string | null;
  documents: string[] | null;
  decision_id: string | null;
  decision_action: DecisionAction | null;
  decision_target: string | null;
  decided_by: string | null;
  decided_at: string | null;
}

interface FacetRow {
  facet: Facet | 'all';
  value: string | null;
  names: number;
  rows: number;
  queue: number;
  queue_rows: number;
}

function queueParts(ctx: Context): QueueSqlLink[] {
  return ctx.links.map((l) => ({ link: shape(l), linkName: l.entity }));
}

function defaultSort(ctx: Context): QueueSort {
  return ctx.links.length > 0 && ctx.links.every((l) => l.config.amount !== undefined) ? 'amount' : 'rows';
}

async function resolvePlan(ctx: Context, opts: { planRunId?: string | undefined; fresh?: boolean | undefined; executedBy?: string | null | undefined }): Promise<string> {
  const id = opts.planRunId ?? (opts.fresh === true ? null : await latestPlan(ctx));
  return id ?? (await planIn(ctx, { executedBy: opts.executedBy ?? null, maxUnmatchedRecords: 0 })).runId;
}

function itemOf(ctx: Context, r: QueueRow): QueueItem {
  const l = linkOf(ctx, r.link);
  return {
    pos: Number(r.pos),
    link: r.link,
    table: l.config.table,
    scopeKey: r.scope_key,
    name: r.source_name,
    outcome: r.outcome,
    score: r.score === null ? null : Number(r.score),
    reason: r.reason,
    rows: num(r.row_count),
    amount: r.amount === null ? null : Number(r.amount),
    sampleDocuments: r.documents ?? [],
    candidates: (r.candidates ?? []).map((c) => {
      const signals = c.signals ?? {};
      const score = c.score ?? null;
      return { key: c.key, name: c.name ?? '', score, method: c.method ?? null, number: null, active: true, signals, contributions: explainScore(score, signals) };
    }),
    decision:
      r.decision_id === null
        ? null
        : { id: r.decision_id, action: r.decision_action!, targetKey: r.decision_target, decidedBy: r.decided_by, decidedAt: r.decided_at ?? '', target: null },
  };
}

/** The queue inside a prepared context (the review server keeps one context): one page, counted by the database. */
export async function reviewQueueIn(ctx: Context, opts: Omit<ReviewQueueOptions, keyof CommonOptions> = {}): Promise<ReviewQueue> {
  const filter = opts.filter ?? {};
  checkFilter(filter);
  const f = sqlFilter(ctx, filter);
  const limit = Math.max(0, Math.floor(opts.limit ?? 500));
  const offset = Math.max(0, Math.floor(opts.offset ?? 0));
  const sort = opts.sort ?? defaultSort(ctx);
  if (!QUEUE_SORTS.includes(sort)) throw new BackfillError('USAGE', `sort must be one of ${QUEUE_SORTS.join(', ')}`);
  const desc = opts.desc ?? sort !== 'name';
  const planRunId = await resolvePlan(ctx, opts);
  const st = reviewQueueSql(queueParts(ctx), { planRunId, samples: opts.samples ?? 3 }, f, { sort, desc, offset, limit }, ctx.filter);
  // Fresh plan_entries have no statistics yet (estimated at 1 row): without this the planner picks
  // nested loops that are quadratic in distinct names. Hash joins are right at every size here.
  const row = (await queryHashJoins<{ items: unknown; facets: unknown }>(ctx.db, st.text, st.values)).rows[0];
  const items = (json<QueueRow[]>(row?.items) ?? []).map((r) => itemOf(ctx, r));
  await annotateMasters(ctx, items);
  const facetRows = json<FacetRow[]>(row?.facets) ?? [];
  const facets = Object.fromEntries(FACETS.map((k) => [k, [] as FacetValue[]])) as Record<Facet, FacetValue[]>;
  let total = 0;
  let totalRows = 0;
  const queue = { names: 0, rows: 0 };
  for (const fr of facetRows) {
    if (fr.facet === 'all') {
      total = num(fr.names);
      totalRows = num(fr.rows);
      queue.names = num(fr.queue);
      queue.rows = num(fr.queue_rows);
    } else facets[fr.facet].push({ value: fr.value ?? '', names: num(fr.names), rows: num(fr.rows) });
  }
  for (const k of FACETS) facets[k].sort((a, b) => cmp(a.value, b.value));
  const st8 = (v: string): FacetValue => facets.state.find((x) => x.value === v) ?? { value: v, names: 0, rows: 0 };
  const decided = st8('decided');
  const open = st8('open');
  return {
    planRunId,
    tenantId: ctx.filter.tenant,
    links: ctx.links.map((l) => {
      const o = matchOptionsFor(l);
      return { entity: l.entity, table: l.config.table, strategy: l.config.match, autoLinkAt: o.autoLinkAt, reviewAt: o.reviewAt, amount: l.config.amount !== undefined };
    }),
    tenants: facets.tenant.map((t) => t.value).filter((t) => t !== ''),
    items,
    counts: {
      names: decided.names + open.names,
      decided: decided.names,
      remaining: open.names,
      rows: decided.rows + open.rows,
      rowsDecided: decided.rows,
      rowsRemaining: open.rows,
    },
    total,
    totalRows,
    queue,
    facets,
    offset,
    limit,
    sort,
    desc,
    truncated: offset + items.length < total,
  };
}

/** Every open name of the filter whose best candidate scores at least `minScore` (no paging, no facets). */
async function bulkCandidates(ctx: Context, filter: QueueFilter, minScore: number, planRunId?: string): Promise<QueueItem[]> {
  checkFilter(filter);
  const f = sqlFilter(ctx, filter);
  const id = await resolvePlan(ctx, { planRunId });
  const st = reviewQueueSql(queueParts(ctx), { planRunId: id, samples: 0 }, f, { sort: 'score', desc: true, offset: 0, limit: null }, ctx.filter, { minScore });
  const row = (await queryHashJoins<{ items: unknown }>(ctx.db, st.text, st.values)).rows[0];
  const items = (json<QueueRow[]>(row?.items) ?? []).map((r) => itemOf(ctx, r));
  await annotateMasters(ctx, items);
  return items;
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

/** Counts of a list of items (what a page holds); the queue's own counts come from the database. */
export function countsOf(items: QueueItem[]): QueueCounts {
  const decided = items.filter((i) => i.decision !== null);
  const rows = items.reduce((a, i) => a + i.rows, 0);
  const rowsDecided = decided.reduce((a, i) => a + i.rows, 0);
  return { names: items.length, decided: decided.length, remaining: items.length - decided.length, rows, rowsDecided, rowsRemaining: rows - rowsDecided };
}

/** Fills candidates' numbers and active flags and the decided master (one statement per link on the page). */
async function annotateMasters(ctx: Context, items: QueueItem[]): Promise<void> {
  for (const l of ctx.links) {
    const mine = items.filter((i) => i.link === l.entity);
    if (mine.length === 0) continue;
    const keys = [...new Set(mine.flatMap((i) => [...i.candidates.map((c) => c.key), ...(i.decision?.targetKey != null ? [i.decision.targetKey] : [])]))];
    const found = await mastersFor(ctx.db, l, keys);
    for (const it of mine) {
      for (const c of it.candidates) {
        const m = masterIn(found, c.key, it.scopeKey);
        if (m !== undefined) {
          c.number = m.number;
          c.active = m.active;
        }
      }
      const t = it.decision?.targetKey;
      if (it.decision && t != null) {
        const m = masterIn(found, t, it.scopeKey);
        it.decision.target = m === undefined ? { key: t, name: '', number: null, active: false } : { key: m.key, name: m.name, number: m.number, active: m.active };
      }
    }
  }
  await countLinkedRows(ctx, items);
}

/** Fills linkedRows of candidates that share their name with another candidate of the same card (duplicate masters). */
async function countLinkedRows(ctx: Context, items: QueueItem[]): Promise<void> {
  const byTable = new Map<string, { c: QueueCandidate; scope: (string | null)[] }[]>();
  for (const it of items) {
    const norm = (c: QueueCandidate): string => c.name.trim().toLowerCase();
    const seen = new Map<string, number>();
    for (const c of it.candidates) seen.set(norm(c), (seen.get(norm(c)) ?? 0) + 1);
    const table = linkOf(ctx, it.link).config.target.table;
    for (const c of it.candidates) if ((seen.get(norm(c)) ?? 0) > 1) byTable.set(table, [...(byTable.get(table) ?? []), { c, scope: it.scopeKey }]);
  }
  for (const [table, list] of byTable) {
    const links = ctx.links.filter((l) => l.config.target.table === table);
    const st = linkedRowsSql(links.map(shape), [...new Set(list.map((x) => x.c.key))], links[0]!.targetKeyType);
    const res = await ctx.db.query<{ scope_key: (string | null)[]; key: string; n: unknown }>(st.text, st.values);
    const n = new Map(res.rows.map((r) => [JSON.stringify([r.scope_key, r.key]), num(r.n)]));
    for (const x of list) x.c.linkedRows = n.get(JSON.stringify([x.scope, x.c.key])) ?? 0;
  }
}

function keyLink(l: ResolvedLink): Parameters<typeof mastersByKeyStatement>[0] {
  return { ...shape(l), targetKeyType: l.targetKeyType, number: l.config.target.number };
}

interface MasterInfo {
  key: string;
  scopeKey: (string | null)[];
  name: string;
  number: string | null;
  active: boolean;
}

/**
 * The master with this key in this scope, else one of another scope (to say so). Masters keyed by
 * (tenant_id, id) repeat a key across tenants: a lookup by key alone picked an arbitrary tenant's.
 */
function masterIn(found: Map<string, MasterInfo[]>, key: string, scopeKey: readonly (string | null)[]): MasterInfo | undefined {
  const all = found.get(key);
  const want = JSON.stringify(scopeKey);
  return all?.find((m) => JSON.stringify(m.scopeKey) === want) ?? all?.[0];
}

async function mastersFor(db: Queryable, l: ResolvedLink, keys: string[]): Promise<Map<string, MasterInfo[]>> {
  const out = new Map<string, MasterInfo[]>();
  if (keys.length === 0) return out;
  const st = mastersByKeyStatement(keyLink(l), keys);
  try {
    const res = await db.query<{ key: string; scope_key: (string | null)[]; name: string; number: string | null; active: boolean }>(st.text, st.values);
    for (const r of res.rows) out.set(r.key, [...(out.get(r.key) ?? []), { key: r.key, scopeKey: r.scope_key, name: r.name, number: r.number, active: r.active }]);
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
  action: DecisionAction;
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
      const m = masterIn(found, d.targetKey!, d.scopeKey);
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
  const res = await tx.query<{ i: number; id: string; action: DecisionAction; target_key: string | null; decided_by: string | null; decided_at: string; changed: boolean; replaced: string[] | null }>(
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

/**
 * Revokes decisions `ids` in one statement (a bulk's undo); with `tenant`, only that tenant's. All in
 * force or nothing, unless `inForceOnly`: then the ones still in force are revoked and the others (a
 * name decided again since) are counted as `kept`.
 */
export async function revokeManyIn(db: Queryable, ids: string[], tenant: string | null = null, opts: { inForceOnly?: boolean } = {}): Promise<{ revoked: number; kept: number }> {
  if (ids.length === 0) return { revoked: 0, kept: 0 };
  for (const id of ids) if (!/^\d{1,18}$/.test(id)) throw new BackfillError('INVALID_INPUT', `decision id must be a number, got "${id}"`);
  const want = new Set(ids).size;
  if (opts.inForceOnly === true) {
    const res = await db.query<{ n: unknown }>(
      `WITH r AS (UPDATE fk_backfill.decisions d SET revoked_at = clock_timestamp()
                   WHERE d.id = ANY($1::int8[]) AND d.revoked_at IS NULL AND ($2::text IS NULL OR d.scope_key[1] = $2::text) RETURNING 1)
       SELECT count(*)::int8 AS n FROM r`,
      [ids, tenant],
    );
    const n = num(res.rows[0]?.n);
    return { revoked: n, kept: want - n };
  }
  // one statement: revokes them only if every one is in force (all or nothing)
  const res = await db.query<{ n: unknown }>(
    `WITH w AS (SELECT d.id FROM fk_backfill.decisions d
                 WHERE d.id = ANY($1::int8[]) AND d.revoked_at IS NULL AND ($2::text IS NULL OR d.scope_key[1] = $2::text)),
          r AS (UPDATE fk_backfill.decisions d SET revoked_at = clock_timestamp()
                 WHERE d.id IN (SELECT id FROM w) AND (SELECT count(*) FROM w) = $3::int8 RETURNING 1)
     SELECT count(*)::int8 AS n FROM r`,
    [ids, tenant, want],
  );
  const n = num(res.rows[0]?.n);
  if (n !== want) throw new BackfillError('NOT_FOUND', `some of the ${want} decisions are not in force${tenant === null ? '' : ` for tenant ${tenant}`}; nothing undone`);
  return { revoked: n, kept: 0 };
}

/**
 * Undo of one decision: revokes `id` and puts back in force the decisions it replaced (`restore`, from
 * the decision's `replaced`) when they are of the same name and nothing else is in force for it, so
 * undoing "never" on a bulk-accepted name gives the bulk's link back (and the bulk stays undoable).
 * One transaction. Returns the revoked decision and the one in force afterwards (or null).
 */
export async function undoDecisionIn(
  db: Database,
  id: string,
  restore: string[],
  tenant: string | null = null,
): Promise<{ revoked: DecisionRecord & { link: string; scopeKey: (string | null)[]; name: string }; restored: DecisionRecord | null }> {
  for (const r of restore) if (!/^\d{1,18}$/.test(r)) throw new BackfillError('INVALID_INPUT', `decision id must be a number, got "${r}"`);
  return db.transaction(async (tx) => {
    const revoked = await revokeIn(tx, id, tenant);
    if (restore.length === 0) return { revoked, restored: null };
    const res = await tx.query<{ id: string; action: DecisionAction; target_key: string | null; decided_by: string | null; decided_at: string }>(
      `UPDATE fk_backfill.decisions d SET revoked_at = NULL
        WHERE d.id = (SELECT max(o.id) FROM fk_backfill.decisions o
                       WHERE o.id = ANY($1::int8[]) AND o.revoked_at IS NOT NULL AND o.link = $2 AND o.scope_key = $3::text[] AND o.source_name = $4)
          AND NOT EXISTS (SELECT 1 FROM fk_backfill.decisions l
                           WHERE l.link = $2 AND l.scope_key = $3::text[] AND l.source_name = $4 AND l.revoked_at IS NULL)
       RETURNING d.id::text AS id, d.action, d.target_key, d.decided_by, d.decided_at::text AS decided_at`,
      [restore, revoked.link, revoked.scopeKey, revoked.name],
    );
    const r = res.rows[0];
    return { revoked, restored: r === undefined ? null : { id: r.id, action: r.action, targetKey: r.target_key, decidedBy: r.decided_by, decidedAt: r.decided_at } };
  });
}

/** Revokes decision `id`; with `tenant`, only a decision of that tenant (first scope value). */
export async function revokeIn(db: Queryable, id: string, tenant: string | null = null): Promise<DecisionRecord & { link: string; scopeKey: (string | null)[]; name: string }> {
  if (!/^\d{1,18}$/.test(id)) throw new BackfillError('INVALID_INPUT', `decision id must be a number, got "${id}"`);
  const res = await db.query<{ id: string; link: string; scope_key: (string | null)[]; source_name: string; action: DecisionAction; target_key: string | null; decided_by: string | null; decided_at: string }>(
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

export interface BulkPreview {
  /** Exactly the names a bulk accept with the same filter and score would accept now. */
  count: number;
  rows: number;
  /** Above the score but not taken: ambiguous, or the best candidate is inactive. */
  skipped: number;
  /** The first names (best score first) with the master each would be linked to. */
  sample: { link: string; name: string; score: number | null; master: string; number: string | null }[];
  /** Fingerprint of the set: a bulk accept given it refuses if the set changed since. */
  digest: string;
}

interface BulkSet {
  list: DecideInput[];
  items: QueueItem[];
  skipped: number;
  digest: string;
}

async function bulkSet(ctx: Context, opts: { filter?: QueueFilter | undefined; minScore: number; by: string | null; planRunId?: string | undefined }): Promise<BulkSet> {
  if (!Number.isFinite(opts.minScore) || opts.minScore < 0 || opts.minScore > 1) throw new BackfillError('USAGE', 'minScore must be between 0 and 1');
  const found = await bulkCandidates(ctx, { ...(opts.filter ?? {}), state: 'open' }, opts.minScore, opts.planRunId);
  const list: DecideInput[] = [];
  const items: QueueItem[] = [];
  let skipped = 0;
  for (const it of found) {
    const top = it.candidates[0]!;
    if (it.outcome === 'ambiguous' || !top.active) {
      skipped++;
      continue;
    }
    items.push(it);
    list.push({ link: it.link, scopeKey: it.scopeKey, name: it.name, action: 'alias', targetKey: top.key, by: opts.by });
  }
  const canon = list.map((d) => JSON.stringify([d.link, d.scopeKey, d.name, d.targetKey])).sort();
  const digest = createHash('sha256').update(canon.join('\n')).digest('hex').slice(0, 32);
  return { list, items, skipped, digest };
}

/** What a bulk accept would do now: the exact count, the first names, and a fingerprint to hold it to. */
export async function bulkPreviewIn(ctx: Context, opts: { filter?: QueueFilter; minScore: number; planRunId?: string }): Promise<BulkPreview> {
  const s = await bulkSet(ctx, { ...opts, by: null });
  return {
    count: s.list.length,
    rows: s.items.reduce((a, i) => a + i.rows, 0),
    skipped: s.skipped,
    sample: s.items.slice(0, 10).map((i) => ({ link: i.link, name: i.name, score: i.candidates[0]!.score, master: i.candidates[0]!.name, number: i.candidates[0]!.number })),
    digest: s.digest,
  };
}

/**
 * Accepts the top candidate of every open name in the filter whose best score is at least `minScore`.
 * Ambiguous names (two candidates within the margin) are never bulk-accepted. With `digest` (from
 * `bulkPreviewIn`), refuses with BULK_CHANGED unless the set is exactly the one previewed.
 */
export async function bulkAcceptIn(ctx: Context, opts: { filter?: QueueFilter; minScore: number; by: string | null; planRunId?: string; digest?: string }): Promise<BulkAcceptResult> {
  const s = await bulkSet(ctx, opts);
  if (opts.digest !== undefined && opts.digest !== s.digest) {
    throw new BackfillError('INVALID_INPUT', `the names above ${opts.minScore} in this view changed since the preview (now ${s.list.length}); preview again`);
  }
  const decisions = await decideManyIn(ctx, s.list);
  return { accepted: decisions.filter((d) => d.changed).length, skipped: s.skipped, decisions };
}

export async function bulkAccept(db: unknown, opts: CommonOptions & { filter?: QueueFilter; minScore: number; by: string | null; planRunId?: string }): Promise<BulkAcceptResult> {
  const ctx = await prepare(db, opts, { tenant: 'required' });
  return bulkAcceptIn(ctx, opts);
}

export async function reviewCounts(db: unknown, opts: ReviewQueueOptions = {}): Promise<QueueCounts> {
  return (await reviewQueue(db, { ...opts, limit: 1 })).counts;
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
    let action: DecisionAction;
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

// ------------------------------------------------------------------------------------------ apply from the page

export interface ApplyPreview {
  planRunId: string;
  /** Rows (and names) the plan links because a person decided. */
  decisions: { names: number; rows: number };
  /** Rows the machine links on its own (auto-link band, exact, normalized, alias). */
  machine: { names: number; rows: number };
  /** Rows left NULL: review, ambiguous, unmatched, never, create. */
  left: { names: number; rows: number };
}

/** Plans now (decisions first) and counts what an apply of that plan would link, by who decided. */
export async function applyPreviewIn(ctx: Context, opts: { by: string | null }): Promise<ApplyPreview> {
  const planRunId = (await planIn(ctx, { executedBy: opts.by, maxUnmatchedRecords: 0 })).runId;
  const res = await ctx.db.query<{ k: 'decisions' | 'machine' | 'left'; names: unknown; rows: unknown }>(
    `SELECT CASE WHEN outcome = 'linked' AND method = 'decision' THEN 'decisions' WHEN outcome = 'linked' THEN 'machine' ELSE 'left' END AS k,
            count(*)::int8 AS names, coalesce(sum(row_count), 0)::int8 AS rows
       FROM fk_backfill.plan_entries WHERE run_id = $1::int8 GROUP BY 1`,
    [planRunId],
  );
  const out: ApplyPreview = { planRunId, decisions: { names: 0, rows: 0 }, machine: { names: 0, rows: 0 }, left: { names: 0, rows: 0 } };
  for (const r of res.rows) out[r.k] = { names: num(r.names), rows: num(r.rows) };
  return out;
}

/**
 * A plan holding only what people decided: a copy of plan `planRunId`'s entries linked by a decision
 * (machine links left out), recorded as its own plan run (options.decisionsOnlyOf) so that applying it
 * links exactly those rows. The review queue never reads such a copy.
 */
export async function decisionsOnlyPlanIn(ctx: Context, planRunId: string, by: string | null): Promise<string> {
  const src = await ctx.db.query<{ config_hash: string; scope: unknown; status: string; kind: string }>(
    `SELECT config_hash, scope, status, kind FROM fk_backfill.runs WHERE id = $1::int8`,
    [planRunId],
  );
  const run = src.rows[0];
  if (run === undefined || run.kind !== 'plan' || run.status !== 'done') throw new BackfillError('RUN_STATE', `plan ${planRunId} is not a finished plan`);
  if (run.config_hash !== ctx.configHash || JSON.stringify(json<{ tenant: string | null }>(run.scope)?.tenant ?? null) !== JSON.stringify(ctx.filter.tenant)) {
    throw new BackfillError('PLAN_STALE', `plan ${planRunId} was made with another config or scope; preview the apply again`);
  }
  const id = await createRun(ctx.db, {
    kind: 'plan',
    tenant: ctx.filter.tenant,
    entities: ctx.links.map((l) => l.entity),
    executedBy: by,
    dryRun: true,
    configHash: ctx.configHash,
    config: ctx.config,
    options: { decisionsOnlyOf: planRunId },
  });
  try {
    const res = await ctx.db.query<{ names: unknown; rows: unknown }>(
      `WITH c AS (
         INSERT INTO fk_backfill.plan_entries (run_id, link, scope_key, source_name, outcome, target_key, method, score, row_count, candidates, reason, target_name)
         SELECT $1::int8, link, scope_key, source_name, outcome, target_key, method, score, row_count, candidates, reason, target_name
           FROM fk_backfill.plan_entries WHERE run_id = $2::int8 AND outcome = 'linked' AND method = 'decision'
         RETURNING row_count)
       SELECT count(*)::int8 AS names, coalesce(sum(row_count), 0)::int8 AS rows FROM c`,
      [id, planRunId],
    );
    await finishRun(ctx.db, id, 'done', { decisionsOnlyOf: planRunId, names: num(res.rows[0]?.names), rows: num(res.rows[0]?.rows) });
    return id;
  } catch (e) {
    throw await failRun(ctx.db, id, e, 'copying the decided part of the plan');
  }
}

/** One master of a link by key (number, active state) for showing which one a decision chose. */
export async function masterRefIn(ctx: Context, link: string, key: string, scopeKey: readonly (string | null)[]): Promise<MasterRef | null> {
  const m = masterIn(await mastersFor(ctx.db, linkOf(ctx, link), [key]), key, scopeKey);
  return m === undefined ? null : { key: m.key, name: m.name, number: m.number, active: m.active };
}

/** The decision in force for one name, with the master it chose. */
export async function liveDecisionIn(ctx: Context, link: string, scopeKey: (string | null)[], name: string): Promise<(DecisionRecord & { target: MasterRef | null }) | null> {
  linkOf(ctx, link);
  const res = await ctx.db.query<{ id: string; action: DecisionAction; target_key: string | null; decided_by: string | null; decided_at: string }>(
    `SELECT id::text AS id, action, target_key, decided_by, decided_at::text AS decided_at FROM fk_backfill.decisions
      WHERE link = $1 AND scope_key = $2::text[] AND source_name = $3 AND revoked_at IS NULL
      ORDER BY decided_at DESC, id DESC LIMIT 1`,
    [link, scopeKey, name],
  );
  const r = res.rows[0];
  if (r === undefined) return null;
  const target = r.target_key === null ? null : await masterRefIn(ctx, link, r.target_key, scopeKey);
  return { id: r.id, action: r.action, targetKey: r.target_key, decidedBy: r.decided_by, decidedAt: r.decided_at, target };
}

/** Masters of a link in the name's scope matching `q` (name, number or key), active first: pick one that is not a candidate. */
export async function searchMastersIn(ctx: Context, input: { link: string; scopeKey: (string | null)[]; q: string; limit?: number }): Promise<MasterRef[]> {
  const l = linkOf(ctx, input.link);
  if (input.scopeKey.length !== l.config.scope.length) throw new BackfillError('INVALID_INPUT', `scope must have ${l.config.scope.length} value(s)`);
  if (ctx.filter.tenant !== null && l.config.scope.length > 0 && input.scopeKey[0] !== ctx.filter.tenant) {
    throw new BackfillError('INVALID_INPUT', `scope ${JSON.stringify(input.scopeKey)} is outside tenant ${ctx.filter.tenant}`);
  }
  const q = input.q.trim();
  if (q === '') return [];
  const st = masterSearchSql(keyLink(l), input.scopeKey, q, Math.min(50, Math.max(1, input.limit ?? 20)));
  const res = await ctx.db.query<{ key: string; name: string; number: string | null; active: boolean }>(st.text, st.values);
  return res.rows.map((r) => ({ key: r.key, name: r.name, number: r.number, active: r.active }));
}

/** Every decision ever taken on one name (revoked ones too), oldest first: who, what, when. */
export async function decisionHistoryIn(
  ctx: Context,
  input: { link: string; scopeKey: (string | null)[]; name: string },
): Promise<(DecisionRecord & { revokedAt: string | null; target: MasterRef | null })[]> {
  const l = linkOf(ctx, input.link);
  if (ctx.filter.tenant !== null && l.config.scope.length > 0 && input.scopeKey[0] !== ctx.filter.tenant) {
    throw new BackfillError('INVALID_INPUT', `scope ${JSON.stringify(input.scopeKey)} is outside tenant ${ctx.filter.tenant}`);
  }
  const res = await ctx.db.query<{ id: string; action: DecisionAction; target_key: string | null; decided_by: string | null; decided_at: string; revoked_at: string | null }>(
    `SELECT id::text AS id, action, target_key, decided_by, decided_at::text AS decided_at, revoked_at::text AS revoked_at
       FROM fk_backfill.decisions WHERE link = $1 AND scope_key = $2::text[] AND source_name = $3
      ORDER BY decided_at, id`,
    [input.link, input.scopeKey, input.name],
  );
  const found = await mastersFor(ctx.db, l, [...new Set(res.rows.map((r) => r.target_key).filter((k): k is string => k !== null))]);
  return res.rows.map((r) => {
    const m = r.target_key === null ? undefined : masterIn(found, r.target_key, input.scopeKey);
    return {
      id: r.id,
      action: r.action,
      targetKey: r.target_key,
      decidedBy: r.decided_by,
      decidedAt: r.decided_at,
      revokedAt: r.revoked_at,
      target: m === undefined ? null : { key: m.key, name: m.name, number: m.number, active: m.active },
    };
  });
}
