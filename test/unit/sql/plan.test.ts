import { describe, expect, it } from 'vitest';
import { BLANK_NAME_RE, exactCandidatesStatement, unlinkedRecordsStatement, workMemStatement } from '../../../src/sql/plan.js';
import type { LinkShape, TypedLinkShape } from '../../../src/sql/link.js';

const link: TypedLinkShape = {
  sourceSql: 'public.sales_orders',
  targetSql: 'public.customers',
  key: 'id',
  keyType: 'uuid',
  fk: 'customer_id',
  fkType: 'uuid',
  name: 'customer_name',
  targetKey: 'id',
  targetName: 'customer_name',
  scope: ['tenant_id', 'region'],
  scopeTypes: ['uuid', 'numeric'],
  touch: null,
};

describe('plan statements (whole text)', () => {
  it('unmatched sample: rows joined with the entries by typed scope values (a type whose text form is not its equality compared by text too), NULL scope or name by the text array, scope_key built for the kept rows only; named rows in their keys\' typed order, unnamed rows one counted line per scope, outcome and reason', () => {
    expect(unlinkedRecordsStatement(link, '7', 'so', { tenant: null }, 1001)).toEqual({
      text: `WITH r AS (
  SELECT s."id"::text AS document_number, s."customer_name" AS entity_name, s."tenant_id" AS fkb_scope_1, s."region" AS fkb_scope_2, s."id" AS fkb_sort_1, e.outcome, e.reason, (s."customer_name" IS NULL OR s."customer_name"::text COLLATE "C" ~ $3) AS unnamed
    FROM public.sales_orders s
    JOIN (SELECT e.scope_key, e.source_name, e.outcome, e.reason, e.scope_key[1]::uuid AS fkb_scope_1, e.scope_key[2]::numeric AS fkb_scope_2 FROM fk_backfill.plan_entries e WHERE e.run_id = $1 AND e.link = $2 AND e.outcome <> 'linked') e
      ON e.source_name = s."customer_name" AND s."tenant_id" = e.fkb_scope_1 AND s."region" = e.fkb_scope_2 AND s."region"::text = e.scope_key[2]
   WHERE s."customer_id" IS NULL
  UNION ALL
  SELECT s."id"::text, s."customer_name", s."tenant_id" AS fkb_scope_1, s."region" AS fkb_scope_2, s."id" AS fkb_sort_1, coalesce(e.outcome, 'unmatched'), CASE WHEN s."customer_name" IS NULL THEN 'no name' ELSE e.reason END, (s."customer_name" IS NULL OR s."customer_name"::text COLLATE "C" ~ $3)
    FROM public.sales_orders s
    LEFT JOIN (SELECT e.scope_key, e.source_name, e.outcome, e.reason FROM fk_backfill.plan_entries e
                WHERE e.run_id = $1 AND e.link = $2 AND e.outcome <> 'linked' AND array_position(e.scope_key, NULL) IS NOT NULL) e
      ON e.source_name = s."customer_name" AND e.scope_key = ARRAY[s."tenant_id"::text, s."region"::text]::text[]
   WHERE s."customer_id" IS NULL AND (s."customer_name" IS NULL OR s."tenant_id" IS NULL OR s."region" IS NULL)
     AND (s."customer_name" IS NULL OR e.outcome IS NOT NULL)
), u AS (
  SELECT r.document_number, r.entity_name, r.outcome, r.reason, 1::int8 AS row_count, false AS grouped, r.fkb_scope_1, r.fkb_scope_2, r.fkb_sort_1 FROM r WHERE NOT r.unnamed
  UNION ALL
  SELECT NULL, min(r.entity_name), r.outcome, r.reason, count(*)::int8, true, r.fkb_scope_1, r.fkb_scope_2, NULL
    FROM r WHERE r.unnamed
   GROUP BY r.fkb_scope_1, r.fkb_scope_2, r.outcome, r.reason, r.entity_name IS NULL
   ORDER BY grouped DESC, fkb_sort_1, fkb_scope_1, fkb_scope_2, outcome, reason
   LIMIT $4
), k AS (
  SELECT u.document_number, u.entity_name, ARRAY[u."fkb_scope_1"::text, u."fkb_scope_2"::text]::text[] AS scope_key, u.outcome, u.reason, u.row_count, u.grouped, u.fkb_scope_1, u.fkb_scope_2, u.fkb_sort_1 FROM u
)
SELECT u.document_number, u.entity_name, u.scope_key, u.outcome, u.reason, u.row_count, c.candidates
  FROM k u
  LEFT JOIN fk_backfill.plan_entries c
    ON c.run_id = $1 AND c.link = $2 AND c.outcome <> 'linked' AND c.scope_key = u.scope_key AND c.source_name = u.entity_name
 ORDER BY u.grouped DESC, u.fkb_sort_1, u.fkb_scope_1, u.fkb_scope_2, u.outcome, u.reason`,
      values: ['7', 'so', BLANK_NAME_RE, 1001],
    });
  });
  it('plan transaction settings: work_mem of at least 64 MB, no JIT', () => {
    expect(workMemStatement()).toEqual({
      text: `SELECT CASE WHEN pg_size_bytes(current_setting('work_mem')) < 67108864 THEN set_config('work_mem', '64MB', true) END, set_config('jit', 'off', true)`,
      values: [],
    });
  });
  it('exact candidates, plain columns: masters grouped by (scope, name) first, each name joined to at most one group, no second GROUP BY', () => {
    const plain: TypedLinkShape = { ...link, scopeTypes: ['uuid', 'integer'], nameType: 'text', targetNameType: 'character varying(60)', nameLoose: false, active: { column: 'is_active', activeWhen: true } };
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
    const regroups = (l: LinkShape & { scopeTypes?: string[] }): boolean => !exactCandidatesStatement(l, { tenant: null }).text.includes('), m AS (');
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
