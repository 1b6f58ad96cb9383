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
