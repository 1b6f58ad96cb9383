/**
 * The three ways to show the progress of batched apply / undo (the events are src/batch/progress.ts):
 * a cli-progress bar on a TTY, NDJSON lines for pipelines, nothing. No database code here.
 */
import cliProgress from 'cli-progress';
import type { ProgressListener } from '../batch/progress.js';

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
        bar.start(Math.max(e.total, e.changed, 1), e.changed, {
          rate: '-',
          note: e.catchUp === true ? ' (catch-up pass)' : e.resumed ? ' (resumed)' : '',
        });
      } else if (bar !== null && e.event === 'batch') {
        bar.setTotal(Math.max(e.total, e.done, 1));
        bar.update(e.done, { rate: String(e.rowsPerSecond), note: '' });
      } else if (bar !== null && e.event === 'reconnect') {
        bar.update({ note: ` | connection lost, reconnect ${e.attempt}/${e.of}` });
      } else if (bar !== null && (e.event === 'retry' || e.event === 'split')) {
        bar.update({ note: e.event === 'retry' ? ` | ${e.reason}, retry ${e.attempt}` : ` | ${e.reason}, batch split to ${e.batchSize}` });
      } else if (bar !== null && e.event === 'pass') {
        bar.update({ note: ' | rows locked by another session: leaving them for the final sweep' });
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
