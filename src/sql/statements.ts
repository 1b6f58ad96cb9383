/**
 * Pure statement builders: each returns `{ text, values }` and touches no database, so the exact SQL
 * is unit-tested and the same statement runs on both adapters. Identifiers come from a resolved link
 * and are quoted with `ident`; values are always parameters.
 */
import { ident } from './quote.js';

export interface Statement {
  text: string;
  values: unknown[];
}

/** The columns of a link a statement needs (a subset of ResolvedLink, so this layer stays pure). */
export interface LinkShape {
  sourceSql: string;
  targetSql: string;
  key: string;
  fk: string;
  name: string;
  document?: string | undefined;
  amount?: string | undefined;
  targetKey: string;
  targetName: string;
  active?: string | undefined;
  scope: string[];
  fkType: string;
  keyType: string;
  touch: { column: string; type: string } | null;
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

/** Same-scope join condition between two aliases. */
export function scopeJoin(a: string, b: string, link: LinkShape): string {
  return link.scope.map((c) => ` AND ${a}.${ident(c)} = ${b}.${ident(c)}`).join('');
}

function activeWhere(alias: string, link: LinkShape): string {
  return link.active === undefined ? '' : ` AND ${alias}.${ident(link.active)} IS TRUE`;
}

/** Seed's population table for one link. */
export function statusStatement(link: LinkShape, f: ScopeFilter): Statement {
  const p = new Params();
  const text = `SELECT count(*)::int8 AS total, count(*) FILTER (WHERE s.${ident(link.fk)} IS NULL)::int8 AS null_fks
  FROM ${link.sourceSql} s WHERE true${scopeWhere('s', link, f, p)}`;
  return { text, values: p.values };
}

/**
 * Distinct (scope, name) among rows whose FK is NULL, with row counts and the active masters whose
 * name is exactly equal in the same scope (seed semantics, set-based: one hash join, no per-row query).
 */
export function exactCandidatesStatement(link: LinkShape, f: ScopeFilter, maxCandidates = 10): Statement {
  const p = new Params();
  const groupCols = [...link.scope.map((c) => `s.${ident(c)}`), `s.${ident(link.name)}`].join(', ');
  const text = `WITH names AS (
  SELECT ${[...link.scope.map((c) => `s.${ident(c)}`), `s.${ident(link.name)} AS source_name`].join(', ')}, count(*)::int8 AS row_count
    FROM ${link.sourceSql} s
   WHERE s.${ident(link.fk)} IS NULL${scopeWhere('s', link, f, p)}
   GROUP BY ${groupCols}
)
SELECT ${scopeKeyExpr('n', link)} AS scope_key, n.source_name, n.row_count,
       (array_agg(t.${ident(link.targetKey)}::text ORDER BY t.${ident(link.targetKey)}::text) FILTER (WHERE t.${ident(link.targetKey)} IS NOT NULL))[1:${p.add(maxCandidates)}::int] AS keys,
       count(t.${ident(link.targetKey)})::int8 AS candidate_count
  FROM names n
  LEFT JOIN ${link.targetSql} t
    ON t.${ident(link.targetName)} = n.source_name${scopeJoin('t', 'n', link)}${activeWhere('t', link)}
 GROUP BY ${[...link.scope.map((c) => `n.${ident(c)}`), 'n.source_name', 'n.row_count'].join(', ')}
 ORDER BY 1, 2`;
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

/** Rows whose FK is NULL and whose name the plan did not link (the seed's unmatchedRecords). */
export function unlinkedRecordsStatement(link: LinkShape, planRunId: string, linkName: string, f: ScopeFilter, limit: number): Statement {
  const p = new Params();
  const doc = link.document === undefined ? `s.${ident(link.key)}::text` : `s.${ident(link.document)}::text`;
  const text = `SELECT ${doc} AS document_number, s.${ident(link.name)} AS entity_name, ${scopeKeyExpr('s', link)} AS scope_key,
       coalesce(e.outcome, 'unmatched') AS outcome, e.reason, e.candidates
  FROM ${link.sourceSql} s
  LEFT JOIN ${OWN}.plan_entries e
    ON e.run_id = ${p.add(planRunId)} AND e.link = ${p.add(linkName)}
   AND e.source_name = s.${ident(link.name)} AND e.scope_key = ${scopeKeyExpr('s', link)}
 WHERE s.${ident(link.fk)} IS NULL${scopeWhere('s', link, f, p)}
   AND e.outcome IS DISTINCT FROM 'linked'
 ORDER BY 1, 2
 LIMIT ${p.add(limit)}`;
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
 * of block numbers. Bounds are InitPlans for the same reason as keyRangeWhere's, and they are
 * pseudo-constants, so the scan is a TID Range Scan.
 */
function blockRangeWhere(alias: string, _link: LinkShape, r: KeyRange | undefined, p: Params): string {
  if (r === undefined) return '';
  const block = (v: string): string => `(SELECT format('(%s,0)', ${p.add(v)}::int8)::tid)`;
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
 * Applies a plan to one link (optionally one key range), writing the change log in the same statement.
 * Guards: the FK is still NULL and the name still equals the planned name (a row edited since planning
 * is skipped), and the scope of the row equals the scope of the plan entry.
 */
export function applyStatement(
  link: LinkShape,
  a: { planRunId: string; runId: string; linkName: string; tableName: string; range?: KeyRange; walk?: Walk },
  f: ScopeFilter,
): Statement {
  const p = new Params();
  const runId = p.add(a.runId);
  const linkName = p.add(a.linkName);
  const planRunId = p.add(a.planRunId);
  const rangeWhere = walkRangeWhere(a.walk);
  const k = ident(link.key);
  const fk = ident(link.fk);
  const nm = ident(link.name);
  const touchSet = link.touch === null ? '' : `, ${ident(link.touch.column)} = now()`;
  const touchOld = link.touch === null ? 'NULL::text' : `s.${ident(link.touch.column)}::text`;
  const srcScope = scopeWhere('s', link, f, p);
  const text = `WITH todo AS (
  SELECT s.ctid AS tid, s.${k} AS k, e.source_name, e.target_key, e.method, e.score, ${touchOld} AS touched_old
    FROM ${link.sourceSql} s
    JOIN ${OWN}.plan_entries e
      ON e.run_id = ${planRunId} AND e.link = ${linkName} AND e.outcome = 'linked'
     AND e.source_name = s.${nm} AND e.scope_key = ${scopeKeyExpr('s', link)}
    -- the planned master must still exist, be active and be of the row's scope (issue #8: drift since the plan)
    JOIN ${link.targetSql} t ON t.${ident(link.targetKey)} = e.target_key::${link.fkType}${scopeJoin('t', 's', link)}${activeWhere('t', link)}
   WHERE s.${fk} IS NULL${srcScope}${rangeWhere('s', link, a.range, p)}
), upd AS (
  UPDATE ${link.sourceSql} s
     SET ${fk} = todo.target_key::${link.fkType}${touchSet}
    FROM todo
   WHERE ${selfJoin(link)}${srcScope}
  RETURNING s.${k}::text AS row_key, s.${fk}::text AS new_value, todo.method, todo.score, todo.touched_old
)
${changeSetInsert(link, p, { runId, linkName, tableName: a.tableName })}`;
  return { text, values: p.values };
}

/**
 * The UPDATE's join back to the row the \`todo\` CTE read (needed to log its old touched value: no
 * RETURNING OLD before PG 18): by ctid, a Tid Scan instead of a second primary-key descent per row. The
 * key, FK-still-NULL and name guards are rechecked on the row version the UPDATE locks (EvalPlanQual),
 * so a row updated concurrently is either still eligible or skipped.
 */
function selfJoin(link: LinkShape): string {
  return `s.ctid = todo.tid AND s.${ident(link.key)} = todo.k AND s.${ident(link.fk)} IS NULL AND s.${ident(link.name)} = todo.source_name`;
}

/**
 * The change log of one apply statement, written by the same statement: ONE change set row for the
 * whole statement (arrays of row keys, new values, methods, scores, old touched values), not one row
 * per changed row. Nothing changed: no row. Returns \`changed\`, the number of rows changed.
 */
function changeSetInsert(link: LinkShape, p: Params, a: { runId: string; linkName: string; tableName: string }): string {
  const touched = link.touch === null ? 'NULL::text[]' : 'array_agg(upd.touched_old)';
  return `INSERT INTO ${OWN}.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT ${a.runId}::int8, ${a.linkName}::text, ${p.add(a.tableName)}::text, ${p.add(link.fk)}::text, ${p.add(link.touch?.column ?? null)}::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), ${touched}
  FROM upd
HAVING count(*) > 0
RETURNING cardinality(row_keys)::int8 AS changed`;
}

/** Rows changed by an apply / undo statement: its \`changed\` column (change set statements), else its row count. */
export function changedCount(res: { rowCount: number; rows: unknown[] }): number {
  const r = res.rows[0] as { changed?: unknown } | undefined;
  return r?.changed === undefined ? res.rowCount : Number(r.changed);
}

/**
 * Reverts what run `targetRunId` wrote into one link: only rows that still hold the value it wrote;
 * restores the touched column (updated_at) too. Logs the reversal under `runId`.
 */
export function undoStatement(
  link: LinkShape,
  a: {
    targetRunId: string;
    runId: string;
    linkName: string;
    idRange?: { after: string | null; upTo: string };
    /** A range of the change log's row_key (text order). */
    keyRange?: { after: string | null; upTo: string };
    /** A range of change log positions 'SET:ORD' (see undoBoundStatement): the batches of a batched undo. */
    setRange?: { after: string | null; upTo: string };
  },
  f: ScopeFilter,
): Statement {
  const p = new Params();
  const runId = p.add(a.runId);
  const target = p.add(a.targetRunId);
  const linkName = p.add(a.linkName);
  const k = ident(link.key);
  const fk = ident(link.fk);
  const idRange =
    a.idRange === undefined
      ? ''
      : `${a.idRange.after === null ? '' : ` AND c.id > ${p.add(a.idRange.after)}::int8`} AND c.id <= ${p.add(a.idRange.upTo)}::int8`;
  const keyRange =
    a.keyRange === undefined
      ? ''
      : `${a.keyRange.after === null ? '' : ` AND c.row_key > ${p.add(a.keyRange.after)}::text`} AND c.row_key <= ${p.add(a.keyRange.upTo)}::text`;
  const setRange = a.setRange === undefined ? '' : positionRange('c', a.setRange, p);
  const touchSet = link.touch === null ? '' : `, ${ident(link.touch.column)} = CASE WHEN c.touched_column IS NULL THEN s.${ident(link.touch.column)} ELSE c.touched_old::${link.touch.type} END`;
  const text = `WITH c AS (
  SELECT c.id, c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old
    FROM ${OWN}.changes c
   WHERE c.run_id = ${target}::int8 AND c.link = ${linkName}${idRange}${keyRange}${setRange}
), upd AS (
  UPDATE ${link.sourceSql} s
     SET ${fk} = c.old_value::${link.fkType}${touchSet}
    FROM c
   WHERE s.${k} = c.row_key::${link.keyType} AND s.${fk} = c.new_value::${link.fkType}${scopeWhere('s', link, f, p)}
  RETURNING s.${k}::text AS row_key, c.new_value, c.old_value, c.table_name, c.column_name
)
INSERT INTO ${OWN}.change_sets (run_id, link, table_name, column_name, method, row_keys, old_values, new_values)
SELECT ${runId}::int8, ${linkName}::text, min(upd.table_name), min(upd.column_name), 'undo', array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.old_value)
  FROM upd
HAVING count(*) > 0
RETURNING cardinality(row_keys)::int8 AS changed`;
  return { text, values: p.values };
}

/** A change log position 'SET:ORD' (set id, 1-based position in the set). */
function position(pos: string): [string, string] {
  const m = /^(\d+):(\d+)$/.exec(pos);
  if (m === null) throw new Error(`not a change log position: ${pos}`);
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

/** NULL FKs, FK values pointing nowhere, FK values pointing to a master of another scope. */
export function integrityStatement(link: LinkShape, f: ScopeFilter): Statement {
  const p = new Params();
  const fk = ident(link.fk);
  const tk = ident(link.targetKey);
  const cross =
    link.scope.length === 0
      ? '0::int8'
      : `count(*) FILTER (WHERE s.${fk} IS NOT NULL AND t.${tk} IS NOT NULL AND (${link.scope
          .map((c) => `t.${ident(c)} IS DISTINCT FROM s.${ident(c)}`)
          .join(' OR ')}))::int8`;
  const text = `SELECT count(*)::int8 AS total,
       count(*) FILTER (WHERE s.${fk} IS NULL)::int8 AS null_fks,
       count(*) FILTER (WHERE s.${fk} IS NOT NULL AND t.${tk} IS NULL)::int8 AS orphans,
       ${cross} AS cross_scope
  FROM ${link.sourceSql} s
  LEFT JOIN ${link.targetSql} t ON t.${tk} = s.${fk}
 WHERE true${scopeWhere('s', link, f, p)}`;
  return { text, values: p.values };
}

/** Filters of the review queue, pushed into SQL (issue #6). */
export interface ReviewFilterSql {
  bands: string[];
  minScore: number | null;
  maxScore: number | null;
  /** Case-insensitive substring of the name (LIKE wildcards are escaped here). */
  search: string | null;
}

/**
 * The review queue of one link: the plan's non-linked names that still have NULL-FK rows, with the
 * live row count, amount (when configured), a few document numbers, and the person's current decision.
 */
export function reviewQueueStatement(link: LinkShape, a: { planRunId: string; linkName: string; samples: number; limit: number }, filter: ReviewFilterSql, f: ScopeFilter): Statement {
  const p = new Params();
  const run = p.add(a.planRunId);
  const ln = p.add(a.linkName);
  let where = '';
  if (filter.bands.length > 0) where += ` AND e.outcome = ANY(${p.add(filter.bands)}::text[])`;
  if (filter.minScore !== null) where += ` AND e.score >= ${p.add(filter.minScore)}::real`;
  if (filter.maxScore !== null) where += ` AND e.score <= ${p.add(filter.maxScore)}::real`;
  if (filter.search !== null && filter.search !== '') where += ` AND e.source_name ILIKE ${p.add('%' + filter.search.replace(/[\\%_]/g, (c) => '\\' + c) + '%')}`;
  const tenantE = f.tenant !== null && link.scope.length > 0 ? ` AND e.scope_key[1] = ${p.add(f.tenant)}` : '';
  const tenantD = f.tenant !== null && link.scope.length > 0 ? ` AND d.scope_key[1] = ${p.add(f.tenant)}` : '';
  const doc = link.document === undefined ? `s.${ident(link.key)}::text` : `s.${ident(link.document)}::text`;
  const amount = link.amount === undefined ? 'NULL::numeric' : `sum(s.${ident(link.amount)})::numeric`;
  const text = `WITH e AS (
  SELECT e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates
    FROM ${OWN}.plan_entries e
   WHERE e.run_id = ${run}::int8 AND e.link = ${ln} AND e.outcome <> 'linked' AND e.source_name IS NOT NULL${where}${tenantE}
), r AS (
  SELECT ${scopeKeyExpr('s', link)} AS scope_key, s.${ident(link.name)} AS source_name, count(*)::int8 AS row_count,
         ${amount} AS amount, (array_agg(${doc} ORDER BY ${doc}))[1:${p.add(a.samples)}::int] AS documents
    FROM ${link.sourceSql} s
   WHERE s.${ident(link.fk)} IS NULL${scopeWhere('s', link, f, p)}
     AND (${scopeKeyExpr('s', link)}, s.${ident(link.name)}) IN (SELECT e.scope_key, e.source_name FROM e)
   GROUP BY 1, 2
), d AS (
  SELECT DISTINCT ON (d.scope_key, d.source_name) d.scope_key, d.source_name, d.id, d.action, d.target_key, d.decided_by, d.decided_at
    FROM ${OWN}.decisions d
   WHERE d.link = ${ln} AND d.revoked_at IS NULL${tenantD}
   ORDER BY d.scope_key, d.source_name, d.decided_at DESC, d.id DESC
)
SELECT e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates, r.row_count, r.amount::text AS amount, r.documents,
       d.id::text AS decision_id, d.action AS decision_action, d.target_key AS decision_target, d.decided_by, d.decided_at::text AS decided_at
  FROM e
  JOIN r ON r.scope_key = e.scope_key AND r.source_name = e.source_name
  LEFT JOIN d ON d.scope_key = e.scope_key AND d.source_name = e.source_name
 ORDER BY r.amount DESC NULLS LAST, r.row_count DESC, e.source_name, e.scope_key
 LIMIT ${p.add(a.limit)}`;
  return { text, values: p.values };
}

/** Masters by key (any activity), with their scope, name, number and active flag (review pages, decisions). */
export function mastersByKeyStatement(link: LinkShape & { targetKeyType: string; number?: string | undefined }, keys: string[]): Statement {
  const p = new Params();
  const number = link.number === undefined ? 'NULL::text' : `t.${ident(link.number)}::text`;
  const active = link.active === undefined ? 'true' : `coalesce(t.${ident(link.active)}, false)`;
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
         WHERE c.run_id = ${p.add(a.targetRunId)}::int8 AND c.link = ${p.add(a.linkName)}${after === null ? '' : positionAfter('c', after, p)}
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
 WHERE t.${ident(link.active)} IS NOT TRUE AND t.${ident(link.targetName)} IS NOT NULL${scopeWhere('t', link, f, p)}`;
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
    cols.push(ident(link.active));
    sel.push('true');
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
  if (link.active === undefined) throw new Error('no active column configured');
  const text = `UPDATE ${link.targetSql} t SET ${ident(link.active)} = true
 WHERE t.${ident(link.targetKey)} = ANY(${p.add(keys)}::${link.targetKeyType}[])${scopeWhere('t', link, f, p)}
RETURNING t.${ident(link.targetKey)}::text AS key, ${scopeKeyExpr('t', link)} AS scope_key, t.${ident(link.targetName)} AS name`;
  return { text, values: p.values };
}

/** A link shape plus the types of its scope columns (for the typed per-run lookup table). */
export interface TypedLinkShape extends LinkShape {
  scopeTypes: string[];
  /** Type of the source's name column, as format_type() spells it. */
  nameType: string;
}

/**
 * A batch finds its plan entry by ONE equality on `ARRAY[scope…, name]::text[]` (the plan's own key,
 * text as in plan_entries) instead of one per column: the planner multiplies per-column selectivities
 * as if tenant and name were independent and then expects ~1 % of the rows, which made it probe the
 * masters' index once per row instead of hashing them once per batch. A citext name compares
 * case-insensitively, which its text form does not: such links join column by column.
 */
function joinsByKeyArray(link: TypedLinkShape): boolean {
  return !/^citext\b/.test(link.nameType.replace(/^.*\./, ''));
}

/**
 * The statements that build a batched apply's lookup table `map` (schema-qualified, quoted): the linked
 * entries of one plan and link with typed columns (scope values in their column types, the target key
 * in the FK's type, and `jk` = scope_key || name, the one join key of `joinsByKeyArray`), hash-indexed
 * (no length limit, unlike a btree entry) and analyzed, so every batch joins it like a small typed
 * dimension table instead of re-reading plan_entries.
 */
export function applyMapStatements(link: TypedLinkShape, a: { planRunId: string; linkName: string; map: string }): Statement[] {
  const p = new Params();
  const scopeCols = link.scope.map((_, i) => `fkb_scope_${i + 1}`);
  const cols = [...scopeCols.map((c, i) => `${c} ${link.scopeTypes[i]}`), 'source_name text NOT NULL', 'jk text[] NOT NULL', `target_key ${link.fkType} NOT NULL`, 'method text', 'score real'];
  const fill = `INSERT INTO ${a.map} (${[...scopeCols, 'source_name', 'jk', 'target_key', 'method', 'score'].join(', ')})
SELECT ${[...link.scope.map((_, i) => `e.scope_key[${i + 1}]::${link.scopeTypes[i]}`), 'e.source_name', 'e.scope_key || e.source_name', `e.target_key::${link.fkType}`, 'e.method', 'e.score'].join(', ')}
  FROM ${OWN}.plan_entries e
 WHERE e.run_id = ${p.add(a.planRunId)}::int8 AND e.link = ${p.add(a.linkName)} AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL`;
  return [
    { text: `DROP TABLE IF EXISTS ${a.map}`, values: [] },
    // UNLOGGED: rebuilt on every start and resume, so no WAL for it
    { text: `CREATE UNLOGGED TABLE ${a.map} (${cols.join(', ')})`, values: [] },
    { text: fill, values: p.values },
    // hash, not btree: a btree entry holds at most ~2.7 kB, names may be longer (issue #8)
    { text: `CREATE INDEX ON ${a.map} USING hash (${joinsByKeyArray(link) ? 'jk' : 'source_name'})`, values: [] },
    { text: `ANALYZE ${a.map}`, values: [] },
  ];
}

/**
 * One batch of a batched apply over its range (keys (after, upTo], or heap blocks [after, upTo) of a
 * ctid walk): ONE `UPDATE … FROM` the typed lookup table built by `applyMapStatements`, shaped like the
 * bare UPDATE a DBA would write, with the same guards as `applyStatement` (FK still NULL, name
 * unchanged, same scope, planned master still active and of the row's scope) and the change log in the
 * same statement.
 *
 * The old value of the touched column (updated_at) is needed for an exact undo, and PostgreSQL before
 * 18 has no `RETURNING OLD`: the FROM list reads the range once more and joins it by ctid and key
 * (see batchSettings in batch.ts for the Tid Scan setting of each walk). A row updated concurrently is
 * rechecked by the UPDATE on its newest version (EvalPlanQual), whose ctid no longer equals the one
 * read: it is skipped, not logged with a stale old value.
 */
export function applyBatchStatement(
  link: TypedLinkShape,
  a: { runId: string; linkName: string; tableName: string; map: string; range: KeyRange; walk?: Walk },
  f: ScopeFilter,
): Statement {
  const p = new Params();
  const runId = p.add(a.runId);
  const linkName = p.add(a.linkName);
  const k = ident(link.key);
  const fk = ident(link.fk);
  const srcScope = scopeWhere('s', link, f, p);
  const rangeWhere = walkRangeWhere(a.walk);
  const range = rangeWhere('s', link, a.range, p);
  const mapJoin = joinsByKeyArray(link)
    ? `m.jk = (${scopeKeyExpr('s', link)} || s.${ident(link.name)}::text)`
    : `m.source_name = s.${ident(link.name)}${link.scope.map((c, i) => ` AND m.fkb_scope_${i + 1} = s.${ident(c)}`).join('')}`;
  let touchSet = '';
  let oldRow = '';
  let oldJoin = '';
  let touchedOld = 'NULL::text';
  if (link.touch !== null) {
    const tc = ident(link.touch.column);
    touchSet = `, ${tc} = now()`;
    // the same filters as the target (scope, range, FK NULL), so this is a range scan too whatever plan is chosen
    // joined by key as well as ctid: should the planner ever nest loops here, the inner side is then one
    // primary-key probe per row, never a rescan of the whole range
    oldRow = `,
         (SELECT o.ctid AS tid, o.${k} AS k, o.${tc}::text AS touched_old
            FROM ${link.sourceSql} o
           WHERE o.${fk} IS NULL${scopeWhere('o', link, f, p)}${rangeWhere('o', link, a.range, p)}) o`;
    oldJoin = `o.tid = s.ctid AND o.k = s.${k} AND `;
    touchedOld = 'o.touched_old';
  }
  const text = `WITH upd AS (
  UPDATE ${link.sourceSql} s
     SET ${fk} = m.target_key${touchSet}
    FROM ${a.map} m
    JOIN ${link.targetSql} t ON t.${ident(link.targetKey)} = m.target_key${activeWhere('t', link)}${oldRow}
   WHERE ${oldJoin}${mapJoin}${scopeJoin('t', 's', link)}
     AND s.${fk} IS NULL${srcScope}${range}
  RETURNING s.${k}::text AS row_key, s.${fk}::text AS new_value, m.method, m.score, ${touchedOld} AS touched_old
)
${changeSetInsert(link, p, { runId, linkName, tableName: a.tableName })}`;
  return { text, values: p.values };
}
