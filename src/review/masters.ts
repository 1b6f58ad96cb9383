/** The masters a queue item, a decision or a page card names: a link by its entity, masters looked up by key. */
import type { Queryable } from '../db/port.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';
import { canonicalKeysStatement, mastersByKeyStatement } from '../sql/masters.js';
import type { ScopeFilter } from '../sql/link.js';
import { fitsFk, integerRange } from '../plan/fk-range.js';
import type { ResolvedLink } from '../context/catalog.js';
import { type Context, shape } from '../context/context.js';

export function keyLink(l: ResolvedLink): Parameters<typeof mastersByKeyStatement>[0] {
  return { ...shape(l), targetKeyType: l.targetKeyType, number: l.config.target.number };
}

/** A master's scope key of no scope at all (every value NULL): with `target.shared`, a master shared by every scope. */
export function isSharedScope(scopeKey: readonly (string | null)[]): boolean {
  return scopeKey.length > 0 && scopeKey.every((v) => v === null);
}

interface MasterInfo {
  key: string;
  scopeKey: (string | null)[];
  name: string;
  number: string | null;
  active: boolean;
}

/**
 * The master with this key in this scope, else one of another scope (to say so). Masters keyed by
 * (tenant_id, id) repeat a key across tenants: a lookup by key alone picked an arbitrary tenant's.
 */
export function masterIn(found: Map<string, MasterInfo[]>, key: string, scopeKey: readonly (string | null)[]): MasterInfo | undefined {
  const all = found.get(key);
  const want = JSON.stringify(scopeKey);
  // then a master of no scope (shared by every scope where the link says so: target.shared)
  return all?.find((m) => JSON.stringify(m.scopeKey) === want) ?? all?.find((m) => isSharedScope(m.scopeKey)) ?? all?.[0];
}

/**
 * A key written as no value of the key's type can be (`CUST-00012` for an integer key, a name for a uuid): left out of
 * the lookup, so one such key does not make the statement fail for every other (a new user's trial: one bad line of a
 * review CSV turned its 50 valid lines into "not a master" errors too). Types without a test here are all looked up.
 */
function maybeKeyOf(type: string): (key: string) => boolean {
  const t = type.replace(/\(.*$/, '').trim();
  const range = integerRange(t);
  // decimal digits only: BigInt also reads 0x10, which the server's integer input does not
  if (range !== null) return (k) => /^\s*[+-]?\d+\s*$/.test(k) && fitsFk(k, range);
  if (t === 'uuid') return (k) => /^\s*\{?[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}\}?\s*$/i.test(k);
  if (t === 'numeric') return (k) => /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(k);
  return () => true;
}

/** The masters of these keys, within the tenant of `f` when given (see mastersByKeyStatement). */
export async function mastersFor(
  db: Queryable,
  l: ResolvedLink,
  allKeys: string[],
  f: ScopeFilter = { tenant: null },
): Promise<Map<string, MasterInfo[]>> {
  const out = new Map<string, MasterInfo[]>();
  const keys = allKeys.filter(maybeKeyOf(l.targetKeyType));
  if (keys.length === 0) return out;
  const st = mastersByKeyStatement(keyLink(l), keys, f);
  try {
    const res = await db.query(st);
    for (const r of res.rows)
      out.set(r.key, [...(out.get(r.key) ?? []), { key: r.key, scopeKey: r.scope_key, name: r.name, number: r.number, active: r.active }]);
    // a key asked in another form than the database writes it (a uuid in capitals): found under the form asked too
    const other = keys.filter((k) => !out.has(k));
    if (other.length > 0 && out.size > 0)
      for (const c of (await db.query(canonicalKeysStatement(l.targetKeyType, other))).rows) {
        const m = out.get(c.key);
        if (m !== undefined) out.set(c.asked, m);
      }
  } catch (e) {
    const state = sqlState(e);
    // A key that is not even a valid value of the key type (e.g. not a uuid): none found.
    if (state === '22P02' || state === '22003' || state === '22008' || state === '22007') return out;
    throw wrapDbError(e, `looking up masters in ${l.config.target.table}`);
  }
  return out;
}

export function linkOf(ctx: Context, entity: string): ResolvedLink {
  const l = ctx.links.find((x) => x.entity === entity);
  if (l === undefined)
    throw new BackfillError('UNKNOWN_ENTITY', `unknown link "${entity}"; configured: ${ctx.links.map((x) => x.entity).join(', ')}`);
  return l;
}
