import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { BackfillError } from '../errors.js';
import { parseTableName } from '../sql/quote.js';
import { AXIS_CONFIG } from './defaults.js';
import { configSchema, type Config, type ConfigInput } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'fk-backfill.config.json';
export const BUILTIN_CONFIG_SOURCE = 'built-in Axis links';

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

function formatIssues(issues: z.core.$ZodIssue[], source: string): string {
  const lines = issues.slice(0, 10).map((i) => `${formatPath(i.path)}: ${i.message}`);
  if (issues.length > 10) lines.push(`… and ${issues.length - 10} more`);
  return `invalid config (${source}): ${lines.join('; ')}`;
}

/**
 * A parsed config read back (a run's stored config, which undo, resume and guard status parse again): a link's
 * `targetScope`, which parsing derives from `scope` entries `{ source, target }`, folded back into them, so it parses to
 * itself. Anything else is left as it is for the schema to judge.
 */
function foldTargetScope(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || !Array.isArray((input as { links?: unknown }).links)) return input;
  const links = (input as { links: unknown[] }).links.map((l) => {
    if (typeof l !== 'object' || l === null || !('targetScope' in l)) return l;
    const { targetScope, ...rest } = l as { targetScope: unknown; scope?: unknown };
    const scope = rest.scope;
    if (!Array.isArray(targetScope) || !Array.isArray(scope) || targetScope.length !== scope.length) return l;
    return {
      ...rest,
      scope: scope.map((c: unknown, i) => (typeof c === 'string' && targetScope[i] !== c ? { source: c, target: targetScope[i] } : c)),
    };
  });
  return { ...input, links };
}

/** Validates a config object; errors name the JSON path of each problem. */
export function parseConfig(input: unknown, source = 'config'): Config {
  const res = configSchema.safeParse(foldTargetScope(input));
  if (!res.success) {
    throw new BackfillError('CONFIG_INVALID', formatIssues(res.error.issues, source), {
      details: { issues: res.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) },
    });
  }
  // Table names must parse (schema.table, quotes balanced).
  res.data.links.forEach((l, i) => {
    for (const [path, ref] of [
      [`$.links[${i}].table`, l.table],
      [`$.links[${i}].target.table`, l.target.table],
    ] as const) {
      try {
        parseTableName(ref);
      } catch (e) {
        throw new BackfillError('CONFIG_INVALID', `invalid config (${source}): ${path}: ${(e as Error).message}`);
      }
    }
  });
  return res.data;
}

export function defaultConfig(): Config {
  return parseConfig(AXIS_CONFIG, BUILTIN_CONFIG_SOURCE);
}

/**
 * Loads `file` if given (must exist), else `./fk-backfill.config.json` when present, else the
 * built-in Axis links.
 */
export function loadConfig(file?: string, cwd = process.cwd()): { config: Config; source: string } {
  let path: string | undefined;
  if (file !== undefined) {
    path = resolve(cwd, file);
    if (!existsSync(path)) throw new BackfillError('CONFIG_NOT_FOUND', `config file not found: ${path}`);
  } else {
    const candidate = resolve(cwd, DEFAULT_CONFIG_FILE);
    if (existsSync(candidate)) path = candidate;
  }
  if (path === undefined) return { config: defaultConfig(), source: BUILTIN_CONFIG_SOURCE };
  if (statSync(path).isDirectory()) throw new BackfillError('CONFIG_NOT_FOUND', `config file ${path} is a directory, not a file`);
  let raw: unknown;
  // a byte order mark (a config saved by Notepad) is not JSON, and not the user's to see
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/u, '');
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BackfillError('CONFIG_INVALID', `invalid config (${path}): not valid JSON: ${jsonErrorAt(text, (e as Error).message)}`);
  }
  return { config: parseConfig(raw, path), source: path };
}

/**
 * A JSON.parse message with line and column: Node says "at position N" (or, newer, "(line L column C)");
 * the position becomes line:column of `text`.
 */
export function jsonErrorAt(text: string, message: string): string {
  if (/line \d+ column \d+/.test(message)) return message;
  const m = /at position (\d+)/.exec(message);
  const end = /Unexpected end/.test(message);
  const pos = m !== null ? Math.min(Number(m[1]), text.length) : end ? text.length : firstBadOffset(text);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  // Node 20 says `Unexpected token ']', "…snippet…" is not valid JSON` (the snippet spans lines): keep the first clause
  const what = message.replace(/ in JSON at position \d+.*$| at position \d+.*$/s, '').replace(/, (\.\.\.)?".*" is not valid JSON$/s, '');
  return `${what} at line ${line}, column ${column}`;
}

/**
 * Where JSON.parse first fails when its message gives no position (a trailing comma, say): the shortest
 * prefix that fails otherwise than by ending too early ends at the bad character (a binary search, a
 * few parses of a config-sized text).
 */
function firstBadOffset(text: string): number {
  const badWithin = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const msg = (e as Error).message;
      if (/Unexpected end/.test(msg)) return false;
      const at = /at position (\d+)/.exec(msg);
      return at === null || Number(at[1]) < k; // failing at the prefix's own end: it only ran out
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (badWithin(mid)) hi = mid;
    else lo = mid + 1;
  }
  return Math.max(0, lo - 1);
}

export function toConfig(input: Config | ConfigInput | undefined): Config {
  return input === undefined ? defaultConfig() : parseConfig(input);
}

/**
 * A value's JSON with every object's keys sorted: the same text whatever order they were written or read in (a run's
 * config comes back from jsonb in jsonb's order). An undefined value is null, as JSON.stringify writes it in an array.
 */
export function stableJson(v: unknown): string {
  const stable = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(stable);
    if (x !== null && typeof x === 'object') {
      return Object.fromEntries(
        Object.keys(x as object)
          .sort()
          .map((k) => [k, stable((x as Record<string, unknown>)[k])]),
      );
    }
    return x;
  };
  return JSON.stringify(stable(v ?? null));
}

/** Stable hash of a config (key order independent) recorded on every run. */
export function configHash(config: Config): string {
  return createHash('sha256').update(stableJson(config)).digest('hex').slice(0, 16);
}
