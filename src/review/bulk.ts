/** Bulk accept: every undecided name of a filter at or above a score takes its best candidate, previewed by a fingerprint of the exact set. */
import { createHash } from 'node:crypto';
import { BackfillError } from '../errors.js';
import { reviewQueueSql } from '../sql/review.js';
import { type CommonOptions, type Context, prepare } from '../context/context.js';
import type { QueueFilter, QueueItem } from './types.js';
import { annotateMasters, checkFilter, itemOf, json, queryHashJoins, queueParts, type QueueRow, resolvePlan, sqlFilter } from './queue.js';
import { type DecideInput, decideManyIn, type DecideResult } from './decide.js';

/** Every open name of the filter whose best candidate scores at least `minScore` (no paging, no facets). */
async function bulkCandidates(ctx: Context, filter: QueueFilter, minScore: number, planRunId?: string): Promise<QueueItem[]> {
  checkFilter(filter);
  const f = sqlFilter(ctx, filter);
  const id = await resolvePlan(ctx, { planRunId });
  const st = reviewQueueSql(
    queueParts(ctx),
    { planRunId: id, samples: 0 },
    f,
    { sort: 'score', desc: true, offset: 0, limit: null },
    ctx.filter,
    { minScore },
  );
  const row = (await queryHashJoins(ctx.db, st)).rows[0];
  const items = (json<QueueRow[]>(row?.items) ?? []).map((r) => itemOf(ctx, r));
  await annotateMasters(ctx, items);
  return items;
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

async function bulkSet(
  ctx: Context,
  opts: { filter?: QueueFilter | undefined; minScore: number; by: string | null; planRunId?: string | undefined },
): Promise<BulkSet> {
  if (!Number.isFinite(opts.minScore) || opts.minScore < 0 || opts.minScore > 1)
    throw new BackfillError('USAGE', 'minScore must be between 0 and 1');
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
export async function bulkPreviewIn(
  ctx: Context,
  opts: { filter?: QueueFilter; minScore: number; planRunId?: string },
): Promise<BulkPreview> {
  const s = await bulkSet(ctx, { ...opts, by: null });
  return {
    count: s.list.length,
    rows: s.items.reduce((a, i) => a + i.rows, 0),
    skipped: s.skipped,
    sample: s.items.slice(0, 10).map((i) => ({
      link: i.link,
      name: i.name,
      score: i.candidates[0]!.score,
      master: i.candidates[0]!.name,
      number: i.candidates[0]!.number,
    })),
    digest: s.digest,
  };
}

/**
 * Accepts the top candidate of every open name in the filter whose best score is at least `minScore`.
 * Ambiguous names (two candidates within the margin) are never bulk-accepted. With `digest` (from
 * `bulkPreviewIn`), refuses with BULK_CHANGED unless the set is exactly the one previewed.
 */
export async function bulkAcceptIn(
  ctx: Context,
  opts: { filter?: QueueFilter; minScore: number; by: string | null; planRunId?: string; digest?: string },
): Promise<BulkAcceptResult> {
  const s = await bulkSet(ctx, opts);
  if (opts.digest !== undefined && opts.digest !== s.digest) {
    throw new BackfillError(
      'INVALID_INPUT',
      `the names above ${opts.minScore} in this view changed since the preview (now ${s.list.length}); preview again`,
    );
  }
  const decisions = await decideManyIn(ctx, s.list);
  return { accepted: decisions.filter((d) => d.changed).length, skipped: s.skipped, decisions };
}

export async function bulkAccept(
  db: unknown,
  opts: CommonOptions & { filter?: QueueFilter; minScore: number; by: string | null; planRunId?: string },
): Promise<BulkAcceptResult> {
  const ctx = await prepare(db, opts, { tenant: 'required' });
  return bulkAcceptIn(ctx, opts);
}
