/**
 * How batched apply walks a source: key ranges, heap-block (ctid) ranges, whole tenants on Citus, and
 * the bound statements that find where the next batch ends.
 */
import { parse as parseArray } from 'postgres-array';
import { ident } from './quote.js';
import { idCols, type LinkShape, OWN, Params, rowKeyText, type ScopeFilter, scopeWhere, type Statement } from './link.js';

export interface KeyRange {
  /** Exclusive lower bound (null: from the start). */
  after: string | null;
  /** Inclusive upper bound (null: to the end). */
  upTo: string | null;
  /**
   * These rows of the range, by their key as the change log writes it (rowKeyText): a batch the table
   * refused a row of, split down to the rows it refuses (src/batch/refused.ts). Absent: every row. A
   * composite key narrows each column to its values (see rowsWhere): exact for one row.
   */
  rows?: readonly string[];
  /**
   * Rows of the range left out, by their key as rowKeyText writes it: the rows the table already refused in this run
   * (fk_backfill.refused_rows), which apply's final sweep does not try again (they would be refused again, and enough
   * of them failed the sweep, and every resume of it, with ROWS_REFUSED).
   */
  skip?: readonly string[];
  /**
   * A Citus walk by the distribution column: its values in the range, each once (text). The batch's statements name
   * them as a constant, so Citus reaches only their shards: a range of a hash-distributed column prunes none (every
   * batch ran on all 32 shards). Absent: the range alone.
   */
  values?: readonly string[];
  /**
   * A Citus tenant walk inside one tenant that holds more rows than a batch: only tenant `upTo`, and of it the rows
   * whose key's other columns lie after `from` and up to `to` (row keys as rowKeyText writes them; null: open).
   */
  part?: { from: string | null; to: string | null };
}

/**
 * Upper bound of a walk's next batch: its last key (or block) as text and the rows it holds; no row: the walk is done.
 * `vals`: the distribution column's values in the batch (a Citus tenant walk: KeyRange.values). `part`: the batch is
 * a part of tenant `up_to` ending at this row key (citusTenantPartBoundStatement); null: it ends that tenant.
 */
export interface BoundRow {
  up_to: string;
  n: unknown;
  vals?: string[] | null;
  part?: string | null;
}

/** The unbounded range: a whole link in one statement (a single-transaction run's link, apply's final sweep). */
export const WHOLE_LINK: KeyRange = { after: null, upTo: null };

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
  if (r.rows !== undefined) return rowsWhere(alias, link, r, p); // bounds beside named rows: see namedRowsOnly
  let out = rowsWhere(alias, link, r, p);
  if (r.after !== null) out += ` AND ${alias}.${ident(link.key)} > (SELECT ${p.add(r.after)}::${link.keyType})`;
  if (r.upTo !== null) out += ` AND ${alias}.${ident(link.key)} <= (SELECT ${p.add(r.upTo)}::${link.keyType})`;
  return out;
}

/**
 * A range narrowed to some of its rows (KeyRange.rows, keys as rowKeyText writes them), by their typed
 * values (an index lookup). A composite key: the rows' key tuples, exactly, as one array per column zipped
 * by unnest (a hash semi-join or an index probe per tuple). Before, each column was matched among its own
 * values, which also took in rows combining one row's value with another's, and on a partitioned table of
 * 50,000 rows each statement of a refused batch's split took 1–2 s (a split of thousands ran for 13 minutes).
 * On Citus each column is still matched among its values (what Citus prunes shards by: one row is a router
 * query on one shard; the exact subquery was a distributed subplan, 75 ms a statement against 3).
 */
/**
 * namedRowsOnly: a range narrowed to named rows (a refused batch's split) is those rows alone, without the bounds they
 * were read within in the same transaction. Both were estimated as their product (225 rows × a 500-key range of
 * 60,000 = ONE row), and the planner nested loops joining the plan's entries to the masters once per row: 0.7 s a
 * statement of 225 rows; an apply beside a trigger refusing 342 of 38,000 rows took 191 s, now 28 s (trial13).
 */
function rowsWhere(alias: string, link: LinkShape, r: KeyRange, p: Params): string {
  return `${onlyRows(alias, link, r, p)}${skipRows(alias, link, r.skip ?? [], p)}`;
}

/**
 * KeyRange.skip: those rows left out, by their key as the change log writes it (a filter on the rows read, no index
 * needed; one form for one key or several, on Citus too, where a subquery of tuples would be planned apart).
 */
function skipRows(alias: string, link: LinkShape, skip: readonly string[], p: Params): string {
  return skip.length === 0 ? '' : ` AND NOT (${rowKeyText(alias, link)} = ANY(${p.add(skip)}::text[]))`;
}

function onlyRows(alias: string, link: LinkShape, r: KeyRange, p: Params): string {
  const rows = r.rows;
  if (rows === undefined) return '';
  const cols = idCols(link);
  if (cols.length === 1) return ` AND ${alias}.${ident(cols[0]!.col)} = ANY(${p.add(rows)}::${cols[0]!.type}[])`;
  const parts = rows.map((k) => parseArray(k));
  if (link.citus === undefined) {
    const tuple = cols.map((c) => `${alias}.${ident(c.col)}`).join(', ');
    const arrays = cols.map((c, i) => `${p.add(parts.map((x) => x[i] ?? null))}::${c.type}[]`).join(', ');
    return ` AND (${tuple}) IN (SELECT * FROM unnest(${arrays}))`;
  }
  const values = cols.map((_, i) => [...new Set(parts.map((x) => x[i] ?? null))]);
  return cols.map((c, i) => ` AND ${alias}.${ident(c.col)} = ANY(${p.add(values[i])}::${c.type}[])`).join('');
}

/** A parallel apply's slice ends at `hi` (inclusive; null: at the end of the walk): its bounds stop there. */
function upToWhere(col: string, link: LinkShape, hi: string | null, p: Params): string {
  return hi === null ? '' : ` AND ${col} <= ${p.add(hi)}::${link.keyType}`;
}

/**
 * Where a parallel apply cuts one link's walk into `slices` slices of about equal work: the last key of
 * each but the last slice, in walk order (so slice i is (cut[i-1], cut[i]], the last one open-ended).
 * `ladder`: the rungs of a key walk's ladder (every `step`-th key of the source in the scope). `plan`: the
 * tenants (first scope value, in the walk key's type) of the plan's linked entries, weighed by their rows:
 * a Citus source walked by its distribution column, whole tenants per slice.
 */
export function sliceCutsStatement(
  link: LinkShape,
  slices: number,
  from: { ladder: string } | { planRunId: string; linkName: string },
): Statement<{ cut: string }> {
  const p = new Params();
  const n = p.add(Math.max(1, Math.floor(slices)));
  const items =
    'ladder' in from
      ? `SELECT l.k, 1::float8 AS w FROM ${from.ladder} l`
      : `SELECT e.scope_key[1]::${link.keyType}${collate(link)} AS k, sum(e.row_count)::float8 AS w
           FROM fk_backfill.plan_entries e
          WHERE e.run_id = ${p.add(from.planRunId)}::int8 AND e.link = ${p.add(from.linkName)} AND e.outcome = 'linked' AND e.scope_key[1] IS NOT NULL
          GROUP BY 1`;
  // each item goes to the slice its running share of the weight falls in; a slice's cut is its last item
  const text = `SELECT DISTINCT ON (x.part) x.k::text AS cut
  FROM (SELECT i.k, least(${n}::int - 1, floor((sum(i.w) OVER (ORDER BY i.k) - i.w) * ${n}::int / nullif(sum(i.w) OVER (), 0))::int) AS part
          FROM (${items}) i) x
 WHERE x.part < ${n}::int - 1
 ORDER BY x.part, x.k DESC`;
  return { text, values: p.values };
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
function blockRangeWhere(alias: string, link: LinkShape, r: KeyRange | undefined, p: Params): string {
  if (r === undefined) return '';
  if (r.rows !== undefined) return rowsWhere(alias, link, r, p); // bounds beside named rows: see namedRowsOnly
  const block = (v: string): string => `format('(%s,0)', ${p.add(v)}::int8)::tid`;
  return `${rowsWhere(alias, link, r, p)}${r.after === null ? '' : ` AND ${alias}.ctid >= ${block(r.after)}`}${r.upTo === null ? '' : ` AND ${alias}.ctid < ${block(r.upTo)}`}`;
}

/** The range predicate of a walk's batch (keys or heap blocks). */
export function walkRangeWhere(walk: Walk | undefined): typeof keyRangeWhere {
  return walk === 'ctid' ? blockRangeWhere : keyRangeWhere;
}

/**
 * The bound of apply's final sweep (one batch over the whole link, see apply.ts): one row, `up_to`
 * 'all', while the sweep has not run (`after` is null); `n` is the rows it may change at most.
 */
export function sweepBoundStatement(after: string | null, rows: number): Statement<BoundRow> {
  const p = new Params();
  const text = `SELECT 'all'::text AS up_to, ${p.add(rows)}::int8 AS n WHERE ${p.add(after)}::text IS NULL`;
  return { text, values: p.values };
}

/**
 * Upper bound of the next batch of a ctid walk: `pages` heap blocks after block `after`, at most up to
 * `end` (the walk's last block + 1); `n` estimates the rows in it from the table's tuple density. No
 * row when the walk is done. A statement (not arithmetic in the caller) so both walks share the batch engine.
 */
export function blockBoundStatement(after: string | null, pages: number, end: number, density: number): Statement<BoundRow> {
  const p = new Params();
  const from = p.add(after ?? '0');
  const text = `SELECT x.up_to::text AS up_to, ceil((x.up_to - x.from_) * ${p.add(density)}::float8)::int8 AS n
  FROM (SELECT ${from}::int8 AS from_, least(${from}::int8 + ${p.add(Math.max(1, Math.round(pages)))}::int8, ${p.add(end)}::int8) AS up_to) x
 WHERE x.up_to > x.from_`;
  return { text, values: p.values };
}

/**
 * Upper bound of the next batch of a keyset walk over the source table: the `limit`-th key after
 * `after` within the scope (keyset `ORDER BY key LIMIT n`, never OFFSET). No row: the walk is done.
 * Returns `up_to` (key as text) and `n` (keys in the range).
 */
export function applyBoundStatement(
  link: LinkShape,
  after: string | null,
  limit: number,
  f: ScopeFilter,
  hi: string | null = null,
): Statement<BoundRow> {
  const p = new Params();
  const k = ident(link.key);
  const scope = scopeWhere('s', link, f, p);
  const from = (after === null ? '' : ` AND s.${k} > ${p.add(after)}::${link.keyType}`) + upToWhere(`s.${k}`, link, hi, p);
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
export function applyLadderStatements(
  link: LinkShape,
  a: { table: string; step: number; after: string | null },
  f: ScopeFilter,
): Statement[] {
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
    // in the key's own collation: a ladder ordered by the database's default would not be the walk's order
    { text: `CREATE UNLOGGED TABLE ${a.table} (k ${link.keyType}${collate(link)} NOT NULL, n int8 NOT NULL)`, values: [] },
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
export function applyLadderBoundStatement(
  link: LinkShape,
  ladder: { table: string; step: number },
  after: string | null,
  limit: number,
  f: ScopeFilter,
  hi: string | null = null,
): Statement<BoundRow> {
  const rungs = Math.floor(limit / ladder.step);
  const live = applyBoundStatement(link, after, limit, f, hi);
  if (rungs < 1) return live;
  const p = new Params();
  for (const v of live.values) p.add(v);
  const af = after === null ? null : `${p.add(after)}::${link.keyType}`;
  const conds = `${af === null ? '' : ` AND l.k > ${af}`}${upToWhere('l.k', link, hi, p)}`;
  const from = conds === '' ? '' : ` WHERE${conds.slice(4)}`;
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
 * A key range as plain parameters. On Citus the InitPlan bounds of keyRangeWhere become distributed
 * subplans of their own, run before the batch and shipped to every shard (a batch took 2–4 times as
 * long); the shards' planners see the values, and the range is whole tenants of the distribution
 * column, which the statistics estimate well.
 */
export function plainRangeWhere(alias: string, link: LinkShape, r: KeyRange | undefined, p: Params): string {
  if (r === undefined) return '';
  let out = rowsWhere(alias, link, r, p);
  if (r.part !== undefined && r.upTo !== null) {
    out += ` AND ${alias}.${ident(link.key)} = ${p.add(r.upTo)}::${link.keyType}`;
    if (r.part.from !== null) out += ` AND ${restKey(alias, link)} > ${restValues(link, r.part.from, p)}`;
    if (r.part.to !== null) out += ` AND ${restKey(alias, link)} <= ${restValues(link, r.part.to, p)}`;
    return out;
  }
  if (r.after !== null) out += ` AND ${alias}.${ident(link.key)} > ${p.add(r.after)}::${link.keyType}`;
  if (r.upTo !== null) out += ` AND ${alias}.${ident(link.key)} <= ${p.add(r.upTo)}::${link.keyType}`;
  return out;
}

/** The key's columns other than the walk key (a Citus tenant walk: the distribution column), in key order. */
export function restCols(link: LinkShape): { col: string; type: string }[] {
  return idCols(link).filter((c) => c.col !== link.key);
}

/** Those columns as a row, compared as the key orders them (`ROW(a.id)`, `ROW(a.id, a.line)`). */
function restKey(alias: string, link: LinkShape): string {
  return `ROW(${restCols(link)
    .map((c) => `${alias}.${ident(c.col)}`)
    .join(', ')})`;
}

/** A row key (as rowKeyText writes it) cut to those columns, each a typed parameter. */
function restValues(link: LinkShape, rowKey: string, p: Params): string {
  const cols = idCols(link);
  const parts = cols.length === 1 ? [rowKey] : (parseArray(rowKey) as (string | null)[]);
  return `ROW(${cols
    .map((c, i) => ({ c, v: parts[i] ?? null }))
    .filter((x) => x.c.col !== link.key)
    .map((x) => `${p.add(x.v)}::${x.c.type}`)
    .join(', ')})`;
}

/**
 * The next part of tenant `tenant` of a Citus tenant walk, for a tenant that holds more rows than a batch (one batch
 * of it held its rows locked for as long as the whole tenant took): its rows with a NULL FK after row key `from`
 * (null: from its first) in the order of the key's other columns, `limit` of them; `part` the row key the batch ends
 * at, null when they are the tenant's last. One shard's router query (the tenant named), read by the primary key's
 * index. No row: nothing of the tenant is left.
 */
export function citusTenantPartBoundStatement(
  link: LinkShape,
  tenant: string,
  from: string | null,
  limit: number,
  f: ScopeFilter,
): Statement<BoundRow> {
  const p = new Params();
  const t = p.add(tenant);
  const lim = p.add(Math.max(1, Math.floor(limit)));
  const order = restCols(link)
    .map((c) => `s.${ident(c.col)}`)
    .join(', ');
  const text = `SELECT ${t}::text AS up_to, x.n::int8 AS n, ARRAY[${t}::text] AS vals, CASE WHEN x.n < ${lim}::int8 THEN NULL ELSE x.k END AS part
  FROM (SELECT ${rowKeyText('s', link)} AS k, row_number() OVER (ORDER BY ${order}) AS n
          FROM ${link.sourceSql} s
         WHERE s.${ident(link.key)} = ${t}::${link.keyType} AND s.${ident(link.fk)} IS NULL${scopeWhere('s', link, f, p)}${
           from === null ? '' : ` AND ${restKey('s', link)} > ${restValues(link, from, p)}`
         }
         ORDER BY ${order}
         LIMIT ${lim}::int8) x
 ORDER BY x.n DESC
 LIMIT 1`;
  return { text, values: p.values };
}

/**
 * The next batch of a walk of a Citus distributed source by its distribution column (`link.key`): the
 * next `tenants` values after `after` and their rows. GROUP BY the distribution column with ORDER BY
 * and LIMIT is pushed down whole (each shard reads its first tenants by the key's index), so a bound
 * costs a few index reads per shard, never a scan; no window function (Citus would pull every row).
 */
export function citusTenantBoundStatement(
  link: LinkShape,
  after: string | null,
  tenants: number,
  f: ScopeFilter,
  hi: string | null = null,
): Statement<BoundRow> {
  const p = new Params();
  const k = ident(link.key);
  const from = (after === null ? '' : ` AND s.${k} > ${p.add(after)}::${link.keyType}`) + upToWhere(`s.${k}`, link, hi, p);
  // the last tenant by ORDER BY … DESC LIMIT 1, not max(): uuid has no max() before PostgreSQL 16
  const text = `WITH g AS (
  SELECT s.${k} AS k, count(*) AS n
    FROM ${link.sourceSql} s
   WHERE true${scopeWhere('s', link, f, p)}${from}
   GROUP BY s.${k}
   ORDER BY s.${k}
   LIMIT ${p.add(Math.max(1, Math.floor(tenants)))}
)
SELECT (SELECT g.k::text FROM g ORDER BY g.k DESC LIMIT 1) AS up_to, (SELECT sum(g.n) FROM g)::int8 AS n,
       ARRAY(SELECT g.k::text FROM g ORDER BY g.k) AS vals
 WHERE EXISTS (SELECT 1 FROM g)`;
  return { text, values: p.values };
}

/**
 * The next batch of a Citus tenant walk whose scope starts with the distribution column, read off the plan's
 * linked entries (coordinator-local) instead of the source: the tenants after `after` (up to `hi`) in the
 * column's order, as many as hold `rows` planned rows (at least one), `n` their planned rows; a tenant of more than
 * `rows` alone (its batch is then cut into parts: citusTenantPartBoundStatement). Only tenants with
 * a linked entry can have a row a batch changes. Counting the source's rows per tenant instead
 * (citusTenantBoundStatement) read as many index entries as the batch has rows, on the shards: 0.2–0.4 s of
 * every 0.5–1 s batch of a 1 M-row apply.
 */
export function citusPlanTenantBoundStatement(
  link: LinkShape,
  a: { planRunId: string; linkName: string },
  after: string | null,
  rows: number,
  f: ScopeFilter,
  hi: string | null = null,
): Statement<BoundRow> {
  const p = new Params();
  const run = p.add(a.planRunId);
  const ln = p.add(a.linkName);
  const tenant = f.tenant === null ? '' : ` AND e.scope_key[1] = ${p.add(f.tenant)}`;
  const from = (after === null ? '' : ` AND t.k > ${p.add(after)}::${link.keyType}`) + upToWhere('t.k', link, hi, p);
  const lim = p.add(Math.max(1, Math.floor(rows)));
  const text = `WITH x AS (
  SELECT t.k, t.n, sum(t.n) OVER (ORDER BY t.k) AS cum
    FROM (SELECT e.scope_key[1]::${link.keyType}${collate(link)} AS k, sum(e.row_count) AS n
            FROM ${OWN}.plan_entries e
           WHERE e.run_id = ${run}::int8 AND e.link = ${ln} AND e.outcome = 'linked' AND e.scope_key[1] IS NOT NULL${tenant}
           GROUP BY 1) t
   WHERE true${from}
), b AS (
  SELECT x.k, x.cum FROM x WHERE x.cum - x.n < ${lim}::int8 AND (x.n <= ${lim}::int8 OR x.cum = x.n) ORDER BY x.k DESC LIMIT 1
)
SELECT b.k::text AS up_to, b.cum::int8 AS n, ARRAY(SELECT x.k::text FROM x WHERE x.k <= b.k ORDER BY x.k) AS vals
  FROM b`;
  return { text, values: p.values };
}

/**
 * Rows with a NULL FK per value of a distributed source's distribution column: how many values a batch
 * of a link whose scope does not carry that column (a reference master) takes for about `n` rows.
 */
export function rowsPerDistributionValueStatement(link: LinkShape, column: string): Statement<{ r: unknown }> {
  return {
    text: `SELECT coalesce(count(*)::float8 / nullif(count(DISTINCT s.${ident(column)}), 0), 1) AS r FROM ${link.sourceSql} s WHERE s.${ident(link.fk)} IS NULL`,
    values: [],
  };
}

/** ` COLLATE x` for a walk key whose collation is not its type's default, else nothing. */
function collate(link: LinkShape): string {
  return link.keyCollation === undefined ? '' : ` COLLATE ${link.keyCollation}`;
}
