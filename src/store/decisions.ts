/**
 * Reads of fk_backfill.decisions a review card shows: the decision in force for a name, and its history.
 */
import type { Queryable } from '../db/port.js';
import type { DecisionAction } from '../plan/decide.js';

export interface DecisionRow {
  id: string;
  action: DecisionAction;
  target_key: string | null;
  decided_by: string | null;
  decided_at: string;
}

/** The decision in force (not revoked, latest) for one name of one scope, or undefined. */
export async function liveDecision(db: Queryable, link: string, scopeKey: (string | null)[], name: string): Promise<DecisionRow | undefined> {
  const res = await db.query<DecisionRow>(
    `SELECT id::text AS id, action, target_key, decided_by, decided_at::text AS decided_at FROM fk_backfill.decisions
      WHERE link = $1 AND scope_key = $2::text[] AND source_name = $3 AND revoked_at IS NULL
      ORDER BY decided_at DESC, id DESC LIMIT 1`,
    [link, scopeKey, name],
  );
  return res.rows[0];
}

/** Every decision ever taken on one name of one scope, revoked ones too, oldest first. */
export async function decisionHistory(db: Queryable, link: string, scopeKey: (string | null)[], name: string): Promise<(DecisionRow & { revoked_at: string | null })[]> {
  const res = await db.query<DecisionRow & { revoked_at: string | null }>(
    `SELECT id::text AS id, action, target_key, decided_by, decided_at::text AS decided_at, revoked_at::text AS revoked_at
       FROM fk_backfill.decisions WHERE link = $1 AND scope_key = $2::text[] AND source_name = $3
      ORDER BY decided_at, id`,
    [link, scopeKey, name],
  );
  return res.rows;
}
