/**
 * Review: the queue of names the machine is unsure of (review / ambiguous / unmatched), read by one
 * statement per page (filters, facets, sort, paging) from the plan the page was loaded from. The
 * decisions people take on them are src/review/decide.ts (read by every later plan before any
 * scoring); bulk accept, the CSV round trip and the review server are front ends over these functions.
 */
import { num } from '../db/port.js';
import type { DecisionAction } from '../plan/decide.js';
import { BackfillError } from '../errors.js';
import type { Statement } from '../sql/statement.js';
import { noNestedLoopsStatement } from '../sql/session.js';
import {
  FACETS,
  linkedRowsSql,
  QUEUE_SORTS,
  reviewQueueSql,
  type Facet,
  type QueueSort,
  type QueueSqlFilter,
  type QueueSqlLink,
} from '../sql/review.js';
import { explainScore } from '../match/index.js';
import { type CommonOptions, type Context, prepare, shape } from '../context/context.js';
import { planIn } from '../planning/plan.js';
import { matchOptionsFor } from '../planning/scored.js';
import {
  type Band,
  BANDS,
  DECISION_VALUES,
  type FacetValue,
  type QueueCandidate,
  type QueueCounts,
  type QueueFilter,
  type QueueItem,
  type ReviewQueue,
  type ReviewQueueOptions,
} from './types.js';
import { linkOf, masterIn, mastersFor } from './masters.js';
import { latestPlanRun } from '../store/runs.js';

export type { DecisionAction } from '../plan/decide.js';
export { FACETS, QUEUE_SORTS, type Facet, type QueueSort } from '../sql/review.js';

export function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** The latest finished plan made with this config, for this scope, covering these links (not a decisions-only copy). */
export async function latestPlan(ctx: Context): Promise<string | null> {
  return latestPlanRun(
    ctx.db,
    ctx.configHash,
    ctx.filter.tenant,
    ctx.links.map((l) => l.entity),
  );
}

export function checkFilter(f: QueueFilter): void {
  for (const b of f.bands ?? []) if (!BANDS.includes(b)) throw new BackfillError('USAGE', `unknown band "${b}"; use ${BANDS.join(', ')}`);
  for (const d of f.decisions ?? []) {
    if (!DECISION_VALUES.includes(d))
      throw new BackfillError('USAGE', `unknown decision "${String(d)}"; use ${DECISION_VALUES.join(', ')}`);
  }
  for (const [k, v] of [
    ['minScore', f.minScore],
    ['maxScore', f.maxScore],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0 || v > 1))
      throw new BackfillError('USAGE', `${k} must be a number between 0 and 1`);
  }
}

export function sqlFilter(ctx: Context, f: QueueFilter): QueueSqlFilter {
  const links = [...(f.links ?? [])];
  const unknown = links.filter((w) => !ctx.links.some((l) => l.entity === w));
  if (unknown.length > 0) throw new BackfillError('UNKNOWN_ENTITY', `unknown link ${unknown.join(', ')}`);
  const tenants = [...(f.tenants ?? []), ...(f.tenant !== undefined && f.tenant !== '' ? [f.tenant] : [])];
  if (ctx.filter.tenant !== null) {
    const outside = tenants.filter((t) => t !== ctx.filter.tenant);
    if (outside.length > 0)
      throw new BackfillError('USAGE', `tenant ${outside.join(', ')} is outside the scope of this review (tenant ${ctx.filter.tenant})`);
  }
  const state = f.state === 'open' || f.state === 'decided' ? [f.state] : [];
  return {
    minScore: f.minScore ?? null,
    maxScore: f.maxScore ?? null,
    search: f.search?.trim() || null,
    facets: { band: [...(f.bands ?? [])], state, decision: [...(f.decisions ?? [])], link: links, tenant: tenants },
  };
}

export interface QueueRow {
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

export function queueParts(ctx: Context): QueueSqlLink[] {
  return ctx.links.map((l) => ({ link: shape(l), linkName: l.entity }));
}

function defaultSort(ctx: Context): QueueSort {
  return ctx.links.length > 0 && ctx.links.every((l) => l.config.amount !== undefined) ? 'amount' : 'rows';
}

export async function resolvePlan(
  ctx: Context,
  opts: { planRunId?: string | undefined; fresh?: boolean | undefined; executedBy?: string | null | undefined },
): Promise<string> {
  const id = opts.planRunId ?? (opts.fresh === true ? null : await latestPlan(ctx));
  return id ?? (await planIn(ctx, { executedBy: opts.executedBy ?? null, maxUnmatchedRecords: 0 })).runId;
}

export function itemOf(ctx: Context, r: QueueRow): QueueItem {
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
      return {
        key: c.key,
        name: c.name ?? '',
        score,
        method: c.method ?? null,
        number: null,
        active: true,
        signals,
        contributions: explainScore(score, signals),
      };
    }),
    decision:
      r.decision_id === null
        ? null
        : {
            id: r.decision_id,
            action: r.decision_action!,
            targetKey: r.decision_target,
            decidedBy: r.decided_by,
            decidedAt: r.decided_at ?? '',
            target: null,
          },
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
  const row = (await queryHashJoins(ctx.db, st)).rows[0];
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
      return {
        entity: l.entity,
        table: l.config.table,
        strategy: l.config.match,
        autoLinkAt: o.autoLinkAt,
        reviewAt: o.reviewAt,
        amount: l.config.amount !== undefined,
      };
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

/** One read-only statement with nested loops disabled for it (SET LOCAL: ends with the transaction). */
export async function queryHashJoins<R>(db: Context['db'], st: Statement<R>): Promise<{ rows: R[] }> {
  return db.transaction(async (tx) => {
    await tx.query(noNestedLoopsStatement());
    return tx.query(st);
  });
}

/** Facet values in order: whole numbers by value (integer tenants 1, 2, 10, not 1, 10, 2; a Citus trial), the rest as text. */
export function cmp(a: string, b: string): number {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
    const [x, y] = [BigInt(a), BigInt(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Counts of a list of items (what a page holds); the queue's own counts come from the database. */
export function countsOf(items: QueueItem[]): QueueCounts {
  const decided = items.filter((i) => i.decision !== null);
  const rows = items.reduce((a, i) => a + i.rows, 0);
  const rowsDecided = decided.reduce((a, i) => a + i.rows, 0);
  return {
    names: items.length,
    decided: decided.length,
    remaining: items.length - decided.length,
    rows,
    rowsDecided,
    rowsRemaining: rows - rowsDecided,
  };
}

/** Fills candidates' numbers and active flags and the decided master (one statement per link on the page). */
export async function annotateMasters(ctx: Context, items: QueueItem[]): Promise<void> {
  for (const l of ctx.links) {
    const mine = items.filter((i) => i.link === l.entity);
    if (mine.length === 0) continue;
    const keys = [
      ...new Set(
        mine.flatMap((i) => [...i.candidates.map((c) => c.key), ...(i.decision?.targetKey != null ? [i.decision.targetKey] : [])]),
      ),
    ];
    const found = await mastersFor(ctx.db, l, keys, ctx.filter);
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
        it.decision.target =
          m === undefined
            ? { key: t, name: '', number: null, active: false }
            : { key: m.key, name: m.name, number: m.number, active: m.active };
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
    for (const c of it.candidates)
      if ((seen.get(norm(c)) ?? 0) > 1) byTable.set(table, [...(byTable.get(table) ?? []), { c, scope: it.scopeKey }]);
  }
  for (const [table, list] of byTable) {
    const links = ctx.links.filter((l) => l.config.target.table === table);
    const res = await ctx.db.query(
      linkedRowsSql(links.map(shape), [...new Set(list.map((x) => x.c.key))], links[0]!.targetKeyType, ctx.filter),
    );
    const n = new Map(res.rows.map((r) => [JSON.stringify([r.scope_key, r.key]), num(r.n)]));
    for (const x of list) x.c.linkedRows = n.get(JSON.stringify([x.scope, x.c.key])) ?? 0;
  }
}

/** Review queue: the latest plan's unsure names for this config and scope (or a new plan), filtered and ordered. */
export async function reviewQueue(db: unknown, opts: ReviewQueueOptions = {}): Promise<ReviewQueue> {
  const ctx = await prepare(db, opts, { tenant: 'required' });
  return reviewQueueIn(ctx, opts);
}

export async function reviewCounts(db: unknown, opts: ReviewQueueOptions = {}): Promise<QueueCounts> {
  return (await reviewQueue(db, { ...opts, limit: 1 })).counts;
}
