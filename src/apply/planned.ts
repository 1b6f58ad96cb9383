/**
 * The plan an apply runs: checked (finished, same config, same links and tenant), its content hash
 * compared with the one stamped when it was made (its linked rows are counted by store/plans.ts).
 */
import type { Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { article, getRun, type RunRecord } from '../store/runs.js';
import { type Context, shape } from '../context/context.js';
import { NAMESAKE_ROWS, namesakesSincePlanStatement } from '../sql/plan-stale.js';
import { noNestedLoopsStatement } from '../sql/session.js';
import { sameNormalisedName } from '../match/index.js';
import { pinPlanHash, plannedRows, planHashes, stampedHash } from '../store/plans.js';
import { checkRefusals } from '../planning/refusals.js';
import { decisionsAgainstPlan, decisionsBesidePlan } from '../store/decisions.js';

/**
 * The plan's content hash, checked against the one stamped when the plan was made (a plan made before
 * hashes existed is pinned now). A plan whose entries changed since is refused.
 */
export async function checkPlanHash(db: Queryable, planRunId: string): Promise<string> {
  const row = await planHashes(db, planRunId);
  if (row === undefined) throw new BackfillError('RUN_NOT_FOUND', `plan ${planRunId} not found`);
  if (row.stored === null) {
    await pinPlanHash(db, planRunId, row.now);
    return row.now;
  }
  if (row.stored !== row.now) {
    throw new BackfillError(
      'PLAN_STALE',
      `plan ${planRunId} was modified after it was made (content hash ${row.stored}, now ${row.now}); plan again`,
    );
  }
  return row.stored;
}

/** The content hash stamped when a plan finished (every plan is stamped: migration 002's trigger). */
export async function stampedPlanHash(db: Queryable, planRunId: string): Promise<string> {
  const stored = await stampedHash(db, planRunId);
  if (stored === null || stored === undefined) return checkPlanHash(db, planRunId);
  return stored;
}

/** The plan run to apply, checked: a finished plan made with this config for these links, unmodified. */
export async function loadPlan(ctx: Context, planRunId: string): Promise<RunRecord> {
  const run = await getRun(ctx.db, planRunId);
  if (run.kind !== 'plan') throw new BackfillError('RUN_STATE', `run ${planRunId} is ${article(run.kind)} run, not a plan`);
  if (run.status !== 'done')
    throw new BackfillError(
      'RUN_STATE',
      run.alive === false
        ? `plan ${planRunId} did not finish (no process works on it: killed, or its connection lost); plan again`
        : `plan ${planRunId} is ${run.status}, not done`,
    );
  if (run.configHash !== ctx.configHash) {
    throw new BackfillError(
      'PLAN_STALE',
      `plan ${planRunId} was made with another config (hash ${run.configHash}, now ${ctx.configHash}); plan again`,
    );
  }
  const missing = ctx.links.filter((l) => !run.entities.includes(l.entity)).map((l) => l.entity);
  if (missing.length > 0) throw new BackfillError('RUN_STATE', `plan ${planRunId} does not cover ${missing.join(', ')}`);
  const planTenant = run.scope?.tenant ?? null;
  if (planTenant !== ctx.filter.tenant) {
    throw new BackfillError(
      'RUN_STATE',
      `plan ${planRunId} was made for ${planTenant === null ? 'all tenants' : `tenant ${planTenant}`}, not ${ctx.filter.tenant === null ? 'all tenants' : `tenant ${ctx.filter.tenant}`}`,
    );
  }
  const against = await decisionsAgainstPlan(ctx.db, planRunId);
  if (against.n > 0)
    throw new BackfillError(
      'PLAN_STALE',
      `plan ${planRunId} links ${against.n} name(s) decided otherwise since it was made (e.g. "${against.name ?? ''}": ${against.action ?? ''}); plan again (apply without --plan plans afresh and follows the decisions)`,
    );
  await assertNoNamesakesSince(ctx, planRunId);
  const beside = await decisionsBesidePlan(
    ctx.db,
    planRunId,
    ctx.links.map((l) => l.entity),
    planTenant,
  );
  if (beside > 0)
    ctx.notices.push(
      `${beside} decision(s) made since plan ${planRunId} are not in it (for names it left unlinked): this apply does not use them; apply without --plan plans afresh and follows them`,
    );
  // CHECKs over the FK: said before anything is written (the CLI prints it before asking), with the rows they would refuse
  for (const l of ctx.links) {
    const r = await checkRefusals(ctx, l, planRunId, await plannedRows(ctx.db, planRunId, l.entity));
    if (r !== null) ctx.notices.push(r.notice);
  }
  return run;
}

/**
 * A plan whose linked name's master has a namesake it did not see (a duplicate master created since, or reactivated):
 * refused, PLAN_STALE. A fresh plan would call the name ambiguous (or link it to the master named exactly so), and a
 * name shared by two active masters is never linked (a new user's trial: `apply --plan` of an older plan linked both
 * rows of a name to master 1 after a second master of that name was added; drift and verify said nothing).
 */
export async function assertNoNamesakesSince(ctx: Context, planRunId: string, resumedRun?: string): Promise<void> {
  for (const l of ctx.links) {
    // a link with compare columns tells namesakes apart by them (the plan linked the one that agrees): not checked here
    if ((l.compare ?? []).length > 0) continue;
    // hash joins: fresh decisions (a review import) have no statistics, and the planner, estimating one, paired every
    // planned name with every decision in a nested loop (a new user's trial: 20 s for 17,168 names and 1,962 aliases,
    // run twice before the first batch; 0.7 s in hash joins)
    const st = namesakesSincePlanStatement(shape(l), { planRunId, linkName: l.entity, variants: l.config.match !== 'exact' }, ctx.filter);
    const rows = await ctx.db.transaction(async (tx) => {
      await tx.query(noNestedLoopsStatement());
      return (await tx.query(st)).rows;
    });
    // a pair found only by the fold is a namesake when the matcher normalises the two names alike, as a fresh plan
    // would read them; when every row read was such a pair and more were left unread, the check stays on the safe side
    const kept = rows.filter(
      (r) =>
        !r.folded ||
        (r.target_name !== null && sameNormalisedName(r.master, r.target_name)) ||
        sameNormalisedName(r.master, r.source_name) ||
        rows.length >= NAMESAKE_ROWS,
    );
    const names = new Set(kept.map((r) => JSON.stringify([r.scope_key, r.source_name])));
    if (names.size === 0) continue;
    const first = kept[0]!;
    const what = `plan ${planRunId} links ${names.size}${rows.length >= NAMESAKE_ROWS ? ' or more' : ''} name(s) of ${l.entity} whose master has a namesake since it was made (e.g. "${first.source_name}": another active master is named "${first.master}")`;
    throw new BackfillError(
      'PLAN_STALE',
      resumedRun === undefined
        ? `${what}; plan again (a fresh plan leaves a name two active masters share unlinked, for review)`
        : `${what}, so run ${resumedRun} cannot go on with it: plan again and apply the new plan for the rest (the rows run ${resumedRun} linked stay linked; undo --run ${resumedRun} sets them back)`,
    );
  }
}
