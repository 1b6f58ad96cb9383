/**
 * Pure statement builders: each returns `{ text, values }` and touches no database, so the exact SQL
 * is unit-tested and the same statement runs on both adapters. Identifiers come from a resolved link
 * and are quoted with `ident`; values are always parameters.
 */
import { BackfillError } from '../errors.js';
import { activeAnd, activeExpr, activeValueSql, type ActivePredicate } from './active.js';
import { ident } from './quote.js';

export interface Statement {
  text: string;
  values: unknown[];
}

/** The columns of a link a statement needs (a subset of ResolvedLink, so this layer stays pure). */
export interface LinkShape {
  sourceSql: string;
  targetSql: string;
  /** The key column batches walk by (one column of `keys`; its ranges cover every row once). */
  key: string;
  /**
   * The row identity: the columns of the link's `key` (unique together, NOT NULL; checked by the
   * catalog). Absent: `[key]`. The change log stores it as text (see rowKeyText).
   */
  keys?: string[] | undefined;
  /** Types of `keys` (format_type), in order. */
  keyTypes?: string[] | undefined;
  fk: string;
  name: string;
  /**
   * On a Citus database, how Citus holds the source: statements on it take shapes Citus plans and
   * pushes down to the shards (no ctid, no OFFSET fences, no correlated subqueries, only immutable
   * expressions in RETURNING; see citusApplyBatchStatement). Absent: a database without Citus.
   */
  citus?: 'distributed' | 'reference' | 'local' | undefined;
  document?: string | undefined;
  amount?: string | undefined;
  targetKey: string;
  targetName: string;
  /** Which masters may be linked (see sql/active.ts); absent: all. */
  active?: ActivePredicate | undefined;
  scope: string[];
  fkType: string;
  keyType: string;
  touch: { column: string; type: string } | null;
  /**
   * The source name column's type as format_type spells it (char(40), citext, a domain…). Plan entries
   * store names as text; every comparison of an entry with a row casts the entry back to this type, so
   * it compares as the plan's GROUP BY on the column did (char padding, citext, collations). Absent: text.
   */
  nameType?: string | undefined;
  /**
   * Per scope column: true when its type calls different texts equal (citext, a nondeterministic
   * collation). Such scope values are compared by their text form everywhere (plan's grouping, its
   * match against masters, apply), as the normalised and fuzzy plans compare them in memory: never a
   * link across scope values that are spelled differently. Absent: none.
   */
  scopeLoose?: boolean[] | undefined;
  /**
   * The master name column's type (format_type). A plan records each linked entry's master name as
   * text (`target_name`); apply compares it cast back to this type with the master's name, so a master
   * renamed since the plan is skipped, and char padding or citext read back compare as the column does.
   * Absent: text.
   */
  targetNameType?: string | undefined;
}

/**
 * True while the master `t` still has the name the plan recorded in `entry`.target_name (its decision
 * rested on it); an entry without one (a plan made before names were recorded) is not checked. `typed`:
 * the entry's column is already of the master name's type (the apply lookup table).
 *
 * A CASE, not `=`: the planner estimates an equality of the two names as one more independent join
 * condition (1 / distinct names) on top of the key's, so the entries that meet their masters looked
 * like one row and it looped over the source once per entry. A CASE is estimated at one half at most.
 */
function sameMasterName(link: LinkShape, t: string, entry: string, typed = false): string {
  const rec = typed || link.targetNameType === undefined || link.targetNameType === 'text' ? `${entry}.target_name` : `${entry}.target_name::${link.targetNameType}`;
  return `CASE WHEN ${entry}.target_name IS NULL THEN true ELSE ${t}.${ident(link.targetName)} = ${rec} END`;
}

function idCols(link: LinkShape): { col: string; type: string }[] {
  const keys = link.keys ?? [link.key];
  return keys.map((col, i) => ({ col, type: link.keyTypes?.[i] ?? (col === link.key ? link.keyType : 'text') }));
}

/**
 * A row's identity as the change log stores it: the key's text form, or for a composite key the text
 * form of the array of its columns' text forms (`{7,2026-01-31}`), which rowKeyMatch takes apart again.
 */
export function rowKeyText(alias: string, link: LinkShape): string {
  const cols = idCols(link);
  if (cols.length === 1) return `${alias}.${ident(cols[0]!.col)}::text`;
  return `ARRAY[${cols.map((c) => `${alias}.${ident(c.col)}::text`).join(', ')}]::text`;
}

/** `alias` is the row whose identity is the text `expr` (a change log row_key): typed equalities, index-usable. */
export function rowKeyMatch(alias: string, link: LinkShape, expr: string): string {
  const cols = idCols(link);
  if (cols.length === 1) return `${alias}.${ident(cols[0]!.col)} = ${expr}::${cols[0]!.type}`;
  return cols.map((c, i) => `${alias}.${ident(c.col)} = (${expr}::text[])[${i + 1}]::${c.type}`).join(' AND ');
}

function loose(link: LinkShape, i: number): boolean {
  return link.scopeLoose?.[i] === true;
}

/** `e.source_name` as a value of the source name column's type (see LinkShape.nameType). */
export function entryName(link: LinkShape, entry: string): string {
  return link.nameType === undefined || link.nameType === 'text' ? `${entry}.source_name` : `${entry}.source_name::${link.nameType}`;
}

/** Which scope values a statement may touch: one tenant (first scope column) or all. */
export interface ScopeFilter {
  tenant: string | null;
}

export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const OWN = 'fk_backfill';

/** `AND s."tenant_id" = $n` when a tenant is chosen and the link is scoped; else nothing. */
export function scopeWhere(alias: string, link: LinkShape, f: ScopeFilter, p: Params): string {
  const first = link.scope[0];
  if (f.tenant === null || first === undefined) return '';
  return ` AND ${alias}.${ident(first)} = ${p.add(f.tenant)}`;
}

/** `ARRAY[s."a"::text, s."b"::text]::text[]`: the scope values of a row, as stored in plan_entries. */
export function scopeKeyExpr(alias: string, link: LinkShape): string {
  return `ARRAY[${link.scope.map((c) => `${alias}.${ident(c)}::text`).join(', ')}]::text[]`;
}

/** Same-scope join condition between two aliases (a loose scope column by its text form too). */
export function scopeJoin(a: string, b: string, link: LinkShape): string {
  return link.scope
    .map((c, i) => ` AND ${a}.${ident(c)} = ${b}.${ident(c)}${loose(link, i) ? ` AND ${a}.${ident(c)}::text = ${b}.${ident(c)}::text` : ''}`)
    .join('');
}

/** ` AND <alias's master is active>` (the link's active predicate), or nothing. */
export function activeWhere(alias: string, link: LinkShape): string {
  return activeAnd(alias, link.active);
}

/** Seed's population table for one link. */
export function statusStatement(link: LinkShape, f: ScopeFilter): Statement {
  const p = new Params();
  const text = `SELECT count(*)::int8 AS total, count(*) FILTER (WHERE s.${ident(link.fk)} IS NULL)::int8 AS null_fks
  FROM ${link.sourceSql} s WHERE true${scopeWhere('s', link, f, p)}`;
  return { text, values: p.values };
}

/** The planner's estimate (EXPLAIN, nothing read) of the rows whose FK is NULL, within the scope. */
export function nullFkEstimateStatement(link: LinkShape, f: ScopeFilter): Statement {
  const p = new Params();
  const text = `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${link.sourceSql} s WHERE s.${ident(link.fk)} IS NULL${scopeWhere('s', link, f, p)}`;
  return { text, values: p.values };
}

/**
 * Distinct (scope, name) among rows whose FK is NULL, with row counts and the active masters whose
 * name is exactly equal in the same scope (seed semantics, set-based: one hash join, no per-row query).
 */
export function exactCandidatesStatement(link: LinkShape, f: ScopeFilter, maxCandidates = 10, o: { ordered?: boolean } = {}): Statement {
  const p = new Params();
  const tkey = `t.${ident(link.targetKey)}`;
  // masters that are not active are read too, only to say so ("only an inactive master has this name")
  const act = activeExpr('t', link.active);
  const max = p.add(maxCandidates);
  // a loose scope column (citext, nondeterministic collation) groups by its text form: see LinkShape.scopeLoose
  const scopeCol = (c: string, i: number): string => (loose(link, i) ? `s.${ident(c)}::text` : `s.${ident(c)}`);
  const groupCols = [...link.scope.map(scopeCol), `s.${ident(link.name)}`].join(', ');
  const text = `WITH names AS (
  SELECT ${[...link.scope.map((c, i) => `${scopeCol(c, i)} AS ${ident(c)}`), `s.${ident(link.name)} AS source_name`].join(', ')}, count(*)::int8 AS row_count
    FROM ${link.sourceSql} s
   WHERE s.${ident(link.fk)} IS NULL${scopeWhere('s', link, f, p)}
   GROUP BY ${groupCols}
)
SELECT ${scopeKeyExpr('n', link)} AS scope_key, n.source_name, n.row_count,
       (array_agg(${tkey}::text ORDER BY ${tkey}::text) FILTER (WHERE ${tkey} IS NOT NULL AND ${act}))[1:${max}::int] AS keys,
       count(${tkey}) FILTER (WHERE ${act})::int8 AS candidate_count,
       (array_agg(${tkey}::text ORDER BY ${tkey}::text) FILTER (WHERE ${tkey} IS NOT NULL AND NOT ${act}))[1:${max}::int] AS inactive_keys,
       -- the active masters' names as read, in the order of keys: what a linked entry's decision rested on (apply rechecks it)
       (array_agg(t.${ident(link.targetName)}::text ORDER BY ${tkey}::text) FILTER (WHERE ${tkey} IS NOT NULL AND ${act}))[1:1] AS names
  FROM names n
  LEFT JOIN ${link.targetSql} t
    ON t.${ident(link.targetName)} = n.source_name${scopeJoin('t', 'n', link)}
 GROUP BY ${[...link.scope.map((c) => `n.${ident(c)}`), 'n.source_name', 'n.row_count'].join(', ')}${o.ordered === false ? '' : `
 ORDER BY 1, 2`}`;
  return { text, values: p.values };
}

/** Active masters of the scope(s): key, name (for normalised/fuzzy matching). */
export function mastersStatement(link: LinkShape, f: ScopeFilter): Statement {
  const p = new Params();
  const text = `SELECT ${scopeKeyExpr('t', link)} AS scope_key, t.${ident(link.targetKey)}::text AS key, t.${ident(link.targetName)} AS name
  FROM ${link.targetSql} t
 WHERE t.${ident(link.targetName)} IS NOT NULL${activeWhere('t', link)}${scopeWhere('t', link, f, p)}
 ORDER BY 1, 3, 2`;
  return { text, values: p.values };
}

/** Names already linked by FK to an active master of the same scope: known aliases and labelled data. */
export function aliasesStatement(link: LinkShape, f: ScopeFilter): Statement {
  const p = new Params();
  const text = `SELECT ${scopeKeyExpr('s', link)} AS scope_key, s.${ident(link.name)} AS name, s.${ident(link.fk)}::text AS key, count(*)::int8 AS rows
  FROM ${link.sourceSql} s
  JOIN ${link.targetSql} t ON t.${ident(link.targetKey)} = s.${ident(link.fk)}${scopeJoin('t', 's', link)}${activeWhere('t', link)}
 WHERE s.${ident(link.fk)} IS NOT NULL AND s.${ident(link.name)} IS NOT NULL${scopeWhere('s', link, f, p)}
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3`;
  return { text, values: p.values };
}

/** Distinct names of NULL-FK rows with their row counts (input of normalised/fuzzy plans). */
export function unlinkedNamesStatement(link: LinkShape, f: ScopeFilter): Statement {
  const p = new Params();
  const text = `SELECT ${scopeKeyExpr('s', link)} AS scope_key, s.${ident(link.name)} AS source_name, count(*)::int8 AS row_count
  FROM ${link.sourceSql} s
 WHERE s.${ident(link.fk)} IS NULL${scopeWhere('s', link, f, p)}
 GROUP BY 1, 2
 ORDER BY 1, 2`;
  return { text, values: p.values };
}

/**
 * Rows whose FK is NULL and whose name the plan did not link (the seed's unmatchedRecords). The rows are
 * found by a join with the entries' keys and outcomes only, and the candidates (the entries' bulky JSON)
 * are looked up for the `limit` rows kept: hashing every entry with its candidates cost more than the
 * scan (on Citus every entry was shipped to every shard: 2.5 s of a 5.6 s plan at 1 M rows).
 */
export function unlinkedRecordsStatement(link: LinkShape, planRunId: string, linkName: string, f: ScopeFilter, limit: number): Statement {
  const p = new Params();
  const doc = link.document === undefined ? rowKeyText('s', link) : `s.${ident(link.document)}::text`;
  const run = p.add(planRunId);
  const ln = p.add(linkName);
  const text = `WITH u AS (
  SELECT ${doc} AS document_number, s.${ident(link.name)} AS entity_name, ${scopeKeyExpr('s', link)} AS scope_key, e.outcome, e.reason
    FROM ${link.sourceSql} s
    LEFT JOIN (SELECT e.scope_key, e.source_name, e.outcome, e.reason FROM ${OWN}.plan_entries e WHERE e.run_id = ${run} AND e.link = ${ln}) e
      ON ${entryName(link, 'e')} = s.${ident(link.name)} AND e.scope_key = ${scopeKeyExpr('s', link)}
   WHERE s.${ident(link.fk)} IS NULL${scopeWhere('s', link, f, p)}
     AND e.outcome IS DISTINCT FROM 'linked'
   ORDER BY 1, 2
   LIMIT ${p.add(limit)}
)
SELECT u.document_number, u.entity_name, u.scope_key, coalesce(u.outcome, 'unmatched') AS outcome, u.reason, c.candidates
  FROM u
  LEFT JOIN ${OWN}.plan_entries c
    ON c.run_id = ${run} AND c.link = ${ln} AND c.outcome <> 'linked' AND c.scope_key = u.scope_key AND ${entryName(link, 'c')} = u.entity_name
 ORDER BY 1, 2`;
  return { text, values: p.values };
}

export interface KeyRange {
  /** Exclusive lower bound (null: from the start). */
  after: string | null;
  /** Inclusive upper bound (null: to the end). */
  upTo: string | null;
}

/**
 * A batch's key range. The bounds are scalar subqueries (InitPlans), so the planner estimates the range
 * without looking at their values. With the values it consults the key's histogram, which cannot
 * interpolate inside a bucket for uuid (or any non-numeric) keys: a batch narrower than one bucket
 * (1 % of the table at the default statistics target; every batch of a large table) is then estimated
 * at ONE row, and the planner nests loops that rescan the range once per row, quadratic in the batch
 * (a 5 000-row batch of a 3 M-row table took 17 s). Without the values it assumes 0.5 % of the table,
 * which keeps hash joins and index probes: linear whatever the real batch size. Index Conds still use
 * the bounds (evaluated once, before the scan).
 */
function keyRangeWhere(alias: string, link: LinkShape, r: KeyRange | undefined, p: Params): string {
  if (r === undefined) return '';
  let out = '';
  if (r.after !== null) out += ` AND ${alias}.${ident(link.key)} > (SELECT ${p.add(r.after)}::${link.keyType})`;
  if (r.upTo !== null) out += ` AND ${alias}.${ident(link.key)} <= (SELECT ${p.add(r.upTo)}::${link.keyType})`;
  return out;
}

/**
 * How a batched apply walks the source: 'key', ranges of the primary key (any table, any server);
 * 'ctid', ranges of heap blocks in physical order (PostgreSQL 14+ TID Range Scan, plain heap tables).
 */
export type Walk = 'key' | 'ctid';

/**
 * A batch of the ctid walk: heap blocks [after, upTo) (after null: from block 0), as `KeyRange` strings
 * of block numbers. Unlike keyRangeWhere's, these bounds are plain expressions of the parameters: the
 * planner folds them (every adapter sends unnamed statements, planned with their parameters) and
 * estimates a block range from the table's pages and tuple density, right for any batch size. Behind
 * InitPlans it assumed 0.5 % of the table, ONE row on a table of a few thousand, and nested loops
 * rescanning the entries per row (a 300-row batch took 5 s on PGlite). They are still pseudo-constants,
 * so the scan is a TID Range Scan.
 */
function blockRangeWhere(alias: string, _link: LinkShape, r: KeyRange | undefined, p: Params): string {
  if (r === undefined) return '';
  const block = (v: string): string => `format('(%s,0)', ${p.add(v)}::int8)::tid`;
  return `${r.after === null ? '' : ` AND ${alias}.ctid >= ${block(r.after)}`}${r.upTo === null ? '' : ` AND ${alias}.ctid < ${block(r.upTo)}`}`;
}

/** The range predicate of a walk's batch (keys or heap blocks). */
function walkRangeWhere(walk: Walk | undefined): typeof keyRangeWhere {
  return walk === 'ctid' ? blockRangeWhere : keyRangeWhere;
}

/**
 * Upper bound of the next batch of a ctid walk: `pages` heap blocks after block `after`, at most up to
 * `end` (the walk's last block + 1); `n` estimates the rows in it from the table's tuple density. No
 * row when the walk is done. A statement (not arithmetic in the caller) so both walks share the batch engine.
 */
export function blockBoundStatement(after: string | null, pages: number, end: number, density: number): Statement {
  const p = new Params();
  const from = p.add(after ?? '0');
  const text = `SELECT x.up_to::text AS up_to, ceil((x.up_to - x.from_) * ${p.add(density)}::float8)::int8 AS n
  FROM (SELECT ${from}::int8 AS from_, least(${from}::int8 + ${p.add(Math.max(1, Math.round(pages)))}::int8, ${p.add(end)}::int8) AS up_to) x
 WHERE x.up_to > x.from_`;
  return { text, values: p.values };
}

/**
 * Types whose values compare with `=` as the same value (so `IS NOT DISTINCT FROM` on the typed column is
 * a safe "unchanged" test); any other touched column is compared by its text form.
 */
const PLAIN_EQ = /^(timestamp|date|time|smallint|integer|bigint|numeric|real|double precision|text|character varying|uuid|boolean)\b/;

/**
 * What an apply statement reads of each row it is about to change, under the aliases `rowRecheck`
 * compares: its ctid, key, name, scope values and touched value (updated_at, for the change log).
 */
function rowRead(alias: string, link: LinkShape, withTid = true): string {
  return [
    ...(withTid ? [`${alias}.ctid AS fkb_tid`] : []),
    ...idCols(link).map((c, i) => `${alias}.${ident(c.col)} AS fkb_key${i === 0 ? '' : `_${i + 1}`}`),
    `${alias}.${ident(link.name)} AS fkb_name`,
    ...link.scope.map((c, i) => `${alias}.${ident(c)} AS fkb_scope_${i + 1}`),
    ...(link.touch === null ? [] : [`${alias}.${ident(link.touch.column)} AS fkb_touched`]),
  ].join(', ');
}

/**
 * The UPDATE's join back to the row `rowRead` read (alias `x`): by ctid (a Tid Scan, one buffer lookup
 * per row) and key, and every value the plan and the change log rely on compared again: FK still NULL,
 * name, scope, touched value. A row updated concurrently is re-evaluated by PostgreSQL on its newest
 * version (EvalPlanQual), where a new ctid already fails the join; these comparisons do not depend on
 * how a given server version and plan re-test the ctid there (a Tid Scan's recheck, a hash join's
 * clauses): a concurrent rename, re-scoping or updated_at is never overwritten or logged stale.
 */
function rowRecheck(link: LinkShape, x: string, byTid = true): string {
  const touch = link.touch;
  const tc = touch === null ? '' : ident(touch.column);
  const touched = touch === null ? '' : PLAIN_EQ.test(touch.type) ? ` AND s.${tc} IS NOT DISTINCT FROM ${x}.fkb_touched` : ` AND s.${tc}::text IS NOT DISTINCT FROM ${x}.fkb_touched::text`;
  const conds = [
    ...(byTid ? [`s.ctid = ${x}.fkb_tid`] : []),
    ...idCols(link).map((c, i) => `s.${ident(c.col)} = ${x}.fkb_key${i === 0 ? '' : `_${i + 1}`}`),
    `s.${ident(link.fk)} IS NULL`,
    `s.${ident(link.name)} = ${x}.fkb_name`,
  ];
  return `${conds.join(' AND ')}${entryScopeJoin('s', link, x)}${touched}`;
}

/** ` AND alias."scope col" = entry.fkb_scope_N` for every scope column: a row or master against a lookup-table entry (or a row read as one). */
function entryScopeJoin(alias: string, link: LinkShape, entry: string): string {
  return link.scope
    .map((c, i) => ` AND ${alias}.${ident(c)} = ${entry}.fkb_scope_${i + 1}${loose(link, i) ? ` AND ${alias}.${ident(c)}::text = ${entry}.fkb_scope_${i + 1}::text` : ''}`)
    .join('');
}

/** The change log's old touched value of a row read by `rowRead`. */
function touchedOld(link: LinkShape, x: string): string {
  return link.touch === null ? 'NULL::text' : `${x}.fkb_touched::text`;
}

/**
 * Applies a plan to one link (optionally one key range), writing the change log in the same statement.
 * Guards: the FK is still NULL and the name still equals the planned name (a row edited since planning
 * is skipped), and the scope of the row equals the scope of the plan entry.
 */
export function applyStatement(
  link: LinkShape,
  a: { planRunId: string; runId: string; linkName: string; tableName: string; range?: KeyRange; walk?: Walk },
  f: ScopeFilter,
): Statement {
  if (link.citus !== undefined) return citusApplyBatchStatement(link, a, f);
  const p = new Params();
  const runId = p.add(a.runId);
  const linkName = p.add(a.linkName);
  const planRunId = p.add(a.planRunId);
  const rangeWhere = walkRangeWhere(a.walk);
  const fk = ident(link.fk);
  const nm = ident(link.name);
  const touchSet = link.touch === null ? '' : `, ${ident(link.touch.column)} = now()`;
  const srcScope = scopeWhere('s', link, f, p);
  const text = `WITH todo AS (
  SELECT ${rowRead('s', link)}, e.target_key, e.method, e.score
    FROM ${link.sourceSql} s
    JOIN ${OWN}.plan_entries e
      ON e.run_id = ${planRunId} AND e.link = ${linkName} AND e.outcome = 'linked'
     AND ${entryName(link, 'e')} = s.${nm} AND e.scope_key = ${scopeKeyExpr('s', link)}
    -- the planned master must still exist, be active, be of the row's scope (issue #8: drift since the plan) and still have the name the plan decided on (issue #23)
    JOIN ${link.targetSql} t ON t.${ident(link.targetKey)} = e.target_key::${link.fkType}${scopeJoin('t', 's', link)}${activeWhere('t', link)} AND ${sameMasterName(link, 't', 'e')}
   WHERE s.${fk} IS NULL${srcScope}${rangeWhere('s', link, a.range, p)}
), upd AS (
  UPDATE ${link.sourceSql} s
     SET ${fk} = todo.target_key::${link.fkType}${touchSet}
    FROM todo
   WHERE ${rowRecheck(link, 'todo')}${srcScope}
  RETURNING ${rowKeyText('s', link)} AS row_key, s.${fk}::text AS new_value, todo.method, todo.score, ${touchedOld(link, 'todo')} AS touched_old
)
${changeSetInsert(link, p, { runId, linkName, tableName: a.tableName })}`;
  return { text, values: p.values };
}

/**
 * The change log of one apply statement, written by the same statement: ONE change set row for the
 * whole statement (arrays of row keys, new values, methods, scores, old touched values), not one row
 * per changed row. Nothing changed: no row. Returns \`changed\`, the number of rows changed.
 */
function changeSetInsert(link: LinkShape, p: Params, a: { runId: string; linkName: string; tableName: string }): string {
  const touched = link.touch === null ? 'NULL::text[]' : 'array_agg(upd.touched_old)';
  const insert = `INSERT INTO ${OWN}.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT ${a.runId}::int8, ${a.linkName}::text, ${p.add(a.tableName)}::text, ${p.add(link.fk)}::text, ${p.add(link.touch?.column ?? null)}::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), ${touched}
  FROM upd
HAVING count(*) > 0`;
  return withChangedCount(insert);
}

/**
 * An apply / undo statement's change-set INSERT as a second data-modifying CTE, and its result: one row,
 * \`changed\`, the rows of \`upd\` (counted from the CTE, not by \`cardinality()\` of the stored array, which
 * read back and decompressed the whole array of every batch).
 */
function withChangedCount(insert: string): string {
  return `, ins AS (
${insert}
RETURNING 1
)
SELECT (SELECT count(*) FROM upd)::int8 AS changed`;
}

/** Rows changed by an apply / undo statement: its \`changed\` column (change set statements), else its row count. */
export function changedCount(res: { rowCount: number; rows: unknown[] }): number {
  const r = res.rows[0] as { changed?: unknown } | undefined;
  return r?.changed === undefined ? res.rowCount : Number(r.changed);
}

/**
 * Reverts what run `targetRunId` wrote into one link: only rows that still hold the value it wrote;
 * restores the touched column (updated_at) too. Logs the reversal under `runId`. Reads the rows of change
 * sets only (`set_id IS NOT NULL`): a guard link still in guard_links, also shown by the view, has no
 * position yet and is not counted as changed (undo moves them into change sets before it starts).
 */
export function undoStatement(
  link: LinkShape,
  a: {
    targetRunId: string;
    runId: string;
    linkName: string;
    /** A range of change log positions 'SET:ORD' (see undoBoundStatement): the batches of a batched undo. */
    setRange?: { after: string | null; upTo: string };
  },
  f: ScopeFilter,
): Statement {
  const u = undoParams(a);
  if (link.citus !== undefined) return citusUndoStatement(link, u, f);
  const { p, target, linkName, setRange } = u;
  const fk = ident(link.fk);
  // the old touched value comes back only while the row still holds the one apply wrote (its transaction's now(),
  // the change set's changed_at): an edit since (the application's own updated_at) is kept
  const touchSet =
    link.touch === null ? '' : `, ${ident(link.touch.column)} = CASE WHEN c.touched_column IS NULL OR s.${ident(link.touch.column)} IS DISTINCT FROM c.changed_at::${link.touch.type} THEN s.${ident(link.touch.column)} ELSE c.touched_old::${link.touch.type} END`;
  const text = `WITH c AS (
  SELECT c.id, c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at
    FROM ${OWN}.changes c
   WHERE c.run_id = ${target}::int8 AND c.link = ${linkName} AND c.set_id IS NOT NULL${setRange}
), upd AS (
  UPDATE ${link.sourceSql} s
     SET ${fk} = c.old_value::${link.fkType}${touchSet}
    FROM c
   WHERE ${rowKeyMatch('s', link, 'c.row_key')} AND s.${fk} = c.new_value::${link.fkType}${scopeWhere('s', link, f, p)}
  RETURNING ${rowKeyText('s', link)} AS row_key, c.new_value, c.old_value, c.table_name, c.column_name
)
${undoChangeSet(u)}`;
  return { text, values: p.values };
}

/** An undo statement's parameters in the order both shapes bind them, and its change-log range. */
function undoParams(a: { targetRunId: string; runId: string; linkName: string; setRange?: { after: string | null; upTo: string } }): { p: Params; runId: string; target: string; linkName: string; setRange: string } {
  const p = new Params();
  const runId = p.add(a.runId);
  const target = p.add(a.targetRunId);
  const linkName = p.add(a.linkName);
  const setRange = a.setRange === undefined ? '' : positionRange('c', a.setRange, p);
  return { p, runId, target, linkName, setRange };
}

/** The change set of an undo statement (the rows of \`upd\` it set back), and its \`changed\` count. */
function undoChangeSet(u: { runId: string; linkName: string }): string {
  return withChangedCount(`INSERT INTO ${OWN}.change_sets (run_id, link, table_name, column_name, method, row_keys, old_values, new_values)
SELECT ${u.runId}::int8, ${u.linkName}::text, min(upd.table_name), min(upd.column_name), 'undo', array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.old_value)
  FROM upd
HAVING count(*) > 0`);
}

/**
 * undoStatement on a Citus source: the change log rows are read and typed on the coordinator (the CTE
 * `c`: key parts, old and new values and the old touched value cast to their columns' types), so the
 * UPDATE on the shards compares and assigns plain columns (Citus refuses a STABLE cast of a column,
 * such as text to timestamptz, in an UPDATE) and returns the logged row key as it is.
 */
function citusUndoStatement(link: LinkShape, u: ReturnType<typeof undoParams>, f: ScopeFilter): Statement {
  const { p, target, linkName, setRange } = u;
  const fk = ident(link.fk);
  const cols = idCols(link);
  const keyParts = cols.map((c, i) => (cols.length === 1 ? `c.row_key::${c.type} AS fkb_k1` : `(c.row_key::text[])[${i + 1}]::${c.type} AS fkb_k${i + 1}`)).join(', ');
  const tc = link.touch === null ? null : ident(link.touch.column);
  const text = `WITH c AS (
  SELECT c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, ${keyParts},
         c.old_value::${link.fkType} AS fkb_old, c.new_value::${link.fkType} AS fkb_new${link.touch === null ? '' : `,
         c.touched_column IS NOT NULL AS fkb_touch, c.touched_old::${link.touch.type} AS fkb_touched, c.changed_at::${link.touch.type} AS fkb_applied`}
    FROM ${OWN}.changes c
   WHERE c.run_id = ${target}::int8 AND c.link = ${linkName} AND c.set_id IS NOT NULL${setRange}
), upd AS (
  UPDATE ${link.sourceSql} s
     SET ${fk} = c.fkb_old${tc === null ? '' : `, ${tc} = CASE WHEN c.fkb_touch AND s.${tc} IS NOT DISTINCT FROM c.fkb_applied THEN c.fkb_touched ELSE s.${tc} END`}
    FROM c
   WHERE ${cols.map((col, i) => `s.${ident(col.col)} = c.fkb_k${i + 1}`).join(' AND ')} AND s.${fk} = c.fkb_new${scopeWhere('s', link, f, p)}
  RETURNING c.row_key, c.new_value, c.old_value, c.table_name, c.column_name
)
${undoChangeSet(u)}`;
  return { text, values: p.values };
}

/** A change log position 'SET:ORD' (set id, 1-based position in the set). */
function position(pos: string): [string, string] {
  const m = /^(\d+):(\d+)$/.exec(pos);
  if (m === null) throw new BackfillError('RUN_STATE', `not a change log position: ${pos} (the run's checkpoint is damaged)`);
  return [m[1]!, m[2]!];
}

/** `(set_id, ord)` in (after, upTo], with a plain range on set_id so the set index is used. */
function positionRange(alias: string, r: { after: string | null; upTo: string }, p: Params): string {
  let out = r.after === null ? '' : positionAfter(alias, r.after, p);
  const [set, ord] = position(r.upTo);
  const sp = p.add(set);
  out += ` AND ${alias}.set_id <= ${sp}::int8 AND (${alias}.set_id, ${alias}.ord) <= (${sp}::int8, ${p.add(ord)}::int8)`;
  return out;
}

/**
 * NULL FKs, FK values pointing nowhere, to a master of another scope only, to a master the active
 * predicate excludes. Each row is joined to its master by the whole key, scope included (the link's
 * scope columns, all on the master too): masters keyed by (tenant_id, id) repeat ids across tenants, and
 * a join on the id alone counted every row once per tenant holding that id and called its link
 * cross-tenant. Both joins read masters grouped by what they join on (a master table without a unique
 * key cannot multiply rows either) and hash on plain equalities (key and scope), no per-row query. A row
 * whose scope value is NULL belongs to no tenant: its FK is an orphan only when no master has the key
 * (as a composite FK, MATCH SIMPLE, checks nothing for it).
 */
export function integrityStatement(link: LinkShape, f: ScopeFilter): Statement {
  const p = new Params();
  const fk = ident(link.fk);
  const tk = ident(link.targetKey);
  const scoped = link.scope.length > 0;
  const scopeCols = link.scope.map(ident);
  // the row's own master: same key, same scope
  const same = `LEFT JOIN (SELECT t.${tk} AS k${scopeCols.map((c) => `, t.${c}`).join('')}, bool_or(${activeExpr('t', link.active)}) AS active
                FROM ${link.targetSql} t GROUP BY ${['1', ...scopeCols.map((_, i) => String(i + 2))].join(', ')}) t
    ON t.k = s.${fk}${scopeCols.map((c) => ` AND t.${c} = s.${c}`).join('')}`;
  // any master with that key, whatever its scope: tells an orphan from a link to another tenant
  const any = scoped ? `
  LEFT JOIN (SELECT DISTINCT t.${tk} AS k FROM ${link.targetSql} t) o ON o.k = s.${fk}` : '';
  const scopeSet = scopeCols.map((c) => ` AND s.${c} IS NOT NULL`).join('');
  const text = `SELECT count(*)::int8 AS total,
       count(*) FILTER (WHERE s.${fk} IS NULL)::int8 AS null_fks,
       count(*) FILTER (WHERE s.${fk} IS NOT NULL AND ${scoped ? 'o.k' : 't.k'} IS NULL)::int8 AS orphans,
       ${scoped ? `count(*) FILTER (WHERE s.${fk} IS NOT NULL AND t.k IS NULL AND o.k IS NOT NULL${scopeSet})::int8` : '0::int8'} AS cross_scope,
       count(*) FILTER (WHERE t.k IS NOT NULL AND NOT t.active)::int8 AS inactive_targets
  FROM ${link.sourceSql} s
  ${same}${any}
 WHERE true${scopeWhere('s', link, f, p)}`;
  return { text, values: p.values };
}

/** Masters by key (any activity), with their scope, name, number and active flag (review pages, decisions). */
export function mastersByKeyStatement(link: LinkShape & { targetKeyType: string; number?: string | undefined }, keys: string[]): Statement {
  const p = new Params();
  const number = link.number === undefined ? 'NULL::text' : `t.${ident(link.number)}::text`;
  const active = activeExpr('t', link.active);
  const text = `SELECT t.${ident(link.targetKey)}::text AS key, ${scopeKeyExpr('t', link)} AS scope_key, t.${ident(link.targetName)} AS name,
       ${number} AS number, ${active} AS active
  FROM ${link.targetSql} t
 WHERE t.${ident(link.targetKey)} = ANY(${p.add(keys)}::${link.targetKeyType}[])`;
  return { text, values: p.values };
}

/**
 * Upper bound of the next batch of a keyset walk over the source table: the `limit`-th key after
 * `after` within the scope (keyset `ORDER BY key LIMIT n`, never OFFSET). No row: the walk is done.
 * Returns `up_to` (key as text) and `n` (keys in the range).
 */
export function applyBoundStatement(link: LinkShape, after: string | null, limit: number, f: ScopeFilter): Statement {
  const p = new Params();
  const k = ident(link.key);
  const scope = scopeWhere('s', link, f, p);
  const from = after === null ? '' : ` AND s.${k} > ${p.add(after)}::${link.keyType}`;
  const text = `SELECT x.k::text AS up_to, x.n::int8 AS n
  FROM (SELECT s.${k} AS k, row_number() OVER (ORDER BY s.${k}) AS n
          FROM ${link.sourceSql} s
         WHERE true${scope}${from}
         ORDER BY s.${k}
         LIMIT ${p.add(limit)}::int8) x
 ORDER BY x.n DESC
 LIMIT 1`;
  return { text, values: p.values };
}

/**
 * The statements that build a batched apply's key ladder `table`: every `step`-th key of the source
 * (within the scope, after `after`) with its position, read once by one ordered index scan while the
 * table is still all-visible. Each batch then finds its upper bound in this small table instead of
 * counting `limit` keys through the primary key again, which after the first batches (whose updates
 * clear the visibility map) cost a heap visit per key (~100 ms per batch on 1 M rows).
 */
export function applyLadderStatements(link: LinkShape, a: { table: string; step: number; after: string | null }, f: ScopeFilter): Statement[] {
  const p = new Params();
  const k = ident(link.key);
  const from = a.after === null ? '' : ` AND s.${k} > ${p.add(a.after)}::${link.keyType}`;
  const fill = `INSERT INTO ${a.table} (k, n)
SELECT x.k, x.n FROM (SELECT s.${k} AS k, row_number() OVER (ORDER BY s.${k}) AS n
                        FROM ${link.sourceSql} s
                       WHERE true${scopeWhere('s', link, f, p)}${from}) x
 WHERE x.n % ${p.add(a.step)}::int8 = 0`;
  return [
    { text: `DROP TABLE IF EXISTS ${a.table}`, values: [] },
    { text: `CREATE UNLOGGED TABLE ${a.table} (k ${link.keyType} NOT NULL, n int8 NOT NULL)`, values: [] },
    { text: fill, values: p.values },
    // not unique: nothing requires the configured key to be
    { text: `CREATE INDEX ON ${a.table} (k)`, values: [] },
    { text: `ANALYZE ${a.table}`, values: [] },
  ];
}

/**
 * `applyBoundStatement` through a key ladder (`applyLadderStatements`): the `limit / step`-th rung
 * after `after` (or the last one left); past the last rung, and for batches smaller than a rung, the
 * live walk of the primary key, so keys inserted since the ladder was built are still covered.
 */
export function applyLadderBoundStatement(link: LinkShape, ladder: { table: string; step: number }, after: string | null, limit: number, f: ScopeFilter): Statement {
  const rungs = Math.floor(limit / ladder.step);
  const live = applyBoundStatement(link, after, limit, f);
  if (rungs < 1) return live;
  const p = new Params();
  for (const v of live.values) p.add(v);
  const af = after === null ? null : `${p.add(after)}::${link.keyType}`;
  const from = af === null ? '' : ` WHERE l.k > ${af}`;
  const base = af === null ? '0' : `coalesce((SELECT b.n FROM ${ladder.table} b WHERE b.k <= ${af} ORDER BY b.k DESC LIMIT 1), 0)`;
  const text = `(SELECT x.k::text AS up_to, (x.n - ${base})::int8 AS n
   FROM (SELECT l.k, l.n FROM ${ladder.table} l${from} ORDER BY l.k LIMIT ${p.add(rungs)}::int8) x
  ORDER BY x.k DESC
  LIMIT 1)
UNION ALL
(${live.text})
LIMIT 1`;
  return { text, values: p.values };
}

/**
 * Upper bound of the next batch of an undo: the position 'SET:ORD' of the `limit`-th changed row of the
 * run and link after position `after`, walking the change sets in id order (index (run_id, link, id))
 * and each set's rows in order. Used with `undoStatement`'s setRange.
 */
export function undoBoundStatement(a: { targetRunId: string; linkName: string }, after: string | null, limit: number): Statement {
  const p = new Params();
  const text = `SELECT x.set_id::text || ':' || x.ord::text AS up_to, x.n::int8 AS n
  FROM (SELECT c.set_id, c.ord, row_number() OVER (ORDER BY c.set_id, c.ord) AS n
          FROM ${OWN}.changes c
         WHERE c.run_id = ${p.add(a.targetRunId)}::int8 AND c.link = ${p.add(a.linkName)} AND c.set_id IS NOT NULL${after === null ? '' : positionAfter('c', after, p)}
         ORDER BY c.set_id, c.ord
         LIMIT ${p.add(limit)}::int8) x
 ORDER BY x.n DESC
 LIMIT 1`;
  return { text, values: p.values };
}

function positionAfter(alias: string, after: string, p: Params): string {
  const [set, ord] = position(after);
  const sp = p.add(set);
  return ` AND ${alias}.set_id >= ${sp}::int8 AND (${alias}.set_id, ${alias}.ord) > (${sp}::int8, ${p.add(ord)}::int8)`;
}

/** Inactive masters of the scope(s): key, name, number (missing-master proposals flag reactivation). */
export function inactiveMastersStatement(link: LinkShape & { number?: string | undefined }, f: ScopeFilter): Statement {
  const p = new Params();
  if (link.active === undefined) return { text: 'SELECT NULL::text[] AS scope_key, NULL::text AS key, NULL::text AS name, NULL::text AS number WHERE false', values: [] };
  const number = link.number === undefined ? 'NULL::text' : `t.${ident(link.number)}::text`;
  const text = `SELECT ${scopeKeyExpr('t', link)} AS scope_key, t.${ident(link.targetKey)}::text AS key, t.${ident(link.targetName)} AS name, ${number} AS number
  FROM ${link.targetSql} t
 WHERE NOT ${activeExpr('t', link.active)} AND t.${ident(link.targetName)} IS NOT NULL${scopeWhere('t', link, f, p)}`;
  return { text, values: p.values };
}

/** Numbers like CUST-004 per scope and prefix: the widest digits and the highest value (to continue numbering). */
export function masterNumbersStatement(link: LinkShape & { number: string }, f: ScopeFilter): Statement {
  const p = new Params();
  const n = `t.${ident(link.number)}::text`;
  const text = `SELECT ${scopeKeyExpr('t', link)} AS scope_key, substring(${n} from '^(.*?)[0-9]+$') AS prefix,
       max(length(substring(${n} from '([0-9]+)$')))::int AS width, max(substring(${n} from '([0-9]+)$')::numeric)::text AS max_number, count(*)::int8 AS n
  FROM ${link.targetSql} t
 WHERE ${n} ~ '[0-9]+$'${scopeWhere('t', link, f, p)}
 GROUP BY 1, 2`;
  return { text, values: p.values };
}

/** Inserts new active masters (scope values, name, optional number) from a JSON array; returns their keys. */
export function insertMastersStatement(link: LinkShape & { number?: string | undefined }, scopeTypes: string[], rows: { scope: (string | null)[]; name: string; number: string | null }[]): Statement {
  const p = new Params();
  const cols = [...link.scope.map((c) => ident(c)), ident(link.targetName)];
  const sel = [...link.scope.map((_, i) => `x.s${i}::${scopeTypes[i] ?? 'text'}`), 'x.name'];
  if (link.number !== undefined) {
    cols.push(ident(link.number));
    sel.push('x.number');
  }
  if (link.active !== undefined) {
    const v = activeValueSql(link.active);
    if (v === null) throw new BackfillError('CONFIG_INVALID', `no value makes ${link.active.column} active (activeWhen notNull)`);
    cols.push(ident(link.active.column));
    sel.push(v);
  }
  const payload = rows.map((r, ord) => ({ ord, name: r.name, number: r.number, ...Object.fromEntries(r.scope.map((v, i) => [`s${i}`, v])) }));
  const recCols = ['ord int', 'name text', 'number text', ...link.scope.map((_, i) => `s${i} text`)].join(', ');
  const text = `INSERT INTO ${link.targetSql} (${cols.join(', ')})
SELECT ${sel.join(', ')} FROM jsonb_to_recordset(${p.add(JSON.stringify(payload))}::jsonb) AS x(${recCols}) ORDER BY x.ord
RETURNING ${ident(link.targetKey)}::text AS key, ARRAY[${link.scope.map((c) => `${ident(c)}::text`).join(', ')}]::text[] AS scope_key, ${ident(link.targetName)} AS name`;
  return { text, values: p.values };
}

/** Sets the active flag of masters (by key) within the scope: reactivation instead of a duplicate. */
export function reactivateMastersStatement(link: LinkShape & { targetKeyType: string }, keys: string[], f: ScopeFilter): Statement {
  const p = new Params();
  if (link.active === undefined) throw new BackfillError('CONFIG_INVALID', 'no active column configured: masters cannot be reactivated');
  const v = activeValueSql(link.active);
  if (v === null) throw new BackfillError('CONFIG_INVALID', `no value makes ${link.active.column} active (activeWhen notNull)`);
  const text = `UPDATE ${link.targetSql} t SET ${ident(link.active.column)} = ${v}
 WHERE t.${ident(link.targetKey)} = ANY(${p.add(keys)}::${link.targetKeyType}[])${scopeWhere('t', link, f, p)}
RETURNING t.${ident(link.targetKey)}::text AS key, ${scopeKeyExpr('t', link)} AS scope_key, t.${ident(link.targetName)} AS name`;
  return { text, values: p.values };
}

/** A link shape plus the types of its scope columns (for the typed per-run lookup table). */
export interface TypedLinkShape extends LinkShape {
  scopeTypes: string[];
}

/**
 * The statements that build a batched apply's lookup table `map` (schema-qualified, quoted): the linked
 * entries of one plan and link with typed columns (scope values in their column types, the target key
 * in the FK's type), hash-indexed on the name (no length limit, unlike a btree entry) and analyzed, so
 * every batch joins it like a small typed dimension table instead of re-reading plan_entries.
 */
export function applyMapStatements(link: TypedLinkShape, a: { planRunId: string; linkName: string; map: string }): Statement[] {
  const p = new Params();
  const scopeCols = link.scope.map((_, i) => `fkb_scope_${i + 1}`);
  const nameType = link.targetNameType ?? 'text';
  const cols = [...scopeCols.map((c, i) => `${c} ${link.scopeTypes[i]}`), `source_name ${link.nameType ?? 'text'} NOT NULL`, `target_key ${link.fkType} NOT NULL`, 'method text', 'score real', `target_name ${nameType}`];
  const fill = `INSERT INTO ${a.map} (${[...scopeCols, 'source_name', 'target_key', 'method', 'score', 'target_name'].join(', ')})
SELECT ${[...link.scope.map((_, i) => `e.scope_key[${i + 1}]::${link.scopeTypes[i]}`), entryName(link, 'e'), `e.target_key::${link.fkType}`, 'e.method', 'e.score', `e.target_name::${nameType}`].join(', ')}
  FROM ${OWN}.plan_entries e
 WHERE e.run_id = ${p.add(a.planRunId)}::int8 AND e.link = ${p.add(a.linkName)} AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL`;
  if (link.citus !== undefined) {
    // a reference table: on every node, so each shard joins it locally (a coordinator table would be shipped per batch)
    return [
      { text: `DROP TABLE IF EXISTS ${a.map}`, values: [] },
      { text: `CREATE TABLE ${a.map} (${cols.join(', ')})`, values: [] },
      { text: `SELECT create_reference_table($1)`, values: [a.map] },
      { text: fill, values: p.values },
      { text: `CREATE INDEX ON ${a.map} USING hash (source_name)`, values: [] },
    ];
  }
  return [
    { text: `DROP TABLE IF EXISTS ${a.map}`, values: [] },
    // UNLOGGED: rebuilt on every start and resume, so no WAL for it
    { text: `CREATE UNLOGGED TABLE ${a.map} (${cols.join(', ')})`, values: [] },
    { text: fill, values: p.values },
    // hash, not btree: a btree entry holds at most ~2.7 kB, names may be longer (issue #8)
    { text: `CREATE INDEX ON ${a.map} USING hash (source_name)`, values: [] },
    { text: `ANALYZE ${a.map}`, values: [] },
  ];
}

/**
 * One batch of a batched apply over its range (keys (after, upTo], or heap blocks [after, upTo) of a
 * ctid walk): ONE `UPDATE … FROM` the typed lookup table built by `applyMapStatements`, with the same
 * guards as `applyStatement` (FK still NULL, name unchanged, same scope, planned master still active,
 * of the row's scope and of the name the plan recorded) and the change log in the same statement.
 *
 * Shape: the subquery `x` is the bare join a DBA would write (the range of the source and the plan's
 * entries, hashed on typed columns) and reads each row's old touched value (updated_at) on the way: an
 * exact undo needs it, and PostgreSQL before 18 has no `RETURNING OLD`. The UPDATE then finds each row
 * of `x` by its ctid (a Tid Scan: one buffer lookup per row) instead of reading the range a second
 * time, comparing again what `x` read (see rowRecheck). The entries `v` are checked against the masters
 * before they meet the source (still there, active, of the entry's scope, not renamed: one more
 * comparison in that join, no other read). Each `OFFSET 0` keeps its
 * subquery planned on its own: flattened, the planner multiplied the selectivities of the self-join
 * and of the name and scope equalities into estimates of a row or two and then probed the lookup table
 * and the masters once per row (~1–3 µs each) instead of hashing them once per batch.
 *
 * The source range `r` is its own subquery too, so no plan can probe the source once per entry: the
 * masters join estimates `v` at (entries ÷ tenants) rows (the key and the tenant equalities multiplied),
 * 9 rows for 45 000 entries over 5 000 tenants, and with an index on the tenant column the planner then
 * looped over the entries and bitmap-scanned the tenant's rows within the range for each (7.6 s per
 * 5 000-row batch; issue #23's many small tenants). Fenced, the range can only be hashed or scanned once
 * (72 ms). Links without a touched column take the same shape (one statement shape for every link).
 */
export function applyBatchStatement(
  link: TypedLinkShape,
  a: { runId: string; linkName: string; tableName: string; map: string; range: KeyRange; walk?: Walk },
  f: ScopeFilter,
): Statement {
  if (link.citus !== undefined) return citusApplyBatchStatement(link, a, f);
  const p = new Params();
  const runId = p.add(a.runId);
  const linkName = p.add(a.linkName);
  const fk = ident(link.fk);
  const rangeWhere = walkRangeWhere(a.walk);
  const touchSet = link.touch === null ? '' : `, ${ident(link.touch.column)} = now()`;
  // fkb_same_master: read in the join that rechecks the master, tested by the UPDATE's own WHERE (not here: any
  // filter in v shrinks its estimate further)
  const entries = `(SELECT m.*, ${sameMasterName(link, 't', 'm', true)} AS fkb_same_master
                    FROM ${a.map} m
                    JOIN ${link.targetSql} t ON t.${ident(link.targetKey)} = m.target_key${activeWhere('t', link)}${entryScopeJoin('t', link, 'm')}
                  OFFSET 0) v`;
  // the range of the source, read on its own (see the comment above: never probed once per entry)
  const range = `(SELECT ${rowRead('o', link)}
                    FROM ${link.sourceSql} o
                   WHERE o.${fk} IS NULL${scopeWhere('o', link, f, p)}${rangeWhere('o', link, a.range, p)}
                  OFFSET 0) r`;
  const readJoin = `v.source_name = r.fkb_name${link.scope
    .map((_, i) => ` AND r.fkb_scope_${i + 1} = v.fkb_scope_${i + 1}${loose(link, i) ? ` AND r.fkb_scope_${i + 1}::text = v.fkb_scope_${i + 1}::text` : ''}`)
    .join('')}`;
  const update = `UPDATE ${link.sourceSql} s
     SET ${fk} = x.target_key${touchSet}
    FROM (SELECT r.*, v.target_key, v.method, v.score, v.fkb_same_master
            FROM ${range}
            JOIN ${entries} ON ${readJoin}
          OFFSET 0) x
   WHERE ${rowRecheck(link, 'x')} AND x.fkb_same_master${scopeWhere('s', link, f, p)}${rangeWhere('s', link, a.range, p)}
  RETURNING ${rowKeyText('s', link)} AS row_key, s.${fk}::text AS new_value, x.method, x.score, ${touchedOld(link, 'x')} AS touched_old`;
  const text = `WITH upd AS (
  ${update}
)
${changeSetInsert(link, p, { runId, linkName, tableName: a.tableName })}`;
  return { text, values: p.values };
}

/**
 * applyBatchStatement on a Citus distributed (or reference) source: the same guards and change log in
 * one statement, in the shape Citus pushes down to the shards. The lookup table is a reference table
 * (on every node) and the masters are co-located or a reference table, so the read `x` is one
 * co-located join per shard (no OFFSET fences: a fenced subquery would be pulled to the coordinator);
 * the UPDATE finds each row of `x` by its whole key, which carries the distribution column (no ctid:
 * shards share ctid values). RETURNING holds plain columns only (Citus allows no STABLE expression
 * there, and a timestamp's or date's text form is one); the text forms are made by the change log's
 * INSERT on the coordinator, in the same distributed transaction (two-phase commit across nodes).
 */
function citusApplyBatchStatement(link: LinkShape, a: { runId: string; linkName: string; tableName: string; map: string; range?: KeyRange | undefined; walk?: Walk | undefined } | { runId: string; linkName: string; tableName: string; planRunId: string; range?: KeyRange | undefined; walk?: Walk | undefined }, f: ScopeFilter): Statement {
  const p = new Params();
  const runId = p.add(a.runId);
  const linkName = p.add(a.linkName);
  const fk = ident(link.fk);
  const touchSet = link.touch === null ? '' : `, ${ident(link.touch.column)} = now()`;
  const read = rowRead('r', link, false);
  // the typed lookup table, or (single transaction, no lookup table) the plan's linked entries as they are stored
  const fromMap = 'map' in a;
  const m = fromMap
    ? `${a.map} m ON m.source_name = r.${ident(link.name)}${entryScopeJoin('r', link, 'm')}`
    : `(SELECT e.scope_key, ${entryName(link, 'e')} AS source_name, e.target_key::${link.fkType} AS target_key, e.method, e.score, e.target_name
               FROM ${OWN}.plan_entries e
              WHERE e.run_id = ${p.add(a.planRunId)}::int8 AND e.link = ${linkName} AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL) m
              ON m.source_name = r.${ident(link.name)} AND m.scope_key = ${scopeKeyExpr('r', link)}`;
  const read_ = `SELECT ${read}, m.target_key, m.method, m.score
            FROM ${link.sourceSql} r
            JOIN ${m}
            JOIN ${link.targetSql} t ON t.${ident(link.targetKey)} = m.target_key${scopeJoin('t', 'r', link)}${activeWhere('t', link)} AND ${sameMasterName(link, 't', 'm', fromMap)}
           WHERE r.${fk} IS NULL${scopeWhere('r', link, f, p)}${plainRangeWhere('r', link, a.range, p)}`;
  // a distributed source: one co-located join per shard; a local or reference one: the read first (Citus
  // refuses a local table joined to reference tables inside an UPDATE, not a read of them)
  const distributed = link.citus === 'distributed';
  const x = distributed ? `(${read_}) x` : 'x';
  const recheck = rowRecheck(link, 'x', false);
  const keys = idCols(link).map((c, i) => `s.${ident(c.col)} AS fkb_key${i === 0 ? '' : `_${i + 1}`}`).join(', ');
  const update = `UPDATE ${link.sourceSql} s
     SET ${fk} = x.target_key${touchSet}
    FROM ${x}
   WHERE ${recheck}${scopeWhere('s', link, f, p)}${plainRangeWhere('s', link, a.range, p)}
  RETURNING ${keys}, s.${fk} AS fkb_new, x.method, x.score${link.touch === null ? '' : ', x.fkb_touched'}`;
  const rowKey = rowKeyText('upd', { ...link, keys: idCols(link).map((_, i) => `fkb_key${i === 0 ? '' : `_${i + 1}`}`) });
  const touched = link.touch === null ? 'NULL::text[]' : 'array_agg(upd.fkb_touched::text)';
  const insert = `INSERT INTO ${OWN}.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT ${runId}::int8, ${linkName}::text, ${p.add(a.tableName)}::text, ${p.add(link.fk)}::text, ${p.add(link.touch?.column ?? null)}::text,
       array_agg(${rowKey}), array_agg(upd.fkb_new::text), array_agg(upd.method), array_agg(upd.score), ${touched}
  FROM upd
HAVING count(*) > 0`;
  return { text: `WITH ${distributed ? '' : `x AS (\n  ${read_}\n), `}upd AS (\n  ${update}\n)\n${withChangedCount(insert)}`, values: p.values };
}

/**
 * A key range as plain parameters. On Citus the InitPlan bounds of keyRangeWhere become distributed
 * subplans of their own, run before the batch and shipped to every shard (a batch took 2–4 times as
 * long); the shards' planners see the values, and the range is whole tenants of the distribution
 * column, which the statistics estimate well.
 */
function plainRangeWhere(alias: string, link: LinkShape, r: KeyRange | undefined, p: Params): string {
  if (r === undefined) return '';
  let out = '';
  if (r.after !== null) out += ` AND ${alias}.${ident(link.key)} > ${p.add(r.after)}::${link.keyType}`;
  if (r.upTo !== null) out += ` AND ${alias}.${ident(link.key)} <= ${p.add(r.upTo)}::${link.keyType}`;
  return out;
}

/**
 * The next batch of a walk of a Citus distributed source by its distribution column (`link.key`): the
 * next `tenants` values after `after` and their rows. GROUP BY the distribution column with ORDER BY
 * and LIMIT is pushed down whole (each shard reads its first tenants by the key's index), so a bound
 * costs a few index reads per shard, never a scan; no window function (Citus would pull every row).
 */
export function citusTenantBoundStatement(link: LinkShape, after: string | null, tenants: number, f: ScopeFilter): Statement {
  const p = new Params();
  const k = ident(link.key);
  const from = after === null ? '' : ` AND s.${k} > ${p.add(after)}::${link.keyType}`;
  // the last tenant by ORDER BY … DESC LIMIT 1, not max(): uuid has no max() before PostgreSQL 16
  const text = `WITH g AS (
  SELECT s.${k} AS k, count(*) AS n
    FROM ${link.sourceSql} s
   WHERE true${scopeWhere('s', link, f, p)}${from}
   GROUP BY s.${k}
   ORDER BY s.${k}
   LIMIT ${p.add(Math.max(1, Math.floor(tenants)))}
)
SELECT (SELECT g.k::text FROM g ORDER BY g.k DESC LIMIT 1) AS up_to, (SELECT sum(g.n) FROM g)::int8 AS n
 WHERE EXISTS (SELECT 1 FROM g)`;
  return { text, values: p.values };
}

/**
 * Why planned rows were not updated (issue #23), one set-based statement per link, run after the link
 * is walked and only when it updated fewer rows than planned. Reads the rows whose FK is still NULL, that
 * still match one of the plan's linked entries (name and scope compared as plan and apply compare them)
 * and that this run did not change, and counts them by the first reason that holds: planned master
 * deleted, moved to another scope, deactivated, renamed (its name is no longer the one the plan recorded);
 * the master is looked up by its whole key, the row's scope included (masters keyed by (tenant_id, id)
 * repeat ids across tenants), and "moved" means its key is found in another scope only. The rows left
 * still match everything and were passed
 * over by the UPDATE itself (a BEFORE UPDATE trigger returning NULL, or a row-level security policy:
 * `rls` and `before_update_triggers` say which the table has). Planned rows not found here changed since
 * the plan (name, scope or FK) or were deleted: the caller computes them as the remainder.
 */
export function skipReasonsStatement(link: LinkShape, a: { planRunId: string; runId: string; linkName: string }, f: ScopeFilter): Statement {
  const p = new Params();
  const linkName = p.add(a.linkName);
  const tk = `t.${ident(link.targetKey)}`;
  const scoped = link.scope.length > 0;
  const rel = p.add(link.sourceSql);
  const recorded = link.targetNameType === undefined || link.targetNameType === 'text' ? 'e.target_name' : `e.target_name::${link.targetNameType}`;
  const text = `WITH r AS (
  SELECT ${tk} IS NULL${scoped ? ' AND o.k IS NULL' : ''} AS master_gone,
         ${scoped ? `${tk} IS NULL AND o.k IS NOT NULL` : 'false'} AS master_moved,
         ${link.active === undefined ? 'false' : `${tk} IS NOT NULL AND NOT ${activeExpr('t', link.active)}`} AS master_inactive,
         ${tk} IS NOT NULL AND e.target_name IS NOT NULL AND t.${ident(link.targetName)} IS DISTINCT FROM ${recorded} AS master_renamed
    FROM ${link.sourceSql} s
    JOIN ${OWN}.plan_entries e
      ON e.run_id = ${p.add(a.planRunId)}::int8 AND e.link = ${linkName} AND e.outcome = 'linked'
     AND ${entryName(link, 'e')} = s.${ident(link.name)} AND e.scope_key = ${scopeKeyExpr('s', link)}
    LEFT JOIN ${link.targetSql} t ON ${tk} = e.target_key::${link.fkType}${scopeJoin('t', 's', link)}${scoped ? `
    LEFT JOIN (SELECT DISTINCT t.${ident(link.targetKey)} AS k FROM ${link.targetSql} t) o ON o.k = e.target_key::${link.fkType}` : ''}
   WHERE s.${ident(link.fk)} IS NULL${scopeWhere('s', link, f, p)}
     AND ${rowKeyText('s', link)} NOT IN (SELECT unnest(cs.row_keys) FROM ${OWN}.change_sets cs WHERE cs.run_id = ${p.add(a.runId)}::int8 AND cs.link = ${linkName})
)
SELECT count(*) FILTER (WHERE master_gone)::int8 AS master_deleted,
       count(*) FILTER (WHERE NOT master_gone AND master_moved)::int8 AS master_moved,
       count(*) FILTER (WHERE NOT master_gone AND NOT master_moved AND master_inactive)::int8 AS master_inactive,
       count(*) FILTER (WHERE NOT master_gone AND NOT master_moved AND NOT master_inactive AND master_renamed)::int8 AS master_renamed,
       count(*) FILTER (WHERE NOT master_gone AND NOT master_moved AND NOT master_inactive AND NOT master_renamed)::int8 AS passed_over,
       row_security_active(${rel}::regclass) AS rls,
       EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = ${rel}::regclass AND NOT g.tgisinternal AND g.tgenabled <> 'D'
                  AND g.tgtype & 1 = 1 AND g.tgtype & 2 = 2 AND g.tgtype & 16 = 16) AS before_update_triggers
  FROM r`;
  return { text, values: p.values };
}
