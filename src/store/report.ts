/**
 * What a run report reads from fk-backfill's own tables: the undo of an apply, a plan's score histogram,
 * and the plan entries that were not linked.
 */
import type { Queryable } from '../db/port.js';

/** The first finished undo of an apply run, or null. */
export async function undoneBy(db: Queryable, runId: string): Promise<string | null> {
  return (
    (
      await db.query<{ id: string }>(
        `SELECT min(id)::text AS id FROM fk_backfill.runs WHERE kind = 'undo' AND target_run_id = $1::int8 AND status = 'done'`,
        [runId],
      )
    ).rows[0]?.id ?? null
  );
}

export interface HistogramRow {
  link: string;
  outcome: string;
  bin: number;
  names: unknown;
  rows: unknown;
}

/** A plan's scored entries counted per link, outcome and score bin (1..bins). */
export async function scoreHistogram(db: Queryable, planRunId: string, bins: number): Promise<HistogramRow[]> {
  const res = await db.query<HistogramRow>(
    `SELECT link, outcome, least(width_bucket(score::float8, 0, 1, ${bins}), ${bins})::int AS bin, count(*)::int8 AS names, sum(row_count)::int8 AS rows
       FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND score IS NOT NULL GROUP BY 1, 2, 3`,
    [planRunId],
  );
  return res.rows;
}

export interface UnlinkedEntryRow {
  link: string;
  scope_key: (string | null)[];
  source_name: string | null;
  outcome: string;
  row_count: unknown;
  score: number | null;
  reason: string | null;
  candidates: unknown;
  /** Over all the plan's unlinked entries, not only those returned (same snapshot): what a cut list is cut from. */
  total_names: unknown;
  total_rows: unknown;
}

/** A plan's entries that were not linked, most rows first, at most `limit`. */
export async function unlinkedEntries(db: Queryable, planRunId: string, limit: number): Promise<UnlinkedEntryRow[]> {
  const res = await db.query<UnlinkedEntryRow>(
    `SELECT link, scope_key, source_name, outcome, row_count, score, reason, candidates,
            count(*) OVER ()::int8 AS total_names, sum(row_count) OVER ()::int8 AS total_rows
       FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND outcome <> 'linked'
      ORDER BY row_count DESC, link, source_name LIMIT $2`,
    [planRunId, limit],
  );
  return res.rows;
}

/** A plan's entries counted by who would link them: a decision, the machine, or nobody (left). */
export async function planEntriesByDecider(
  db: Queryable,
  planRunId: string,
): Promise<{ k: 'decisions' | 'machine' | 'left'; names: unknown; rows: unknown }[]> {
  const res = await db.query<{ k: 'decisions' | 'machine' | 'left'; names: unknown; rows: unknown }>(
    `SELECT CASE WHEN outcome = 'linked' AND method = 'decision' THEN 'decisions' WHEN outcome = 'linked' THEN 'machine' ELSE 'left' END AS k,
            count(*)::int8 AS names, coalesce(sum(row_count), 0)::int8 AS rows
       FROM fk_backfill.plan_entries WHERE run_id = $1::int8 GROUP BY 1`,
    [planRunId],
  );
  return res.rows;
}
