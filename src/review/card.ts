/** What one card of the review page looks up: a master by key, the decision in force, a master search, a name's decision history. */
import { decisionHistory, liveDecision } from '../store/decisions.js';
import { BackfillError } from '../errors.js';
import { masterSearchSql } from '../sql/review.js';
import type { Context } from '../context/context.js';
import type { DecisionRecord, MasterRef } from './types.js';
import { keyLink, linkOf, masterIn, mastersFor } from './masters.js';

/** One master of a link by key (number, active state) for showing which one a decision chose. */
export async function masterRefIn(
  ctx: Context,
  link: string,
  key: string,
  scopeKey: readonly (string | null)[],
): Promise<MasterRef | null> {
  const m = masterIn(await mastersFor(ctx.db, linkOf(ctx, link), [key], ctx.filter), key, scopeKey);
  return m === undefined ? null : { key: m.key, name: m.name, number: m.number, active: m.active };
}

/** The decision in force for one name, with the master it chose. */
export async function liveDecisionIn(
  ctx: Context,
  link: string,
  scopeKey: (string | null)[],
  name: string,
): Promise<(DecisionRecord & { target: MasterRef | null }) | null> {
  linkOf(ctx, link);
  const r = await liveDecision(ctx.db, link, scopeKey, name);
  if (r === undefined) return null;
  const target = r.target_key === null ? null : await masterRefIn(ctx, link, r.target_key, scopeKey);
  return { id: r.id, action: r.action, targetKey: r.target_key, decidedBy: r.decided_by, decidedAt: r.decided_at, target };
}

/** Masters of a link in the name's scope matching `q` (name, number or key), active first: pick one that is not a candidate. */
export async function searchMastersIn(
  ctx: Context,
  input: { link: string; scopeKey: (string | null)[]; q: string; limit?: number },
): Promise<MasterRef[]> {
  const l = linkOf(ctx, input.link);
  if (input.scopeKey.length !== l.config.scope.length)
    throw new BackfillError('INVALID_INPUT', `scope must have ${l.config.scope.length} value(s)`);
  if (ctx.filter.tenant !== null && l.config.scope.length > 0 && input.scopeKey[0] !== ctx.filter.tenant) {
    throw new BackfillError('INVALID_INPUT', `scope ${JSON.stringify(input.scopeKey)} is outside tenant ${ctx.filter.tenant}`);
  }
  const q = input.q.trim();
  if (q === '') return [];
  const res = await ctx.db.query(masterSearchSql(keyLink(l), input.scopeKey, q, Math.min(50, Math.max(1, input.limit ?? 20))));
  return res.rows.map((r) => ({ key: r.key, name: r.name, number: r.number, active: r.active }));
}

/** Every decision ever taken on one name (revoked ones too), oldest first: who, what, when. */
export async function decisionHistoryIn(
  ctx: Context,
  input: { link: string; scopeKey: (string | null)[]; name: string },
): Promise<(DecisionRecord & { revokedAt: string | null; target: MasterRef | null })[]> {
  const l = linkOf(ctx, input.link);
  if (ctx.filter.tenant !== null && l.config.scope.length > 0 && input.scopeKey[0] !== ctx.filter.tenant) {
    throw new BackfillError('INVALID_INPUT', `scope ${JSON.stringify(input.scopeKey)} is outside tenant ${ctx.filter.tenant}`);
  }
  const rows = await decisionHistory(ctx.db, input.link, input.scopeKey, input.name);
  const found = await mastersFor(ctx.db, l, [...new Set(rows.map((r) => r.target_key).filter((k): k is string => k !== null))], ctx.filter);
  return rows.map((r) => {
    const m = r.target_key === null ? undefined : masterIn(found, r.target_key, input.scopeKey);
    return {
      id: r.id,
      action: r.action,
      targetKey: r.target_key,
      decidedBy: r.decided_by,
      decidedAt: r.decided_at,
      revokedAt: r.revoked_at,
      target: m === undefined ? null : { key: m.key, name: m.name, number: m.number, active: m.active },
    };
  });
}
