/**
 * A row's new version checked against the CHECK constraints over the FK (or the touched column) before an UPDATE
 * writes it: the name of the first constraint that would refuse it, or NULL. Apply and undo leave such rows out of
 * their UPDATE and record them (fk_backfill.refused_rows) in the same statement, instead of finding each by
 * splitting the batch (src/batch/refused.ts). The expressions are the constraints' own, as the database prints them
 * (`pg_get_expr`), over the row as it would be written: `jsonb_populate_record` of the table's row type from the
 * row's columns with the new FK (and touched) value, so they name its columns unqualified, as in the table.
 */
import {
  entryName,
  type LinkShape,
  OWN,
  Params,
  type ScopeFilter,
  scopeKeyExpr,
  scopeWhere,
  sourceActiveWhere,
  type Statement,
} from './link.js';
import { ident } from './quote.js';

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

/** Node types of a stored expression that may not be immutable though they call no function by oid (see checksImmutableStatement). */
const MUTABLE_NODES =
  '\\{(SQLVALUEFUNCTION|COERCEVIAIO|NEXTVALUEEXPR|SUBLINK|PARAM|ARRAYCOERCEEXPR|CONVERTROWTYPEEXPR|XMLEXPR|CURRENTOFEXPR) ';

/**
 * Of the CHECK constraints `names` of a table (by oid), whether each expression is immutable, so that evaluating it
 * ahead in a SELECT (plan's count of the rows it would refuse) says what the UPDATE will: every function and operator
 * it calls (`:funcid`, `:opfuncid`, `:opno` in its stored tree) immutable, and none of the nodes that call something
 * without naming it (`CURRENT_DATE`, an I/O cast, `nextval`, a subquery: MUTABLE_NODES). Conservative: an expression
 * read as not immutable is said, not counted.
 */
export function checksImmutableStatement(oid: number, names: readonly string[]): Statement<{ name: string; immutable: boolean }> {
  const text = `SELECT c.conname::text AS name,
       c.conbin::text !~ $3
       AND NOT EXISTS (SELECT 1 FROM regexp_matches(c.conbin::text, ':(?:funcid|opfuncid) (\\d+)', 'g') m
                        JOIN pg_proc f ON f.oid = m[1]::oid WHERE f.provolatile <> 'i')
       AND NOT EXISTS (SELECT 1 FROM regexp_matches(c.conbin::text, ':opno (\\d+)', 'g') m
                        JOIN pg_operator o ON o.oid = m[1]::oid JOIN pg_proc f ON f.oid = o.oprcode WHERE f.provolatile <> 'i') AS immutable
  FROM pg_constraint c
 WHERE c.conrelid = $1::oid AND c.contype = 'c' AND c.conname = ANY ($2::text[])
 ORDER BY 1`;
  return { text, values: [oid, [...names], MUTABLE_NODES] };
}

/** A CHECK constraint over the FK (or the touched column) as the catalog reads it: its name, expression and the columns it reads. */
export interface FkCheck {
  name: string;
  expr: string;
  columns: string[];
}

/**
 * The rows a plan links (FK NULL, active, in the scope, their scope and name an entry the plan run `planRunId` linked) that a
 * CHECK of `checks` would refuse with the planned master's key in the FK (and now() in the touched column), counted
 * by the first constraint that refuses each, as apply's statement finds them (refusedBy). Read only; only for
 * immutable expressions (checksImmutableStatement). The row as it would be written is a derived table of the
 * columns the CHECKs read (`fkb_new_row`: the FK and touched column given their new values, typed), so the
 * expressions name them unqualified as in the table, with no function in a FROM list: Citus pushes it down to the
 * shards of a distributed source (it refuses the STABLE `jsonb_populate_record` of `refusedBy` there in a
 * multi-shard query).
 */
export function plannedRefusalsStatement(
  link: LinkShape,
  checks: readonly FkCheck[],
  a: { planRunId: string; linkName: string },
  f: ScopeFilter,
): Statement<{ name: string; n: unknown }> {
  const p = new Params();
  const plan = p.add(a.planRunId);
  const linkName = p.add(a.linkName);
  const columns = [...new Set(checks.flatMap((c) => c.columns))];
  // the key cast only for linked entries (a CASE: each fits the FK)
  const valueOf = (c: string): string =>
    c === link.fk
      ? `CASE WHEN e.outcome = 'linked' THEN e.target_key::${link.fkType} END`
      : link.touch !== null && c === link.touch.column
        ? `now()::${link.touch.type}`
        : `s.${ident(c)}`;
  const whens = checks.map((c) => `WHEN (${c.expr}) IS FALSE THEN ${p.add(c.name)}::text`).join(' ');
  const text = `SELECT x.refused_by AS name, count(*)::int8 AS n
  FROM (SELECT CASE ${whens} END AS refused_by
          FROM (SELECT ${columns.map((c) => `${valueOf(c)} AS ${ident(c)}`).join(', ')}
                  FROM ${link.sourceSql} s
                  JOIN ${OWN}.plan_entries e ON e.run_id = ${plan}::int8 AND e.link = ${linkName} AND e.outcome = 'linked'
                   AND e.scope_key = ${scopeKeyExpr('s', link)} AND ${entryName(link, 'e')} = s.${ident(link.name)}
                 WHERE s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)}${scopeWhere('s', link, f, p)}) fkb_new_row) x
 WHERE x.refused_by IS NOT NULL
 GROUP BY 1
 ORDER BY 1`;
  return { text, values: p.values };
}
