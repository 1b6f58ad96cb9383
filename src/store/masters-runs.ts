/**
 * What `masters` runs and the undos of them recorded (in their summaries): a later undo of a masters run reads
 * which masters an earlier undo took back and which a later masters run touched again.
 */
import type { Queryable } from '../db/port.js';

/** An undo run of `targetRunId` (not `exclude`) that finished having set something back (a run without change sets: masters). */
export async function earlierUndoThatReverted(db: Queryable, targetRunId: string, exclude: string): Promise<string | null> {
  const res = await db.query<{ id: string }>(
    `SELECT r.id::text AS id FROM fk_backfill.runs r
      WHERE r.kind = 'undo' AND r.target_run_id = $1::int8 AND r.id <> $2::int8 AND r.status = 'done'
        AND coalesce((r.summary ->> 'totalReverted')::int8, 0) > 0
      ORDER BY r.id DESC LIMIT 1`,
    [targetRunId, exclude],
  );
  return res.rows[0]?.id ?? null;
}

/**
 * The masters earlier undo runs of `targetRunId` (not `exclude`) took back, as each recorded them (`mastersTakenBack`
 * in its summary): a later undo of the same masters run leaves them, saying so.
 */
export async function mastersTakenBackBefore(
  db: Queryable,
  targetRunId: string,
  exclude: string,
): Promise<{ by: string; masters: { table: string; key: string; scopeKey: (string | null)[] }[] }[]> {
  const res = await db.query<{ id: string; masters: { table: string; key: string; scopeKey: (string | null)[] }[] | null }>(
    `SELECT r.id::text AS id, r.summary -> 'mastersTakenBack' AS masters FROM fk_backfill.runs r
      WHERE r.kind = 'undo' AND r.target_run_id = $1::int8 AND r.id <> $2::int8 AND r.status = 'done'
      ORDER BY r.id`,
    [targetRunId, exclude],
  );
  return res.rows.map((r) => ({ by: r.id, masters: Array.isArray(r.masters) ? r.masters : [] }));
}

/**
 * Masters that `masters` runs done after `runId` created or reactivated (from their summaries): what undoing
 * `runId` must leave, since a later run's state is on top (a reactivation again after this run's undo).
 */
export async function mastersTouchedAfter(
  db: Queryable,
  runId: string,
): Promise<{ runId: string; targetTable: string; key: string; scopeKey: (string | null)[] }[]> {
  const res = await db.query<{ run_id: string; target_table: string; key: string; scope_key: (string | null)[] }>(
    `SELECT r.id::text AS run_id, c ->> 'targetTable' AS target_table, c ->> 'key' AS key,
            ARRAY(SELECT jsonb_array_elements_text(c -> 'scopeKey')) AS scope_key
       FROM fk_backfill.runs r CROSS JOIN LATERAL jsonb_array_elements(coalesce(r.summary -> 'created', '[]'::jsonb)) c
      WHERE r.kind = 'masters' AND r.status = 'done' AND r.id > $1::int8
      ORDER BY r.id`,
    [runId],
  );
  return res.rows.map((r) => ({ runId: r.run_id, targetTable: r.target_table, key: r.key, scopeKey: r.scope_key }));
}
