/**
 * Runs a change statement (an apply or undo batch) and then its follow-up, if its result asks for one
 * (Statement.followUp), in the same transaction: the rows it changed.
 */
import type { Queryable } from '../db/port.js';
import { changedCount, type Statement } from '../sql/link.js';

export async function runChange(tx: Queryable, st: Statement): Promise<number> {
  const res = await tx.query(st);
  const next = st.followUp?.(res.rows[0]);
  if (next !== null && next !== undefined) await tx.query(next);
  return changedCount(res);
}
