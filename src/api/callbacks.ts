/**
 * A library user's callbacks (`onProgress`, constrain's `onStep`), wrapped at the public entry points so that an
 * exception one throws comes back as what it is: CALLBACK_FAILED, its cause the user's own error. Before, it went up
 * through the run's failure path like any error and came back as DB_ERROR ("applying: boom"), read as the database's.
 * The run stops there as on any failure: batches committed stay (logged), the run is marked failed and resumable.
 */
import { BackfillError } from '../errors.js';

const CALLBACKS = ['onProgress', 'onStep'] as const;

/** `fn` calling `callback` (an option of call `call`) and turning what it throws into CALLBACK_FAILED. */
function guarded(call: string, key: string, callback: (...a: unknown[]) => unknown): (...a: unknown[]) => unknown {
  return (...a: unknown[]): unknown => {
    try {
      return callback(...a);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new BackfillError('CALLBACK_FAILED', `${call}(): the ${key} callback threw: ${msg}`, {
        cause: e,
        details: { function: call, option: key },
      });
    }
  };
}

/** The option object `value` with its callbacks guarded (a copy; `value` itself when it has none). */
export function guardCallbacks(call: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const o = value as Record<string, unknown>;
  const keys = CALLBACKS.filter((k) => typeof o[k] === 'function');
  if (keys.length === 0) return value;
  const copy: Record<string, unknown> = { ...o };
  for (const k of keys) copy[k] = guarded(call, k, o[k] as (...a: unknown[]) => unknown);
  return copy;
}
