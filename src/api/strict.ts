/**
 * Option objects of the public library calls, checked by name before anything runs. A key the call does not know is
 * refused (USAGE, naming the key, what it may have meant, and the keys the call takes) rather than ignored: before,
 * `apply(db, { dryRun: true })` wrote, `apply(db, { planId })` applied a new plan instead of the reviewed one,
 * `undo(db, { runId, dryRun: true })` undid, `constrain(db, { dry_run: true })` added the constraints, `removeGuard(db,
 * { entity: [...] })` removed every guard and `{ abortSignal }` stopped nothing. TypeScript catches such keys in an
 * object literal only, never in a variable, a spread or plain JavaScript.
 */
import { distance } from 'fastest-levenshtein';
import { BackfillError } from '../errors.js';
import { guardCallbacks } from './callbacks.js';

/** Every key of T, each once: a list that leaves a key out or names one T lacks does not compile. */
export type Keys<T> = { readonly [K in keyof Required<T>]: true };

/** The option objects of one call: argument position → its accepted keys (and, per key, an object's own keys). */
export interface ArgSpec {
  readonly arg: number;
  readonly what: string;
  readonly keys: Readonly<Record<string, true>>;
  readonly nested?: Readonly<Record<string, Readonly<Record<string, true>>>>;
  /** The argument must be given (an object). */
  readonly required?: boolean;
}

const norm = (s: string): string => s.toLowerCase().replace(/[_\-\s]/g, '');

/** `short`'s letters appear in `long` in order (planid in planrunid). */
function within(short: string, long: string): boolean {
  let i = 0;
  for (const c of long) if (c === short[i]) i++;
  return i === short.length;
}

/** A typo of `n`: a few letters apart, or more after the same first four (entity → entities). */
function typo(k: string, n: string, d: number): boolean {
  return d <= Math.max(1, Math.floor(k.length / 3)) || (k.length >= 4 && n.startsWith(k.slice(0, 4)) && d <= k.length / 2);
}

/**
 * The accepted key `key` most likely means: the same apart from case and `_`, one inside the other, its letters in
 * order (`planId` → planRunId), or a typo; the closest of the best kind.
 */
export function meant(key: string, accepted: readonly string[]): string | undefined {
  const k = norm(key);
  if (k === '') return undefined;
  let best: [string, number, number] | undefined;
  for (const a of accepted) {
    const n = norm(a);
    const d = distance(n, k);
    const kind = n === k ? 0 : n.includes(k) || k.includes(n) ? 1 : k.length >= 4 && within(k, n) ? 2 : typo(k, n, d) ? 3 : 4;
    if (kind < 4 && (best === undefined || kind < best[1] || (kind === best[1] && d < best[2]))) best = [a, kind, d];
  }
  return best?.[0];
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}

/** The form of a run id (fk_backfill.runs.id, an int8): what the CLI's flags say too (cli/args.ts runId). */
const RUN_ID_FORM = 'a run id, a whole number as listRuns() and `fk-backfill runs` list them';
const isRunId = (v: unknown): boolean =>
  (typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v))) && /^\d{1,18}$/.test(String(v));

/**
 * Values of keys many calls share whose wrong type acted on everything or failed late: `entities: []` (a filter
 * computed empty) undid, planned or removed the guard of every link, `entities: 'order'` failed as DB_ERROR
 * ("entities.filter is not a function"), `singleTransaction: 'false'` ran in one transaction.
 */
const SHARED: Readonly<Record<string, readonly [(v: unknown) => boolean, string]>> = {
  entities: [
    (v) => Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === 'string' && e !== ''),
    'a non-empty list of entity names (leave it out for every link)',
  ],
  allTenants: [(v) => typeof v === 'boolean', 'true or false'],
  singleTransaction: [(v) => typeof v === 'boolean', 'true or false'],
  onProgress: [(v) => typeof v === 'function', 'a function'],
  // a malformed id is bad input, not a run that is missing (before: undo(db, { runId: 'abc' }) said RUN_NOT_FOUND)
  runId: [isRunId, RUN_ID_FORM],
  planRunId: [isRunId, RUN_ID_FORM],
  signal: [(v) => typeof v === 'object' && v !== null && typeof (v as AbortSignal).addEventListener === 'function', 'an AbortSignal'],
};

function checkValues(fn: string, value: object): void {
  for (const [key, v] of Object.entries(value)) {
    const rule = SHARED[key];
    if (rule === undefined || v === undefined || rule[0](v)) continue;
    const got = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? JSON.stringify(v).slice(0, 60) : describe(v);
    throw new BackfillError('USAGE', `${fn}(): ${key} must be ${rule[1]} (got ${got}); nothing run`, {
      details: { function: fn, option: key },
    });
  }
}

function checkObject(fn: string, what: string, value: unknown, keys: Readonly<Record<string, true>>, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BackfillError('USAGE', `${fn}(): ${what} must be an object (got ${describe(value)}); nothing run`, {
      details: { function: fn, option: what },
    });
  const accepted = Object.keys(keys);
  const unknown = Object.keys(value).filter((k) => !Object.hasOwn(keys, k));
  if (unknown.length === 0) return checkValues(fn, value);
  const said = unknown.map((k) => {
    const m = meant(k, accepted);
    return m === undefined ? `"${k}"` : `"${k}" (did you mean "${m}"?)`;
  });
  throw new BackfillError(
    'USAGE',
    `${fn}(): unknown ${what === 'options' ? 'option' : `key of ${what}`} ${said.join(', ')}; ${what} takes ${accepted.join(', ')}; nothing run`,
    { details: { function: fn, option: unknown[0], unknown, accepted } },
  );
}

/** Throws USAGE when an option object of `fn`'s arguments holds a key the call does not take. */
export function checkArgs(fn: string, args: readonly unknown[], specs: readonly ArgSpec[]): void {
  for (const s of specs) {
    const value = args[s.arg];
    checkObject(fn, s.what, value, s.keys, s.required === true);
    if (s.nested === undefined || value === undefined) continue;
    for (const [key, keys] of Object.entries(s.nested)) {
      const inner = (value as Record<string, unknown>)[key];
      if (inner !== undefined) checkObject(fn, `${s.what}.${key}`, inner, keys, false);
    }
  }
}

/**
 * `fn` with its option objects checked first (the public entry points, src/api/public.ts), and the user's callbacks
 * in them guarded (callbacks.ts: what one throws is CALLBACK_FAILED, never a database error).
 */
export function strict<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
  ...specs: ArgSpec[]
): (...args: A) => Promise<R> {
  const checked = async (...args: A): Promise<R> => {
    checkArgs(name, args, specs);
    const given = [...args] as A;
    for (const s of specs) given[s.arg] = guardCallbacks(name, given[s.arg]);
    return fn(...given);
  };
  Object.defineProperty(checked, 'name', { value: name });
  return checked;
}
