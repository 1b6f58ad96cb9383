/**
 * Undo of an apply, guard or masters run: batched and resumable over the change log, or one transaction.
 */
import { checkBatchOptions } from '../batch/check-options.js';
import { type Database, type Queryable } from '../db/port.js';
import { BackfillError, isConnectionLoss } from '../errors.js';
import {
  laterTouchRunsStatement,
  laterWritesStatement,
  undoBoundStatement,
  undoDistributionValuesStatement,
  undoRowsStatement,
  undoStatement,
  type UndoLogRow,
} from '../sql/undo.js';
import { idCols } from '../sql/link.js';
import type { ResolvedLink } from '../context/catalog.js';
import { recordRefused } from '../store/refused.js';
import { namesOf, rowSecurityOf } from './names.js';
import { workAroundRefusals } from '../batch/refused.js';
import {
  article,
  changedRows,
  createRun,
  failRun,
  finishRun,
  getRun,
  interruptRun,
  linksWithChanges,
  loggedChanges,
  type RunRecord,
  saveCheckpoint,
} from '../store/runs.js';
import { columnNotNullStatement, dropNotNullSql } from '../sql/constrain.js';
import {
  busyAfterReconnect,
  DEFAULT_RECONNECT_ATTEMPTS,
  interruptedError,
  lostInOneTransaction,
  messageOf,
  withReconnect,
} from '../batch/reconnect.js';
import { assertCanWrite } from '../context/privileges.js';
import { type CommonOptions, type Context, prepare, runScope, shape } from '../context/context.js';
import { adapt } from '../db/index.js';
import { migrateIfPresent } from '../store/migrate.js';
import { type BatchOptions, parseCheckpoint, type RunOptions, storedBatchOptions, walkLink } from '../batch/batch.js';
import { afterWrites, mergedBatchOptions, reopenRun, retryOnVanishedMaster } from '../batch/resume.js';
import { whileLive, writtenLinks } from '../batch/live.js';
import { stoppable } from '../batch/stop.js';
import { flushGuardLinks } from '../store/guards.js';
import { earlierUndoThatReverted, mastersTakenBackBefore } from '../store/masters-runs.js';
import { mastersRunSummary, undoMastersRun } from '../masters/undo.js';
import { finished, linkResult, type LinkUndoResult, totals, type UndoResult } from './result.js';
import { writesCitusReference } from '../context/citus-link.js';
import { assertRanHere } from '../context/run-tables.js';
import { citusSequentialStatement } from '../sql/session.js';

export interface UndoOptions extends Pick<CommonOptions, 'entities'>, BatchOptions {
  /** The apply run to revert. */
  runId: string;
  executedBy?: string | null;
  /** true: every link in one transaction (default of the library call); false: batched, resumable (CLI default). */
  singleTransaction?: boolean;
}

export interface ResumeUndoOptions extends BatchOptions {
  /** The undo run to continue. */
  runId: string;
}

/** What the message says to do when the table refuses more rows of one undo batch than it works around. */
const undoRefusalRemedy = (runId: string, batched: boolean): string =>
  `Drop or relax what refuses them (a constraint or trigger added since that refuses a NULL FK), then ${batched ? `continue: fk-backfill undo --resume ${runId} --yes` : 'undo again'}`;

/** Undo follows the config and scope the reverted run was made with, not today's config file. */
async function contextOf(db: Database, target: RunRecord, entities: readonly string[] | undefined): Promise<Context> {
  const tenant = target.scope?.tenant ?? null;
  // a change log row must name one row: a key that repeats (or is NULL) would revert rows the run never wrote
  const ctx = await prepare(
    db,
    {
      config: target.config,
      entities: entities ?? target.entities,
      ...(tenant !== null ? { tenantId: tenant } : { allTenants: true }),
    },
    { rowIdentity: true },
  );
  // the tables the run wrote into, not others the same config names under this session's search_path
  await assertRanHere(db, ctx.links, target, 'undo of');
  return ctx;
}

/**
 * Sets back exactly the rows run `runId` changed and that still hold the value it wrote (and restores
 * their updated_at); the reversal is itself logged as a run. One transaction by default; batched over
 * the change log (by row key), checkpointed and resumable with `singleTransaction: false`.
 */
export async function undo(handle: unknown, opts: UndoOptions): Promise<UndoResult> {
  checkBatchOptions(opts);
  const db = adapt(handle);
  await migrateIfPresent(db);
  const target = await getRun(db, opts.runId);
  if (target.kind === 'masters') return undoMasters(db, target, opts);
  // a guard run's links become change sets like an apply's (src/guard): the same statement reverts them
  if (target.kind !== 'apply' && target.kind !== 'backfill' && target.kind !== 'guard') {
    throw new BackfillError(
      'RUN_STATE',
      `run ${opts.runId} is ${article(target.kind)} run; only apply, guard and masters runs can be undone`,
    );
  }
  if (target.dryRun) throw new BackfillError('RUN_STATE', `run ${opts.runId} was a dry run: nothing to undo`);
  const ctx = await contextOf(db, target, opts.entities);
  await assertChangedAny(ctx, target, opts.entities);
  await assertCanWrite(ctx, 'undo'); // before anything is written (issue #8)
  await assertFkNullable(ctx, target.id, new Set());
  // the guard logs its links in guard_links (cheap to write); undo walks change sets: move them there first.
  // Links the guard writes from now on are not part of this undo (a later undo of the run reverts them).
  if (target.kind === 'guard') await flushGuardLinks(ctx.db, target.id);
  // held until the undo ends: refused while the run is being applied (or undone) by another process, and the
  // other way round; a run a kill -9 left 'running' holds no lock and can be undone at once
  let later: { run: string; table_name: string }[] = [];
  const r = await whileLive(
    ctx.db,
    target.id,
    `fk-backfill undo of run ${target.id}`,
    async (live) => {
      // runs applied after this one that also set updated_at: said in the result (undo order matters for it); read
      // once the run is this process's (an undo beside a live apply is refused first, without reading them)
      later = (await ctx.db.query(laterTouchRunsStatement(target.id))).rows;
      // an apply still 'running' with its live lock free: its process ended without finishing (kill -9, Ctrl-C
      // twice); said so, or `runs` would show it running for good (a guard's run is 'running' while it is installed)
      if (target.kind !== 'guard' && (await getRun(ctx.db, target.id)).status === 'running')
        await interruptRun(ctx.db, target.id, `its process ended while it ran (killed, or Ctrl-C twice); found by the undo of it`);
      return undoLive(ctx, target.id, { ...opts, live });
    },
    writtenLinks(ctx),
  );
  if (later.length === 0) return r;
  const notice = `run ${[...new Set(later.map((x) => x.run))].join(', ')}, applied after run ${target.id} and not undone, also set the updated_at of ${[...new Set(later.map((x) => x.table_name))].join(', ')}: rows both changed keep the time the later run wrote, and undoing that run afterwards sets back this run's time; undo the last applied run first for each row's own updated_at`;
  return { ...r, notices: [...(r.notices ?? []), notice] };
}

/**
 * `--entity` naming only links an apply run changed no row of: refused (RUN_STATE, exit 2), no undo run recorded. It
 * recorded one that set back nothing, exit 0 (a new user's audit). A guard run's links are counted once flushed.
 */
async function assertChangedAny(ctx: Context, target: RunRecord, entities: readonly string[] | undefined): Promise<void> {
  if (target.kind === 'guard' || entities === undefined || entities.length === 0) return;
  for (const l of ctx.links) if ((await loggedChanges(ctx.db, target.id, l.entity)) > 0) return;
  throw new BackfillError(
    'RUN_STATE',
    `run ${target.id} changed no row of ${ctx.links.map((l) => l.entity).join(', ')}: nothing to undo, nothing written`,
  );
}

/** The undo of run `targetId` itself, once its live lock is held: records the undo run, then reverts. */
async function undoLive(ctx: Context, targetId: string, opts: UndoOptions & RunOptions): Promise<UndoResult> {
  const single = opts.singleTransaction !== false;
  const runId = await createRun(ctx.db, {
    kind: 'undo',
    ...runScope(ctx),
    executedBy: opts.executedBy ?? null,
    dryRun: false,
    targetRunId: targetId,
    options: single ? { mode: 'single-transaction' } : { mode: 'batched', ...storedBatchOptions(opts) },
  });
  if (!single) {
    await saveCheckpoint(ctx.db, runId, { links: {} });
    return continueUndo(ctx, runId, targetId, opts, false);
  }
  try {
    const results = await retryOnVanishedMaster(() =>
      ctx.db.transaction((tx) =>
        stoppable(ctx.db, tx, opts.signal, `undo of run ${targetId}`, async () => {
          if (writesCitusReference(ctx.links)) await tx.query(citusSequentialStatement());
          const out: LinkUndoResult[] = [];
          for (const l of lastAppliedFirst(ctx.links)) {
            const changed = await changedRows(tx, targetId, l.entity);
            opts.onProgress?.({ event: 'start', kind: 'undo', runId, link: l.entity, total: changed, changed: 0, resumed: false });
            const laterWrites = await rewrittenSince(tx, { targetRunId: targetId, runId, linkName: l.entity });
            const plan = { ...(await namesOf(tx, targetId, l)), ...(await rowSecurityOf(tx, l)) };
            const a = { targetRunId: targetId, runId, linkName: l.entity, laterWrites, ...plan };
            // rows the table refuses to set back (a constraint added since that refuses NULL) stay linked, the rest reverted
            const done = await workAroundRefusals(tx, {
              all: undoStatement(shape(l), a, ctx.filter),
              rows: () => undoRowsStatement(shape(l), a),
              // the rows as read, passed back (not on Citus, whose statement reads them by key)
              some: (keys, log) => undoStatement(shape(l), { ...a, ...(l.citus === null ? { log } : { keys }) }, ctx.filter),
              what: `undo ${l.entity}`,
              remedy: undoRefusalRemedy(runId, false),
              tally: { tried: 0, refused: 0 },
            });
            await recordRefused(tx, runId, l.entity, done.refused);
            const reverted = done.changed;
            if (reverted > changed) {
              // rolls the whole undo back: it would have set back rows the run never wrote
              throw new BackfillError(
                'INTEGRITY',
                `undo ${l.entity}: run ${targetId} changed ${changed} row(s) but ${reverted} would be set back; nothing was undone (the key no longer identifies one row?)`,
              );
            }
            out.push(linkResult(l, changed, reverted, true));
            opts.onProgress?.({ event: 'end', kind: 'undo', runId, link: l.entity, changed: reverted, total: changed, status: 'done' });
          }
          return out.reverse();
        }),
      ),
    );
    const result = await finished(ctx, totals(runId, targetId, 'single-transaction', 'done', results));
    await finishRun(ctx.db, runId, 'done', result);
    return result;
  } catch (e) {
    throw await failRun(ctx.db, runId, lostInOneTransaction('undo', runId, e), 'undoing');
  }
}

/**
 * Takes back a `masters create` run (src/masters/undo.ts): one transaction, recorded as an undo run whose
 * lines are the master tables (masters created or reactivated, set back, left).
 */
async function undoMasters(db: Database, target: RunRecord, opts: UndoOptions): Promise<UndoResult> {
  if (target.status !== 'done') throw new BackfillError('RUN_STATE', `run ${target.id} is ${target.status}: it created no masters`);
  // its masters serve every link to their table: taken back all together or not at all
  if (opts.entities !== undefined && opts.entities.length > 0)
    throw new BackfillError(
      'USAGE',
      `run ${target.id} is a masters run: its masters are taken back together (they serve every link to their table); undo it without --entity`,
    );
  const summary = mastersRunSummary(target.summary, target.id);
  // every link of the run's config, whatever --entity it was made with: rows of any link to the master table keep it
  const ctx = await contextOf(db, { ...target, entities: [] }, undefined);
  const runId = await createRun(ctx.db, {
    kind: 'undo',
    ...runScope(ctx),
    executedBy: opts.executedBy ?? null,
    dryRun: false,
    targetRunId: target.id,
    options: { mode: 'single-transaction' },
  });
  try {
    const m = await undoMastersRun(ctx, summary, target.id, await mastersTakenBackBefore(ctx.db, target.id, runId));
    const base = totals(runId, target.id, 'single-transaction', 'done', m.results);
    const by = base.totalReverted === 0 ? await earlierUndoThatReverted(ctx.db, target.id, runId) : null;
    const result: UndoResult = {
      ...base,
      ...(m.notices.length > 0 ? { notices: m.notices } : {}),
      ...(by !== null ? { alreadyUndoneBy: by } : {}),
      ...(m.takenBack.length > 0 ? { mastersTakenBack: m.takenBack } : {}),
    };
    await finishRun(ctx.db, runId, 'done', result);
    return result;
  } catch (e) {
    throw await failRun(ctx.db, runId, e, 'undoing');
  }
}

/**
 * Undo writes NULL back into the FK: a link whose FK column is NOT NULL (`constrain --not-null`) would fail
 * at its first row with the database's not-null error, after the undo run was recorded. Refused before
 * anything is written instead (exit 2), naming the statement that allows NULL again. Only links the run
 * logged changes in (a guard run's pending links too) and not already reverted (`done`: a resumed undo).
 */
async function assertFkNullable(ctx: Context, targetRunId: string, done: ReadonlySet<string>): Promise<void> {
  const changed = await linksWithChanges(ctx.db, targetRunId);
  for (const l of ctx.links) {
    if (!changed.has(l.entity) || done.has(l.entity)) continue;
    const nn = (await ctx.db.query(columnNotNullStatement(l.sourceOid, l.config.fk))).rows[0];
    if (nn?.not_null !== true) continue;
    const fix = dropNotNullSql({ sourceSql: l.sourceSql, fk: l.config.fk });
    throw new BackfillError(
      'FK_NOT_NULL',
      `undo ${l.entity}: ${l.config.table}.${l.config.fk} is NOT NULL (set by constrain --not-null), so the rows run ${targetRunId} linked cannot be set back to NULL; nothing was written. Allow NULL again first: ${fix}`,
      { details: { link: l.entity, table: l.config.table, column: l.config.fk, run: targetRunId, sql: fix } },
    );
  }
}

/**
 * Whether another run wrote into the link after the target run (an apply that re-linked rows someone
 * cleared, a guard): then the undo statement leaves the rows written since, whose value is not the
 * target's even when it is equal (before: undoing an older run set back 10 links a later run made).
 */
async function rewrittenSince(db: Queryable, a: { targetRunId: string; runId: string; linkName: string }): Promise<boolean> {
  return (await db.query(laterWritesStatement(a))).rows[0]?.later === true;
}

/**
 * The links in the order undo reverts them: the reverse of the order apply wrote them (config order).
 * Two links of one table both set its updated_at: the second logged, as the old value, the time the
 * first one wrote, so only undoing the second one first gives the row back its own updated_at.
 */
function lastAppliedFirst<T>(links: readonly T[]): T[] {
  return [...links].reverse();
}

async function continueUndo(ctx: Context, runId: string, targetRunId: string, opts: RunOptions, resumed: boolean): Promise<UndoResult> {
  try {
    // a lost connection: reconnect and walk on from the checkpoint (the batch in flight rolled back)
    const tally = { reconnected: 0 };
    const r = await withReconnect(
      ctx.db,
      opts,
      { kind: 'undo', runId },
      (attempt, o) => walkUndo(ctx, runId, targetRunId, o, resumed || attempt > 0),
      tally,
    );
    return tally.reconnected > 0 ? { ...r, reconnected: tally.reconnected } : r;
  } catch (e) {
    // another process took the run, or a link of it, while this one reconnected (busyAfterReconnect)
    if (e instanceof BackfillError && e.code === 'RUN_BUSY') throw await busyAfterReconnect(ctx.db, 'undo', runId, e);
    // the last loss, of a batch's connection or of the one holding the live lock (LIVE_LOCK_LOST: lost again and again)
    if (isConnectionLoss(e) || (e instanceof BackfillError && e.code === 'LIVE_LOCK_LOST')) {
      const recorded = await interruptRun(ctx.db, runId, messageOf(e));
      throw await interruptedError(ctx.db, 'undo', runId, e, opts.reconnectAttempts ?? DEFAULT_RECONNECT_ATTEMPTS, recorded);
    }
    throw await afterWrites(ctx.db, 'undo', runId, await failRun(ctx.db, runId, e, 'undoing'));
  }
}

async function walkUndo(ctx: Context, runId: string, targetRunId: string, opts: RunOptions, resumed: boolean): Promise<UndoResult> {
  {
    const cp = parseCheckpoint((await getRun(ctx.db, runId)).checkpoint);
    const results: LinkUndoResult[] = [];
    let stopped = false;
    for (const l of lastAppliedFirst(ctx.links)) {
      const changed = await changedRows(ctx.db, targetRunId, l.entity);
      const lc = cp.links[l.entity];
      let reverted = lc?.changed ?? 0;
      let complete = lc?.done === true;
      if (!stopped && !complete) {
        const s = shape(l);
        const laterWrites = await rewrittenSince(ctx.db, { targetRunId, runId, linkName: l.entity });
        const dist = distributionPart(l);
        const plan = { ...(await namesOf(ctx.db, targetRunId, l)), ...(await rowSecurityOf(ctx.db, l)) };
        const r = await walkLink<UndoLogRow>(
          ctx.db,
          {
            kind: 'undo',
            runId,
            link: l.entity,
            total: changed,
            citus: l.citus !== null,
            bound: (after, n) => undoBoundStatement({ targetRunId, linkName: l.entity }, after, n),
            work: (range) =>
              undoStatement(
                s,
                {
                  targetRunId,
                  runId,
                  linkName: l.entity,
                  setRange: range,
                  laterWrites,
                  ...plan,
                  ...(range.rows !== undefined ? { keys: range.rows } : {}),
                  ...(dist !== null && range.values !== undefined ? { shards: { ...dist, values: range.values } } : {}),
                },
                ctx.filter,
              ),
            ...(dist === null
              ? {}
              : { values: (range) => undoDistributionValuesStatement({ targetRunId, linkName: l.entity, setRange: range }, dist.part) }),
            rows: (range) => undoRowsStatement(s, { targetRunId, linkName: l.entity, setRange: range, ...plan }),
            // a split passes the batch's change-log rows back as values (not on Citus, whose statement reads them by key)
            ...(l.citus === null
              ? {
                  some: (range, log) => undoStatement(s, { targetRunId, runId, linkName: l.entity, laterWrites, ...plan, log }, ctx.filter),
                }
              : {}),
            refusalsOverWalk: true,
            refusalRemedy: undoRefusalRemedy(runId, true),
            atMostN: true,
          },
          opts,
          reverted,
          resumed && lc !== undefined,
        );
        reverted = r.changed;
        complete = !r.stopped;
        stopped = r.stopped;
      }
      if (reverted > changed)
        throw new BackfillError('INTEGRITY', `undo ${l.entity}: ${reverted} row(s) set back but run ${targetRunId} changed ${changed}`);
      results.push(linkResult(l, changed, reverted, complete));
    }
    results.reverse();
    const result = await finished(ctx, totals(runId, targetRunId, 'batched', stopped ? 'stopped' : 'done', results));
    await finishRun(ctx.db, runId, result.status, result);
    return result;
  }
}

/** Continues a batched undo run from its checkpoint (after Ctrl-C, a failure or kill -9). */
export async function resumeUndo(handle: unknown, opts: ResumeUndoOptions): Promise<UndoResult> {
  checkBatchOptions(opts);
  const db = adapt(handle);
  await migrateIfPresent(db);
  const run = await getRun(db, opts.runId);
  if (run.kind !== 'undo') throw new BackfillError('RUN_STATE', `run ${run.id} is ${article(run.kind)} run, not an undo run`);
  if (run.targetRunId === null) throw new BackfillError('RUN_STATE', `undo run ${run.id} does not name the run it reverts`);
  const target = await getRun(db, run.targetRunId);
  const ctx = await contextOf(db, target, run.entities);
  const done = Object.entries(parseCheckpoint(run.checkpoint).links)
    .filter(([, c]) => c.done)
    .map(([k]) => k);
  await assertFkNullable(ctx, target.id, new Set(done));
  const { runId: _r, ...batch } = opts;
  return whileLive(
    db,
    target.id,
    `fk-backfill undo of run ${target.id}`,
    async (live) => {
      await reopenRun(db, run);
      return continueUndo(ctx, run.id, target.id, { ...mergedBatchOptions(run, batch), live }, true);
    },
    writtenLinks(ctx),
  );
}

/**
 * A Citus distributed source whose row key (composite) holds its distribution column: the column, its type and its
 * place in the key, so each undo batch names its values (its UPDATE then reaches only their shards); else null.
 */
function distributionPart(l: ResolvedLink): { column: string; type: string; part: number } | null {
  const src = l.citus?.source;
  if (src?.kind !== 'distributed') return null;
  const cols = idCols(shape(l));
  const i = cols.findIndex((c) => c.col === src.column);
  return cols.length < 2 || i < 0 ? null : { column: src.column, type: cols[i]!.type, part: i + 1 };
}
