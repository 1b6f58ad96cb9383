/**
 * Pure builders for the revenue report: per master, documents and amount reached through the FK next to
 * what a join on the name column would have found (the seed's business question, asked both ways). Documents the link's
 * own `active` leaves out (soft-deleted, void) are not counted at all.
 */
import { ident } from './quote.js';
import {
  type LinkShape,
  Params,
  rowKeyText,
  type ScopeFilter,
  scopeKeyExpr,
  scopeWhere,
  sourceActiveWhere,
  type Statement,
  orShared,
  scopeJoin,
  masterScopeWhere,
  onMaster,
  targetScope,
} from './link.js';

/** Document `d` and master `m` of one scope, or `m` shared by every scope (target.shared). */
function docMasterJoin(link: LinkShape): string {
  return orShared('m', link, scopeJoin('d', 'm', link, 'b'), (c) => `d.${ident(c)}`);
}

function base(link: LinkShape, f: ScopeFilter, p: Params): string {
  const amt = link.amount === undefined ? 'NULL::numeric' : `s.${ident(link.amount)}::numeric`;
  const tScope = targetScope(link)
    .map((c) => `, t.${ident(c)}`)
    .join('');
  const sScope = link.scope.map((c) => `, s.${ident(c)}`).join('');
  return `m AS (
  SELECT t.${ident(link.targetKey)} AS k, t.${ident(link.targetName)} AS mname${tScope}
    FROM ${link.targetSql} t WHERE true${masterScopeWhere('t', link, f, p)}
), d AS (
  SELECT ${rowKeyText('s', link)} AS dk, s.${ident(link.fk)} AS fk, s.${ident(link.name)} AS dname, ${amt} AS amt${sScope}
    FROM ${link.sourceSql} s WHERE true${sourceActiveWhere('s', link)}${scopeWhere('s', link, f, p)}
)`;
}

/** A master of revenueStatement: its documents and amounts (amounts as text), and the totals over every master (window). */
export interface RevenueRow {
  scope_key: string[] | null;
  key: string;
  name: string;
  fk_docs: unknown;
  fk_amount: string;
  name_docs: unknown;
  name_amount: string;
  missed_docs: unknown;
  missed_amount: string;
  wrong_docs: unknown;
  wrong_amount: string;
  masters: unknown;
  total_name_docs: unknown;
  total_name_amount: string;
  total_missed_docs: unknown;
  total_missed_amount: string;
  total_wrong_docs: unknown;
  total_wrong_amount: string;
}

/**
 * One row per master that the FK or the name join reaches. `name_*` counts a document once per master
 * whose name equals its name (so a document matching two same-named masters is counted twice);
 * `missed_*`: linked by FK but the name differs (the name join misses it); `wrong_*`: reached by name
 * but either also reached under another master, or its FK says another master. Window totals cover
 * every master, before LIMIT.
 */
export function revenueStatement(link: LinkShape, f: ScopeFilter, limit: number): Statement<RevenueRow> {
  const p = new Params();
  const dmJoin = docMasterJoin(link);
  // a master is its key within its scope: keys numbered per tenant ((tenant_id, id)) repeat across tenants
  // m and what is grouped by its columns carry the master's own scope columns (targetScope)
  const mScope = targetScope(link);
  const sc = (a: string): string => mScope.map((c) => `, ${a}.${ident(c)}`).join('');
  const same = (a: string): string => mScope.map((c) => ` AND ${a}.${ident(c)} IS NOT DISTINCT FROM m.${ident(c)}`).join('');
  const text = `WITH ${base(link, f, p)}, nm AS (
  SELECT m.k${sc('m')}, d.dk, d.fk, d.amt, count(*) OVER (PARTITION BY d.dk) AS hits
    FROM m JOIN d ON d.dname = m.mname${dmJoin}
), by_fk AS (
  SELECT m.k${sc('m')}, count(*) AS n, sum(d.amt) AS amt,
         count(*) FILTER (WHERE d.dname IS DISTINCT FROM m.mname) AS missed_n,
         sum(d.amt) FILTER (WHERE d.dname IS DISTINCT FROM m.mname) AS missed_amt
    FROM m JOIN d ON d.fk = m.k${dmJoin}
   GROUP BY m.k${sc('m')}
), by_name AS (
  SELECT nm.k${sc('nm')}, count(*) AS n, sum(nm.amt) AS amt,
         count(*) FILTER (WHERE nm.hits > 1 OR (nm.fk IS NOT NULL AND nm.fk <> nm.k)) AS wrong_n,
         sum(nm.amt) FILTER (WHERE nm.hits > 1 OR (nm.fk IS NOT NULL AND nm.fk <> nm.k)) AS wrong_amt
    FROM nm GROUP BY nm.k${sc('nm')}
), r AS (
  SELECT ${scopeKeyExpr('m', onMaster(link))} AS scope_key, m.k::text AS key, m.mname AS name,
         coalesce(f.n, 0)::int8 AS fk_docs, coalesce(f.amt, 0)::numeric AS fk_amount,
         coalesce(b.n, 0)::int8 AS name_docs, coalesce(b.amt, 0)::numeric AS name_amount,
         coalesce(f.missed_n, 0)::int8 AS missed_docs, coalesce(f.missed_amt, 0)::numeric AS missed_amount,
         coalesce(b.wrong_n, 0)::int8 AS wrong_docs, coalesce(b.wrong_amt, 0)::numeric AS wrong_amount
    FROM m LEFT JOIN by_fk f ON f.k = m.k${same('f')} LEFT JOIN by_name b ON b.k = m.k${same('b')}
   WHERE f.n IS NOT NULL OR b.n IS NOT NULL
)
SELECT r.scope_key, r.key, r.name, r.fk_docs, r.fk_amount::text AS fk_amount, r.name_docs, r.name_amount::text AS name_amount,
       r.missed_docs, r.missed_amount::text AS missed_amount, r.wrong_docs, r.wrong_amount::text AS wrong_amount,
       count(*) OVER ()::int8 AS masters,
       (sum(r.name_docs) OVER ())::int8 AS total_name_docs, (sum(r.name_amount) OVER ())::text AS total_name_amount,
       (sum(r.missed_docs) OVER ())::int8 AS total_missed_docs, (sum(r.missed_amount) OVER ())::text AS total_missed_amount,
       (sum(r.wrong_docs) OVER ())::int8 AS total_wrong_docs, (sum(r.wrong_amount) OVER ())::text AS total_wrong_amount
  FROM r
 ORDER BY abs(r.fk_docs - r.name_docs) + r.missed_docs + r.wrong_docs DESC, r.fk_amount DESC, r.name, r.key
 LIMIT ${p.add(limit)}`;
  return { text, values: p.values };
}

export interface RevenueTotalsRow {
  docs: unknown;
  amount: string;
  linked_docs: unknown;
  linked_amount: string;
  unlinked_docs: unknown;
  unlinked_amount: string;
  dangling_docs: unknown;
  dangling_amount: string;
  no_name_match_docs: unknown;
}

/**
 * Documents and amount of the link's table: all; linked by FK to a master of the same scope (the join
 * `revenueStatement` counts per master, so the masters' FK documents add up to it); not linked (NULL
 * FK); and dangling: an FK to no master of the row's scope (gone, or another tenant's), in neither.
 */
export function revenueTotalsStatement(link: LinkShape, f: ScopeFilter): Statement<RevenueTotalsRow> {
  const p = new Params();
  const dangling = 'd.fk IS NOT NULL AND NOT d.fkb_via_fk';
  const dmJoin = docMasterJoin(link);
  const text = `WITH ${base(link, f, p)}
SELECT count(*)::int8 AS docs, coalesce(sum(d.amt), 0)::text AS amount,
       count(*) FILTER (WHERE d.fkb_via_fk)::int8 AS linked_docs,
       coalesce(sum(d.amt) FILTER (WHERE d.fkb_via_fk), 0)::text AS linked_amount,
       count(*) FILTER (WHERE d.fk IS NULL)::int8 AS unlinked_docs,
       coalesce(sum(d.amt) FILTER (WHERE d.fk IS NULL), 0)::text AS unlinked_amount,
       count(*) FILTER (WHERE ${dangling})::int8 AS dangling_docs,
       coalesce(sum(d.amt) FILTER (WHERE ${dangling}), 0)::text AS dangling_amount,
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.mname = d.dname${dmJoin}))::int8 AS no_name_match_docs
  FROM (SELECT d.*, EXISTS (SELECT 1 FROM m WHERE m.k = d.fk${dmJoin}) AS fkb_via_fk FROM d) d`;
  return { text, values: p.values };
}
