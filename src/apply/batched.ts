/**
 * A batched apply run: every link walked from its checkpoint to the end (or until stopped), a catch-up
 * pass after a ctid walk that fell short, and the final sweep of rows the walks passed by.
 */
import type { Queryable } from '../db/port.js';
import type { ResolvedLink } from '../context/catalog.js';
import { BackfillError, isConnectionLoss, sqlState } from '../errors.js';
import { type KeyRange, restCols, sweepBoundStatement, WHOLE_LINK } from '../sql/walk.js';
import { afterWrites } from '../batch/resume.js';
import { failRun, finishRun, getRun, interruptRun, mergeLinkCheckpoint } from '../store/runs.js';
import { busyAfterReconnect, DEFAULT_RECONNECT_ATTEMPTS, interruptedError, messageOf, withReconnect } from '../batch/reconnect.js';
import { type BatchRange, emptyLinkCheckpoint, type LinkCheckpoint, parseCheckpoint, type RunOptions, walkLink } from '../batch/batch.js';
import { type Context, shape } from '../context/context.js';
import { countSkips } from './skips.js';
import { chooseWalk, sourceLayout } from './walk.js';
import { applyResult, type ApplyResult, type LinkApplyResult, skipFields, summaryOf } from './result.js';
import { largestPlannedTenant, plannedRows } from '../store/plans.js';
import { forgetLockedStatement, refusedCount, refusedKeys } from '../store/refused.js';
import { batchWork, refreshStaleStatistics, sweepWork } from './lookup.js';
import { AUTO_PARALLEL_MIN_ROWS, hasSlices, linkParallelism, type SlicedOutcome, walkLinkSlices } from './parallel.js';

/** Final sweeps of a link at most (the first, and again while rows were passed over and the last one linked some). */
const MAX_SWEEPS = 3;

/**
 * A ctid walk's first pass ended having changed fewer rows than planned, not counting the rows the table
 * refused (they would be refused again): a catch-up pass follows.
 */
async function catchUpDue(
  db: Queryable,
  runId: string,
  link: string,
  lc: LinkCheckpoint | undefined,
  changed: number,
  planned: number,
): Promise<boolean> {
  if (lc?.walk !== 'ctid' || lc.pass !== 1 || changed >= planned) return false;
  return changed + (await refusedCount(db, runId, link)) < planned;
}

async function linkCheckpoint(db: Queryable, runId: string, link: string): Promise<LinkCheckpoint | undefined> {
  return parseCheckpoint((await getRun(db, runId)).checkpoint).links[link];
}

/**
 * Walks every link of a batched apply run from its checkpoint to the end (or until stopped).
 *
 * A ctid walk reads blocks [0, end) with `end` fixed when it starts. A row another session updates
 * meanwhile gets a new ctid, possibly behind the walk (or, after VACUUM FULL / CLUSTER between a stop
 * and its resume, anywhere). So when the first pass changed fewer rows than planned, a second pass
 * walks the whole table again (up to its end then) and links what the first one passed by; the guards
 * make it change nothing twice. Rows really edited since planning stay skipped, as in a key walk.
 */
export async function continueBatched(
  ctx: Context,
  runId: string,
  planRunId: string,
  planHash: string,
  opts: RunOptions,
  resumed: boolean,
): Promise<ApplyResult> {
  try {
    // a lost connection: reconnect and walk on from the checkpoint (the batch in flight rolled back)
    const tally = { reconnected: 0 };
    const r = await withReconnect(
      ctx.db,
      opts,
      { kind: 'apply', runId },
      (attempt, o) => walkRun(ctx, runId, planRunId, planHash, o, resumed || attempt > 0),
      tally,
    );
    return tally.reconnected > 0 ? { ...r, reconnected: tally.reconnected } : r;
  } catch (e) {
    // another process took the run, or a link of it, while this one reconnected (busyAfterReconnect)
    if (e instanceof BackfillError && e.code === 'RUN_BUSY') throw await busyAfterReconnect(ctx.db, 'apply', runId, e);
    // the last loss, of a batch's connection or of the one holding the live lock (LIVE_LOCK_LOST: lost again and again)
    if (isConnectionLoss(e) || (e instanceof BackfillError && e.code === 'LIVE_LOCK_LOST')) {
      const recorded = await interruptRun(ctx.db, runId, messageOf(e));
      throw await interruptedError(ctx.db, 'apply', runId, e, opts.reconnectAttempts ?? DEFAULT_RECONNECT_ATTEMPTS, recorded);
    }
    throw await afterWrites(ctx.db, 'apply', runId, await failRun(ctx.db, runId, e, 'applying'));
  }
}

async function walkRun(
  ctx: Context,
  runId: string,
  planRunId: string,
  planHash: string,
  opts: RunOptions,
  resumed: boolean,
): Promise<ApplyResult> {
  {
    const results: LinkApplyResult[] = [];
    // --parallel: a link's first pass in slices, N at once (parallel.ts); what follows a first pass is done here
    const asked = opts.parallel ?? 1;
    const hadSlices = await hasSlices(ctx.db, runId);
    let stopped = false;
    for (const [index, l] of ctx.links.entries()) {
      const planned = await plannedRows(ctx.db, planRunId, l.entity);
      const minRows = opts.autoParallelMinRows ?? AUTO_PARALLEL_MIN_ROWS;
      const parallel = linkParallelism(asked, planned, l, minRows);
      if (asked === 'auto' && parallel > 1 && !resumed) {
        ctx.notices.push(
          `${l.entity}: ${parallel} connections at once (the default for a link of ${minRows.toLocaleString('en-US')} planned rows or more; --parallel 1 for one)`,
        );
      }
      const src = l.citus?.source;
      // a key of the distribution column alone: a tenant cannot be cut into parts (the others are: walk.ts)
      const whole = restCols(shape(l)).length === 0;
      if (src?.kind === 'distributed' && whole && opts.batchSize !== undefined && !resumed && l.config.scope[0] === src.column) {
        const big = await largestPlannedTenant(ctx.db, planRunId, l.entity);
        if (big !== undefined && big.rows > opts.batchSize) {
          ctx.notices.push(
            `${l.entity}: on Citus a batch holds whole values of ${src.column} when the key is ${src.column} alone; ${src.column} ${big.tenant} has ${big.rows.toLocaleString('en-US')} planned rows, more than --batch-size ${opts.batchSize.toLocaleString('en-US')}, and is written in one batch (one transaction)`,
          );
        }
      }
      const sliced: SlicedOutcome | null =
        (parallel > 1 || hadSlices) && !stopped ? await walkLinkSlices(ctx, l, index, { runId, planRunId, resumed }, opts, parallel) : null;
      stopped = sliced?.stopped ?? stopped;
      await refreshStaleStatistics(ctx.db, l, ctx.filter, planned);
      let lc = await linkCheckpoint(ctx.db, runId, l.entity);
      let changed = sliced?.changed ?? lc?.changed ?? 0;
      // Nothing planned for this link: no need to walk its table.
      let complete = planned === 0 || (lc?.done === true && !(await catchUpDue(ctx.db, runId, l.entity, lc, changed, planned)));
      let again = resumed && lc !== undefined;
      // a resumed run whose sweep had begun continues the sweep, not the walk
      while (!stopped && !complete && lc?.sweep !== true) {
        const layout = await sourceLayout(ctx.db, l);
        if (lc?.walk === undefined) {
          const walk = lc === undefined ? chooseWalk(opts.walk, layout, planned, l.config.table) : 'key'; // started before walks were chosen: a key walk
          await mergeLinkCheckpoint(ctx.db, runId, l.entity, walk === 'ctid' ? { walk, end: layout.blocks, pass: 1 } : { walk }, true);
        } else if (lc.done && lc.walk === 'ctid' && lc.pass === 1) {
          await mergeLinkCheckpoint(ctx.db, runId, l.entity, { pass: 2, end: layout.blocks, after: null, done: false }, false);
        }
        lc = { ...emptyLinkCheckpoint(), ...(await linkCheckpoint(ctx.db, runId, l.entity)) };
        const work = await batchWork(ctx, l, runId, planRunId, ctx.links.indexOf(l), lc, layout);
        let r;
        try {
          r = await walkLink(
            ctx.db,
            {
              kind: 'apply',
              runId,
              link: l.entity,
              total: planned,
              bound: work.bound,
              work: work.statement,
              rows: work.rows,
              ...(work.plannedRows !== undefined ? { plannedRows: work.plannedRows } : {}),
              citus: l.citus !== null,
              ...(work.part !== undefined ? { part: work.part } : {}),
              setup: work.setup,
              ...(lc.pass === 2 ? { catchUp: true } : {}),
            },
            opts,
            changed,
            again,
          );
        } finally {
          await work.cleanup();
        }
        changed = r.changed;
        stopped = r.stopped;
        again = false;
        lc = await linkCheckpoint(ctx.db, runId, l.entity);
        complete = !stopped && !(await catchUpDue(ctx.db, runId, l.entity, lc, changed, planned));
      }
      let counts = complete ? await countSkips(ctx, l, { planRunId, runId }, planned, changed) : undefined;
      const reasons = counts?.reasons;
      if (
        !stopped &&
        (lc?.sweep === true
          ? lc.done !== true
          : (reasons?.notReached ?? 0) +
              (reasons?.cancelledByTrigger ?? 0) +
              (reasons?.cancelledByTriggerOrRls ?? 0) +
              (reasons?.notKnownLocked ?? 0) +
              (reasons?.notKnownCheckFailed ?? 0) +
              (reasons?.lockedByOtherSession ?? 0) >
            0)
      ) {
        // a row whose lock another session let go while the sweep waited for it comes back as a new row version,
        // which the sweep's recheck passes over (a trial: 557 rows "not reached" after their locks were released
        // during it): swept again, a few times, while such rows are left and the last sweep linked some
        for (let sweeps = 0; sweeps < MAX_SWEEPS && !stopped; sweeps++) {
          const before = changed;
          if (sweeps > 0) await mergeLinkCheckpoint(ctx.db, runId, l.entity, { sweep: true, after: null, done: false }, false);
          const r = await sweepLink(ctx, l, { runId, planRunId, planned }, opts, changed, again && sweeps === 0);
          changed = r.changed;
          stopped = r.stopped;
          complete = !stopped;
          counts = complete ? await countSkips(ctx, l, { planRunId, runId }, planned, changed) : undefined;
          if ((counts?.reasons?.notReached ?? 0) === 0 || (sweeps > 0 && changed === before)) break;
        }
      }
      results.push({
        entityType: l.entity,
        table: l.config.table,
        planned,
        updated: changed,
        skipped: 0,
        ...(counts !== undefined ? skipFields(counts) : {}),
        complete,
        ...(lc?.walk !== undefined ? { walk: lc.walk } : {}),
      });
    }
    const result = await applyResult(ctx, { runId, planRunId, planHash }, 'batched', stopped ? 'stopped' : 'done', results);
    await finishRun(ctx.db, runId, result.status, summaryOf(result));
    return result;
  }
}

/**
 * The final sweep of a batched apply's link: its walk(s) ended, and planned rows still match everything
 * (name, scope, NULL FK, live planned master) but were not linked. A ctid walk passes by a row that
 * another session updated (any column) while the walk ran: its new version lands in a block the walk
 * has passed, in the catch-up pass too (test:oltp, 400 k rows, two writers: 17 such rows were left
 * NULL and reported as "not reached"). A key walk passes by a row whose key was changed to one behind it. One more
 * statement over the whole link (the batch statement over the unbounded range, its lookup table temporary) links them, as one batch of the batch engine (run
 * lock, timeouts, retries, checkpoint): `sweep` marks it in the checkpoint, so a resume finishes it.
 * Only when such rows exist (skipReasons counted them), so an undisturbed run never pays the extra scan.
 * On a table with BEFORE UPDATE triggers those rows may also be rows a trigger cancelled: swept too (a
 * trigger that cancels cancels again; the sweep then changes nothing and they stay counted as cancelled).
 */
async function sweepLink(
  ctx: Context,
  l: ResolvedLink,
  a: { runId: string; planRunId: string; planned: number },
  opts: RunOptions,
  changed: number,
  resumed: boolean,
): Promise<{ changed: number; stopped: boolean }> {
  const lc = await linkCheckpoint(ctx.db, a.runId, l.entity);
  if (lc?.sweep !== true) await mergeLinkCheckpoint(ctx.db, a.runId, l.entity, { sweep: true, after: null, done: false }, false);
  // one statement: the batch size means nothing to it; a lock or statement timeout is retried, then given up
  const { targetBatchMs: _adaptive, ...fixed } = opts;
  const work = await sweepWork(ctx, l, { runId: a.runId, planRunId: a.planRunId, index: ctx.links.indexOf(l) });
  // the rows the table refused during the walk stay refused: not tried again (a new user's trial: 3,000 of them
  // failed the sweep after the whole walk, and every resume of it, with ROWS_REFUSED)
  const skip = await refusedKeys(ctx.db, a.runId, l.entity);
  const all = skip.length > 0 ? { ...WHOLE_LINK, skip } : WHOLE_LINK;
  // the sweep's one batch is the whole link, narrowed to some of its rows when split (refusals, the locked-row pass)
  const whole = (r: BatchRange): KeyRange => ({ ...all, ...(r.rows !== undefined ? { rows: r.rows } : {}) });
  const plannedRows = work.plannedRows;
  try {
    return await walkLink(
      ctx.db,
      {
        kind: 'apply',
        runId: a.runId,
        link: l.entity,
        total: a.planned,
        catchUp: true,
        bound: (after) => sweepBoundStatement(after, a.planned),
        work: (r) => work.statement(whole(r)),
        rows: (r) => work.rows(whole(r)),
        // not on Citus: the sweep's one batch is the whole link, several tenants, which Citus takes no row lock in
        ...(plannedRows !== undefined && l.citus === null ? { plannedRows: (r, lock) => plannedRows(whole(r), lock) } : {}),
        citus: l.citus !== null,
        // rows left locked are tried again, and recorded again if still locked
        setup: () => [forgetLockedStatement(a.runId, l.entity), ...work.setup()],
      },
      { ...fixed, batchSize: 1, minBatchSize: 1, maxBatchSize: 1 },
      changed,
      resumed,
    );
  } catch (e) {
    const state = sqlState(e instanceof BackfillError ? e.cause : e);
    if (state !== '55P03' && state !== '57014') throw e;
    // rows other sessions kept locked through every retry: they stay NULL and are counted as not reached
    await mergeLinkCheckpoint(ctx.db, a.runId, l.entity, { done: true }, false);
    return { changed, stopped: false };
  } finally {
    await work.cleanup();
  }
}
