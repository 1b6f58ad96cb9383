/**
 * The plan an apply runs: checked (finished, same config, same links and tenant), its content hash
 * compared with the one stamped when it was made, and its linked rows counted.
 */
import { num, type Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { getRun, type RunRecord } from '../store/runs.js';
import type { Context } from '../context/context.js';

export async function plannedRows(db: Queryable, planRunId: string, link: string): Promise<number> {
  const res = await db.query<{ n: unknown }>(
    `SELECT coalesce(sum(row_count), 0)::int8 AS n FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND link = $2 AND outcome = 'linked'`,
    [planRunId, link],
  );
  return num(res.rows[0]?.n);
}

/** Planned rows per tenant (first scope value) of one link's plan: sizes a tenant walk's batches. */
export async function rowsPerTenant(db: Queryable, planRunId: string, link: string): Promise<number> {
  const res = await db.query<{ r: unknown }>(
    `SELECT coalesce(sum(row_count)::float8 / nullif(count(DISTINCT scope_key[1]), 0), 1) AS r FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND link = $2 AND outcome = 'linked'`,
    [planRunId, link],
  );
  return Math.max(1, num(res.rows[0]?.r));
}

/**
 * The plan's content hash, checked against the one stamped when the plan was made (a plan made before
 * hashes existed is pinned now). A plan whose entries changed since is refused.
 */
export async function checkPlanHash(db: Queryable, planRunId: string): Promise<string> {
  const res = await db.query<{ stored: string | null; now: string }>(
    `SELECT plan_hash AS stored, fk_backfill.plan_hash(id) AS now FROM fk_backfill.runs WHERE id = $1::int8`,
    [planRunId],
  );
  const row = res.rows[0];
  if (row === undefined) throw new BackfillError('RUN_NOT_FOUND', `plan ${planRunId} not found`);
  if (row.stored === null) {
    await db.query(`UPDATE fk_backfill.runs SET plan_hash = $2 WHERE id = $1::int8 AND plan_hash IS NULL`, [planRunId, row.now]);
    return row.now;
  }
  if (row.stored !== row.now) {
    throw new BackfillError('PLAN_STALE', `plan ${planRunId} was modified after it was made (content hash ${row.stored}, now ${row.now}); plan again`);
  }
  return row.stored;
}

/** The content hash stamped when a plan finished (every plan is stamped: migration 002's trigger). */
export async function stampedPlanHash(db: Queryable, planRunId: string): Promise<string> {
  const row = (await db.query<{ stored: string | null }>(`SELECT plan_hash AS stored FROM fk_backfill.runs WHERE id = $1::int8`, [planRunId])).rows[0];
  if (row?.stored === null || row?.stored === undefined) return checkPlanHash(db, planRunId);
  return row.stored;
}

/** The plan run to apply, checked: a finished plan made with this config for these links, unmodified. */
export async function loadPlan(ctx: Context, planRunId: string): Promise<RunRecord> {
  const run = await getRun(ctx.db, planRunId);
  if (run.kind !== 'plan') throw new BackfillError('RUN_STATE', `run ${planRunId} is a ${run.kind} run, not a plan`);
  if (run.status !== 'done') throw new BackfillError('RUN_STATE', `plan ${planRunId} is ${run.status}, not done`);
  if (run.configHash !== ctx.configHash) {
    throw new BackfillError('PLAN_STALE', `plan ${planRunId} was made with another config (hash ${run.configHash}, now ${ctx.configHash}); plan again`);
  }
  const missing = ctx.links.filter((l) => !run.entities.includes(l.entity)).map((l) => l.entity);
  if (missing.length > 0) throw new BackfillError('RUN_STATE', `plan ${planRunId} does not cover ${missing.join(', ')}`);
  const planTenant = run.scope?.tenant ?? null;
  if (planTenant !== ctx.filter.tenant) {
    throw new BackfillError('RUN_STATE', `plan ${planRunId} was made for ${planTenant === null ? 'all tenants' : `tenant ${planTenant}`}, not ${ctx.filter.tenant === null ? 'all tenants' : `tenant ${ctx.filter.tenant}`}`);
  }
  return run;
}
