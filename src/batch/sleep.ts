/** The batch engine's waits: back-off before a retry, the throttle between batches, before a reconnect. */
import { MAX_TIMEOUT_MS } from './check-options.js';

/** Waits `ms` (any length: a timer takes at most 2^31-1 ms, so a longer wait is several), or until `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (!(ms > 0) || signal?.aborted === true) return resolve();
    const end = Date.now() + ms;
    let t = setTimeout(step, Math.min(ms, MAX_TIMEOUT_MS));
    function step(): void {
      const left = end - Date.now();
      if (left > 0 && Number.isFinite(left)) t = setTimeout(step, Math.min(left, MAX_TIMEOUT_MS));
      else done();
    }
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * One turn of the event loop (a macrotask). An in-process database (PGlite) answers every query without one, so a run
 * of many batches never gave timers, I/O or signal handlers a turn: an AbortSignal aborted from a timer, a request or
 * Ctrl-C's handler was seen only once the run had ended, having linked everything (an app developer's trial). Cheap
 * (microseconds) beside a batch.
 */
export const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
