import { Option, type Command } from 'commander';
import { milliseconds, positiveNumber, runId, wholeNumber } from '../args.js';
import { apply, checkPlanToApply, resumeApply } from '../../apply/apply.js';
import { MAX_PARALLEL } from '../../apply/parallel.js';
import { MAX_TIMEOUT_MS } from '../../batch/check-options.js';
import { BackfillError } from '../../errors.js';
import type { ApplyResult } from '../../apply/result.js';
import type { BatchOptions } from '../../batch/batch.js';
import type { ProgressEvent } from '../../batch/progress.js';
import { plan } from '../../planning/plan.js';
import { progressFor } from '../../render/progress.js';
import { confirm, open, refuseBesideResume, who, withDatabase, withDb, withScope, withYes, type GlobalFlags } from '../common.js';
import { applyText, planText } from '../format.js';
import { print, printJson } from '../output.js';

export interface BatchFlags {
  singleTransaction?: boolean;
  batchSize?: number;
  targetMs?: number;
  lockTimeout?: number;
  statementTimeout?: number;
  maxRate?: number;
  pauseMs?: number;
  jsonProgress?: boolean;
  walk?: 'auto' | 'key' | 'ctid';
  reconnectAttempts?: number;
  reconnectBackoffMs?: number;
}

/** The batching flags apply and undo share. */
export function withBatchFlags(cmd: Command): Command {
  return cmd
    .option('--single-transaction', 'everything in one transaction: all or nothing (the seed semantics); default: batched')
    .option(
      '--batch-size <n>',
      'rows walked per batch, fixed (a ctid walk turns it into heap blocks; default: adaptive, starting at 20000)',
      wholeNumber('--batch-size', 1),
    )
    .option('--target-ms <ms>', 'adapt the batch size so a batch takes about this long (default 1000)', wholeNumber('--target-ms', 1))
    .option(
      '--lock-timeout <duration>',
      'lock_timeout per batch (2000 or 2s, 500ms, 1min); on timeout back off and retry, then leave out the rows another session keeps locked (apply; undo splits) (default 2s)',
      milliseconds('--lock-timeout', 1, MAX_TIMEOUT_MS),
    )
    .option(
      '--statement-timeout <duration>',
      'statement_timeout per batch (60000 or 60s, 1min); on timeout split (default 60s)',
      milliseconds('--statement-timeout', 1, MAX_TIMEOUT_MS),
    )
    .option('--max-rate <rows>', 'throttle: at most this many rows changed per second', positiveNumber('--max-rate'))
    .option('--pause-ms <ms>', 'throttle: pause between batches', wholeNumber('--pause-ms'))
    .option('--json-progress', 'progress as NDJSON events on stderr (default: a bar on a TTY, nothing otherwise)')
    .option(
      '--reconnect-attempts <n>',
      'connection lost (terminated, server restart): reconnect and continue from the checkpoint this many times, then stop as interrupted (default 5; 0: never)',
      wholeNumber('--reconnect-attempts'),
    )
    .option(
      '--reconnect-backoff-ms <ms>',
      'first wait before reconnecting, doubled each attempt up to 10 s (default 500)',
      wholeNumber('--reconnect-backoff-ms'),
    );
}

/** apply only: how the source table is walked (undo walks its change log). */
export function withWalkFlag(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--walk <how>',
      'ctid: heap blocks in physical order (PostgreSQL 14+, plain tables); key: primary-key ranges; auto (default): ctid for big runs, key for small ones and a small part of a table',
    ).choices(['auto', 'key', 'ctid']),
  );
}

export function batchOptions(f: BatchFlags): BatchOptions {
  return {
    ...(f.batchSize !== undefined ? { batchSize: f.batchSize } : {}),
    ...(f.targetMs !== undefined ? { targetBatchMs: f.targetMs } : {}),
    ...(f.lockTimeout !== undefined ? { lockTimeoutMs: f.lockTimeout } : {}),
    ...(f.statementTimeout !== undefined ? { statementTimeoutMs: f.statementTimeout } : {}),
    ...(f.maxRate !== undefined ? { maxRate: f.maxRate } : {}),
    ...(f.pauseMs !== undefined ? { pauseMs: f.pauseMs } : {}),
    ...(f.walk !== undefined ? { walk: f.walk } : {}),
    ...(f.reconnectAttempts !== undefined ? { reconnectAttempts: f.reconnectAttempts } : {}),
    ...(f.reconnectBackoffMs !== undefined ? { reconnectBackoffMs: f.reconnectBackoffMs } : {}),
  };
}

/**
 * Runs `fn` with an abort signal wired to Ctrl-C / SIGTERM (first: finish the current batch and stop;
 * second Ctrl-C: quit at once) and the progress display the flags ask for.
 */
export async function interruptible<T>(f: BatchFlags & { json?: boolean }, fn: (o: BatchOptions) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const progress = progressFor(f);
  // the run being walked, from its first progress event: named at once where no bar shows it (a log, a pipe), and by
  // a second Ctrl-C, which quits without marking it (its batch in flight rolls back; `runs` shows it has no process)
  let running: { kind: string; runId: string } | undefined;
  const onProgress = (e: ProgressEvent): void => {
    if (running === undefined && e.event === 'start') {
      running = { kind: e.kind, runId: e.runId };
      if (f.json !== true && f.jsonProgress !== true && process.stderr.isTTY !== true)
        process.stderr.write(
          `fk-backfill: ${e.kind} run ${e.runId} is running; Ctrl-C ${f.singleTransaction === true ? 'rolls its one transaction back' : 'stops it after the current batch'}\n`,
        );
    }
    // a lost connection, said in a log as the bar says it on a terminal (a new user's trial: nothing was printed)
    if (e.event === 'reconnect' && f.json !== true && f.jsonProgress !== true && process.stderr.isTTY !== true)
      process.stderr.write(
        `fk-backfill: the connection was lost (${e.error}); reconnecting in ${Math.round(e.waitMs / 100) / 10} s, attempt ${e.attempt} of ${e.of}\n`,
      );
    progress.onProgress(e);
  };
  // quits at once (exit 130); with --json still one document on stdout, as for every other end
  const quit: (message: string, runId?: string) => never = (message, runId) => {
    if (f.json === true) {
      printJson({ error: new BackfillError('STOPPED', message, runId === undefined ? {} : { details: { runId } }).toJSON() });
    }
    process.stderr.write(`\nfk-backfill: ${message}\n`);
    process.exit(130);
  };
  const onSignal = (): void => {
    // before the first batch (reading the catalog, statistics, the plan; waiting for a lock another session holds on a
    // table): nothing of the user's is written yet and no batch boundary is coming soon, so quit now (it used to wait
    // for the work before the first batch, however long, and a lock wait has no end of its own)
    if (running === undefined) quit('quit before the first batch began: nothing was written to the linked tables');
    if (ac.signal.aborted) {
      quit(
        f.singleTransaction === true
          ? `quit; run ${running.runId}'s one transaction rolls back, nothing is written`
          : `quit; the batch in flight rolls back, the ones before it stay: fk-backfill ${running.kind} --resume ${running.runId} --yes continues`,
        running.runId,
      );
    }
    ac.abort();
    process.stderr.write(
      f.singleTransaction === true
        ? '\nfk-backfill: stopping: the transaction is rolled back, nothing is written (Ctrl-C again to quit at once)\n'
        : '\nfk-backfill: stopping after the current batch (Ctrl-C again to quit at once; resume later with --resume)\n',
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn({ ...batchOptions(f), signal: ac.signal, onProgress });
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `shown`: notices already printed before the run started (not repeated under its result). */
function report(result: ApplyResult, json: boolean | undefined, shown: readonly string[] = []): void {
  if (json) printJson(result);
  else {
    const notices = (result.notices ?? []).filter((n) => !shown.includes(n));
    const { notices: _all, ...rest } = result;
    print(applyText(notices.length > 0 ? { ...rest, notices } : rest));
    if (result.status === 'stopped')
      print(`\nStopped after a batch (run ${result.runId} is 'stopped'). Continue: fk-backfill apply --resume ${result.runId} --yes`);
  }
  if (result.status === 'stopped') process.exitCode = 1;
}

export function register(program: Command): void {
  withWalkFlag(
    withBatchFlags(
      withYes(
        withScope(
          withDb(
            program.command('apply').description('live run: link the planned rows in batches, log every change (undo-able, resumable)'),
          ),
        ),
      ),
    ),
  )
    .option('--plan <id>', 'apply exactly this plan (from `plan`); default: plan now, then apply', runId('--plan'))
    .option('--resume <run>', 'continue a batched apply run (stopped, failed, or crashed) from its checkpoint', runId('--resume'))
    .option(
      '--parallel <n>',
      `with --all-tenants: walk each link in slices (whole tenants on Citus), n connections at once, one checkpoint per slice (default: 2 for a link of 100,000 planned rows or more on one server, unless --max-rate or --pause-ms throttles the run, else 1; at most ${MAX_PARALLEL}; PGlite runs 1)`,
      wholeNumber('--parallel', 1, MAX_PARALLEL),
    )
    .action(async (flags: GlobalFlags & BatchFlags & { plan?: string; resume?: string; parallel?: number }) => {
      refuseBesideResume(flags, true);
      checkParallelFlag(flags);
      const par = flags.parallel !== undefined ? { parallel: flags.parallel } : {};
      // one per slice, one for the run's own statements, one holding the run's live lock (src/batch/live.ts)
      const connections = flags.parallel !== undefined ? flags.parallel + 2 : undefined;
      if (flags.resume !== undefined) {
        const runId = flags.resume;
        const db = await open(flags, connections);
        try {
          await confirm(flags, `Resume apply run ${runId}?`);
          // a scope flag beside it: the run's own is accepted, another refused (the library compares them)
          const scope = {
            ...(flags.tenant !== undefined ? { tenantId: flags.tenant } : {}),
            ...(flags.allTenants === true ? { allTenants: true } : {}),
          };
          report(await interruptible(flags, (o) => resumeApply(db, { ...o, ...par, ...scope, runId })), flags.json);
        } finally {
          await db.close();
        }
        return;
      }
      const shown: string[] = [];
      const result = await withDatabase(
        flags,
        async (db, opts) => {
          let planRunId = flags.plan;
          if (planRunId !== undefined && flags.json !== true) {
            // what the user should know before this plan is written (decisions made since it): before the question
            for (const n of await checkPlanToApply(db, { ...opts, planRunId })) {
              process.stderr.write(`Notice: ${n}\n`);
              shown.push(n);
            }
          }
          if (planRunId === undefined && flags.yes !== true && process.stdin.isTTY) {
            // Interactive: show the plan, then ask.
            const p = await plan(db, { ...opts, executedBy: who() });
            if (!flags.json) print(planText(p));
            planRunId = p.runId;
          }
          await confirm(flags, `Link the planned rows${planRunId === undefined ? '' : ` of plan ${planRunId}`}?`);
          return interruptible(flags, (o) =>
            apply(db, {
              ...opts,
              ...o,
              ...par,
              executedBy: who(),
              singleTransaction: flags.singleTransaction === true,
              ...(planRunId !== undefined ? { planRunId } : {}),
              // the plan made here is not printed as text: no sample of its unlinked rows to read (a scan of the table)
              ...(planRunId === undefined && flags.json !== true ? { maxUnmatchedRecords: 0 } : {}),
            }),
          );
        },
        connections,
      );
      report(result, flags.json, shown);
    });
}

/**
 * --parallel where it means something: a batched run over every tenant (--all-tenants, or a plan or run of
 * all tenants, which the library checks). One line, exit 2, before the database is opened.
 */
function checkParallelFlag(f: GlobalFlags & BatchFlags & { plan?: string; resume?: string; parallel?: number }): void {
  if (f.parallel === undefined) return;
  if (f.singleTransaction === true)
    throw new BackfillError('USAGE', '--parallel runs batches on several connections; it cannot be combined with --single-transaction');
  if (f.tenant !== undefined || (f.allTenants !== true && f.plan === undefined && f.resume === undefined)) {
    throw new BackfillError('USAGE', `--parallel needs --all-tenants (one tenant's batches run on one connection)`);
  }
}
