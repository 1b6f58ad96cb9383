import { describe, expect, it } from 'vitest';
import {
  aliasesStatement,
  deletePlanEntriesStatement,
  exactCandidatesStatement,
  exactPlanInsertStatement,
  inactiveMastersStatement,
  mastersStatement,
  planCountsStatement,
  planEntriesStatement,
  unlinkedNamesStatement,
  workMemStatement,
} from '../../../src/sql/plan.js';
import type { LinkShape, TypedLinkShape } from '../../../src/sql/link.js';
import { SALES_ORDERS as link, SALES_ORDERS_TOUCHED } from '../../helpers/link-shapes.js';

describe('plan statements (whole text)', () => {
  it('plan transaction settings: work_mem of at least 64 MB, no JIT', () => {
    expect(workMemStatement()).toEqual({
      text: `SELECT CASE WHEN pg_size_bytes(current_setting('work_mem')) < 67108864 THEN set_config('work_mem', '64MB', true) END, set_config('jit', 'off', true)`,
      values: [],
    });
  });
  it('exact candidates, plain columns: masters grouped by (scope, name) first, each name joined to at most one group, no second GROUP BY', () => {
    const plain: TypedLinkShape = {
      ...link,
      scopeTypes: ['uuid', 'integer'],
      nameType: 'text',
      targetNameType: 'character varying(60)',
      nameLoose: false,
      active: { column: 'is_active', activeWhen: true },
    };
    expect(exactCandidatesStatement(plain, { tenant: 'T1' }, 10, { ordered: false })).toEqual({
      text: `WITH names AS (
  SELECT s."tenant_id" AS "tenant_id", s."region" AS "region", s."customer_name" AS source_name, count(*)::int8 AS row_count
    FROM public.sales_orders s
   WHERE s."customer_id" IS NULL AND s."tenant_id" = $3
   GROUP BY s."tenant_id", s."region", s."customer_name"
), m AS (
  SELECT t."tenant_id", t."region", t."customer_name",
         (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:$1::int] AS keys,
         count(t."id") FILTER (WHERE (t."is_active" IS TRUE))::int8 AS candidate_count,
         (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND NOT (t."is_active" IS TRUE)))[1:$1::int] AS inactive_keys,
         (array_agg(t."customer_name"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:1] AS names
    FROM public.customers t
   WHERE t."customer_name" IS NOT NULL AND t."tenant_id" = $2
   GROUP BY t."tenant_id", t."region", t."customer_name"
)
SELECT ARRAY[n."tenant_id"::text, n."region"::text]::text[] AS scope_key, n.source_name, n.row_count, m.keys, coalesce(m.candidate_count, 0)::int8 AS candidate_count, m.inactive_keys, m.names
  FROM names n
  LEFT JOIN m
    ON m."customer_name" = n.source_name AND m."tenant_id" = n."tenant_id" AND m."region" = n."region"`,
      values: [10, 'T1', 'T1'],
    });
  });
  it('exact candidates: citext, char(n), a nondeterministic collation, unknown types or numeric scope keep the regrouping form', () => {
    const plain: TypedLinkShape = { ...link, scopeTypes: ['uuid', 'integer'], nameLoose: false };
    const regroups = (l: LinkShape & { scopeTypes?: string[] }): boolean =>
      !exactCandidatesStatement(l, { tenant: null }).text.includes('), m AS (');
    expect(regroups(plain)).toBe(false);
    expect(regroups({ ...plain, nameType: 'citext' })).toBe(true);
    expect(regroups({ ...plain, targetNameType: 'character(40)' })).toBe(true);
    expect(regroups({ ...plain, nameLoose: true })).toBe(true);
    expect(regroups({ ...plain, scopeLoose: [false, true] })).toBe(true);
    expect(regroups({ ...plain, scopeTypes: ['uuid', 'numeric'] })).toBe(true);
    const { scopeTypes: _s, ...untyped } = plain;
    expect(regroups(untyped)).toBe(true);
    expect(regroups({ ...plain, nameLoose: undefined })).toBe(true);
  });
});

/** Quoted identifiers with spaces and capitals, two scope columns, an active flag. */
const orders = SALES_ORDERS_TOUCHED;

describe('plan statements over quoted identifiers (whole text)', () => {
  it('exact candidates, regrouping form: names of NULL-FK rows within the tenant, same-scope masters by exact name, active ones the candidates, inactive ones listed', () => {
    expect(exactCandidatesStatement(orders, { tenant: 'T1' })).toEqual({
      text: `WITH names AS (
  SELECT s."tenant_id" AS "tenant_id", s."branch" AS "branch", s."customer name" AS source_name, count(*)::int8 AS row_count
    FROM "erp"."Sales Orders" s
   WHERE s."customer_id" IS NULL AND s."tenant_id" = $2
   GROUP BY s."tenant_id", s."branch", s."customer name"
)
SELECT ARRAY[n."tenant_id"::text, n."branch"::text]::text[] AS scope_key, n.source_name, n.row_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:$1::int] AS keys,
       count(t."id") FILTER (WHERE (t."is_active" IS TRUE))::int8 AS candidate_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND NOT (t."is_active" IS TRUE)))[1:$1::int] AS inactive_keys,
       -- the active masters' names as read, in the order of keys: what a linked entry's decision rested on (apply rechecks it)
       (array_agg(t."customer_name"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:1] AS names
  FROM names n
  LEFT JOIN "customers" t
    ON t."customer_name" = n.source_name AND t."tenant_id" = n."tenant_id" AND t."branch" = n."branch"
 GROUP BY n."tenant_id", n."branch", n.source_name, n.row_count
 ORDER BY 1, 2`,
      values: [10, 'T1'],
    });
  });

  it("exact candidates, a loose tenant column (nondeterministic collation, citext): grouped, filtered, keyed and joined by its text form under \"C\" ('t1' and 'T1' two scopes)", () => {
    expect(exactCandidatesStatement({ ...orders, scopeLoose: [true, false] }, { tenant: 'T1' })).toEqual({
      text: `WITH names AS (
  SELECT s."tenant_id"::text COLLATE "C" AS "tenant_id", s."branch" AS "branch", s."customer name" AS source_name, count(*)::int8 AS row_count
    FROM "erp"."Sales Orders" s
   WHERE s."customer_id" IS NULL AND s."tenant_id" = $2 AND s."tenant_id"::text COLLATE "C" = $2::text
   GROUP BY s."tenant_id"::text COLLATE "C", s."branch", s."customer name"
)
SELECT ARRAY[n."tenant_id"::text COLLATE "C", n."branch"::text]::text[] AS scope_key, n.source_name, n.row_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:$1::int] AS keys,
       count(t."id") FILTER (WHERE (t."is_active" IS TRUE))::int8 AS candidate_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND NOT (t."is_active" IS TRUE)))[1:$1::int] AS inactive_keys,
       -- the active masters' names as read, in the order of keys: what a linked entry's decision rested on (apply rechecks it)
       (array_agg(t."customer_name"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:1] AS names
  FROM names n
  LEFT JOIN "customers" t
    ON t."customer_name" = n.source_name AND t."tenant_id"::text COLLATE "C" = n."tenant_id"::text COLLATE "C" AND t."branch" = n."branch"
 GROUP BY n."tenant_id", n."branch", n.source_name, n.row_count
 ORDER BY 1, 2`,
      values: [10, 'T1'],
    });
  });

  it('exact candidates, a citext document name: the masters\' names compared as citext, each group recorded under its least spelling under "C"', () => {
    expect(
      exactCandidatesStatement(
        { ...orders, scope: ['tenant_id'], nameType: 'citext', nameLoose: true, nameCitext: true },
        { tenant: null },
      ),
    ).toEqual({
      text: `WITH names AS (
  SELECT s."tenant_id" AS "tenant_id", s."customer name" AS source_name, min(s."customer name"::text COLLATE "C") AS spelling, count(*)::int8 AS row_count
    FROM "erp"."Sales Orders" s
   WHERE s."customer_id" IS NULL
   GROUP BY s."tenant_id", s."customer name"
)
SELECT ARRAY[n."tenant_id"::text]::text[] AS scope_key, n.spelling AS source_name, n.row_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:$1::int] AS keys,
       count(t."id") FILTER (WHERE (t."is_active" IS TRUE))::int8 AS candidate_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND NOT (t."is_active" IS TRUE)))[1:$1::int] AS inactive_keys,
       -- the active masters' names as read, in the order of keys: what a linked entry's decision rested on (apply rechecks it)
       (array_agg(t."customer_name"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:1] AS names
  FROM names n
  LEFT JOIN "customers" t
    ON t."customer_name"::citext = n.source_name AND t."tenant_id" = n."tenant_id"
 GROUP BY n."tenant_id", n.source_name, n.spelling, n.row_count
 ORDER BY 1, 2`,
      values: [10],
    });
    expect(
      unlinkedNamesStatement({ ...orders, scope: ['tenant_id'], nameType: 'citext', nameLoose: true, nameCitext: true }, { tenant: null }),
    ).toEqual({
      text: `SELECT ARRAY[s."tenant_id"::text]::text[] AS scope_key, min(s."customer name"::text COLLATE "C") AS source_name, count(*)::int8 AS row_count
  FROM "erp"."Sales Orders" s
 WHERE s."customer_id" IS NULL
 GROUP BY 1, s."customer name"
 ORDER BY 1, 2`,
      values: [],
    });
    // the link's own active: names of active rows only
    expect(
      unlinkedNamesStatement(
        { ...orders, scope: ['tenant_id'], sourceActive: { column: 'deleted_at', activeWhen: 'null' } },
        { tenant: 'T1' },
      ),
    ).toEqual({
      text: `SELECT ARRAY[s."tenant_id"::text]::text[] AS scope_key, s."customer name" AS source_name, count(*)::int8 AS row_count
  FROM "erp"."Sales Orders" s
 WHERE s."customer_id" IS NULL AND s."deleted_at" IS NULL AND s."tenant_id" = $1
 GROUP BY 1, 2
 ORDER BY 1, 2`,
      values: ['T1'],
    });
  });

  it('the exact plan inserted by one statement: the candidates unordered inside, blank names by a bound pattern, the no-scope reason bound, a soft-delete predicate', () => {
    expect(
      exactPlanInsertStatement(
        { ...orders, scope: ['Tenant'], active: { column: 'deleted_at', activeWhen: 'null' }, nameType: 'character(40)' },
        { runId: '7', linkName: 'so' },
        { tenant: 'T1' },
        5,
      ),
    ).toEqual({
      text: `WITH c AS (
WITH names AS (
  SELECT s."Tenant" AS "Tenant", s."customer name" AS source_name, count(*)::int8 AS row_count
    FROM "erp"."Sales Orders" s
   WHERE s."customer_id" IS NULL AND s."Tenant" = $2
   GROUP BY s."Tenant", s."customer name"
)
SELECT ARRAY[n."Tenant"::text]::text[] AS scope_key, n.source_name, n.row_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."deleted_at" IS NULL)))[1:$1::int] AS keys,
       count(t."id") FILTER (WHERE (t."deleted_at" IS NULL))::int8 AS candidate_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND NOT (t."deleted_at" IS NULL)))[1:$1::int] AS inactive_keys,
       -- the active masters' names as read, in the order of keys: what a linked entry's decision rested on (apply rechecks it)
       (array_agg(t."customer_name"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."deleted_at" IS NULL)))[1:1] AS names
  FROM names n
  LEFT JOIN "customers" t
    ON t."customer_name" = n.source_name AND t."Tenant" = n."Tenant"
 GROUP BY n."Tenant", n.source_name, n.row_count
), d AS (
  SELECT c.scope_key, c.source_name::text AS source_name, c.row_count, coalesce(c.keys, '{}') AS keys, c.candidate_count,
         coalesce(c.inactive_keys, '{}') AS inactive_keys, c.names,
         CASE WHEN c.source_name IS NULL THEN 'no name' WHEN c.source_name::text COLLATE "C" ~ $5 THEN 'blank name' END AS no_name
    FROM c
)
INSERT INTO fk_backfill.plan_entries (run_id, link, scope_key, source_name, outcome, target_key, method, score, row_count, candidates, reason, target_name)
SELECT $3::int8, $4::text, d.scope_key, d.source_name,
       CASE WHEN d.no_name IS NOT NULL THEN 'unmatched' WHEN d.candidate_count = 1 THEN 'linked' WHEN d.candidate_count > 1 THEN 'ambiguous' ELSE 'unmatched' END,
       CASE WHEN d.no_name IS NULL AND d.candidate_count = 1 THEN d.keys[1] END,
       CASE WHEN d.no_name IS NULL AND d.candidate_count = 1 THEN 'exact' END,
       CASE WHEN d.no_name IS NULL AND d.candidate_count = 1 THEN 1::real END,
       d.row_count,
       CASE WHEN d.no_name IS NOT NULL THEN '[]'::jsonb
            WHEN d.candidate_count >= 1 THEN CASE WHEN cardinality(d.keys) = 1 THEN jsonb_build_array(jsonb_build_object('key', d.keys[1], 'name', d.source_name, 'score', 1, 'method', 'exact'))
                 ELSE (SELECT jsonb_agg(jsonb_build_object('key', u.k, 'name', d.source_name, 'score', 1, 'method', 'exact') ORDER BY u.o) FROM unnest(d.keys) WITH ORDINALITY AS u(k, o)) END
            WHEN cardinality(d.inactive_keys) > 0 THEN CASE WHEN cardinality(d.inactive_keys) = 1 THEN jsonb_build_array(jsonb_build_object('key', d.inactive_keys[1], 'name', d.source_name, 'score', 1, 'method', 'exact', 'active', false))
                 ELSE (SELECT jsonb_agg(jsonb_build_object('key', u.k, 'name', d.source_name, 'score', 1, 'method', 'exact', 'active', false) ORDER BY u.o) FROM unnest(d.inactive_keys) WITH ORDINALITY AS u(k, o)) END
            ELSE '[]'::jsonb END,
       CASE WHEN d.no_name IS NOT NULL THEN d.no_name
            WHEN array_position(d.scope_key, NULL) IS NOT NULL THEN $6
            WHEN d.candidate_count = 1 THEN 'one active master with this exact name'
            WHEN d.candidate_count > 1 THEN d.candidate_count::text || ' active masters share this exact name'
            WHEN cardinality(d.inactive_keys) = 1 THEN 'only an inactive master matches this name (not linked)'
            WHEN cardinality(d.inactive_keys) > 1 THEN 'only inactive masters (' || cardinality(d.inactive_keys)::text || ') match this name (not linked)'
            ELSE 'no active master with this exact name' END,
       CASE WHEN d.no_name IS NULL AND d.candidate_count = 1 THEN d.names[1] END
  FROM d`,
      values: [
        5,
        'T1',
        '7',
        'so',
        `^[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u180e\\u2000-\\u200d\\u2028\\u2029\\u202f\\u205f\\u2060\\u3000\\ufeff]*$`,
        'no tenant: its scope column is NULL (rows of no tenant are never linked)',
      ],
    });
  });

  it("the plan's counts per outcome and method", () => {
    expect(planCountsStatement({ runId: '7', linkName: 'so' })).toEqual({
      text: `SELECT e.outcome, e.method, count(*)::int8 AS names, coalesce(sum(e.row_count), 0)::int8 AS rows
  FROM fk_backfill.plan_entries e
 WHERE e.run_id = $1::int8 AND e.link = $2
 GROUP BY 1, 2`,
      values: ['7', 'so'],
    });
  });

  it('entries by (scope, name) pairs in one JSON parameter (NULL scope values, an empty scope), or the inferred links; read or deleted', () => {
    expect(
      planEntriesStatement({
        runId: '7',
        linkName: 'so',
        which: {
          pairs: [
            [['T1', null], "O'Brien"],
            [[], 'Acme'],
          ],
        },
      }),
    ).toEqual({
      text: `SELECT e.scope_key, e.source_name, e.outcome, e.target_key, e.method, e.score, e.row_count, e.candidates, e.reason, e.target_name
  FROM fk_backfill.plan_entries e
 WHERE e.run_id = $1::int8 AND e.link = $2
   AND (e.scope_key, e.source_name) IN (SELECT ARRAY(SELECT jsonb_array_elements_text(x.value -> 0)), x.value ->> 1
                                          FROM jsonb_array_elements($3::jsonb) x)`,
      values: ['7', 'so', `[[["T1",null],"O'Brien"],[[],"Acme"]]`],
    });
    expect(planEntriesStatement({ runId: '7', linkName: 'so', which: { inferred: true } })).toEqual({
      text: `SELECT e.scope_key, e.source_name, e.outcome, e.target_key, e.method, e.score, e.row_count, e.candidates, e.reason, e.target_name
  FROM fk_backfill.plan_entries e
 WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome = 'linked' AND e.method IS DISTINCT FROM 'exact'`,
      values: ['7', 'so'],
    });
    expect(deletePlanEntriesStatement({ runId: '7', linkName: 'so', which: { pairs: [[['T1'], 'Acme']] } })).toEqual({
      text: `DELETE FROM fk_backfill.plan_entries e WHERE e.run_id = $1::int8 AND e.link = $2
   AND (e.scope_key, e.source_name) IN (SELECT ARRAY(SELECT jsonb_array_elements_text(x.value -> 0)), x.value ->> 1
                                          FROM jsonb_array_elements($3::jsonb) x)`,
      values: ['7', 'so', '[[["T1"],"Acme"]]'],
    });
    expect(deletePlanEntriesStatement({ runId: '7', linkName: 'so', which: { inferred: true } })).toEqual({
      text: `DELETE FROM fk_backfill.plan_entries e WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome = 'linked' AND e.method IS DISTINCT FROM 'exact'`,
      values: ['7', 'so'],
    });
  });

  it('aliases: names already linked by FK to an active master of the same scope (a loose scope column by its text form too), within the tenant', () => {
    expect(aliasesStatement({ ...orders, scopeLoose: [false, true] }, { tenant: 'T1' })).toEqual({
      text: `SELECT ARRAY[s."tenant_id"::text, s."branch"::text COLLATE "C"]::text[] AS scope_key, s."customer name" AS name, s."customer_id"::text AS key, count(*)::int8 AS rows
  FROM "erp"."Sales Orders" s
  JOIN "customers" t ON t."id" = s."customer_id" AND t."tenant_id" = s."tenant_id" AND t."branch"::text COLLATE "C" = s."branch"::text COLLATE "C" AND t."is_active" IS TRUE
 WHERE s."customer_id" IS NOT NULL AND s."customer name" IS NOT NULL AND s."tenant_id" = $1
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3`,
      values: ['T1'],
    });
    expect(aliasesStatement({ ...orders, scope: [], active: undefined }, { tenant: 'T1' })).toEqual({
      text: `SELECT ARRAY[]::text[] AS scope_key, s."customer name" AS name, s."customer_id"::text AS key, count(*)::int8 AS rows
  FROM "erp"."Sales Orders" s
  JOIN "customers" t ON t."id" = s."customer_id"
 WHERE s."customer_id" IS NOT NULL AND s."customer name" IS NOT NULL
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3`,
      values: [],
    });
  });

  it('active masters of a soft-delete predicate', () => {
    expect(mastersStatement({ ...orders, active: { column: 'deleted_at', activeWhen: 'null' } }, { tenant: null })).toEqual({
      text: `SELECT ARRAY[t."tenant_id"::text, t."branch"::text]::text[] AS scope_key, t."id"::text AS key, t."customer_name" AS name
  FROM "customers" t
 WHERE t."customer_name" IS NOT NULL AND t."deleted_at" IS NULL
 ORDER BY 1, 3, 2`,
      values: [],
    });
  });

  it('inactive masters within the tenant, with their number; none without an active predicate', () => {
    expect(inactiveMastersStatement({ ...orders, number: 'Cust No' }, { tenant: 'T1' })).toEqual({
      text: `SELECT ARRAY[t."tenant_id"::text, t."branch"::text]::text[] AS scope_key, t."id"::text AS key, t."customer_name" AS name, t."Cust No"::text AS number
  FROM "customers" t
 WHERE NOT (t."is_active" IS TRUE) AND t."customer_name" IS NOT NULL AND t."tenant_id" = $1`,
      values: ['T1'],
    });
    expect(inactiveMastersStatement({ ...orders, active: { column: 'deleted_at', activeWhen: 'null' } }, { tenant: null })).toEqual({
      text: `SELECT ARRAY[t."tenant_id"::text, t."branch"::text]::text[] AS scope_key, t."id"::text AS key, t."customer_name" AS name, NULL::text AS number
  FROM "customers" t
 WHERE NOT (t."deleted_at" IS NULL) AND t."customer_name" IS NOT NULL`,
      values: [],
    });
    expect(inactiveMastersStatement({ ...orders, active: undefined }, { tenant: 'T1' })).toEqual({
      text: `SELECT NULL::text[] AS scope_key, NULL::text AS key, NULL::text AS name, NULL::text AS number WHERE false`,
      values: [],
    });
  });

  it("plan reads the compare columns as text: the masters' own, and per name the value all its rows have (numbers through trim_scale)", () => {
    const c: LinkShape = {
      ...orders,
      scope: ['tenant_id'],
      active: undefined,
      compare: [
        { source: 'city', target: 'town "x"' },
        { source: 'vat', target: 'vat_id' },
      ],
    };
    const agreed = (x: string): string => `CASE WHEN count(${x}) = count(*) AND min(${x}) = max(${x}) THEN min(${x}) END`;
    const city = 's."city"::text';
    const vat = 'trim_scale(s."vat"::numeric)::text';
    expect(
      unlinkedNamesStatement(
        {
          ...c,
          compare: [
            { source: 'city', target: 'town "x"' },
            { source: 'vat', target: 'vat_id', as: 'numeric' },
          ],
        },
        { tenant: 'T1' },
      ),
    ).toEqual({
      text: `SELECT ARRAY[s."tenant_id"::text]::text[] AS scope_key, s."customer name" AS source_name, count(*)::int8 AS row_count, ${agreed(city)} AS compare_0, ${agreed(vat)} AS compare_1, min(${city}) IS NOT DISTINCT FROM max(${city}) AND min(${vat}) IS NOT DISTINCT FROM max(${vat}) AS compare_agree
  FROM "erp"."Sales Orders" s
 WHERE s."customer_id" IS NULL AND s."tenant_id" = $1
 GROUP BY 1, 2
 ORDER BY 1, 2`,
      values: ['T1'],
    });
    expect(
      mastersStatement(
        {
          ...c,
          compare: [
            { source: 'city', target: 'town "x"' },
            { source: 'vat', target: 'vat_id', as: 'numeric' },
          ],
        },
        { tenant: 'T1' },
      ),
    ).toEqual({
      text: `SELECT ARRAY[t."tenant_id"::text]::text[] AS scope_key, t."id"::text AS key, t."customer_name" AS name, t."town ""x"""::text AS compare_0, trim_scale(t."vat_id"::numeric)::text AS compare_1
  FROM "customers" t
 WHERE t."customer_name" IS NOT NULL AND t."tenant_id" = $1
 ORDER BY 1, 3, 2`,
      values: ['T1'],
    });
  });

  it('a compare pair read as a date (the two columns of different types): the source cast to it, the master read as it is', () => {
    const d: LinkShape = { ...orders, scope: [], active: undefined, compare: [{ source: 'Born On', target: 'birth', as: 'date' }] };
    expect(unlinkedNamesStatement(d, { tenant: 'T1' })).toEqual({
      text: `SELECT ARRAY[]::text[] AS scope_key, s."customer name" AS source_name, count(*)::int8 AS row_count, CASE WHEN count(s."Born On"::date::text) = count(*) AND min(s."Born On"::date::text) = max(s."Born On"::date::text) THEN min(s."Born On"::date::text) END AS compare_0, min(s."Born On"::date::text) IS NOT DISTINCT FROM max(s."Born On"::date::text) AS compare_agree
  FROM "erp"."Sales Orders" s
 WHERE s."customer_id" IS NULL
 GROUP BY 1, 2
 ORDER BY 1, 2`,
      values: [],
    });
    expect(mastersStatement(d, { tenant: 'T1' })).toEqual({
      text: `SELECT ARRAY[]::text[] AS scope_key, t."id"::text AS key, t."customer_name" AS name, t."birth"::text AS compare_0
  FROM "customers" t
 WHERE t."customer_name" IS NOT NULL
 ORDER BY 1, 3, 2`,
      values: [],
    });
  });

  it("exact candidates with the link's own active: the names of active rows only (both shapes)", () => {
    const typedOrders: TypedLinkShape = { ...orders, scopeTypes: ['uuid', 'integer'] };
    const plainOne: TypedLinkShape = { ...typedOrders, nameType: 'text', targetNameType: 'text', nameLoose: false };
    for (const l of [typedOrders, plainOne]) {
      const base = exactCandidatesStatement(l, { tenant: 'T1' });
      const st = exactCandidatesStatement({ ...l, sourceActive: { column: 'deleted_at', activeWhen: 'null' } }, { tenant: 'T1' });
      const expected = base.text.replace('WHERE s."customer_id" IS NULL', 'WHERE s."customer_id" IS NULL AND s."deleted_at" IS NULL');
      expect(expected).not.toBe(base.text);
      expect(st).toEqual({ text: expected, values: base.values });
    }
  });
});
