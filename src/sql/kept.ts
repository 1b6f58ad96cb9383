/**
 * Rows an apply or undo UPDATE wrote but a BEFORE UPDATE trigger kept as they were: the "posted documents are
 * locked" pattern (`NEW.customer_id := OLD.customer_id`, or `RETURN OLD`). The UPDATE goes through, so the row is
 * in its RETURNING, with the FK the trigger kept. Such a row is no change: the statement neither logs nor counts
 * it (withChangedCount's `written`) and returns it as `kept`; the follow-up below, in the same transaction, sets
 * back the updated_at the statement wrote on it and records it in refused_rows, so it is counted and named as
 * refused by the table (left NULL by an apply, left linked by an undo) and an undo has nothing to set back.
 */
import { ident } from './quote.js';
import { type LinkShape, OWN, Params, rowKeyMatch, type ScopeFilter, scopeWhere, type Statement, touchedText } from './link.js';

/** One kept row as the statement returns it: its key, its FK now, the touched value written and the one before. */
export interface KeptRow {
  k: string;
  fk: string | null;
  wrote: string | null;
  back: string | null;
}

/** The JSON of a kept row in the statement's `kept` column (KeptRow), from its RETURNING's expressions. */
export function keptRow(key: string, fk: string, wrote: string, back: string): string {
  return `json_build_object('k', ${key}, 'fk', ${fk}, 'wrote', ${wrote}, 'back', ${back})`;
}

/**
 * The follow-up of a change statement over its kept rows: one statement that (1) sets the touched column back where
 * the row still holds the FK the trigger kept and the value the statement wrote (not where a BEFORE UPDATE trigger
 * may stamp the column itself: it would stamp it again; nor where the trigger kept the whole row), and (2) records
 * the rows in refused_rows under `runId`.
 */
export function keptRowsStatement(
  link: LinkShape,
  kept: readonly KeptRow[],
  f: ScopeFilter,
  a: { runId: string; linkName: string; kind: 'apply' | 'undo' },
): Statement | null {
  if (kept.length === 0) return null;
  const p = new Params();
  const rows = `SELECT * FROM json_to_recordset(${p.add(JSON.stringify(kept))}::json) AS k(k text, fk text, wrote text, back text)`;
  const fk = ident(link.fk);
  const restore =
    link.touch === null || link.touch.byTrigger === true
      ? ''
      : `, restored AS (
  UPDATE ${link.sourceSql} s
     SET ${ident(link.touch.column)} = k.back::${link.touch.type}
    FROM k
   WHERE ${rowKeyMatch('s', link, 'k.k')} AND s.${fk} IS NOT DISTINCT FROM k.fk::${link.fkType}
     AND ${touchedText(`s.${ident(link.touch.column)}`)} IS NOT DISTINCT FROM k.wrote AND k.wrote IS DISTINCT FROM k.back${scopeWhere('s', link, f, p)}
)`;
  const left = a.kind === 'apply' ? `NULL (the row left as it was)` : `at ' || coalesce(k.fk, 'NULL') || ' (the row left linked)`;
  const text = `WITH k AS (
  ${rows}
)${restore}
INSERT INTO ${OWN}.refused_rows (run_id, link, row_key, sqlstate, constraint_name, message)
SELECT ${p.add(a.runId)}::int8, ${p.add(a.linkName)}::text, k.k, '', NULL, 'a BEFORE UPDATE trigger kept ${link.fk.replace(/'/g, "''")} ${left}'
  FROM k
    ON CONFLICT (run_id, link, row_key) DO NOTHING`;
  return { text, values: p.values };
}

/** A change statement's Statement.followUp: keptRowsStatement over its `kept` column. */
export function keptFollowUp(
  link: LinkShape,
  f: ScopeFilter,
  a: { runId: string; linkName: string; kind: 'apply' | 'undo' },
): NonNullable<Statement['followUp']> {
  return (row) => keptRowsStatement(link, (row?.kept ?? []) as KeptRow[], f, a);
}
