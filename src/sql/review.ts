/**
 * The review queue as one set-based statement over every link: the plan's unsure names that still
 * have NULL-FK rows (live row count, amount, sample documents, the decision in force), filtered,
 * sorted and paged by the database, with per-facet counts over the whole queue in the same statement.
 *
 * Facets combine like OpenRefine's: the counts of one facet (band, state, decision, link, tenant) are
 * taken with every other facet's selection applied but not its own, so each facet shows what choosing
 * another of its values would give. Search and the score range narrow everything.
 */
import { activeExpr } from './active.js';
import { ident } from './quote.js';
import {
  entryName,
  type LinkShape,
  Params,
  rowKeyText,
  type ScopeFilter,
  loose,
  scopeKeyExpr,
  scopeWhere,
  type Statement,
  textForm,
  sourceActiveWhere,
  orShared,
  targetScope,
} from './link.js';

export const QUEUE_SORTS = ['rows', 'amount', 'score', 'name'] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];
export const FACETS = ['band', 'state', 'decision', 'link', 'tenant'] as const;
export type Facet = (typeof FACETS)[number];

export interface QueueSqlFilter {
  minScore: number | null;
  maxScore: number | null;
  /** Case-insensitive substring of the name (LIKE wildcards are escaped here). */
  search: string | null;
  /** Selected values per facet; empty = all. */
  facets: Record<Facet, string[]>;
}

export interface QueueSqlPage {
  sort: QueueSort;
  desc: boolean;
  offset: number;
  /** null: every matching name (bulk). */
  limit: number | null;
}

export interface QueueSqlLink {
  link: LinkShape;
  linkName: string;
}

/** Names a bulk accept considers: open, best candidate's score ≥ min (ambiguous and inactive ones are then skipped). */
export interface BulkSql {
  minScore: number;
}

const FACET_EXPR: Record<Facet, string> = {
  band: 'q.outcome',
  state: "CASE WHEN q.decision_id IS NULL THEN 'open' ELSE 'decided' END",
  decision: "coalesce(q.decision_action, 'none')",
  link: 'q.link',
  tenant: "coalesce(q.scope_key[1], '')",
};

function linkPart(
  l: QueueSqlLink,
  i: number,
  a: { planRunId: string; samples: number },
  filter: QueueSqlFilter,
  f: ScopeFilter,
  p: Params,
): { ctes: string; select: string } {
  const link = l.link;
  const run = p.add(a.planRunId);
  const ln = p.add(l.linkName);
  let where = '';
  if (filter.minScore !== null) where += ` AND e.score >= ${p.add(filter.minScore)}::real`;
  if (filter.maxScore !== null) where += ` AND e.score <= ${p.add(filter.maxScore)}::real`;
  // runs of spaces read as one on both sides: 'ember systems' finds 'Ember  Systems  Corp' (a new user's trial)
  if (filter.search !== null && filter.search.trim() !== '')
    where += ` AND regexp_replace(e.source_name, '\\s+', ' ', 'g') ILIKE ${p.add(
      '%' +
        filter.search
          .trim()
          .replace(/\s+/g, ' ')
          .replace(/[\\%_]/g, (c) => '\\' + c) +
        '%',
    )}`;
  const tenantE = f.tenant !== null && link.scope.length > 0 ? ` AND e.scope_key[1] = ${p.add(f.tenant)}` : '';
  const tenantD = f.tenant !== null && link.scope.length > 0 ? ` AND d.scope_key[1] = ${p.add(f.tenant)}` : '';
  const doc = link.document === undefined ? rowKeyText('s', link) : `s.${ident(link.document)}::text`;
  const amount = link.amount === undefined ? 'NULL::numeric' : `sum(s.${ident(link.amount)})::numeric`;
  const e = `e${i}`;
  const r = `r${i}`;
  const d = `d${i}`;
  const ctes = `${e} AS (
  SELECT e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates
    FROM fk_backfill.plan_entries e
   WHERE e.run_id = ${run}::int8 AND e.link = ${ln} AND e.outcome <> 'linked' AND e.source_name IS NOT NULL${where}${tenantE}
), ${r} AS (
  SELECT ${scopeKeyExpr('s', link)} AS scope_key, s.${ident(link.name)} AS source_name, count(*)::int8 AS row_count,
         ${amount} AS amount, (array_agg(${doc} ORDER BY ${doc}))[1:${p.add(a.samples)}::int] AS documents
    FROM ${link.sourceSql} s
   WHERE s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)}${scopeWhere('s', link, f, p)}
     AND (${scopeKeyExpr('s', link)}, s.${ident(link.name)}) IN (SELECT e.scope_key, ${entryName(link, 'e')} FROM ${e} e)
   GROUP BY 1, 2
), ${d} AS (
  SELECT DISTINCT ON (d.scope_key, d.source_name) d.scope_key, d.source_name, d.id, d.action, d.target_key, d.decided_by, d.decided_at
    FROM fk_backfill.decisions d
   WHERE d.link = ${ln} AND d.revoked_at IS NULL${tenantD}
   ORDER BY d.scope_key, d.source_name, d.decided_at DESC, d.id DESC
)`;
  const select = `SELECT ${ln}::text AS link, e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates, r.row_count, r.amount, r.documents,
       d.id AS decision_id, d.action AS decision_action, d.target_key AS decision_target, d.decided_by, d.decided_at
  FROM ${e} e
  JOIN ${r} r ON r.scope_key = e.scope_key AND r.source_name = ${entryName(link, 'e')}
  LEFT JOIN ${d} d ON d.scope_key = e.scope_key AND d.source_name = e.source_name`;
  return { ctes, select };
}

function orderBy(page: QueueSqlPage): string {
  const dir = page.desc ? 'DESC' : 'ASC';
  const name = `q.source_name COLLATE "C" ${page.sort === 'name' ? dir : 'ASC'}, q.link, q.scope_key`;
  switch (page.sort) {
    case 'rows':
      return `q.row_count ${dir}, q.amount DESC NULLS LAST, ${name}`;
    case 'amount':
      return `q.amount ${dir} NULLS LAST, q.row_count DESC, ${name}`;
    case 'score':
      return `q.score ${dir} NULLS LAST, q.row_count DESC, ${name}`;
    case 'name':
      return name;
  }
}

/**
 * One statement, one row: `items` (the page, JSON array in order, `pos` = position in the whole
 * filtered queue) and `facets` (JSON array of {facet, value, names, rows}; facet `all` = the queue with
 * every selection applied; its `queue` = the queue before any facet selection). With `bulk`: every
 * open matching name whose best candidate scores at least `minScore`, no facets.
 */
export function reviewQueueSql(
  links: QueueSqlLink[],
  a: { planRunId: string; samples: number },
  filter: QueueSqlFilter,
  page: QueueSqlPage,
  f: ScopeFilter,
  bulk: BulkSql | null = null,
): Statement<{ items: unknown; facets?: unknown }> {
  const p = new Params();
  if (links.length === 0) {
    return { text: `SELECT '[]'::jsonb AS items, '[]'::jsonb AS facets`, values: [] };
  }
  const parts = links.map((l, i) => linkPart(l, i, a, filter, f, p));
  const matches: Record<Facet, string> = { band: 'true', state: 'true', decision: 'true', link: 'true', tenant: 'true' };
  for (const k of Object.keys(FACET_EXPR) as Facet[]) {
    const sel = filter.facets[k];
    if (sel.length > 0) matches[k] = `${FACET_EXPR[k]} = ANY(${p.add(sel)}::text[])`;
  }
  const flags = (Object.keys(matches) as Facet[]).map((k) => `${matches[k]} AS m_${k}`).join(', ');
  const facetCols = (Object.keys(FACET_EXPR) as Facet[]).map((k) => `${FACET_EXPR[k]} AS f_${k}`).join(', ');
  const all = 'x.m_band AND x.m_state AND x.m_decision AND x.m_link AND x.m_tenant';
  const others = (k: Facet): string =>
    FACETS.filter((o) => o !== k)
      .map((o) => `x.m_${o}`)
      .join(' AND ');
  let bulkWhere = '';
  if (bulk !== null) {
    bulkWhere = ` AND x.decision_id IS NULL AND (x.candidates->0->>'score')::float8 >= ${p.add(bulk.minScore)}::float8`;
  }
  const off = p.add(page.offset);
  const window =
    page.limit === null ? `y.pos >= ${off}::int8` : `y.pos >= ${off}::int8 AND y.pos < ${off}::int8 + ${p.add(page.limit)}::int8`;
  const items = `pg AS (
  SELECT y.pos, y.link, y.scope_key, y.source_name, y.outcome, y.score, y.reason, y.candidates,
         y.row_count, y.amount::text AS amount, y.documents, y.decision_id::text AS decision_id, y.decision_action, y.decision_target, y.decided_by, y.decided_at::text AS decided_at
    FROM (SELECT x.*, row_number() OVER (ORDER BY ${orderBy(page).replace(/\bq\./g, 'x.')}) - 1 AS pos FROM x WHERE ${all}${bulkWhere}) y
   WHERE ${window}
)`;
  const g = (k: Facet): string => `grouping(x.f_${k}) = 0`;
  const facetCase = (what: (cond: string) => string): string =>
    `CASE ${FACETS.map((k) => `WHEN ${g(k)} THEN ${what(others(k))}`).join(' ')} ELSE ${what(all)} END`;
  const facets =
    bulk !== null
      ? `fc AS (SELECT NULL::text AS facet, NULL::text AS value, 0::int8 AS names, 0::int8 AS rows, 0::int8 AS queue WHERE false)`
      : `fc AS (
  SELECT CASE ${FACETS.map((k) => `WHEN ${g(k)} THEN '${k}'`).join(' ')} ELSE 'all' END AS facet,
         coalesce(${FACETS.map((k) => `x.f_${k}`).join(', ')}) AS value,
         ${facetCase((c) => `count(*) FILTER (WHERE ${c})`)}::int8 AS names,
         coalesce(${facetCase((c) => `sum(x.row_count) FILTER (WHERE ${c})`)}, 0)::int8 AS rows,
         count(*)::int8 AS queue, coalesce(sum(x.row_count), 0)::int8 AS queue_rows
    FROM x
   GROUP BY GROUPING SETS (${FACETS.map((k) => `(x.f_${k})`).join(', ')}, ())
)`;
  const text = `WITH ${parts.map((x) => x.ctes).join(',\n')},
q AS (
${parts.map((x) => x.select).join('\nUNION ALL\n')}
), x AS (
  SELECT q.*, ${facetCols}, ${flags} FROM q
), ${items}, ${facets}
SELECT coalesce((SELECT jsonb_agg(to_jsonb(pg) ORDER BY pg.pos) FROM pg), '[]'::jsonb) AS items,
       coalesce((SELECT jsonb_agg(to_jsonb(fc)) FROM fc), '[]'::jsonb) AS facets`;
  return { text, values: p.values };
}

/**
 * Masters of one link in one scope whose name (or number, or key) contains `q`: the review page's
 * "search all masters" box, for a master that is not among a name's candidates. Active ones first.
 */
export function masterSearchSql(
  link: LinkShape & { number?: string | undefined },
  scopeKey: (string | null)[],
  q: string,
  limit: number,
): Statement<{ key: string; name: string; number: string | null; active: boolean }> {
  const p = new Params();
  // by the text form; a loose column's under "C" (a nondeterministic collation calls 't1' and 'T1' equal)
  // a master shared by every scope (target.shared) too
  const scope = orShared(
    't',
    link,
    targetScope(link)
      .map((c, i) => ` AND ${loose(link, i) ? textForm(`t.${ident(c)}`) : `t.${ident(c)}::text`} = ${p.add(scopeKey[i] ?? null)}::text`)
      .join(''),
  );
  const like = p.add('%' + q.replace(/[\\%_]/g, (c) => '\\' + c) + '%');
  const number = link.number === undefined ? 'NULL::text' : `t.${ident(link.number)}::text`;
  const active = activeExpr('t', link.active);
  const text = `SELECT t.${ident(link.targetKey)}::text AS key, t.${ident(link.targetName)}::text AS name, ${number} AS number, ${active} AS active
  FROM ${link.targetSql} t
 WHERE (t.${ident(link.targetName)}::text ILIKE ${like} OR ${number} ILIKE ${like} OR t.${ident(link.targetKey)}::text = ${p.add(q)})${scope}
 ORDER BY 4 DESC, length(t.${ident(link.targetName)}::text), 2, 1
 LIMIT ${p.add(limit)}::int8`;
  return { text, values: p.values };
}

/**
 * Rows already linked to each of `keys` (masters of one target table), over every link whose FK points
 * at that table, per scope: so two masters of the same name can be told apart by use. Only the rows of
 * the tenant `f` names (the queue's): the card's scope is in it. Without an index on the FK this reads
 * the source tables; the page asks only for candidates that share their name.
 */
export function linkedRowsSql(
  links: LinkShape[],
  keys: string[],
  keyType: string,
  f: ScopeFilter,
): Statement<{ scope_key: (string | null)[]; key: string; n: unknown }> {
  const p = new Params();
  const k = p.add(keys);
  const parts = links.map(
    (l) => `SELECT ${scopeKeyExpr('s', l)} AS scope_key, s.${ident(l.fk)}::text AS key, count(*)::int8 AS n
    FROM ${l.sourceSql} s WHERE s.${ident(l.fk)} = ANY(${k}::${keyType}[])${scopeWhere('s', l, f, p)} GROUP BY 1, 2`,
  );
  const text = `SELECT u.scope_key, u.key, sum(u.n)::int8 AS n FROM (${parts.join('\n  UNION ALL\n  ')}) u GROUP BY 1, 2`;
  return { text, values: p.values };
}

/**
 * One name's entry in the newest of `planRunIds` that holds it: its band and its candidate 1 (the review page's
 * "accept top", which the server resolves itself rather than take a key the page says is the top).
 */
export function queueEntrySql(
  planRunIds: string[],
  item: { link: string; scopeKey: readonly (string | null)[]; name: string },
): Statement<{ run_id: string; outcome: string; reason: string | null; top_key: string | null }> {
  const p = new Params();
  const text = `SELECT e.run_id::text AS run_id, e.outcome, e.reason, e.candidates -> 0 ->> 'key' AS top_key
  FROM fk_backfill.plan_entries e
 WHERE e.run_id = ANY(${p.add(planRunIds)}::int8[]) AND e.link = ${p.add(item.link)} AND e.source_name = ${p.add(item.name)}
   AND to_jsonb(e.scope_key) = ${p.add(JSON.stringify(item.scopeKey))}::jsonb
 ORDER BY e.run_id DESC
 LIMIT 1`;
  return { text, values: p.values };
}
