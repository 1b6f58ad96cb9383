/**
 * CHECK constraints over a link's FK (or its touched column): the planned rows they would refuse, counted by the plan
 * where that can be done safely, else said. Apply leaves such rows NULL (`refusedByTable`, src/apply/skips.ts); before,
 * nothing said so until apply's skip reasons.
 */
import { checksImmutableStatement, type FkCheck, plannedRefusalsStatement } from '../sql/checks.js';
import { num } from '../db/port.js';
import { readOnlyStatement } from '../sql/session.js';
import type { ResolvedLink } from '../context/catalog.js';
import { triggerEffectsNotice } from '../context/trigger-effects.js';
import { type Context, shape } from '../context/context.js';

/** A plan's per-link result, as far as the CHECKs go. */
export interface CheckRefusalCount {
  /** Of the rows planned to link, those a CHECK over the FK would refuse (apply leaves them NULL); only where counted (see notices). */
  recordsRefusedByCheck?: number;
}

/** What the plan found of a link's CHECKs: rows they would refuse (null: not counted) and the notice to print. */
export interface CheckRefusals {
  /** Planned rows a CHECK would refuse, by constraint; null when they could not be counted ahead (see `why`). */
  byConstraint: Record<string, number> | null;
  notice: string;
}

/** The link's CHECKs over the FK or the touched column, whether apply tests them before its UPDATE or not. */
function checksOf(l: ResolvedLink): FkCheck[] {
  return [...l.fkChecks, ...l.fkSuspectChecks];
}

/**
 * Counts, for plan run `planRunId`, the planned rows of link `l` a CHECK would refuse: only where each expression is
 * immutable (evaluated in a read-only transaction, as apply would evaluate it over the row it writes), the table has
 * no BEFORE UPDATE trigger (which may change the row before its CHECKs); on Citus too (a distributed source: pushed down
 * to its shards). Elsewhere the CHECK is
 * named, not counted. null: the link has no such CHECK.
 */
export async function checkRefusals(ctx: Context, l: ResolvedLink, planRunId: string, planned: number): Promise<CheckRefusals | null> {
  const checks = checksOf(l);
  if (checks.length === 0) return null;
  const names = checks.map((c) => c.name).join(', ');
  const head = `${l.entity}: CHECK constraint(s) ${names} of ${l.config.table} involve ${l.config.fk}`;
  const why =
    l.fkSuspectChecks.length > 0
      ? 'a BEFORE UPDATE trigger may change the row before they are checked'
      : await notImmutable(ctx, l, checks);
  if (why !== null)
    return {
      byConstraint: null,
      notice: `${head}: apply leaves out, NULL, the rows they refuse (counted as refused by the table); not counted ahead (${why})`,
    };
  const rows = await ctx.db.transaction(async (tx) => {
    await tx.query(readOnlyStatement());
    return (await tx.query(plannedRefusalsStatement(shape(l), checks, { planRunId, linkName: l.entity }, ctx.filter))).rows;
  });
  const byConstraint = Object.fromEntries(rows.map((r) => [r.name, num(r.n)]));
  const refused = rows.reduce((a, r) => a + num(r.n), 0);
  const detail = rows.map((r) => `${r.name} ${num(r.n)}`).join(', ');
  return {
    byConstraint,
    notice:
      refused === 0
        ? `${head}: none of the ${planned} row(s) planned to link would be refused`
        : `${head}: ${refused} of the ${planned} row(s) planned to link would be refused (${detail}); apply leaves them NULL, counted as refused by the table`,
  };
}

/** Why a CHECK's expression is not evaluated ahead (one is not immutable), or null. */
async function notImmutable(ctx: Context, l: ResolvedLink, checks: readonly { name: string }[]): Promise<string | null> {
  const rows = (
    await ctx.db.query(
      checksImmutableStatement(
        l.sourceOid,
        checks.map((c) => c.name),
      ),
    )
  ).rows;
  const mutable = rows.filter((r) => !r.immutable).map((r) => r.name);
  return mutable.length === 0 ? null : `${mutable.join(', ')}: not an immutable expression`;
}

/**
 * Plan's part: the link's CHECKs said in a notice, and the rows they would refuse counted in its result where they can
 * be; triggers that can raise an error on apply's UPDATE named (what they refuse is known only when they run).
 */
export async function noteCheckRefusals(
  ctx: Context,
  l: ResolvedLink,
  planRunId: string,
  result: { recordsMatched: number } & CheckRefusalCount,
): Promise<void> {
  const raising = l.updateTriggers.filter((g) => g.raises).map((g) => g.name);
  if (raising.length > 0)
    // the trial with a closed-period trigger: plan said nothing, apply then split batch after batch around its rows
    ctx.notices.push(
      `${l.entity}: trigger(s) ${raising.join(', ')} of ${l.config.table} fire on apply's UPDATE and can raise an error: apply leaves out, NULL, the rows they refuse (each named in fk_backfill.refused_rows, counted as refused by the table; each costs its batch a split); not counted ahead`,
    );
  const effects = triggerEffectsNotice(l, 'plan');
  if (effects !== null) ctx.notices.push(effects);
  const r = await checkRefusals(ctx, l, planRunId, result.recordsMatched);
  if (r === null) return;
  ctx.notices.push(r.notice);
  if (r.byConstraint !== null) result.recordsRefusedByCheck = Object.values(r.byConstraint).reduce((a, n) => a + n, 0);
}
