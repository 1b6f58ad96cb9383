/**
 * A row's new version checked against the CHECK constraints over the FK (or the touched column) before an UPDATE
 * writes it: the name of the first constraint that would refuse it, or NULL. Apply and undo leave such rows out of
 * their UPDATE and record them (fk_backfill.refused_rows) in the same statement, instead of finding each by
 * splitting the batch (src/batch/refused.ts). The expressions are the constraints' own, as the database prints them
 * (`pg_get_expr`), over the row as it would be written: `jsonb_populate_record` of the table's row type from the
 * row's columns with the new FK (and touched) value, so they name its columns unqualified, as in the table.
 */
import { type LinkShape, OWN, type Params } from './link.js';

export function refusedBy(
  link: LinkShape,
  checks: readonly { name: string; expr: string }[],
  p: Params,
  /** The row's columns as jsonb (`to_jsonb(s)`, or a column that read them). */
  rowJson: string,
  /** The FK's new value, typed. */
  fkValue: string,
  /** The touched column's new value (null: the link touches none). */
  touchValue: string | null,
): string {
  const newValues = `jsonb_build_object(${p.add(link.fk)}::text, ${fkValue}${link.touch === null || touchValue === null ? '' : `, ${p.add(link.touch.column)}::text, ${touchValue}`})`;
  const whens = checks.map((c) => `WHEN (${c.expr}) IS FALSE THEN ${p.add(c.name)}::text`).join(' ');
  return `(SELECT CASE ${whens} END
       FROM jsonb_populate_record(NULL::${link.sourceSql}, ${rowJson} || ${newValues}) AS fkb_new_row)`;
}

/**
 * The `fkb_refused` CTE that records the rows `refusedBy` named (`refused`: its column of `from`) in refused_rows
 * under `runId`, with the constraint; `left` says what the row keeps ("NULL" for apply, "linked" for undo).
 */
export function refusedRowsCte(a: {
  runId: string;
  linkName: string;
  rowKey: string;
  refused: string;
  from: string;
  where: string;
  left: string;
}): string {
  return `fkb_refused AS (
  INSERT INTO ${OWN}.refused_rows (run_id, link, row_key, sqlstate, constraint_name, message)
  SELECT ${a.runId}::int8, ${a.linkName}::text, ${a.rowKey}, '23514', ${a.refused},
         'new row would violate check constraint "' || ${a.refused} || '" (found before the update, the row left ${a.left})'
    FROM ${a.from}
   WHERE ${a.where}
  ON CONFLICT (run_id, link, row_key) DO NOTHING
)`;
}
