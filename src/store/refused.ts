/**
 * fk_backfill.refused_rows (migration 025): the rows an apply left NULL because the table refused their new
 * value (src/batch/refused.ts), written in the transaction of the batch that left them out; and, with the
 * SQLSTATE lock_not_available, the rows it left out because another session kept them locked through every retry.
 */
import type { Queryable } from '../db/port.js';
import { LOCK_NOT_AVAILABLE } from '../errors.js';
import type { Statement } from '../sql/link.js';

export interface RefusedRow {
  /** The row's key as the change log writes it. */
  key: string;
  sqlstate: string;
  constraint: string | null;
  message: string;
}

export async function recordRefused(tx: Queryable, runId: string, link: string, rows: readonly RefusedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO fk_backfill.refused_rows (run_id, link, row_key, sqlstate, constraint_name, message)
     SELECT $1::int8, $2, x.key, x.sqlstate, x.constraint, x.message
       FROM jsonb_to_recordset($3::jsonb) AS x(key text, sqlstate text, "constraint" text, message text)
     ON CONFLICT (run_id, link, row_key) DO UPDATE
        SET sqlstate = excluded.sqlstate, constraint_name = excluded.constraint_name, message = excluded.message`,
    [runId, link, JSON.stringify(rows)],
  );
}

/** The first `limit` rows of a link the run left refused by the table and never changed after (a later pass may have linked one), in key order. */
export async function refusedSample(db: Queryable, runId: string, link: string, limit: number): Promise<RefusedRow[]> {
  const r = await db.query<{ row_key: string; sqlstate: string; constraint_name: string | null; message: string }>(
    `WITH changed AS (
       SELECT unnest(cs.row_keys) AS k FROM fk_backfill.change_sets cs WHERE cs.run_id = $1::int8 AND cs.link = $2
     )
     SELECT r.row_key, r.sqlstate, r.constraint_name, r.message
       FROM fk_backfill.refused_rows r
      WHERE r.run_id = $1::int8 AND r.link = $2 AND NOT EXISTS (SELECT 1 FROM changed c WHERE c.k = r.row_key)
        AND r.sqlstate <> $4
      ORDER BY length(r.row_key), r.row_key
      LIMIT $3`,
    [runId, link, limit, LOCK_NOT_AVAILABLE],
  );
  return r.rows.map((x) => ({ key: x.row_key, sqlstate: x.sqlstate, constraint: x.constraint_name, message: x.message }));
}

/**
 * Rows of a link the run recorded as refused, or left locked: what a ctid walk's catch-up pass would not link either
 * (a locked row is tried again by the final sweep, not worth walking the table once more for). `locked: false`: the
 * refused ones only (a stopped run's rows refused so far, which `apply --resume` counts as skipped once it completes
 * the link; its locked ones are tried again).
 */
export async function refusedCount(
  db: Queryable,
  runId: string,
  link: string,
  opts: { locked: boolean } = { locked: true },
): Promise<number> {
  const r = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM fk_backfill.refused_rows WHERE run_id = $1::int8 AND link = $2 AND ($3::text IS NULL OR sqlstate <> $3)`,
    [runId, link, opts.locked ? null : LOCK_NOT_AVAILABLE],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * The final sweep's first statement (in its transaction): forgets the rows a batch left locked, which it tries again;
 * those still locked are recorded again, and a row now refused or passed over for another reason is counted as such,
 * not as locked.
 */
export function forgetLockedStatement(runId: string, link: string): Statement {
  return {
    text: `DELETE FROM fk_backfill.refused_rows WHERE run_id = $1::int8 AND link = $2 AND sqlstate = $3`,
    values: [runId, link, LOCK_NOT_AVAILABLE],
  };
}

/** Every row of a link the run recorded as refused by the table, by key (the final sweep leaves them out; it tries the locked ones again). */
export async function refusedKeys(db: Queryable, runId: string, link: string): Promise<string[]> {
  const r = await db.query<{ row_key: string }>(
    `SELECT row_key FROM fk_backfill.refused_rows WHERE run_id = $1::int8 AND link = $2 AND sqlstate <> $3 ORDER BY row_key`,
    [runId, link, LOCK_NOT_AVAILABLE],
  );
  return r.rows.map((x) => x.row_key);
}
