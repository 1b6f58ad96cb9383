/**
 * People's decisions on queue names (alias → master, never, create): validated against the live masters,
 * written to fk_backfill.decisions, revoked and undone.
 */
import { adapt } from '../db/index.js';
import { type Database, type Queryable } from '../db/port.js';
import { migrate } from '../store/migrate.js';
import { latestPlanRun } from '../store/runs.js';
import {
  restoreReplacedDecision,
  revokeDecisionRow,
  revokeDecisionsAllOrNothing,
  revokeDecisionsInForce,
  writeDecisionRows,
} from '../store/decisions.js';
import { type DecisionAction, isBlankName } from '../plan/decide.js';
import { BackfillError, wrapDbError } from '../errors.js';
import { queueEntrySql } from '../sql/review.js';
import { type CommonOptions, type Context, prepare } from '../context/context.js';
import type { DecisionRecord } from './types.js';
import { isSharedScope, linkOf, masterIn, mastersFor } from './masters.js';

// ------------------------------------------------------------------------------------------ decisions

export interface DecideInput {
  link: string;
  scopeKey: readonly (string | null)[];
  name: string;
  action: DecisionAction;
  targetKey?: string | null | undefined;
  by: string | null;
}

export interface DecideResult {
  decision: DecisionRecord;
  /** False when the same decision was already in force (nothing written). */
  changed: boolean;
  /** Decisions this one replaced (revoked). */
  replaced: string[];
}

/**
 * A decision for a name of rows of no tenant (a scope column NULL, scope `[null]`): the plan never links such rows
 * (NO_SCOPE_REASON), so no decision applies to them. Before, `review import` of such a line asked for a tenant first
 * ("choose a tenant"), and with --all-tenants took a `never` and refused an accept as "no master 1 in scope [null]".
 */
export function noTenantMessage(scopeKey: readonly (string | null)[]): string {
  return `scope ${JSON.stringify(scopeKey)} is no tenant's (a scope column of its rows is NULL): rows of no tenant are never linked, so they take no decision; leave the decision empty, or set the rows' tenant and plan again`;
}

/** Checks one decision against the config and the masters; returns a message or null. */
export async function validateDecisions(db: Queryable, ctx: Context, list: DecideInput[]): Promise<(string | null)[]> {
  const errors: (string | null)[] = list.map(() => null);
  const aliasByLink = new Map<string, number[]>();
  list.forEach((d, i) => {
    const l = ctx.links.find((x) => x.entity === d.link);
    if (l === undefined) {
      // a configured link without a scope is left out under --tenant: its lines belong to no one tenant
      const configured = ctx.config.links.some((x) => x.entity === d.link);
      return void (errors[i] = configured
        ? `link "${d.link}" is left out under --tenant (it has no scope column): import its lines without --tenant`
        : `unknown link "${d.link}"`);
    }
    if (!['alias', 'never', 'create'].includes(d.action))
      return void (errors[i] = `unknown action "${String(d.action)}" (use alias, never or create)`);
    if (typeof d.name !== 'string') return void (errors[i] = 'name is missing');
    // a blank name is never linked (the plan's "blank name"): "never" settles it, nothing else applies
    if (isBlankName(d.name) && d.action !== 'never')
      return void (errors[i] =
        `a blank name is never linked, so it takes no ${String(d.action)} decision: decide never to settle it, or fill the name in the documents`);
    if (!Array.isArray(d.scopeKey) || d.scopeKey.length !== l.config.scope.length) {
      return void (errors[i] = `scope must have ${l.config.scope.length} value(s) (${l.config.scope.join(', ')})`);
    }
    // said before "outside tenant …" (and, by review import, before "choose a tenant"): what is wrong is the rows' tenant
    if (d.scopeKey.some((v) => v === null)) return void (errors[i] = noTenantMessage(d.scopeKey));
    if (ctx.filter.tenant !== null && l.config.scope.length > 0 && d.scopeKey[0] !== ctx.filter.tenant) {
      return void (errors[i] = `scope ${JSON.stringify(d.scopeKey)} is outside tenant ${ctx.filter.tenant}`);
    }
    if (d.action === 'alias') {
      if (d.targetKey === undefined || d.targetKey === null || d.targetKey === '') return void (errors[i] = 'alias needs a target key');
      const arr = aliasByLink.get(d.link) ?? [];
      arr.push(i);
      aliasByLink.set(d.link, arr);
    } else if (d.targetKey !== undefined && d.targetKey !== null && d.targetKey !== '') {
      errors[i] = `${d.action} takes no target key`;
    }
  });
  for (const [entity, idx] of aliasByLink) {
    const l = linkOf(ctx, entity);
    const keys = [...new Set(idx.map((i) => list[i]!.targetKey!))];
    // within the tenant (a router query on Citus); only the keys it does not have are looked for in other scopes, to say so
    const found = await mastersFor(db, l, keys, ctx.filter);
    const elsewhere = ctx.filter.tenant === null ? [] : keys.filter((k) => !found.has(k));
    if (elsewhere.length > 0) for (const [k, v] of await mastersFor(db, l, elsewhere)) found.set(k, v);
    for (const i of idx) {
      const d = list[i]!;
      const m = masterIn(found, d.targetKey!, d.scopeKey);
      if (m === undefined) errors[i] = `target key ${d.targetKey} is not a master of ${l.config.target.table}`;
      else if (
        JSON.stringify(m.scopeKey) !== JSON.stringify(d.scopeKey) &&
        !(l.config.target.shared !== undefined && isSharedScope(m.scopeKey))
      )
        // masterIn prefers the line's scope: a master of that key found elsewhere only (a Citus trial named one of them,
        // as if the key belonged to a single other scope)
        errors[i] =
          `no master ${d.targetKey} in scope ${JSON.stringify(d.scopeKey)} (that key is a master of another scope, e.g. ${JSON.stringify(m.scopeKey)})`;
      else if (!m.active) errors[i] = `master ${d.targetKey} (${m.name}) is not active`;
      // recorded as the database writes the key (what plans and the FK hold), not as typed (a uuid in capitals)
      else if (m.key !== d.targetKey) list[i] = { ...d, targetKey: m.key };
    }
  }
  return errors;
}

/**
 * Writes decisions (already validated) in one statement: for each, the live decision of the same
 * (link, scope, name) is revoked unless it is identical (then nothing is written for it).
 */
export async function writeDecisions(tx: Queryable, list: DecideInput[]): Promise<{ results: DecideResult[] }> {
  if (list.length === 0) return { results: [] };
  const payload = list.map((d, i) => ({
    i,
    link: d.link,
    scope_key: d.scopeKey,
    source_name: d.name,
    action: d.action,
    target_key: d.action === 'alias' ? d.targetKey : null,
    decided_by: d.by,
  }));
  const res = { rows: await writeDecisionRows(tx, payload) };
  return {
    results: res.rows.map((r) => ({
      decision: { id: r.id, action: r.action, targetKey: r.target_key, decidedBy: r.decided_by, decidedAt: r.decided_at },
      changed: r.changed,
      replaced: r.replaced ?? [],
    })),
  };
}

function dedupe(list: DecideInput[]): void {
  const seen = new Set<string>();
  for (const d of list) {
    const k = JSON.stringify([d.link, d.scopeKey, d.name]);
    if (seen.has(k))
      throw new BackfillError(
        'INVALID_INPUT',
        `two decisions for the same name: ${d.link} ${JSON.stringify(d.scopeKey)} ${JSON.stringify(d.name)}`,
      );
    seen.add(k);
  }
}

/** Validates and records many decisions in one transaction (all or nothing). */
export async function decideManyIn(ctx: Context, list: DecideInput[]): Promise<DecideResult[]> {
  const errors = await validateDecisions(ctx.db, ctx, list);
  const bad = errors.map((e, i) => (e === null ? null : { index: i, message: e })).filter((x) => x !== null);
  if (bad.length > 0) {
    throw new BackfillError('INVALID_INPUT', bad.map((b) => b.message).join('; '), { details: { errors: bad } });
  }
  dedupe(list);
  try {
    return (await ctx.db.transaction((tx) => writeDecisions(tx, list))).results;
  } catch (e) {
    throw wrapDbError(e, 'recording decisions');
  }
}

export async function decideIn(ctx: Context, input: DecideInput): Promise<DecideResult> {
  return (await decideManyIn(ctx, [input]))[0]!;
}

/**
 * The review page's "accept top": the name's candidate 1 in the newest of `planRunIds` that holds it, found here (the
 * page sends no key, so no key can pass for the top). An ambiguous name is refused, as the CSV import's accept and bulk
 * accept refuse it: its candidates score alike, candidate 1 is no better than 2 (a trial: `a` on two active "Twin Co"
 * linked every row of the name to the first). Picking a candidate (alias with its key) stays possible.
 */
export async function acceptTopIn(
  ctx: Context,
  planRunIds: string[],
  input: Omit<DecideInput, 'action' | 'targetKey'>,
): Promise<DecideResult> {
  const e = (await ctx.db.query(queueEntrySql(planRunIds, input))).rows[0];
  const name = JSON.stringify(input.name);
  if (e === undefined)
    throw new BackfillError(
      'INVALID_INPUT',
      `name ${name} of ${input.link} in scope ${JSON.stringify(input.scopeKey)} is not in the queue of plan ${planRunIds.join(' or ')}: reload it (or plan again)`,
    );
  if (e.outcome === 'ambiguous')
    throw new BackfillError(
      'INVALID_INPUT',
      `accept of an ambiguous name (${name}${e.reason === null ? '' : `: ${e.reason}`}): its candidates score alike; pick the candidate you mean`,
    );
  if (e.top_key === null) throw new BackfillError('INVALID_INPUT', `name ${name} has no candidate to accept`);
  return decideIn(ctx, { ...input, action: 'alias', targetKey: e.top_key });
}

/**
 * decide()'s `accept`, as `review import` and the review page have it: the name's candidate 1 in the newest plan of
 * this config that holds it (of the name's tenant, or of all tenants), unless `targetKey` names another master (then
 * an alias to that one, as the CSV's target_key). An ambiguous name needs `targetKey`: its candidates score alike.
 */
export type AcceptInput = Omit<DecideInput, 'action'> & { action: 'accept' };

/**
 * Records what a person decided for a name in a scope: alias → that master (must be an active master
 * of the same scope), accept → candidate 1 (AcceptInput), never → never linked, create → left for `masters create`.
 * Replaces (revokes) the name's earlier decision; the same decision twice writes nothing.
 */
export async function decide(
  db: unknown,
  input: (DecideInput | AcceptInput) & { config?: CommonOptions['config'] },
): Promise<DecideResult> {
  const ctx = await prepare(db, { ...(input.config !== undefined ? { config: input.config } : {}), allTenants: true }, { bind: true });
  if (input.action !== 'accept') return decideIn(ctx, input);
  const item = { link: input.link, scopeKey: input.scopeKey, name: input.name, by: input.by };
  const key = input.targetKey;
  if (key !== undefined && key !== null && key !== '') return decideIn(ctx, { ...item, action: 'alias', targetKey: key });
  const l = linkOf(ctx, input.link);
  const tenant = l.config.scope.length > 0 && Array.isArray(input.scopeKey) ? (input.scopeKey[0] ?? null) : null;
  const ids: string[] = [];
  for (const t of new Set([tenant, null])) {
    const id = await latestPlanRun(ctx.db, ctx.configHash, t, [l.entity]);
    if (id !== null) ids.push(id);
  }
  if (ids.length === 0)
    throw new BackfillError(
      'INVALID_INPUT',
      `accept takes the name's candidate 1 from a plan, and no finished plan of this config covers link "${l.entity}"${tenant === null ? '' : ` for tenant ${tenant}`}: plan first, or decide alias with the targetKey you mean`,
    );
  return acceptTopIn(ctx, ids, item);
}

/** Undo of a decision (before apply): sets revoked_at. Rows already linked stay linked (`undo --run`). */
export async function revokeDecision(
  db: unknown,
  input: { id: string; by?: string | null },
): Promise<DecisionRecord & { link: string; scopeKey: (string | null)[]; name: string }> {
  const d = adapt(db);
  await migrate(d);
  return revokeIn(d, input.id);
}

/**
 * Revokes decisions `ids` in one statement (a bulk's undo); with `tenant`, only that tenant's. All in
 * force or nothing, unless `inForceOnly`: then the ones still in force are revoked and the others (a
 * name decided again since) are counted as `kept`.
 */
export async function revokeManyIn(
  db: Queryable,
  ids: string[],
  tenant: string | null = null,
  opts: { inForceOnly?: boolean } = {},
): Promise<{ revoked: number; kept: number }> {
  if (ids.length === 0) return { revoked: 0, kept: 0 };
  for (const id of ids) if (!/^\d{1,18}$/.test(id)) throw new BackfillError('INVALID_INPUT', `decision id must be a number, got "${id}"`);
  const want = new Set(ids).size;
  if (opts.inForceOnly === true) {
    const n = await revokeDecisionsInForce(db, ids, tenant);
    return { revoked: n, kept: want - n };
  }
  const n = await revokeDecisionsAllOrNothing(db, ids, tenant, want);
  if (n !== want)
    throw new BackfillError(
      'NOT_FOUND',
      `some of the ${want} decisions are not in force${tenant === null ? '' : ` for tenant ${tenant}`}; nothing undone`,
    );
  return { revoked: n, kept: 0 };
}

/**
 * Undo of one decision: revokes `id` and puts back in force the decisions it replaced (`restore`, from
 * the decision's `replaced`) when they are of the same name and nothing else is in force for it, so
 * undoing "never" on a bulk-accepted name gives the bulk's link back (and the bulk stays undoable).
 * One transaction. Returns the revoked decision and the one in force afterwards (or null).
 */
export async function undoDecisionIn(
  db: Database,
  id: string,
  restore: string[],
  tenant: string | null = null,
): Promise<{ revoked: DecisionRecord & { link: string; scopeKey: (string | null)[]; name: string }; restored: DecisionRecord | null }> {
  for (const r of restore) if (!/^\d{1,18}$/.test(r)) throw new BackfillError('INVALID_INPUT', `decision id must be a number, got "${r}"`);
  return db.transaction(async (tx) => {
    const revoked = await revokeIn(tx, id, tenant);
    if (restore.length === 0) return { revoked, restored: null };
    const r = await restoreReplacedDecision(tx, restore, revoked.link, revoked.scopeKey, revoked.name);
    return {
      revoked,
      restored:
        r === undefined ? null : { id: r.id, action: r.action, targetKey: r.target_key, decidedBy: r.decided_by, decidedAt: r.decided_at },
    };
  });
}

/** Revokes decision `id`; with `tenant`, only a decision of that tenant (first scope value). */
export async function revokeIn(
  db: Queryable,
  id: string,
  tenant: string | null = null,
): Promise<DecisionRecord & { link: string; scopeKey: (string | null)[]; name: string }> {
  if (!/^\d{1,18}$/.test(id)) throw new BackfillError('INVALID_INPUT', `decision id must be a number, got "${id}"`);
  const r = await revokeDecisionRow(db, id, tenant);
  if (r === undefined)
    throw new BackfillError(
      'NOT_FOUND',
      `no decision ${id} in force${tenant === null ? '' : ` for tenant ${tenant}`} (unknown or already revoked)`,
    );
  return {
    id: r.id,
    link: r.link,
    scopeKey: r.scope_key,
    name: r.source_name,
    action: r.action,
    targetKey: r.target_key,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
  };
}
