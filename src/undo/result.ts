/**
 * What an undo reports, per link and in total: rows the run changed, set back, skipped (and why: set back by an
 * earlier undo, deleted or hidden, refused by the table) and not yet processed; counts checked to add up.
 */
import { triggerEffectsNotice } from '../context/trigger-effects.js';
import { staleViewsNotice } from '../context/stale-views.js';
import { num } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { alreadyRevertedStatement, rewrittenSinceStatement, undoEditedSampleStatement, undoNotFoundStatement } from '../sql/undo-skips.js';
import { type RefusedRow, refusedCount, refusedSample } from '../store/refused.js';
import { earlierRunThatChanged } from '../store/runs.js';
import { type Context, shape } from '../context/context.js';
import type { TakenBackMaster } from '../masters/undo.js';
import { namesOf } from './names.js';

export interface LinkUndoResult {
  entityType: string;
  table: string;
  /** Rows the run changed. */
  changed: number;
  reverted: number;
  /** Rows no longer holding the value the run wrote (edited since): left alone. 0 while not complete. */
  skipped: number;
  /**
   * Of the skipped rows, those the table no longer shows this role: deleted since, moved out of the run's tenant
   * (a notice says so), or hidden by row-level security (a notice says so). Present when > 0.
   */
  notFound?: number;
  /**
   * Of the skipped rows, those an earlier undo of the same run already set back (`undo --entity`, or an undo
   * stopped and then started again rather than resumed), and those undo runs. Present when > 0.
   */
  alreadyReverted?: number;
  alreadyRevertedBy?: string[];
  /**
   * Of the skipped rows, those another run wrote after this one (an apply that linked a cleared FK again, the guard
   * linking a row the application cleared and renamed, an undo of such a run): left as that run wrote them, for its
   * own undo. `rewrittenBy`: each such run, its kind and rows (a row two of them wrote is in both). Present when > 0.
   */
  rewrittenSince?: number;
  rewrittenBy?: { run: string; kind: string; rows: number }[];
  /**
   * Of the skipped rows, those the table refused to set back (a CHECK constraint or a trigger added since that
   * refuses a NULL FK): left linked, each with its error in fk_backfill.refused_rows. Present when > 0.
   */
  refusedByTable?: number;
  /** The first of them (REFUSED_SHOWN), with the table's error. */
  refused?: RefusedRow[];
  /**
   * The first (REFUSED_SHOWN) of the skipped rows still there whose FK no longer holds the value the run wrote:
   * the row's key, the value written, the value now (null: NULL). Present when some are.
   */
  /**
   * `touched`: the FK still as written, the row written since by the application (its updated_at, now). `renamed`: the
   * FK still as written, on a table whose updated_at cannot tell an edit, but the row's name (now this) is not one the
   * applied plan linked to that master (in its scope): renamed by the application since.
   */
  editedSince?: { key: string; wrote: string | null; now: string | null; touched?: string | null; renamed?: string }[];
  /**
   * A link the undo stopped in (or before): rows the run changed that this undo has not reverted yet, not
   * skipped (the rows of the batches not walked; `undo --resume` reverts or skips them). Present only while
   * not complete. See assertUndoCountsAddUp.
   */
  notYetProcessed?: number;
  complete: boolean;
}

export interface UndoResult {
  runId: string;
  undoneRunId: string;
  mode: 'batched' | 'single-transaction';
  status: 'done' | 'stopped';
  totalReverted: number;
  totalSkipped: number;
  /** Times the undo reconnected after a lost connection and walked on from its checkpoint (present when > 0). */
  reconnected?: number;
  /** Stopped: rows the run changed not yet processed, over every link (present only then; each link's `notYetProcessed`). */
  totalNotYetProcessed?: number;
  results: LinkUndoResult[];
  /** This undo reverted nothing because run N already undid the same run (present only then). */
  alreadyUndoneBy?: string;
  /** The undo of a masters run: the masters it took back (a later undo of that run leaves them). */
  mastersTakenBack?: TakenBackMaster[];
  /** What may keep the table from being exactly as before (a trigger that sets updated_at); present only then. */
  notices?: string[];
}

/**
 * What an undo's counts do not say: the earlier undo that already did it (when this one reverted nothing), and
 * BEFORE UPDATE triggers that may have set updated_at over the value it restored.
 */
export async function finished(ctx: Context, r: UndoResult): Promise<UndoResult> {
  const notices = ctx.links.flatMap((l) => (l.touchTriggers === null ? [] : [l.touchTriggers]));
  // triggers that wrote beyond the FK when this undo set rows back (a version bump, an audit log): their writes stay
  for (const l of ctx.links) {
    if (!r.results.some((x) => x.entityType === l.entity && x.reverted > 0)) continue;
    const effects = triggerEffectsNotice(l, 'undo');
    if (effects !== null) notices.push(effects);
    const stale = await staleViewsNotice(ctx.db, l, 'undo');
    if (stale !== null) notices.push(stale);
  }
  for (const lr of r.results) {
    const l = ctx.links.find((x) => x.entity === lr.entityType);
    if (l === undefined || !lr.complete || lr.skipped === 0) continue;
    const before = (await ctx.db.query(alreadyRevertedStatement({ targetRunId: r.undoneRunId, runId: r.runId, linkName: l.entity })))
      .rows[0];
    const already = Math.min(lr.skipped, num(before?.n));
    if (already > 0) {
      lr.alreadyReverted = already;
      lr.alreadyRevertedBy = before?.by ?? [];
    }
    const later = (await ctx.db.query(rewrittenSinceStatement({ targetRunId: r.undoneRunId, runId: r.runId, linkName: l.entity }))).rows;
    const rewritten = Math.min(lr.skipped, num(later[0]?.total));
    if (rewritten > 0) {
      lr.rewrittenSince = rewritten;
      lr.rewrittenBy = later.map((x) => ({ run: x.run, kind: x.kind, rows: num(x.n) }));
    }
    const refused = Math.min(lr.skipped, await refusedCount(ctx.db, r.runId, l.entity));
    if (refused > 0) {
      lr.refusedByTable = refused;
      lr.refused = await refusedSample(ctx.db, r.runId, l.entity, REFUSED_SHOWN);
    }
    const row = (await ctx.db.query(undoNotFoundStatement(shape(l), { targetRunId: r.undoneRunId, linkName: l.entity }, ctx.filter)))
      .rows[0];
    const notFound = Math.min(lr.skipped, num(row?.not_found));
    if (lr.skipped > refused + notFound + already + rewritten) {
      const plan = await namesOf(ctx.db, r.undoneRunId, l, 'sample');
      const sample = await ctx.db.query(
        undoEditedSampleStatement(shape(l), { targetRunId: r.undoneRunId, linkName: l.entity, ...plan }, ctx.filter, REFUSED_SHOWN),
      );
      if (sample.rows.length > 0)
        lr.editedSince = sample.rows.map((x) => ({
          key: x.key,
          wrote: x.wrote,
          now: x.now,
          ...(x.now !== x.wrote ? {} : x.renamed !== null ? { renamed: x.renamed } : { touched: x.touched }),
        }));
    }
    if (notFound === 0) continue;
    lr.notFound = notFound;
    if (row?.rls === true) {
      notices.push(
        `${l.config.table}: ${notFound} row(s) run ${r.undoneRunId} changed were not found, so not set back: row-level security is on for this role and may hide them (or they were deleted). Undo again as a role that sees every row (the table's owner, or one with BYPASSRLS): fk-backfill undo --run ${r.undoneRunId} --yes`,
      );
    } else if (ctx.filter.tenant !== null) {
      // the undo of a --tenant run reads that tenant's rows only (every statement filters by it): a row the application
      // moved to another tenant since is not found, and keeps the FK the run wrote (a trial: "no longer found", and a
      // cross-tenant link left without a word)
      notices.push(
        `${l.config.table}: ${notFound} row(s) run ${r.undoneRunId} changed were not found in tenant ${ctx.filter.tenant}, so not set back: deleted since, or moved to another tenant by the application (a moved row keeps the ${l.config.fk} the run wrote, a master of tenant ${ctx.filter.tenant}: fk-backfill verify --all-tenants counts it as cross-tenant)`,
      );
    } else if (l.keys.length > 1) {
      // a key of several columns (a partitioned table's holds its partition key): the application may have updated one
      // of them (a trial: orders whose order_date moved them to another partition were "no longer found", and kept the
      // FK the run wrote)
      notices.push(
        `${l.config.table}: ${notFound} row(s) run ${r.undoneRunId} changed were not found by their key (${l.keys.join(', ')}), so not set back: deleted since, or a column of that key updated by the application (on a partitioned table, a new partition key moves the row); a row whose key changed keeps the ${l.config.fk} the run wrote`,
      );
    }
  }
  const out = notices.length > 0 ? { ...r, notices } : r;
  // "already undone" only when every row left was set back by that earlier undo (not edited since, deleted, refused)
  if (r.totalReverted > 0 || r.status !== 'done' || r.results.some((x) => x.skipped !== (x.alreadyReverted ?? 0))) return out;
  const by = await earlierRunThatChanged(ctx.db, { kind: 'undo', targetRunId: r.undoneRunId, exclude: r.runId });
  return by === null ? out : { ...out, alreadyUndoneBy: by };
}

/** Refused (and edited) rows an undo result shows (all refused ones are in fk_backfill.refused_rows). */
const REFUSED_SHOWN = 5;

export function totals(
  runId: string,
  undoneRunId: string,
  mode: UndoResult['mode'],
  status: UndoResult['status'],
  results: LinkUndoResult[],
): UndoResult {
  assertUndoCountsAddUp(results);
  return {
    runId,
    undoneRunId,
    mode,
    status,
    totalReverted: results.reduce((a, r) => a + r.reverted, 0),
    totalSkipped: results.reduce((a, r) => a + r.skipped, 0),
    ...(status === 'stopped' ? { totalNotYetProcessed: results.reduce((a, r) => a + (r.notYetProcessed ?? 0), 0) } : {}),
    results,
  };
}

/** A link's result: skipped counted once it is walked to its end; until then the rest is not yet processed. */
export function linkResult(
  l: { entity: string; config: { table: string } },
  changed: number,
  reverted: number,
  complete: boolean,
): LinkUndoResult {
  const base = { entityType: l.entity, table: l.config.table, changed, reverted };
  return complete
    ? { ...base, skipped: changed - reverted, complete }
    : { ...base, skipped: 0, notYetProcessed: changed - reverted, complete };
}

/**
 * The counts every undo result prints and stores must add up, per link: the rows the run changed are those
 * reverted, skipped (changed since) and not yet processed (a stopped link: skipped 0 until it completes),
 * with reverted ≤ changed. Anything else is a counting bug: refused rather than printed (before: a stopped
 * undo printed "0 skipped" and the rows it had not reached nowhere).
 */
export function assertUndoCountsAddUp(results: readonly LinkUndoResult[]): void {
  for (const r of results) {
    const notYet = r.notYetProcessed ?? 0;
    const ok =
      r.reverted + r.skipped + notYet === r.changed &&
      r.reverted <= r.changed &&
      Math.min(r.reverted, r.skipped, notYet) >= 0 &&
      (r.complete ? r.notYetProcessed === undefined : r.skipped === 0);
    if (!ok) {
      throw new BackfillError(
        'INTERNAL',
        `undo ${r.entityType}: counts do not add up: changed ${r.changed} ≠ reverted ${r.reverted} + skipped ${r.skipped} + not yet processed ${notYet}`,
      );
    }
  }
}
