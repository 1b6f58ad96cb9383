/**
 * Reads of fk_backfill.decisions a review card shows: the decision in force for a name, and its history.
 */
import { num, type Queryable } from '../db/port.js';
import type { DecisionAction } from '../plan/decide.js';

export interface DecisionRow {
  id: string;
  action: DecisionAction;
  target_key: string | null;
  decided_by: string | null;
  decided_at: string;
}

/** The decision in force (not revoked, latest) for one name of one scope, or undefined. */
export async function liveDecision(
  db: Queryable,
  link: string,
  scopeKey: (string | null)[],
  name: string,
): Promise<DecisionRow | undefined> {
  return (await liveDecisions(db, [{ link, scopeKey, name }]))[0];
}

/**
 * The decision in force for each of `names` (by position; undefined where none), in one statement: a re-import of a
 * file of thousands of lines asks for each line's.
 */
export async function liveDecisions(
  db: Queryable,
  names: readonly { link: string; scopeKey: readonly (string | null)[]; name: string }[],
): Promise<(DecisionRow | undefined)[]> {
  if (names.length === 0) return [];
  const res = await db.query<DecisionRow & { i: number }>(
    `SELECT DISTINCT ON (x.i) x.i, d.id::text AS id, d.action, d.target_key, d.decided_by, d.decided_at::text AS decided_at
       FROM json_to_recordset($1::json) AS x(i int, link text, scope_key text[], name text)
       JOIN fk_backfill.decisions d ON d.link = x.link AND d.scope_key = x.scope_key AND d.source_name = x.name AND d.revoked_at IS NULL
      ORDER BY x.i, d.decided_at DESC, d.id DESC`,
    [JSON.stringify(names.map((n, i) => ({ i, link: n.link, scope_key: n.scopeKey, name: n.name })))],
  );
  const out: (DecisionRow | undefined)[] = names.map(() => undefined);
  for (const { i, ...row } of res.rows) out[i] = row;
  return out;
}

/** Every decision ever taken on one name of one scope, revoked ones too, oldest first. */
export async function decisionHistory(
  db: Queryable,
  link: string,
  scopeKey: (string | null)[],
  name: string,
): Promise<(DecisionRow & { revoked_at: string | null })[]> {
  const res = await db.query<DecisionRow & { revoked_at: string | null }>(
    `SELECT id::text AS id, action, target_key, decided_by, decided_at::text AS decided_at, revoked_at::text AS revoked_at
       FROM fk_backfill.decisions WHERE link = $1 AND scope_key = $2::text[] AND source_name = $3
      ORDER BY decided_at, id`,
    [link, scopeKey, name],
  );
  return res.rows;
}

export interface DecisionInputRow {
  i: number;
  link: string;
  scope_key: readonly (string | null)[];
  source_name: string;
  action: DecisionAction;
  /** undefined reads as NULL (JSON drops it) */
  target_key: string | null | undefined;
  decided_by: string | null;
}

/** One decision as written: its input's index, the row, whether anything changed and what it revoked. */
export interface WrittenDecisionRow {
  i: number;
  id: string;
  action: DecisionAction;
  target_key: string | null;
  decided_by: string | null;
  decided_at: string;
  changed: boolean;
  replaced: string[] | null;
}

/**
 * Writes decisions in one statement: for each, the live decision of the same (link, scope, name) is revoked
 * unless it is identical (then nothing is written for it). One row per input, in input order.
 */
export async function writeDecisionRows(tx: Queryable, payload: DecisionInputRow[]): Promise<WrittenDecisionRow[]> {
  const res = await tx.query<WrittenDecisionRow>(
    `WITH x AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i int, link text, scope_key text[], source_name text, action text, target_key text, decided_by text)
     ), cur AS (
       SELECT x.i, d.id, d.action, d.target_key
         FROM x JOIN fk_backfill.decisions d
           ON d.link = x.link AND d.scope_key = x.scope_key AND d.source_name = x.source_name AND d.revoked_at IS NULL
     ), same AS (
       SELECT DISTINCT ON (x.i) x.i, c.id FROM x JOIN cur c ON c.i = x.i
        WHERE c.action = x.action AND c.target_key IS NOT DISTINCT FROM x.target_key
        ORDER BY x.i, c.id DESC
     ), rev AS (
       UPDATE fk_backfill.decisions d SET revoked_at = clock_timestamp()
         FROM cur c WHERE d.id = c.id AND c.i NOT IN (SELECT i FROM same)
       RETURNING c.i, d.id
     ), ins AS (
       INSERT INTO fk_backfill.decisions (link, scope_key, source_name, action, target_key, decided_by)
       SELECT x.link, x.scope_key, x.source_name, x.action, x.target_key, x.decided_by FROM x WHERE x.i NOT IN (SELECT i FROM same) ORDER BY x.i
       RETURNING id, link, scope_key, source_name, action, target_key, decided_by, decided_at
     )
     SELECT x.i, coalesce(ins.id, d.id)::text AS id, coalesce(ins.action, d.action) AS action, coalesce(ins.target_key, d.target_key) AS target_key,
            coalesce(ins.decided_by, d.decided_by) AS decided_by, coalesce(ins.decided_at, d.decided_at)::text AS decided_at,
            ins.id IS NOT NULL AS changed,
            (SELECT array_agg(rev.id::text) FROM rev WHERE rev.i = x.i) AS replaced
       FROM x
       LEFT JOIN ins ON ins.link = x.link AND ins.scope_key = x.scope_key AND ins.source_name = x.source_name
       LEFT JOIN same s ON s.i = x.i
       LEFT JOIN fk_backfill.decisions d ON d.id = s.id
      ORDER BY x.i`,
    [JSON.stringify(payload)],
  );
  return res.rows;
}

/**
 * Revokes the decisions `ids` still in force (with `tenant`, only that tenant's); how many. All of them, the ones
 * already revoked too (replaced by someone's later decision), are withdrawn: undoing that later decision does not
 * put one back in force (a bulk undone by one reviewer came back when another undid a decision of theirs).
 */
export async function revokeDecisionsInForce(
  db: Queryable,
  ids: string[],
  tenant: string | null,
  targets?: { key: string; scope: (string | null)[]; links: string[] }[],
): Promise<number> {
  // targets: only decisions naming one of these masters (key and scope, of one of the links to its table), e.g. the
  // ones an undo took back
  const which = `d.id = ANY($1::int8[]) AND ($2::text IS NULL OR d.scope_key[1] = $2::text)
                     AND ($3::jsonb IS NULL OR EXISTS (SELECT 1 FROM jsonb_to_recordset($3::jsonb) AS x(key text, scope text[], links text[])
                                                        WHERE x.key = d.target_key AND x.scope = d.scope_key AND d.link = ANY(x.links)))`;
  const res = await db.query<{ n: unknown }>(
    `WITH r AS (UPDATE fk_backfill.decisions d SET revoked_at = clock_timestamp(), withdrawn_at = clock_timestamp()
                   WHERE ${which} AND d.revoked_at IS NULL
                 RETURNING 1),
          w AS (UPDATE fk_backfill.decisions d SET withdrawn_at = clock_timestamp()
                   WHERE ${which} AND d.revoked_at IS NOT NULL AND d.withdrawn_at IS NULL
                 RETURNING 1)
       SELECT count(*)::int8 AS n FROM r`,
    [ids, tenant, targets === undefined ? null : JSON.stringify(targets)],
  );
  return num(res.rows[0]?.n);
}

/**
 * Puts back in force, per name, the newest of the revoked decisions `ids` when nothing is in force for that name
 * (with `tenant`, only that tenant's); how many.
 */
export async function restoreDecisionsInForce(db: Queryable, ids: string[], tenant: string | null): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await db.query<{ n: unknown }>(
    `WITH c AS (
       SELECT DISTINCT ON (o.link, o.scope_key, o.source_name) o.id, o.link, o.scope_key, o.source_name
         FROM fk_backfill.decisions o
        WHERE o.id = ANY($1::int8[]) AND o.revoked_at IS NOT NULL AND o.withdrawn_at IS NULL AND ($2::text IS NULL OR o.scope_key[1] = $2::text)
        ORDER BY o.link, o.scope_key, o.source_name, o.id DESC
     ), r AS (
       UPDATE fk_backfill.decisions d SET revoked_at = NULL
         FROM c
        WHERE d.id = c.id
          AND NOT EXISTS (SELECT 1 FROM fk_backfill.decisions l
                           WHERE l.link = c.link AND l.scope_key = c.scope_key AND l.source_name = c.source_name AND l.revoked_at IS NULL)
       RETURNING 1
     )
     SELECT count(*)::int8 AS n FROM r`,
    [ids, tenant],
  );
  return num(res.rows[0]?.n);
}

/** Revokes the decisions `ids` in one statement only if all `want` of them are in force (all or nothing); how many. */
export async function revokeDecisionsAllOrNothing(db: Queryable, ids: string[], tenant: string | null, want: number): Promise<number> {
  // one statement: revokes them only if every one is in force (all or nothing)
  const res = await db.query<{ n: unknown }>(
    `WITH w AS (SELECT d.id FROM fk_backfill.decisions d
                 WHERE d.id = ANY($1::int8[]) AND d.revoked_at IS NULL AND ($2::text IS NULL OR d.scope_key[1] = $2::text)),
          r AS (UPDATE fk_backfill.decisions d SET revoked_at = clock_timestamp(), withdrawn_at = clock_timestamp()
                 WHERE d.id IN (SELECT id FROM w) AND (SELECT count(*) FROM w) = $3::int8 RETURNING 1)
     SELECT count(*)::int8 AS n FROM r`,
    [ids, tenant, want],
  );
  return num(res.rows[0]?.n);
}

/**
 * Puts back in force the newest of the revoked decisions `restore` of one name, when nothing else is in force
 * for it; the restored decision, or undefined.
 */
export async function restoreReplacedDecision(
  tx: Queryable,
  restore: string[],
  link: string,
  scopeKey: (string | null)[],
  name: string,
): Promise<DecisionRow | undefined> {
  const res = await tx.query<{
    id: string;
    action: DecisionAction;
    target_key: string | null;
    decided_by: string | null;
    decided_at: string;
  }>(
    `UPDATE fk_backfill.decisions d SET revoked_at = NULL
        WHERE d.id = (SELECT max(o.id) FROM fk_backfill.decisions o
                       WHERE o.id = ANY($1::int8[]) AND o.revoked_at IS NOT NULL AND o.withdrawn_at IS NULL AND o.link = $2 AND o.scope_key = $3::text[] AND o.source_name = $4)
          AND NOT EXISTS (SELECT 1 FROM fk_backfill.decisions l
                           WHERE l.link = $2 AND l.scope_key = $3::text[] AND l.source_name = $4 AND l.revoked_at IS NULL)
       RETURNING d.id::text AS id, d.action, d.target_key, d.decided_by, d.decided_at::text AS decided_at`,
    [restore, link, scopeKey, name],
  );
  return res.rows[0];
}

/** Revokes decision `id` if in force (with `tenant`, only a decision of that tenant); the revoked row, or undefined. */
export async function revokeDecisionRow(
  db: Queryable,
  id: string,
  tenant: string | null,
): Promise<(DecisionRow & { link: string; scope_key: (string | null)[]; source_name: string }) | undefined> {
  const res = await db.query<{
    id: string;
    link: string;
    scope_key: (string | null)[];
    source_name: string;
    action: DecisionAction;
    target_key: string | null;
    decided_by: string | null;
    decided_at: string;
  }>(
    `UPDATE fk_backfill.decisions SET revoked_at = clock_timestamp()
      WHERE id = $1::int8 AND revoked_at IS NULL AND ($2::text IS NULL OR scope_key[1] = $2::text)
     RETURNING id::text AS id, link, scope_key, source_name, action, target_key, decided_by, decided_at::text AS decided_at`,
    [id, tenant],
  );
  return res.rows[0];
}

/**
 * Decisions in force made since plan `planRunId` started that change what it links: a name it links now decided
 * `never` or `create`, or aliased to another master. Applying the plan would overrule them (a new user's trial: a
 * `never` imported after the plan, then `apply --plan`, linked the name anyway).
 */
/**
 * Decisions in force made since a plan, for names it does not link (left for review, ambiguous, unmatched, or not
 * seen): they link or keep names the plan knows nothing of, and applying it leaves them unused.
 */
export async function decisionsBesidePlan(
  db: Queryable,
  planRunId: string,
  links: readonly string[],
  tenant: string | null,
): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n
       FROM fk_backfill.decisions d
      WHERE d.revoked_at IS NULL AND d.link = ANY($2::text[]) AND ($3::text IS NULL OR cardinality(d.scope_key) = 0 OR d.scope_key[1] = $3)
        AND d.decided_at >= (SELECT r.started_at FROM fk_backfill.runs r WHERE r.id = $1::int8)
        AND NOT EXISTS (SELECT 1 FROM fk_backfill.plan_entries e
                         WHERE e.run_id = $1::int8 AND e.link = d.link AND e.scope_key = d.scope_key AND e.source_name = d.source_name
                           AND e.outcome = 'linked')`,
    [planRunId, links, tenant],
  );
  return r.rows[0]?.n ?? 0;
}

export async function decisionsAgainstPlan(
  db: Queryable,
  planRunId: string,
): Promise<{ n: number; name: string | null; action: string | null }> {
  const r = await db.query<{ n: number; name: string | null; action: string | null }>(
    `SELECT count(*)::int AS n, min(d.source_name) AS name, min(d.action) AS action
       FROM fk_backfill.decisions d
       JOIN fk_backfill.plan_entries e
         ON e.run_id = $1::int8 AND e.link = d.link AND e.scope_key = d.scope_key AND e.source_name = d.source_name
      WHERE d.revoked_at IS NULL AND e.outcome = 'linked'
        AND d.decided_at >= (SELECT r.started_at FROM fk_backfill.runs r WHERE r.id = $1::int8)
        AND (d.action <> 'alias' OR d.target_key IS DISTINCT FROM e.target_key)`,
    [planRunId],
  );
  return r.rows[0] ?? { n: 0, name: null, action: null };
}
