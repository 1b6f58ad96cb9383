import { describe, expect, it } from 'vitest';
import type { LinkShape } from '../../../src/sql/link.js';
import { linkedRowsSql, masterSearchSql, queueEntrySql, reviewQueueSql } from '../../../src/sql/review.js';

/** A scoped link with a document number, an amount and a char(n) name; a second one unscoped with a composite key, neither. */
const so: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"crm"."Customers"',
  key: 'id',
  fk: 'customer_id',
  name: 'customer name',
  document: 'Order No',
  amount: 'Total',
  targetKey: 'id',
  targetName: 'Legal Name',
  active: { column: 'is_active', activeWhen: true },
  scope: ['tenant_id'],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: null,
  nameType: 'character(40)',
};
const inv: LinkShape = {
  ...so,
  sourceSql: '"Invoices"',
  document: undefined,
  amount: undefined,
  keys: ['id', 'line'],
  keyTypes: ['int8', 'int4'],
  keyType: 'int8',
  scope: [],
  nameType: undefined,
  fk: 'cust',
};
const none = { band: [], state: [], decision: [], link: [], tenant: [] };
const plan = { planRunId: '3', samples: 5 };

/** The queue of `so` alone, unfiltered, a page of 50 from the start, ordered by `order`. */
const oneLink = (order: string): string => `WITH e0 AS (
  SELECT e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates
    FROM fk_backfill.plan_entries e
   WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome <> 'linked' AND e.source_name IS NOT NULL
), r0 AS (
  SELECT ARRAY[s."tenant_id"::text]::text[] AS scope_key, s."customer name" AS source_name, count(*)::int8 AS row_count,
         sum(s."Total")::numeric AS amount, (array_agg(s."Order No"::text ORDER BY s."Order No"::text))[1:$3::int] AS documents
    FROM "erp"."Sales Orders" s
   WHERE s."customer_id" IS NULL
     AND (ARRAY[s."tenant_id"::text]::text[], s."customer name") IN (SELECT e.scope_key, e.source_name::character(40) FROM e0 e)
   GROUP BY 1, 2
), d0 AS (
  SELECT DISTINCT ON (d.scope_key, d.source_name) d.scope_key, d.source_name, d.id, d.action, d.target_key, d.decided_by, d.decided_at
    FROM fk_backfill.decisions d
   WHERE d.link = $2 AND d.revoked_at IS NULL
   ORDER BY d.scope_key, d.source_name, d.decided_at DESC, d.id DESC
),
q AS (
SELECT $2::text AS link, e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates, r.row_count, r.amount, r.documents,
       d.id AS decision_id, d.action AS decision_action, d.target_key AS decision_target, d.decided_by, d.decided_at
  FROM e0 e
  JOIN r0 r ON r.scope_key = e.scope_key AND r.source_name = e.source_name::character(40)
  LEFT JOIN d0 d ON d.scope_key = e.scope_key AND d.source_name = e.source_name
), x AS (
  SELECT q.*, q.outcome AS f_band, CASE WHEN q.decision_id IS NULL THEN 'open' ELSE 'decided' END AS f_state, coalesce(q.decision_action, 'none') AS f_decision, q.link AS f_link, coalesce(q.scope_key[1], '') AS f_tenant, true AS m_band, true AS m_state, true AS m_decision, true AS m_link, true AS m_tenant FROM q
), pg AS (
  SELECT y.pos, y.link, y.scope_key, y.source_name, y.outcome, y.score, y.reason, y.candidates,
         y.row_count, y.amount::text AS amount, y.documents, y.decision_id::text AS decision_id, y.decision_action, y.decision_target, y.decided_by, y.decided_at::text AS decided_at
    FROM (SELECT x.*, row_number() OVER (ORDER BY ${order}) - 1 AS pos FROM x WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link AND x.m_tenant) y
   WHERE y.pos >= $4::int8 AND y.pos < $4::int8 + $5::int8
), fc AS (
  SELECT CASE WHEN grouping(x.f_band) = 0 THEN 'band' WHEN grouping(x.f_state) = 0 THEN 'state' WHEN grouping(x.f_decision) = 0 THEN 'decision' WHEN grouping(x.f_link) = 0 THEN 'link' WHEN grouping(x.f_tenant) = 0 THEN 'tenant' ELSE 'all' END AS facet,
         coalesce(x.f_band, x.f_state, x.f_decision, x.f_link, x.f_tenant) AS value,
         CASE WHEN grouping(x.f_band) = 0 THEN count(*) FILTER (WHERE x.m_state AND x.m_decision AND x.m_link AND x.m_tenant) WHEN grouping(x.f_state) = 0 THEN count(*) FILTER (WHERE x.m_band AND x.m_decision AND x.m_link AND x.m_tenant) WHEN grouping(x.f_decision) = 0 THEN count(*) FILTER (WHERE x.m_band AND x.m_state AND x.m_link AND x.m_tenant) WHEN grouping(x.f_link) = 0 THEN count(*) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_tenant) WHEN grouping(x.f_tenant) = 0 THEN count(*) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link) ELSE count(*) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link AND x.m_tenant) END::int8 AS names,
         coalesce(CASE WHEN grouping(x.f_band) = 0 THEN sum(x.row_count) FILTER (WHERE x.m_state AND x.m_decision AND x.m_link AND x.m_tenant) WHEN grouping(x.f_state) = 0 THEN sum(x.row_count) FILTER (WHERE x.m_band AND x.m_decision AND x.m_link AND x.m_tenant) WHEN grouping(x.f_decision) = 0 THEN sum(x.row_count) FILTER (WHERE x.m_band AND x.m_state AND x.m_link AND x.m_tenant) WHEN grouping(x.f_link) = 0 THEN sum(x.row_count) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_tenant) WHEN grouping(x.f_tenant) = 0 THEN sum(x.row_count) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link) ELSE sum(x.row_count) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link AND x.m_tenant) END, 0)::int8 AS rows,
         count(*)::int8 AS queue, coalesce(sum(x.row_count), 0)::int8 AS queue_rows
    FROM x
   GROUP BY GROUPING SETS ((x.f_band), (x.f_state), (x.f_decision), (x.f_link), (x.f_tenant), ())
)
SELECT coalesce((SELECT jsonb_agg(to_jsonb(pg) ORDER BY pg.pos) FROM pg), '[]'::jsonb) AS items,
       coalesce((SELECT jsonb_agg(to_jsonb(fc)) FROM fc), '[]'::jsonb) AS facets`;

describe('review queue statement (whole text)', () => {
  it('no links: an empty page and no facets', () => {
    expect(
      reviewQueueSql(
        [],
        plan,
        { minScore: null, maxScore: null, search: null, facets: none },
        { sort: 'rows', desc: true, offset: 0, limit: 50 },
        { tenant: null },
      ),
    ).toEqual({
      text: `SELECT '[]'::jsonb AS items, '[]'::jsonb AS facets`,
      values: [],
    });
  });

  it('two links for one tenant: score range, an escaped search, facet selections (each facet counted without its own), a page by rows', () => {
    expect(
      reviewQueueSql(
        [
          { link: so, linkName: 'so' },
          { link: inv, linkName: 'inv' },
        ],
        plan,
        {
          minScore: 0.5,
          maxScore: 0.9,
          search: '50%_a\\b',
          facets: { band: ['ambiguous'], state: [], decision: [], link: [], tenant: ['T1', 'T2'] },
        },
        { sort: 'rows', desc: true, offset: 20, limit: 10 },
        { tenant: 'T1' },
      ),
    ).toEqual({
      text: `WITH e0 AS (
  SELECT e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates
    FROM fk_backfill.plan_entries e
   WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome <> 'linked' AND e.source_name IS NOT NULL AND e.score >= $3::real AND e.score <= $4::real AND regexp_replace(e.source_name, '\\s+', ' ', 'g') ILIKE $5 AND e.scope_key[1] = $6
), r0 AS (
  SELECT ARRAY[s."tenant_id"::text]::text[] AS scope_key, s."customer name" AS source_name, count(*)::int8 AS row_count,
         sum(s."Total")::numeric AS amount, (array_agg(s."Order No"::text ORDER BY s."Order No"::text))[1:$8::int] AS documents
    FROM "erp"."Sales Orders" s
   WHERE s."customer_id" IS NULL AND s."tenant_id" = $9
     AND (ARRAY[s."tenant_id"::text]::text[], s."customer name") IN (SELECT e.scope_key, e.source_name::character(40) FROM e0 e)
   GROUP BY 1, 2
), d0 AS (
  SELECT DISTINCT ON (d.scope_key, d.source_name) d.scope_key, d.source_name, d.id, d.action, d.target_key, d.decided_by, d.decided_at
    FROM fk_backfill.decisions d
   WHERE d.link = $2 AND d.revoked_at IS NULL AND d.scope_key[1] = $7
   ORDER BY d.scope_key, d.source_name, d.decided_at DESC, d.id DESC
),
e1 AS (
  SELECT e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates
    FROM fk_backfill.plan_entries e
   WHERE e.run_id = $10::int8 AND e.link = $11 AND e.outcome <> 'linked' AND e.source_name IS NOT NULL AND e.score >= $12::real AND e.score <= $13::real AND regexp_replace(e.source_name, '\\s+', ' ', 'g') ILIKE $14
), r1 AS (
  SELECT ARRAY[]::text[] AS scope_key, s."customer name" AS source_name, count(*)::int8 AS row_count,
         NULL::numeric AS amount, (array_agg(ARRAY[s."id"::text, s."line"::text]::text ORDER BY ARRAY[s."id"::text, s."line"::text]::text))[1:$15::int] AS documents
    FROM "Invoices" s
   WHERE s."cust" IS NULL
     AND (ARRAY[]::text[], s."customer name") IN (SELECT e.scope_key, e.source_name FROM e1 e)
   GROUP BY 1, 2
), d1 AS (
  SELECT DISTINCT ON (d.scope_key, d.source_name) d.scope_key, d.source_name, d.id, d.action, d.target_key, d.decided_by, d.decided_at
    FROM fk_backfill.decisions d
   WHERE d.link = $11 AND d.revoked_at IS NULL
   ORDER BY d.scope_key, d.source_name, d.decided_at DESC, d.id DESC
),
q AS (
SELECT $2::text AS link, e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates, r.row_count, r.amount, r.documents,
       d.id AS decision_id, d.action AS decision_action, d.target_key AS decision_target, d.decided_by, d.decided_at
  FROM e0 e
  JOIN r0 r ON r.scope_key = e.scope_key AND r.source_name = e.source_name::character(40)
  LEFT JOIN d0 d ON d.scope_key = e.scope_key AND d.source_name = e.source_name
UNION ALL
SELECT $11::text AS link, e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates, r.row_count, r.amount, r.documents,
       d.id AS decision_id, d.action AS decision_action, d.target_key AS decision_target, d.decided_by, d.decided_at
  FROM e1 e
  JOIN r1 r ON r.scope_key = e.scope_key AND r.source_name = e.source_name
  LEFT JOIN d1 d ON d.scope_key = e.scope_key AND d.source_name = e.source_name
), x AS (
  SELECT q.*, q.outcome AS f_band, CASE WHEN q.decision_id IS NULL THEN 'open' ELSE 'decided' END AS f_state, coalesce(q.decision_action, 'none') AS f_decision, q.link AS f_link, coalesce(q.scope_key[1], '') AS f_tenant, q.outcome = ANY($16::text[]) AS m_band, true AS m_state, true AS m_decision, true AS m_link, coalesce(q.scope_key[1], '') = ANY($17::text[]) AS m_tenant FROM q
), pg AS (
  SELECT y.pos, y.link, y.scope_key, y.source_name, y.outcome, y.score, y.reason, y.candidates,
         y.row_count, y.amount::text AS amount, y.documents, y.decision_id::text AS decision_id, y.decision_action, y.decision_target, y.decided_by, y.decided_at::text AS decided_at
    FROM (SELECT x.*, row_number() OVER (ORDER BY x.row_count DESC, x.amount DESC NULLS LAST, x.source_name COLLATE "C" ASC, x.link, x.scope_key) - 1 AS pos FROM x WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link AND x.m_tenant) y
   WHERE y.pos >= $18::int8 AND y.pos < $18::int8 + $19::int8
), fc AS (
  SELECT CASE WHEN grouping(x.f_band) = 0 THEN 'band' WHEN grouping(x.f_state) = 0 THEN 'state' WHEN grouping(x.f_decision) = 0 THEN 'decision' WHEN grouping(x.f_link) = 0 THEN 'link' WHEN grouping(x.f_tenant) = 0 THEN 'tenant' ELSE 'all' END AS facet,
         coalesce(x.f_band, x.f_state, x.f_decision, x.f_link, x.f_tenant) AS value,
         CASE WHEN grouping(x.f_band) = 0 THEN count(*) FILTER (WHERE x.m_state AND x.m_decision AND x.m_link AND x.m_tenant) WHEN grouping(x.f_state) = 0 THEN count(*) FILTER (WHERE x.m_band AND x.m_decision AND x.m_link AND x.m_tenant) WHEN grouping(x.f_decision) = 0 THEN count(*) FILTER (WHERE x.m_band AND x.m_state AND x.m_link AND x.m_tenant) WHEN grouping(x.f_link) = 0 THEN count(*) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_tenant) WHEN grouping(x.f_tenant) = 0 THEN count(*) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link) ELSE count(*) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link AND x.m_tenant) END::int8 AS names,
         coalesce(CASE WHEN grouping(x.f_band) = 0 THEN sum(x.row_count) FILTER (WHERE x.m_state AND x.m_decision AND x.m_link AND x.m_tenant) WHEN grouping(x.f_state) = 0 THEN sum(x.row_count) FILTER (WHERE x.m_band AND x.m_decision AND x.m_link AND x.m_tenant) WHEN grouping(x.f_decision) = 0 THEN sum(x.row_count) FILTER (WHERE x.m_band AND x.m_state AND x.m_link AND x.m_tenant) WHEN grouping(x.f_link) = 0 THEN sum(x.row_count) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_tenant) WHEN grouping(x.f_tenant) = 0 THEN sum(x.row_count) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link) ELSE sum(x.row_count) FILTER (WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link AND x.m_tenant) END, 0)::int8 AS rows,
         count(*)::int8 AS queue, coalesce(sum(x.row_count), 0)::int8 AS queue_rows
    FROM x
   GROUP BY GROUPING SETS ((x.f_band), (x.f_state), (x.f_decision), (x.f_link), (x.f_tenant), ())
)
SELECT coalesce((SELECT jsonb_agg(to_jsonb(pg) ORDER BY pg.pos) FROM pg), '[]'::jsonb) AS items,
       coalesce((SELECT jsonb_agg(to_jsonb(fc)) FROM fc), '[]'::jsonb) AS facets`,
      values: [
        '3',
        'so',
        0.5,
        0.9,
        `%50\\%\\_a\\\\b%`,
        'T1',
        'T1',
        5,
        'T1',
        '3',
        'inv',
        0.5,
        0.9,
        `%50\\%\\_a\\\\b%`,
        5,
        ['ambiguous'],
        ['T1', 'T2'],
        20,
        10,
      ],
    });
  });

  it('bulk: every open name whose best candidate scores at least the minimum, from the offset on, no facets', () => {
    expect(
      reviewQueueSql(
        [{ link: so, linkName: 'so' }],
        plan,
        { minScore: null, maxScore: null, search: '', facets: none },
        { sort: 'name', desc: false, offset: 0, limit: null },
        { tenant: null },
        { minScore: 0.8 },
      ),
    ).toEqual({
      text: `WITH e0 AS (
  SELECT e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates
    FROM fk_backfill.plan_entries e
   WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome <> 'linked' AND e.source_name IS NOT NULL
), r0 AS (
  SELECT ARRAY[s."tenant_id"::text]::text[] AS scope_key, s."customer name" AS source_name, count(*)::int8 AS row_count,
         sum(s."Total")::numeric AS amount, (array_agg(s."Order No"::text ORDER BY s."Order No"::text))[1:$3::int] AS documents
    FROM "erp"."Sales Orders" s
   WHERE s."customer_id" IS NULL
     AND (ARRAY[s."tenant_id"::text]::text[], s."customer name") IN (SELECT e.scope_key, e.source_name::character(40) FROM e0 e)
   GROUP BY 1, 2
), d0 AS (
  SELECT DISTINCT ON (d.scope_key, d.source_name) d.scope_key, d.source_name, d.id, d.action, d.target_key, d.decided_by, d.decided_at
    FROM fk_backfill.decisions d
   WHERE d.link = $2 AND d.revoked_at IS NULL
   ORDER BY d.scope_key, d.source_name, d.decided_at DESC, d.id DESC
),
q AS (
SELECT $2::text AS link, e.scope_key, e.source_name, e.outcome, e.score, e.reason, e.candidates, r.row_count, r.amount, r.documents,
       d.id AS decision_id, d.action AS decision_action, d.target_key AS decision_target, d.decided_by, d.decided_at
  FROM e0 e
  JOIN r0 r ON r.scope_key = e.scope_key AND r.source_name = e.source_name::character(40)
  LEFT JOIN d0 d ON d.scope_key = e.scope_key AND d.source_name = e.source_name
), x AS (
  SELECT q.*, q.outcome AS f_band, CASE WHEN q.decision_id IS NULL THEN 'open' ELSE 'decided' END AS f_state, coalesce(q.decision_action, 'none') AS f_decision, q.link AS f_link, coalesce(q.scope_key[1], '') AS f_tenant, true AS m_band, true AS m_state, true AS m_decision, true AS m_link, true AS m_tenant FROM q
), pg AS (
  SELECT y.pos, y.link, y.scope_key, y.source_name, y.outcome, y.score, y.reason, y.candidates,
         y.row_count, y.amount::text AS amount, y.documents, y.decision_id::text AS decision_id, y.decision_action, y.decision_target, y.decided_by, y.decided_at::text AS decided_at
    FROM (SELECT x.*, row_number() OVER (ORDER BY x.source_name COLLATE "C" ASC, x.link, x.scope_key) - 1 AS pos FROM x WHERE x.m_band AND x.m_state AND x.m_decision AND x.m_link AND x.m_tenant AND x.decision_id IS NULL AND (x.candidates->0->>'score')::float8 >= $4::float8) y
   WHERE y.pos >= $5::int8
), fc AS (SELECT NULL::text AS facet, NULL::text AS value, 0::int8 AS names, 0::int8 AS rows, 0::int8 AS queue WHERE false)
SELECT coalesce((SELECT jsonb_agg(to_jsonb(pg) ORDER BY pg.pos) FROM pg), '[]'::jsonb) AS items,
       coalesce((SELECT jsonb_agg(to_jsonb(fc)) FROM fc), '[]'::jsonb) AS facets`,
      values: ['3', 'so', 5, 0.8, 0],
    });
  });

  it('sorts: amount, score, name descending (ties by rows, then name, link and scope)', () => {
    const page = (sort: 'amount' | 'score' | 'name', desc: boolean) =>
      reviewQueueSql(
        [{ link: so, linkName: 'so' }],
        plan,
        { minScore: null, maxScore: null, search: null, facets: none },
        { sort, desc, offset: 0, limit: 50 },
        { tenant: null },
      );
    expect(page('amount', false)).toEqual({
      text: oneLink('x.amount ASC NULLS LAST, x.row_count DESC, x.source_name COLLATE "C" ASC, x.link, x.scope_key'),
      values: ['3', 'so', 5, 0, 50],
    });
    expect(page('score', true)).toEqual({
      text: oneLink('x.score DESC NULLS LAST, x.row_count DESC, x.source_name COLLATE "C" ASC, x.link, x.scope_key'),
      values: ['3', 'so', 5, 0, 50],
    });
    expect(page('name', true)).toEqual({
      text: oneLink('x.source_name COLLATE "C" DESC, x.link, x.scope_key'),
      values: ['3', 'so', 5, 0, 50],
    });
  });
});

describe('review master statements (whole text)', () => {
  it("search of one scope's masters by name, number or key (LIKE wildcards escaped, every scope column compared by text), active ones first", () => {
    expect(masterSearchSql({ ...so, scope: ['tenant_id', 'Region'], number: 'Cust No' }, ['T1', null], '10%_x', 20)).toEqual({
      text: `SELECT t."id"::text AS key, t."Legal Name"::text AS name, t."Cust No"::text AS number, (t."is_active" IS TRUE) AS active
  FROM "crm"."Customers" t
 WHERE (t."Legal Name"::text ILIKE $3 OR t."Cust No"::text ILIKE $3 OR t."id"::text = $4) AND t."tenant_id"::text = $1::text AND t."Region"::text = $2::text
 ORDER BY 4 DESC, length(t."Legal Name"::text), 2, 1
 LIMIT $5::int8`,
      values: ['T1', null, `%10\\%\\_x%`, '10%_x', 20],
    });
    // a loose scope column (citext, nondeterministic collation): its text form under "C", so 'T1' does not find the masters of 't1'
    expect(
      masterSearchSql({ ...so, scope: ['tenant_id', 'Region'], scopeLoose: [false, true], number: 'Cust No' }, ['T1', 'r1'], 'acme', 20),
    ).toEqual({
      text: `SELECT t."id"::text AS key, t."Legal Name"::text AS name, t."Cust No"::text AS number, (t."is_active" IS TRUE) AS active
  FROM "crm"."Customers" t
 WHERE (t."Legal Name"::text ILIKE $3 OR t."Cust No"::text ILIKE $3 OR t."id"::text = $4) AND t."tenant_id"::text = $1::text AND t."Region"::text COLLATE "C" = $2::text
 ORDER BY 4 DESC, length(t."Legal Name"::text), 2, 1
 LIMIT $5::int8`,
      values: ['T1', 'r1', '%acme%', 'acme', 20],
    });
    expect(masterSearchSql({ ...so, scope: [], active: undefined }, [], 'acme', 20)).toEqual({
      text: `SELECT t."id"::text AS key, t."Legal Name"::text AS name, NULL::text AS number, true AS active
  FROM "crm"."Customers" t
 WHERE (t."Legal Name"::text ILIKE $1 OR NULL::text ILIKE $1 OR t."id"::text = $2)
 ORDER BY 4 DESC, length(t."Legal Name"::text), 2, 1
 LIMIT $3::int8`,
      values: ['%acme%', 'acme', 20],
    });
  });

  it("rows already linked to the given masters, over every link pointing at their table, per scope, in the queue's tenant (an unscoped link: all)", () => {
    expect(linkedRowsSql([so, inv], ['k1', 'k2'], 'uuid', { tenant: 'T1' })).toEqual({
      text: `SELECT u.scope_key, u.key, sum(u.n)::int8 AS n FROM (SELECT ARRAY[s."tenant_id"::text]::text[] AS scope_key, s."customer_id"::text AS key, count(*)::int8 AS n
    FROM "erp"."Sales Orders" s WHERE s."customer_id" = ANY($1::uuid[]) AND s."tenant_id" = $2 GROUP BY 1, 2
  UNION ALL
  SELECT ARRAY[]::text[] AS scope_key, s."cust"::text AS key, count(*)::int8 AS n
    FROM "Invoices" s WHERE s."cust" = ANY($1::uuid[]) GROUP BY 1, 2) u GROUP BY 1, 2`,
      values: [['k1', 'k2'], 'T1'],
    });
    expect(linkedRowsSql([so], ['k1'], 'uuid', { tenant: null })).toEqual({
      text: `SELECT u.scope_key, u.key, sum(u.n)::int8 AS n FROM (SELECT ARRAY[s."tenant_id"::text]::text[] AS scope_key, s."customer_id"::text AS key, count(*)::int8 AS n
    FROM "erp"."Sales Orders" s WHERE s."customer_id" = ANY($1::uuid[]) GROUP BY 1, 2) u GROUP BY 1, 2`,
      values: [['k1']],
    });
  });

  it("one name's entry in the newest plan that holds it: its band and candidate 1 (the page's accept top)", () => {
    expect(queueEntrySql(['7', '9'], { link: 'so', scopeKey: ['t1', null], name: 'Twin Co' })).toEqual({
      text: `SELECT e.run_id::text AS run_id, e.outcome, e.reason, e.candidates -> 0 ->> 'key' AS top_key
  FROM fk_backfill.plan_entries e
 WHERE e.run_id = ANY($1::int8[]) AND e.link = $2 AND e.source_name = $3
   AND to_jsonb(e.scope_key) = $4::jsonb
 ORDER BY e.run_id DESC
 LIMIT 1`,
      values: [['7', '9'], 'so', 'Twin Co', '["t1",null]'],
    });
  });

  it("with the link's own active: the live row counts and documents are of active rows", () => {
    const args = [
      plan,
      { minScore: null, maxScore: null, search: null, facets: none },
      { sort: 'rows', desc: true, offset: 0, limit: 50 },
      { tenant: null },
    ] as const;
    const base = reviewQueueSql([{ link: so, linkName: 'so' }], ...args);
    const st = reviewQueueSql([{ link: { ...so, sourceActive: { column: 'voided', activeWhen: false } }, linkName: 'so' }], ...args);
    const expected = base.text.replace(`WHERE s."customer_id" IS NULL`, `WHERE s."customer_id" IS NULL AND s."voided" IS FALSE`);
    expect(expected).not.toBe(base.text);
    expect(st).toEqual({ text: expected, values: base.values });
  });
});
