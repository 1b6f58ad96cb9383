/**
 * Parallel apply (`apply --all-tenants --parallel N`, issue #18). Each link's first pass is cut into
 * slices of about equal work — ranges of whole tenants on a Citus source walked by its distribution column
 * (so parallel batches are different tenants, on different shards and workers), ranges of the primary key
 * (cut at the key ladder's rungs) or of heap blocks on one server — and N connections walk them at once,
 * each slice with the batch engine as it is (one transaction per batch: guarded UPDATE, change set and the
 * slice's checkpoint together). Every slice keeps its checkpoint in its own row of fk_backfill.run_slices
 * (migration 020), so parallel batches never wait on a shared progress row, and `--resume` continues each
 * slice exactly. It is one run: one change log, one undo. When every slice is done, their counts are summed
 * into the link's checkpoint, checked against the change log, and the sequential driver (batched.ts) takes
 * over for what it does after a first pass (ctid catch-up pass, final sweep, skip reasons): unchanged.
 *
 * Stopping: Ctrl-C (the caller's signal) or a failing slice aborts the others' signal, so each stops at its
 * next batch boundary (its batch in flight commits); the first failure is then rethrown (a lost connection
 * goes to the reconnect loop, which resumes the slices from their checkpoints).
 */
import type { Queryable } from '../db/port.js';
import type { ResolvedLink } from '../context/catalog.js';
import { type Context, shape } from '../context/context.js';
import { BackfillError } from '../errors.js';
import {
  type RunOptions,
  type CheckpointSlot,
  emptyLinkCheckpoint,
  type LinkCheckpoint,
  parseCheckpoint,
  walkLink,
} from '../batch/batch.js';
import type { ProgressListener } from '../batch/progress.js';
import { blockBoundStatement, sliceCutsStatement } from '../sql/walk.js';
import { getRun, loggedChanges, mergeLinkCheckpoint } from '../store/runs.js';
import {
  insertSlices,
  listSlices,
  lockSlice,
  readSliceCheckpoint,
  saveSliceCheckpoint,
  slicedLinks,
  type SliceRow,
} from '../store/slices.js';
import { batchWork, refreshStaleStatistics } from './lookup.js';
import { plannedRows } from '../store/plans.js';
import { chooseWalk, type Layout, sourceLayout } from './walk.js';

import { MAX_PARALLEL } from '../batch/check-options.js';
export { MAX_PARALLEL };

/** Slices per connection: enough that a connection finishing early takes over work instead of waiting. */
const SLICES_PER_CONNECTION = 2;

/** Connections a batched run over every tenant walks a big link on when `parallel` is not given. */
export const AUTO_PARALLEL = 2;

/**
 * Planned rows from which a link gets AUTO_PARALLEL: below, a run of seconds, where the key ladder, the slices
 * and a second backend are fixed costs (a chosen threshold, not a measured break-even). At 1 M rows two connections
 * took the batches from 1.19–1.39× of one bare `UPDATE … FROM` to 0.74× (bench:apply, 5,000 tenants): the bare
 * UPDATE runs on one core, the batches on two.
 */
export const AUTO_PARALLEL_MIN_ROWS = 100_000;

/**
 * The degree of parallelism to use, or USAGE before anything is written: a whole number from 1 to
 * MAX_PARALLEL, batched runs over all tenants only. A database with one connection (PGlite, a single pg
 * Client) runs with 1, and a pool smaller than asked with its size, each said in a notice.
 *
 * Not given (or 'auto'): 'auto' where parallel batches can run, decided per link by its size (linkParallelism);
 * 1 for a single transaction, one tenant, a database handle with one connection, or a throttled run
 * (maxRate, pauseMs: whoever throttles asks for less load, not more).
 */
export function parallelism(
  ctx: Context,
  o: {
    parallel?: number | 'auto' | undefined;
    singleTransaction?: boolean | undefined;
    maxRate?: number | undefined;
    pauseMs?: number | undefined;
  },
): number | 'auto' {
  const n = o.parallel;
  if (n === undefined || n === 'auto') {
    const able =
      o.singleTransaction !== true &&
      ctx.filter.tenant === null &&
      (ctx.db.connections ?? 1) >= AUTO_PARALLEL &&
      o.maxRate === undefined &&
      o.pauseMs === undefined;
    return able ? 'auto' : 1;
  }
  if (n === 1) return 1;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARALLEL) {
    throw new BackfillError('USAGE', `parallel must be a whole number from 1 to ${MAX_PARALLEL}, got ${String(n)}`);
  }
  if (o.singleTransaction === true)
    throw new BackfillError('USAGE', 'parallel runs batches on several connections; it cannot be combined with a single transaction');
  if (ctx.filter.tenant !== null)
    throw new BackfillError('USAGE', `parallel needs all tenants (--all-tenants): one tenant's batches run on one connection`);
  const have = ctx.db.connections ?? n;
  if (have < n) {
    ctx.notices.push(
      `--parallel ${n}: ${ctx.db.kind === 'pglite' ? 'PGlite has one connection' : `the database handle offers ${have} connection(s)`}; ran with ${Math.max(1, have)}`,
    );
  }
  return Math.max(1, Math.min(n, have));
}

/**
 * The connections one link is walked on: 'auto' gives AUTO_PARALLEL to a link of `minRows` (default AUTO_PARALLEL_MIN_ROWS,
 * the option autoParallelMinRows) planned rows or more on one server. Not to a distributed or reference source on Citus: each batch already runs on the workers
 * holding its tenants, and a second connection measured no gain there (1 M rows, the cluster of ../shared/citus on
 * this 2-core machine: 10.1 s with two against 9.2 s with one); `--parallel N` is for workers with cores of their own.
 */
export function linkParallelism(
  p: number | 'auto',
  planned: number,
  l: Pick<ResolvedLink, 'citus'>,
  minRows: number = AUTO_PARALLEL_MIN_ROWS,
): number {
  if (p !== 'auto') return p;
  const oneServer = l.citus === null || l.citus.source.kind === 'local';
  return planned >= minRows && oneServer ? AUTO_PARALLEL : 1;
}

async function linkCheckpoint(db: Queryable, runId: string, link: string): Promise<LinkCheckpoint | undefined> {
  return parseCheckpoint((await getRun(db, runId)).checkpoint).links[link];
}

/** Whether this run walks (or walked) any link in slices: then its slices continue, whatever --parallel says now. */
export async function hasSlices(db: Queryable, runId: string): Promise<boolean> {
  return (await slicedLinks(db, runId)).size > 0;
}

function slot(runId: string, link: string, slice: number): CheckpointSlot {
  return {
    lock: (tx) => lockSlice(tx, runId, link, slice),
    read: (tx) => readSliceCheckpoint<LinkCheckpoint>(tx, runId, link, slice),
    save: (tx, lc) => saveSliceCheckpoint(tx, runId, link, slice, lc),
  };
}

/** Why a link is walked by one connection (null: it can be sliced). */
function unsliceable(l: ResolvedLink): string | null {
  const src = l.citus?.source;
  // a reference table's every write goes to every node (one shard, replicated): slices would only queue on it.
  // A local table of the coordinator is sliced as on one server.
  if (src?.kind === 'reference') return `its source is a Citus reference table`;
  if (src?.kind === 'distributed' && l.config.scope[0] !== src.column)
    return `its scope does not start with the distribution column ${src.column}`;
  return null;
}

/** The slices of a link's first pass: (lo, hi] in walk order (a ctid walk: blocks [lo, hi)). */
function slicesFrom(cuts: string[], first: LinkCheckpoint): SliceRow<LinkCheckpoint>[] {
  const bounds = [null, ...cuts, null];
  return bounds.slice(0, -1).map((lo, i) => ({ slice: i, lo, hi: bounds[i + 1] ?? null, checkpoint: { ...first, after: lo } }));
}

function blockCuts(layout: Layout, slices: number): string[] {
  const cuts: string[] = [];
  for (let i = 1; i < slices; i++) {
    const b = Math.round((layout.blocks * i) / slices);
    if (b > 0 && b < layout.blocks && cuts.at(-1) !== String(b)) cuts.push(String(b));
  }
  return cuts;
}

/**
 * One progress display per link: the slices' batch events as one link's (rows done summed over the
 * slices, one rate and ETA), their start and end events replaced by the link's own.
 */
function linkProgress(emit: ProgressListener, total: number, startChanged: number): { listener: ProgressListener; done: () => number } {
  let done = startChanged;
  const t0 = Date.now();
  let here = 0;
  return {
    listener: (e) => {
      if (e.event === 'start' || e.event === 'end') return;
      if (e.event !== 'batch') return emit(e);
      done += e.changed;
      here += e.changed;
      const rate = Math.round((here * 1000) / Math.max(1, Date.now() - t0));
      emit({ ...e, done, total, rowsPerSecond: rate, etaSeconds: rate > 0 ? Math.round(Math.max(0, total - done) / rate) : null });
    },
    done: () => done,
  };
}

export interface SlicedOutcome {
  stopped: boolean;
  /** Rows changed so far in the link (summed over its slices). */
  changed: number;
}

/**
 * Walks one link's first pass in slices, `parallel` at a time, when it is (or can be) sliced; null when it
 * is walked by one connection (a small run, a Citus reference source, …) or is past its first pass: the
 * sequential driver does it. Called per link in the links' order, so a row two links update gets their
 * changes in the same order as without --parallel (undo reverts them in reverse).
 */
export async function walkLinkSlices(
  ctx: Context,
  l: ResolvedLink,
  index: number,
  a: { runId: string; planRunId: string; resumed: boolean },
  opts: RunOptions,
  parallel: number,
): Promise<SlicedOutcome | null> {
  const { runId, planRunId } = a;
  const lc = await linkCheckpoint(ctx.db, runId, l.entity);
  if (lc !== undefined && (lc.slices === undefined || lc.done)) return null; // walked by one connection, or its slices are done
  const planned = await plannedRows(ctx.db, planRunId, l.entity);
  if (planned === 0) return null;
  if (lc === undefined) {
    const why = unsliceable(l);
    if (why !== null) {
      ctx.notices.push(`${l.entity}: walked by one connection (${why})`);
      return null;
    }
  }
  await refreshStaleStatistics(ctx.db, l, ctx.filter, planned);
  const layout = await sourceLayout(ctx.db, l);
  const walk = lc?.walk ?? chooseWalk(opts.walk, layout, planned, l.config.table);
  const work = await batchWork(ctx, l, runId, planRunId, index, { ...emptyLinkCheckpoint(), walk }, layout);
  try {
    if (lc === undefined) {
      const n = parallel * SLICES_PER_CONNECTION;
      const cuts =
        walk === 'ctid'
          ? blockCuts(layout, n)
          : work.ladder !== undefined || l.citus?.source.kind === 'distributed'
            ? await cutsOf(ctx.db, l, n, work.ladder !== undefined ? { ladder: work.ladder } : { planRunId, linkName: l.entity })
            : null;
      if (cuts === null || cuts.length === 0) {
        ctx.notices.push(
          `${l.entity}: walked by one connection (${cuts === null ? 'no key ladder could be built: no CREATE on schema fk_backfill' : 'too few rows to cut'})`,
        );
        return null;
      }
      const first: LinkCheckpoint = { ...emptyLinkCheckpoint(), walk, ...(walk === 'ctid' ? { pass: 1 } : {}) };
      const slices = slicesFrom(cuts, first).map((s) =>
        walk === 'ctid' ? { ...s, checkpoint: { ...s.checkpoint, end: s.hi === null ? layout.blocks : Number(s.hi) } } : s,
      );
      await ctx.db.transaction(async (tx) => {
        await insertSlices(tx, runId, l.entity, slices);
        await mergeLinkCheckpoint(
          tx,
          runId,
          l.entity,
          { walk, slices: slices.length, ...(walk === 'ctid' ? { end: layout.blocks, pass: 1 } : {}) },
          true,
        );
      });
    }
    const r = await runSlices(ctx, l, { runId, planned, walk, layout, work, resumed: a.resumed }, opts, parallel);
    if (r.stopped) return { stopped: true, changed: r.changed };
    const logged = await loggedChanges(ctx.db, runId, l.entity);
    if (logged !== r.changed) {
      throw new BackfillError(
        'INTEGRITY',
        `apply ${l.entity}: its slices counted ${r.changed} changed rows, the change log holds ${logged}`,
      );
    }
    await mergeLinkCheckpoint(ctx.db, runId, l.entity, { done: true, changed: r.changed, keys: r.keys, batches: r.batches }, false);
    return { stopped: false, changed: r.changed };
  } finally {
    await work.cleanup();
  }
}

async function cutsOf(
  db: Queryable,
  l: ResolvedLink,
  n: number,
  from: { ladder: string } | { planRunId: string; linkName: string },
): Promise<string[]> {
  return (await db.query(sliceCutsStatement(shape(l), n, from))).rows.map((r) => r.cut);
}

interface SliceRun {
  runId: string;
  planned: number;
  walk: 'key' | 'ctid';
  layout: Layout;
  work: Awaited<ReturnType<typeof batchWork>>;
  resumed: boolean;
}

/** `parallel` workers take the link's open slices in turn until none is left, one stops, or one fails. */
async function runSlices(
  ctx: Context,
  l: ResolvedLink,
  a: SliceRun,
  opts: RunOptions,
  parallel: number,
): Promise<{ stopped: boolean; changed: number; keys: number; batches: number }> {
  const slices = await listSlices<LinkCheckpoint>(ctx.db, a.runId, l.entity);
  const sum = (k: 'changed' | 'keys' | 'batches', rows: SliceRow<LinkCheckpoint>[]): number =>
    rows.reduce((s, x) => s + (x.checkpoint[k] ?? 0), 0);
  const open = slices.filter((s) => s.checkpoint.done !== true);
  const emit = opts.onProgress ?? (() => undefined);
  const base = { kind: 'apply' as const, runId: a.runId, link: l.entity };
  const progress = linkProgress(emit, a.planned, sum('changed', slices));
  emit({ ...base, event: 'start', total: a.planned, changed: progress.done(), resumed: a.resumed });
  const inner = new AbortController();
  const stop = (): void => inner.abort();
  opts.signal?.addEventListener('abort', stop, { once: true });
  if (opts.signal?.aborted === true) inner.abort();
  let failure: { e: unknown } | undefined;
  const worker = async (): Promise<void> => {
    for (let s = open.shift(); s !== undefined && !inner.signal.aborted; s = open.shift()) {
      const hi = s.hi;
      const end = s.checkpoint.end ?? a.layout.blocks;
      const bound =
        a.walk === 'ctid'
          ? (after: string | null, n: number) => blockBoundStatement(after, n / a.layout.density, end, a.layout.density)
          : (after: string | null, n: number) => a.work.bound(after, n, hi);
      try {
        await walkLink(
          ctx.db,
          {
            kind: 'apply',
            runId: a.runId,
            link: l.entity,
            total: a.planned,
            bound,
            work: a.work.statement,
            rows: a.work.rows,
            ...(a.work.plannedRows !== undefined ? { plannedRows: a.work.plannedRows } : {}),
            citus: l.citus !== null,
            ...(a.work.part !== undefined ? { part: a.work.part } : {}),
            setup: a.work.setup,
            slot: slot(a.runId, l.entity, s.slice),
          },
          { ...opts, signal: inner.signal, onProgress: progress.listener },
          s.checkpoint.changed,
          a.resumed,
        );
      } catch (e) {
        failure ??= { e };
        inner.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, open.length)) }, worker));
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
  if (failure !== undefined) throw failure.e;
  const now = await listSlices<LinkCheckpoint>(ctx.db, a.runId, l.entity);
  const stopped = now.some((s) => s.checkpoint.done !== true);
  const changed = sum('changed', now);
  emit({ ...base, event: 'end', changed, total: a.planned, status: stopped ? 'stopped' : 'done' });
  return { stopped, changed, keys: sum('keys', now), batches: sum('batches', now) };
}
