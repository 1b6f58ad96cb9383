/**
 * What apply reads of a plan run (fk_backfill.plan_entries, fk_backfill.runs): its linked rows per link
 * and per tenant, its content hash (stamped and recomputed), and the names its queue holds.
 */
import { num, type Queryable } from '../db/port.js';

/** Plans of at least this many names refresh fk_backfill.plan_entries' statistics (analyzePlanEntries). */
export const ANALYZE_PLAN_NAMES = 10_000;

/**
 * ANALYZE of fk_backfill.plan_entries after a big plan. Its statistics otherwise wait for autovacuum (off on some
 * servers, a minute behind on others), and drift just after a backfill planned its statement over 300 k fresh entries
 * as a nested loop: 4 m 33 s, 0.29 s once analysed (a new user's trial). A role that does not own the table only gets
 * a warning; any other failure is left to autovacuum, never the plan's.
 */
export async function analyzePlanEntries(db: Queryable): Promise<void> {
  await db.query(`ANALYZE fk_backfill.plan_entries`).catch(() => undefined);
}

export async function plannedRows(db: Queryable, planRunId: string, link: string): Promise<number> {
  const res = await db.query<{ n: unknown }>(
    `SELECT coalesce(sum(row_count), 0)::int8 AS n FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND link = $2 AND outcome = 'linked'`,
    [planRunId, link],
  );
  return num(res.rows[0]?.n);
}

/**
 * The tenant (first scope value) with the most linked rows in a link's plan, and those rows; undefined: none
 * (a Citus walk by the distribution column puts each tenant's rows in one batch, whatever the batch size).
 */
export async function largestPlannedTenant(
  db: Queryable,
  planRunId: string,
  link: string,
): Promise<{ tenant: string; rows: number } | undefined> {
  const res = await db.query<{ tenant: string; n: unknown }>(
    `SELECT scope_key[1] AS tenant, sum(row_count)::int8 AS n FROM fk_backfill.plan_entries
      WHERE run_id = $1::int8 AND link = $2 AND outcome = 'linked' AND scope_key[1] IS NOT NULL
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
    [planRunId, link],
  );
  const r = res.rows[0];
  return r === undefined ? undefined : { tenant: r.tenant, rows: num(r.n) };
}

/**
 * A plan's content hash as stamped when it was made (`stored`, null: a plan made before hashes existed)
 * and as its entries give it now (`now`); undefined: no such run.
 */
export async function planHashes(db: Queryable, planRunId: string): Promise<{ stored: string | null; now: string } | undefined> {
  const res = await db.query<{ stored: string | null; now: string }>(
    `SELECT plan_hash AS stored, fk_backfill.plan_hash(id) AS now FROM fk_backfill.runs WHERE id = $1::int8`,
    [planRunId],
  );
  return res.rows[0];
}

/** Stamps a plan made before hashes existed with its hash (a plan already stamped keeps its own). */
export async function pinPlanHash(db: Queryable, planRunId: string, hash: string): Promise<void> {
  await db.query(`UPDATE fk_backfill.runs SET plan_hash = $2 WHERE id = $1::int8 AND plan_hash IS NULL`, [planRunId, hash]);
}

/** The content hash stamped on a plan run (null: none stamped; undefined: no such run). */
export async function stampedHash(db: Queryable, planRunId: string): Promise<string | null | undefined> {
  const row = (
    await db.query<{ stored: string | null }>(`SELECT plan_hash AS stored FROM fk_backfill.runs WHERE id = $1::int8`, [planRunId])
  ).rows[0];
  return row?.stored;
}

/**
 * Which of `items` a plan's queue holds (an entry of that link, scope and source name): their indexes
 * in `items`, from 0.
 */
export async function namesInPlan(
  db: Queryable,
  planRunId: string,
  items: readonly { link: string; scopeKey: readonly (string | null)[]; name: string }[],
): Promise<Set<number>> {
  const known = await db.query<{ i: number }>(
    `SELECT x.i::int4 AS i
       FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(link, scope, name, i)
      WHERE EXISTS (SELECT 1 FROM fk_backfill.plan_entries e
                     WHERE e.run_id = $1::int8 AND e.link = x.link AND e.source_name = x.name AND to_jsonb(e.scope_key) = x.scope::jsonb)`,
    [planRunId, items.map((d) => d.link), items.map((d) => JSON.stringify(d.scopeKey)), items.map((d) => d.name)],
  );
  return new Set(known.rows.map((r) => Number(r.i) - 1));
}

/**
 * Apply, undo and masters runs on these links after plan `planRunId` (of its tenant, or of every tenant): what a queue
 * read from that plan does not know of (names linked or set back since, masters made).
 */
export async function writesSincePlan(
  db: Queryable,
  planRunId: string,
  tenant: string | null,
  links: string[],
): Promise<{ id: string; kind: string }[]> {
  const res = await db.query<{ id: string; kind: string }>(
    `SELECT w.id::text AS id, w.kind FROM fk_backfill.runs w
      WHERE w.id > $1::int8 AND w.kind IN ('apply', 'undo', 'masters') AND w.entities && $3::text[]
        AND (w.scope = $2::jsonb OR w.scope ->> 'tenant' IS NULL OR $2::jsonb ->> 'tenant' IS NULL)
      ORDER BY w.id`,
    [planRunId, JSON.stringify({ tenant }), links],
  );
  return res.rows;
}

/**
 * The plan an apply run applied, where it holds linked entries of `link`: the names an undo checks a row still has
 * (sql/undo.ts namedAsPlanned). null: the run applied no plan (a guard run), or the plan has no linked entry there.
 */
export async function appliedPlanOf(db: Queryable, runId: string, link: string): Promise<string | null> {
  const res = await db.query<{ id: string }>(
    `SELECT r.plan_run_id::text AS id FROM fk_backfill.runs r
      WHERE r.id = $1::int8 AND r.plan_run_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM fk_backfill.plan_entries e WHERE e.run_id = r.plan_run_id AND e.link = $2 AND e.outcome = 'linked')`,
    [runId, link],
  );
  return res.rows[0]?.id ?? null;
}
