/**
 * The unmatched sample a plan lists (the seed's unmatchedRecords): the statement that reads it from the source and
 * the plan's entries, and the settings of its transaction.
 */
import {
  entryName,
  idCols,
  loose,
  OWN,
  Params,
  rowKeyText,
  type ScopeFilter,
  scopeKeyExpr,
  scopeWhere,
  type Statement,
  textForm,
  type TypedLinkShape,
  sourceActiveWhere,
} from './link.js';
import { ident } from './quote.js';
import { BLANK_NAME_RE } from './plan.js';

/**
 * The unlinked sample's transaction settings: one scan, in the table's order (see unlinkedRecordsStatement), and
 * no nested loop. A plan's entries are new rows the statistics have not seen: estimating a handful, the planner
 * looped over every NULL-FK row and every entry (seen: 44 s instead of 0.2 s on 200 k rows). The plan ANALYZEd
 * fk_backfill.plan_entries first, which cost 0.28 s of a 1 M-row, 5,000-tenant plan (its sample reads every run's
 * entries); with hash joins the sample took 0.16 s there with no statistics at all.
 */
export function unlinkedSampleSettingsStatement(): Statement {
  return {
    text: `SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('synchronize_seqscans', 'off', true), set_config('enable_nestloop', 'off', true)`,
    values: [],
  };
}

/**
 * Scope column types whose typed equality is exactly the equality of their text forms (what plan_entries
 * stores): a row is compared with an entry's scope value cast to the column's type (hashable, no array or
 * text built per row). Any other type (numeric, timestamps, a loose column…) is compared by text too.
 */
const TEXT_EXACT = /^(text|character varying|character|smallint|integer|bigint|uuid|boolean|date)\b/;

/**
 * `expr` as a value of the source name column's type. The lines' union with the unnamed lines' `min(source_name)`
 * (text) makes a named row's name text, and a citext entry compared with text is text's case-sensitive equality:
 * a row spelled 'Acme' of an entry recorded as 'ACME' found no entry, and was listed with no reason and no candidates.
 */
function asNameType(link: TypedLinkShape, expr: string): string {
  return link.nameType === undefined || link.nameType === 'text' ? expr : `${expr}::${link.nameType}`;
}

/** A row of the unmatched sample (unlinkedRecordsStatement). */
export interface UnlinkedRecordRow {
  document_number: string | null;
  entity_name: string | null;
  scope_key: (string | null)[];
  outcome: string;
  reason: string | null;
  row_count: unknown;
  candidates: unknown;
}

/**
 * Rows whose FK is NULL and whose name the plan did not link (the seed's unmatchedRecords), as lines:
 * - rows without a name (NULL or blank) are one line per scope, outcome and reason with their count
 *   (`row_count`), first, read from the plan's entries (which count them per name): 50 000 unnamed rows are
 *   one line, and no row is read for them;
 * - named rows one line each (`row_count` 1): the first `limit` found in the table's order (as the seed
 *   listed them), then listed in the order of the document column and then the key columns, each by its own
 *   type (a text form put 10 before 9). Sorting every unlinked row to keep the first by number read the
 *   whole table and hashed it (1 M rows, 5,000 tenants: 0.7–1.7 s); a semi-join hashing the entries not
 *   linked lets the scan stop at the `limit`th row found (0.25 s there; a table with few unlinked rows is
 *   still read once). Run it with unlinkedSampleSettingsStatement so "the table's order" is one order: no
 *   parallel workers, no scan joining another in the middle of the table. When fewer named rows than
 *   `limit` are unlinked the list is all of them.
 * Each row is compared with the entries' scope values cast to the columns' types, as apply's lookup table
 * does, not by an array of its values as text; the scope_key text array is built for the lines kept only,
 * and a named row's outcome, reason and candidates (the entries' bulky JSON) are looked up for those rows
 * only. A named row with a NULL scope value (which equals nothing typed) comes from a second branch,
 * matched by the text array against the entries with a NULL scope value only (the only ones it can equal).
 * Rows added after the plan (no entry) are not listed.
 */
export function unlinkedRecordsStatement(
  link: TypedLinkShape,
  planRunId: string,
  linkName: string,
  f: ScopeFilter,
  limit: number,
): Statement<UnlinkedRecordRow> {
  const p = new Params();
  const doc = link.document === undefined ? rowKeyText('s', link) : `s.${ident(link.document)}::text`;
  const run = p.add(planRunId);
  const ln = p.add(linkName);
  const nm = ident(link.name);
  const scoped = scopeWhere('s', link, f, p);
  const blank = p.add(BLANK_NAME_RE);
  const lim = p.add(limit);
  const scopeCols = link.scope.map((_, i) => `fkb_scope_${i + 1}`);
  // the order of the lines: the document column (when configured), then the key columns, typed
  const orderCols = [...(link.document === undefined ? [] : [link.document]), ...idCols(link).map((c) => c.col)];
  const sortCols = orderCols.map((_, i) => `fkb_sort_${i + 1}`);
  const out = [
    ...link.scope.map((c, i) => `, s.${ident(c)} AS ${scopeCols[i]!}`),
    ...orderCols.map((c, i) => `, s.${ident(c)} AS ${sortCols[i]!}`),
  ].join('');
  const typed = link.scope.map((c, i) => {
    if (loose(link, i)) return ` AND ${textForm(`s.${ident(c)}`)} = e.scope_key[${i + 1}]`;
    const text = !TEXT_EXACT.test(link.scopeTypes[i] ?? '') ? ` AND s.${ident(c)}::text = e.scope_key[${i + 1}]` : '';
    return ` AND s.${ident(c)} = e.fkb_scope_${i + 1}${text}`;
  });
  const entryCols = link.scope.map((_, i) => `, e.scope_key[${i + 1}]::${link.scopeTypes[i] ?? 'text'} AS ${scopeCols[i]!}`).join('');
  const anyNullScope = link.scope.map((c) => `s.${ident(c)} IS NULL`);
  const unnamedEntry = `(e.source_name IS NULL OR e.source_name COLLATE "C" ~ ${blank})`;
  const carried = [...scopeCols, ...sortCols].map((c) => `, u.${c}`).join('');
  const order = ['u.grouped DESC', ...sortCols.map((c) => `u.${c}`), ...scopeCols.map((c) => `u.${c}`), 'u.outcome', 'u.reason'].join(', ');
  const text = `WITH named AS (
  SELECT ${doc} AS document_number, s.${nm} AS entity_name${out}
    FROM ${link.sourceSql} s
   WHERE s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)}${scoped}
     AND EXISTS (SELECT 1 FROM (SELECT e.scope_key, e.source_name${entryCols} FROM ${OWN}.plan_entries e
                                 WHERE e.run_id = ${run} AND e.link = ${ln} AND e.outcome <> 'linked' AND NOT ${unnamedEntry}) e
                  WHERE ${entryName(link, 'e')} = s.${nm}${typed.join('')})
  UNION ALL
  SELECT ${doc}, s.${nm}${out}
    FROM ${link.sourceSql} s
    JOIN (SELECT e.scope_key, e.source_name FROM ${OWN}.plan_entries e
           WHERE e.run_id = ${run} AND e.link = ${ln} AND e.outcome <> 'linked' AND array_position(e.scope_key, NULL) IS NOT NULL AND NOT ${unnamedEntry}) e
      ON ${entryName(link, 'e')} = s.${nm} AND e.scope_key = ${scopeKeyExpr('s', link)}
   WHERE s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)} AND (${anyNullScope.length > 0 ? anyNullScope.join(' OR ') : 'false'})${scoped}
   LIMIT ${lim}
), u AS (
  SELECT n.document_number, n.entity_name, NULL::text AS outcome, NULL::text AS reason, 1::int8 AS row_count, false AS grouped${carried.replaceAll('u.', 'n.')} FROM named n
  UNION ALL
  SELECT NULL, min(e.source_name), e.outcome, e.reason, sum(e.row_count)::int8, true${scopeCols.map((c) => `, e.${c}`).join('')}${sortCols.map(() => ', NULL').join('')}
    FROM (SELECT e.source_name, e.outcome, e.reason, e.row_count${entryCols} FROM ${OWN}.plan_entries e
           WHERE e.run_id = ${run} AND e.link = ${ln} AND e.outcome <> 'linked' AND ${unnamedEntry}) e
   GROUP BY ${[...scopeCols.map((c) => `e.${c}`), 'e.outcome', 'e.reason', 'e.source_name IS NULL'].join(', ')}
), k AS (
  SELECT u.document_number, u.entity_name, ${scopeKeyExpr('u', { ...link, scope: scopeCols })} AS scope_key, u.outcome, u.reason, u.row_count, u.grouped${carried} FROM u
   ORDER BY ${order.replaceAll('u.', '')}
   LIMIT ${lim}
)
SELECT u.document_number, u.entity_name, u.scope_key, coalesce(u.outcome, c.outcome, 'unmatched') AS outcome, CASE WHEN u.grouped THEN u.reason ELSE c.reason END AS reason, u.row_count, c.candidates
  FROM k u
  LEFT JOIN ${OWN}.plan_entries c
    ON NOT u.grouped AND c.run_id = ${run} AND c.link = ${ln} AND c.outcome <> 'linked' AND c.scope_key = u.scope_key AND ${entryName(link, 'c')} = ${asNameType(link, 'u.entity_name')}
 ORDER BY ${order}`;
  return { text, values: p.values };
}
