import type { Config } from '../config/schema.js';
import { num, type Queryable } from '../db/port.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';
import { RUN_ALIVE_SQL } from '../sql/batch.js';

export type RunKind = 'plan' | 'apply' | 'undo' | 'constrain' | 'backfill' | 'guard' | 'masters';

/** A run kind with its article, for messages: "an apply", "a plan". */
export const article = (kind: string): string => `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
/** 'interrupted': a batched run whose connection stayed lost (resume it like a stopped one). */
export type RunStatus = 'running' | 'done' | 'failed' | 'stopped' | 'interrupted';

export interface RunRecord {
  id: string;
  kind: RunKind;
  scope: { tenant: string | null } | null;
  entities: string[];
  executedBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  dryRun: boolean;
  configHash: string;
  config: Config;
  status: RunStatus;
  options: Record<string, unknown>;
  summary: unknown;
  checkpoint: Record<string, unknown> | null;
  planRunId: string | null;
  targetRunId: string | null;
  error: string | null;
  /**
   * A 'running' apply or undo: whether a process is working on it now (holds its live lock, src/batch/live.ts).
   * False: its process ended without finishing (killed, Ctrl-C twice, the machine lost); resume or undo it.
   */
  alive?: boolean;
  /** The undo run that set back what this run wrote, finished (present only then). */
  undoneBy?: string;
}

export interface NewRun {
  kind: RunKind;
  tenant: string | null;
  entities: string[];
  executedBy: string | null;
  dryRun: boolean;
  configHash: string;
  config: Config;
  options?: Record<string, unknown>;
  planRunId?: string | null;
  targetRunId?: string | null;
}

/**
 * Records a run, with the session's TimeZone in its options: the zone an apply's now() was written in, into an
 * `updated_at` without time zone, which its undo compares in (sql/undo.ts appliedTouch); and its search_path, which
 * named the tables of a config that does not qualify them (context/run-tables.ts says it when another one would not).
 */
export async function createRun(db: Queryable, r: NewRun): Promise<string> {
  try {
    const res = await db.query<{ id: string }>(
      `INSERT INTO fk_backfill.runs (kind, scope, entities, executed_by, dry_run, config_hash, config, options, plan_run_id, target_run_id)
       VALUES ($1, $2::jsonb, $3::text[], $4, $5, $6, $7::jsonb, $8::jsonb || jsonb_build_object('timeZone', current_setting('TimeZone'), 'searchPath', current_setting('search_path')),
               $9::int8, $10::int8) RETURNING id::text AS id`,
      [
        r.kind,
        JSON.stringify({ tenant: r.tenant }),
        r.entities,
        r.executedBy,
        r.dryRun,
        r.configHash,
        JSON.stringify(r.config),
        JSON.stringify(r.options ?? {}),
        r.planRunId ?? null,
        r.targetRunId ?? null,
      ],
    );
    return res.rows[0]!.id;
  } catch (e) {
    throw wrapDbError(e, 'recording the run in fk_backfill.runs');
  }
}

export async function finishRun(db: Queryable, id: string, status: RunStatus, summary: unknown, error?: string): Promise<void> {
  // with a guard installed, a run becoming done keeps its aliases (the runs_aliases trigger): the run's change sets,
  // unnested, joined with its plan's entries. The planner takes each unnest for a handful of values and merge-joined
  // the two on the link alone, comparing every pair (a trial: 20 s of a 36 s apply of 9,943 names; 0.75 s hashed).
  // The trigger's function turns nested loops off (migration 024); merge joins are turned off here, for this statement
  // (its transaction, when the caller holds one open)
  await db.query(
    `WITH s AS (SELECT set_config('enable_mergejoin', 'off', true) AS v)
     UPDATE fk_backfill.runs SET status = $2, finished_at = now(), summary = $3::jsonb, error = $4 FROM s WHERE id = $1::int8`,
    [id, status, summary === undefined ? null : JSON.stringify(summary), error ?? null],
  );
}

/**
 * A run failed: wraps the error into a BackfillError, records it on the run (unless another process
 * owns the run: RUN_BUSY leaves its status alone) and returns it for the caller to throw.
 */
export async function failRun(db: Queryable, id: string, e: unknown, doing: string): Promise<BackfillError> {
  const err = wrapDbError(e, doing);
  if (err.code !== 'RUN_BUSY') await finishRun(db, id, 'failed', null, err.message).catch(() => undefined);
  return err;
}

/**
 * A batched run gave up after losing its connection: marks it 'interrupted' (resumable) if the database
 * answers; returns whether it did. On a schema before migration 012 (status CHECK without
 * 'interrupted') it falls back to 'failed', which resumes the same way.
 */
export async function interruptRun(db: Queryable, id: string, message: string): Promise<boolean> {
  try {
    await finishRun(db, id, 'interrupted', null, message);
    return true;
  } catch (e) {
    if (sqlState(e) !== '23514') return false;
    return finishRun(db, id, 'failed', null, message).then(
      () => true,
      () => false,
    );
  }
}

/**
 * An interrupted run's summary, where it has none: what its committed batches wrote (the per-link counts come with
 * its --resume). `runs ID` of an interrupted run said nothing of them.
 */
export async function noteInterruptedSummary(db: Queryable, id: string, summary: Record<string, unknown>): Promise<void> {
  await db.query(
    `UPDATE fk_backfill.runs SET summary = $2::jsonb WHERE id = $1::int8 AND status = 'interrupted' AND coalesce(summary, 'null'::jsonb) = 'null'::jsonb`,
    [id, JSON.stringify(summary)],
  );
}

/**
 * The seed's summary fields of an apply run: when it started (ISO 8601, UTC) and by whom, and what its
 * plan counted (rows with a NULL FK, rows matched) from the plan run's summary.
 */
export async function seedRunInfo(
  db: Queryable,
  runId: string,
  planRunId: string,
): Promise<{ executedAt: string; executedBy: string | null; processed: number; matched: number }> {
  const res = await db.query<{ executed_at: string; executed_by: string | null; processed: unknown; matched: unknown }>(
    `SELECT to_char(a.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS executed_at, a.executed_by,
            (SELECT coalesce(sum((r ->> 'recordsWithNullFK')::int8), 0) FROM jsonb_array_elements(p.summary -> 'results') r WHERE r ->> 'entityType' = ANY(a.entities))::int8 AS processed,
            (SELECT coalesce(sum((r ->> 'recordsMatched')::int8), 0) FROM jsonb_array_elements(p.summary -> 'results') r WHERE r ->> 'entityType' = ANY(a.entities))::int8 AS matched
       FROM fk_backfill.runs a, fk_backfill.runs p
      WHERE a.id = $1::int8 AND p.id = $2::int8`,
    [runId, planRunId],
  );
  const r = res.rows[0];
  return {
    executedAt: r?.executed_at ?? new Date().toISOString(),
    executedBy: r?.executed_by ?? null,
    processed: Number(r?.processed ?? 0),
    matched: Number(r?.matched ?? 0),
  };
}

/**
 * The latest other finished run that already did what a run changing nothing set out to do: an apply of
 * the same plan (`planRunId`), or an undo of the same run (`targetRunId`), that changed rows. null: none.
 */
export async function earlierRunThatChanged(
  db: Queryable,
  a: { kind: 'apply' | 'undo'; planRunId?: string; targetRunId?: string; exclude: string },
): Promise<string | null> {
  const by = a.kind === 'apply' ? 'r.plan_run_id' : 'r.target_run_id';
  const res = await db.query<{ id: string }>(
    `SELECT r.id::text AS id FROM fk_backfill.runs r
      WHERE r.kind = ANY($1::text[]) AND ${by} = $2::int8 AND r.id <> $3::int8 AND r.status = 'done'
        AND EXISTS (SELECT 1 FROM fk_backfill.change_sets cs WHERE cs.run_id = r.id)
      ORDER BY r.id DESC LIMIT 1`,
    [a.kind === 'apply' ? ['apply', 'backfill'] : ['undo'], a.kind === 'apply' ? a.planRunId : a.targetRunId, a.exclude],
  );
  return res.rows[0]?.id ?? null;
}

/** The links a run logged changes in: its change sets, and a guard run's links not yet moved into change sets. */
export async function linksWithChanges(db: Queryable, runId: string): Promise<Set<string>> {
  const res = await db.query<{ link: string }>(
    `SELECT cs.link FROM fk_backfill.change_sets cs WHERE cs.run_id = $1::int8
      UNION SELECT g.link FROM fk_backfill.guard_links g WHERE g.run_id = $1::int8`,
    [runId],
  );
  return new Set(res.rows.map((r) => r.link));
}

/** Stores a run's checkpoint (batched apply/undo call it inside the batch's own transaction). */
/** Marks a run running again (a resumed one); a done run is left as it is. */
export async function reopenRunRow(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE fk_backfill.runs SET status = 'running', finished_at = NULL, error = NULL WHERE id = $1::int8 AND status <> 'done'`,
    [id],
  );
}

/** A run's checkpoint and status, its row locked until the transaction ends; undefined when the run is gone. */
export async function lockRunCheckpoint(tx: Queryable, id: string): Promise<{ checkpoint: unknown; status: string } | undefined> {
  return (
    await tx.query<{ checkpoint: unknown; status: string }>(
      `SELECT checkpoint, status FROM fk_backfill.runs WHERE id = $1::int8 FOR UPDATE`,
      [id],
    )
  ).rows[0];
}

export async function saveCheckpoint(db: Queryable, id: string, checkpoint: object): Promise<void> {
  await db.query(`UPDATE fk_backfill.runs SET checkpoint = $2::jsonb WHERE id = $1::int8`, [id, JSON.stringify(checkpoint)]);
}

/**
 * Merges `fields` into one link's checkpoint in one statement (no read-modify-write that could overwrite
 * a concurrent batch's progress). `keep`: fields already stored win (set once); otherwise `fields` win.
 */
export async function mergeLinkCheckpoint(db: Queryable, id: string, link: string, fields: object, keep: boolean): Promise<void> {
  const cur = `coalesce(checkpoint -> 'links' -> $2, '{}'::jsonb)`;
  await db.query(
    `UPDATE fk_backfill.runs
        SET checkpoint = jsonb_set(coalesce(checkpoint, '{}'::jsonb) || jsonb_build_object('links', coalesce(checkpoint -> 'links', '{}'::jsonb)),
                                   ARRAY['links', $2], ${keep ? `$3::jsonb || ${cur}` : `${cur} || $3::jsonb`})
      WHERE id = $1::int8`,
    [id, link, JSON.stringify(fields)],
  );
}

interface RunRow {
  id: string;
  kind: RunKind;
  scope: unknown;
  entities: string[];
  executed_by: string | null;
  started_at: string;
  finished_at: string | null;
  dry_run: boolean;
  config_hash: string;
  config: unknown;
  status: RunStatus;
  options: unknown;
  summary: unknown;
  checkpoint: unknown;
  plan_run_id: string | null;
  target_run_id: string | null;
  error: string | null;
  alive: boolean | null;
  undone_by: string | null;
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

const RUN_COLUMNS = `id::text AS id, kind, scope, entities, executed_by, started_at::text AS started_at, finished_at::text AS finished_at,
  dry_run, config_hash, config, status, options, summary, checkpoint, plan_run_id::text AS plan_run_id,
  target_run_id::text AS target_run_id, error, ${RUN_ALIVE_SQL} AS alive,
  (SELECT max(u.id)::text FROM fk_backfill.runs u WHERE u.kind = 'undo' AND u.status = 'done' AND u.target_run_id = r.id) AS undone_by`;

function toRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    kind: r.kind,
    scope: json(r.scope),
    entities: r.entities,
    executedBy: r.executed_by,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    dryRun: r.dry_run,
    configHash: r.config_hash,
    config: json(r.config),
    status: r.status,
    options: json(r.options) ?? {},
    summary: json(r.summary),
    checkpoint: json(r.checkpoint),
    planRunId: r.plan_run_id,
    targetRunId: r.target_run_id,
    error: r.error,
    ...(r.alive !== null ? { alive: r.alive } : {}),
    ...(r.undone_by !== null ? { undoneBy: r.undone_by } : {}),
  };
}

/** The undo runs of a run (any status: a stopped or failed undo may have set rows back), oldest first. */
export async function undosOf(db: Queryable, runId: string): Promise<{ id: string; status: string }[]> {
  const res = await db.query<{ id: string; status: string }>(
    `SELECT id::text AS id, status FROM fk_backfill.runs WHERE kind = 'undo' AND target_run_id = $1::int8 ORDER BY id`,
    [runId],
  );
  return res.rows;
}

export async function getRun(db: Queryable, id: string): Promise<RunRecord> {
  // malformed: bad input (USAGE, naming the value and the form), not a run that is missing
  if (!/^\d{1,18}$/.test(id))
    throw new BackfillError('USAGE', `a run id is a whole number (as \`fk-backfill runs\` lists them), got ${JSON.stringify(String(id))}`);
  let res;
  try {
    res = await db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM fk_backfill.runs r WHERE r.id = $1::int8`, [id]);
  } catch (e) {
    if (sqlState(e) === '42P01' || sqlState(e) === '3F000')
      throw new BackfillError('RUN_NOT_FOUND', `run ${id} not found: no fk-backfill runs in this database`);
    throw wrapDbError(e, `reading run ${id}`);
  }
  const row = res.rows[0];
  if (row === undefined) throw new BackfillError('RUN_NOT_FOUND', `run ${id} not found in fk_backfill.runs`);
  return toRun(row);
}

export async function listRuns(db: Queryable, limit = 50): Promise<RunRecord[]> {
  try {
    const res = await db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM fk_backfill.runs r ORDER BY r.id DESC LIMIT $1`, [limit]);
    return res.rows.map(toRun);
  } catch (e) {
    if (sqlState(e) === '42P01' || sqlState(e) === '3F000') return []; // nothing ever ran here
    throw wrapDbError(e, 'listing runs');
  }
}

/** A run's config hash, scope, status and kind, or undefined. */
export async function runHeader(
  db: Queryable,
  id: string,
): Promise<{ config_hash: string; scope: unknown; status: string; kind: string } | undefined> {
  return (
    await db.query<{ config_hash: string; scope: unknown; status: string; kind: string }>(
      `SELECT config_hash, scope, status, kind FROM fk_backfill.runs WHERE id = $1::int8`,
      [id],
    )
  ).rows[0];
}

/** Copies plan `fromPlanRunId`'s entries linked by a decision into plan `toRunId`; how many names and rows. */
export async function copyDecidedEntries(
  db: Queryable,
  toRunId: string,
  fromPlanRunId: string,
): Promise<{ names: unknown; rows: unknown } | undefined> {
  const res = await db.query<{ names: unknown; rows: unknown }>(
    `WITH c AS (
         INSERT INTO fk_backfill.plan_entries (run_id, link, scope_key, source_name, outcome, target_key, method, score, row_count, candidates, reason, target_name)
         SELECT $1::int8, link, scope_key, source_name, outcome, target_key, method, score, row_count, candidates, reason, target_name
           FROM fk_backfill.plan_entries WHERE run_id = $2::int8 AND outcome = 'linked' AND method = 'decision'
         RETURNING row_count)
       SELECT count(*)::int8 AS names, coalesce(sum(row_count), 0)::int8 AS rows FROM c`,
    [toRunId, fromPlanRunId],
  );
  return res.rows[0];
}

/**
 * Rows this run's change sets hold for one link, or all (what an undo sets back; what parallel slices' checkpoints
 * must add up to; what an interrupted run wrote).
 */
export async function loggedChanges(db: Queryable, runId: string, link: string | null): Promise<number> {
  const r = await db.query<{ n: unknown }>(
    `SELECT coalesce(sum(cardinality(row_keys)), 0)::int8 AS n FROM fk_backfill.change_sets WHERE run_id = $1::int8 AND ($2::text IS NULL OR link = $2)`,
    [runId, link],
  );
  return num(r.rows[0]?.n);
}

/**
 * The rows run `runId` changed in `link`: distinct row keys of its change sets. A guard run logs a row each time it
 * links it (linked, cleared and renamed by the application, linked again), so its entries can outnumber its rows;
 * an undo reports rows (before: "changed 3, reverted 2, skipped 1" for two rows, both set back).
 */
export async function changedRows(db: Queryable, runId: string, link: string): Promise<number> {
  const r = await db.query<{ n: unknown }>(
    `SELECT count(DISTINCT k.row_key)::int8 AS n FROM fk_backfill.change_sets cs CROSS JOIN LATERAL unnest(cs.row_keys) AS k(row_key)
      WHERE cs.run_id = $1::int8 AND cs.link = $2`,
    [runId, link],
  );
  return num(r.rows[0]?.n);
}

/** The latest finished plan run made with config `configHash`, for `tenant` (null: all), covering `links` (not a decisions-only copy). */
export async function latestPlanRun(db: Queryable, configHash: string, tenant: string | null, links: string[]): Promise<string | null> {
  const res = await db.query<{ id: string }>(
    `SELECT id::text AS id FROM fk_backfill.runs
      WHERE kind = 'plan' AND status = 'done' AND config_hash = $1 AND scope = $2::jsonb AND entities @> $3::text[]
        AND NOT (options ? 'decisionsOnlyOf')
      ORDER BY runs.id DESC LIMIT 1`,
    [configHash, JSON.stringify({ tenant }), links],
  );
  return res.rows[0]?.id ?? null;
}

/**
 * Forgets a run refused before it started (a link another run was writing): no record to resume or to be listed as a
 * write since a plan. Only while nothing of it was logged.
 */
export async function discardRun(db: Queryable, id: string): Promise<void> {
  await db.query(
    `DELETE FROM fk_backfill.runs r WHERE r.id = $1::int8 AND NOT EXISTS (SELECT 1 FROM fk_backfill.change_sets c WHERE c.run_id = r.id)`,
    [id],
  );
}
