/**
 * Progress of batched apply / undo: the events the batch engine emits, and the three ways to show
 * them (a cli-progress bar on a TTY, NDJSON lines for pipelines, nothing). No database code here.
 */
import cliProgress from 'cli-progress';

export type BatchKind = 'apply' | 'undo';

interface Base {
  kind: BatchKind;
  runId: string;
  link: string;
}

export type ProgressEvent =
  | (Base & { event: 'start'; total: number; changed: number; resumed: boolean; catchUp?: boolean })
  | (Base & {
      event: 'batch';
      /**
       * Bounds of the batch: keys (after, upTo] of a key walk, heap blocks [after, upTo) of a ctid walk,
       * change log positions (after, upTo] of an undo.
       */
      after: string | null;
      upTo: string;
      /** Rows walked (a ctid walk estimates them from the table's rows per block). */
      keys: number;
      changed: number;
      /** Rows changed so far in this link (including earlier runs of a resumed run). */
      done: number;
      total: number;
      batchSize: number;
      ms: number;
      rowsPerSecond: number;
      etaSeconds: number | null;
    })
  | (Base & { event: 'retry'; reason: 'lock_timeout' | 'statement_timeout' | 'master_deleted'; attempt: number; batchSize: number; backoffMs: number })
  | (Base & { event: 'split'; reason: 'lock_timeout' | 'statement_timeout'; batchSize: number })
  | (Base & { event: 'end'; changed: number; total: number; status: 'done' | 'stopped' })
  /** The connection was lost (the batch in flight rolled back): waiting, then continuing from the checkpoint. */
  | (Base & { event: 'reconnect'; attempt: number; of: number; waitMs: number; error: string });

export type ProgressListener = (e: ProgressEvent) => void;

export interface ProgressReporter {
  onProgress: ProgressListener;
  /** Stops any animation (call once, also on error). */
  stop(): void;
}

/** NDJSON on a stream (default stderr): one JSON object per event, with a timestamp. */
export function jsonProgress(stream: NodeJS.WritableStream = process.stderr): ProgressReporter {
  return {
    onProgress(e) {
      stream.write(JSON.stringify({ ...e, at: new Date().toISOString() }) + '\n');
    },
    stop() {},
  };
}

/** A progress bar per link (rows changed / planned, rows/s, ETA), drawn on a TTY stream. */
export function barProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  let bar: cliProgress.SingleBar | null = null;
  const finish = (): void => {
    if (bar !== null) bar.stop();
    bar = null;
  };
  return {
    onProgress(e) {
      if (e.event === 'start') {
        finish();
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${e.kind} ${e.link} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}{note}`,
            etaBuffer: 20,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(e.total, e.changed, 1), e.changed, { rate: '-', note: e.catchUp === true ? ' (catch-up pass)' : e.resumed ? ' (resumed)' : '' });
      } else if (bar !== null && e.event === 'batch') {
        bar.setTotal(Math.max(e.total, e.done, 1));
        bar.update(e.done, { rate: String(e.rowsPerSecond), note: '' });
      } else if (bar !== null && e.event === 'reconnect') {
        bar.update({ note: ` | connection lost, reconnect ${e.attempt}/${e.of}` });
      } else if (bar !== null && (e.event === 'retry' || e.event === 'split')) {
        bar.update({ note: e.event === 'retry' ? ` | ${e.reason}, retry ${e.attempt}` : ` | ${e.reason}, batch split to ${e.batchSize}` });
      } else if (bar !== null && e.event === 'end') {
        if (e.status === 'done') bar.setTotal(Math.max(e.changed, 1));
        bar.update(e.changed, { note: e.status === 'stopped' ? ' | stopped' : '' });
        finish();
      }
    },
    stop: finish,
  };
}

export function noProgress(): ProgressReporter {
  return { onProgress() {}, stop() {} };
}

/** `--json-progress` → NDJSON on stderr; a TTY stderr → bar; otherwise nothing (no animation in logs). */
export function progressFor(opts: { jsonProgress?: boolean }, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (opts.jsonProgress === true) return jsonProgress(stream);
  if (stream.isTTY === true) return barProgress(stream);
  return noProgress();
}
