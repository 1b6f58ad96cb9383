import { describe, expect, it } from 'vitest';
import { BLANK_NAME_RE } from '../../../src/sql/plan.js';
import { unlinkedRecordsStatement, unlinkedSampleSettingsStatement } from '../../../src/sql/unlinked.js';
import { SALES_ORDERS as link } from '../../helpers/link-shapes.js';

describe('the unmatched sample (whole text)', () => {
  it("unmatched sample: unnamed rows one counted line per scope, outcome and reason from the entries; named rows the first found by a semi-join on typed scope values (a type whose text form is not its equality compared by text too), NULL scope by the text array, listed in their keys' typed order, outcome and candidates looked up for the kept rows only", () => {
    expect(unlinkedRecordsStatement(link, '7', 'so', { tenant: null }, 1001)).toEqual({
      text: `WITH named AS (
  SELECT s."id"::text AS document_number, s."customer_name" AS entity_name, s."tenant_id" AS fkb_scope_1, s."region" AS fkb_scope_2, s."id" AS fkb_sort_1
    FROM public.sales_orders s
   WHERE s."customer_id" IS NULL
     AND EXISTS (SELECT 1 FROM (SELECT e.scope_key, e.source_name, e.scope_key[1]::uuid AS fkb_scope_1, e.scope_key[2]::numeric AS fkb_scope_2 FROM fk_backfill.plan_entries e
                                 WHERE e.run_id = $1 AND e.link = $2 AND e.outcome <> 'linked' AND NOT (e.source_name IS NULL OR e.source_name COLLATE "C" ~ $3)) e
                  WHERE e.source_name = s."customer_name" AND s."tenant_id" = e.fkb_scope_1 AND s."region" = e.fkb_scope_2 AND s."region"::text = e.scope_key[2])
  UNION ALL
  SELECT s."id"::text, s."customer_name", s."tenant_id" AS fkb_scope_1, s."region" AS fkb_scope_2, s."id" AS fkb_sort_1
    FROM public.sales_orders s
    JOIN (SELECT e.scope_key, e.source_name FROM fk_backfill.plan_entries e
           WHERE e.run_id = $1 AND e.link = $2 AND e.outcome <> 'linked' AND array_position(e.scope_key, NULL) IS NOT NULL AND NOT (e.source_name IS NULL OR e.source_name COLLATE "C" ~ $3)) e
      ON e.source_name = s."customer_name" AND e.scope_key = ARRAY[s."tenant_id"::text, s."region"::text]::text[]
   WHERE s."customer_id" IS NULL AND (s."tenant_id" IS NULL OR s."region" IS NULL)
   LIMIT $4
), u AS (
  SELECT n.document_number, n.entity_name, NULL::text AS outcome, NULL::text AS reason, 1::int8 AS row_count, false AS grouped, n.fkb_scope_1, n.fkb_scope_2, n.fkb_sort_1 FROM named n
  UNION ALL
  SELECT NULL, min(e.source_name), e.outcome, e.reason, sum(e.row_count)::int8, true, e.fkb_scope_1, e.fkb_scope_2, NULL
    FROM (SELECT e.source_name, e.outcome, e.reason, e.row_count, e.scope_key[1]::uuid AS fkb_scope_1, e.scope_key[2]::numeric AS fkb_scope_2 FROM fk_backfill.plan_entries e
           WHERE e.run_id = $1 AND e.link = $2 AND e.outcome <> 'linked' AND (e.source_name IS NULL OR e.source_name COLLATE "C" ~ $3)) e
   GROUP BY e.fkb_scope_1, e.fkb_scope_2, e.outcome, e.reason, e.source_name IS NULL
), k AS (
  SELECT u.document_number, u.entity_name, ARRAY[u."fkb_scope_1"::text, u."fkb_scope_2"::text]::text[] AS scope_key, u.outcome, u.reason, u.row_count, u.grouped, u.fkb_scope_1, u.fkb_scope_2, u.fkb_sort_1 FROM u
   ORDER BY grouped DESC, fkb_sort_1, fkb_scope_1, fkb_scope_2, outcome, reason
   LIMIT $4
)
SELECT u.document_number, u.entity_name, u.scope_key, coalesce(u.outcome, c.outcome, 'unmatched') AS outcome, CASE WHEN u.grouped THEN u.reason ELSE c.reason END AS reason, u.row_count, c.candidates
  FROM k u
  LEFT JOIN fk_backfill.plan_entries c
    ON NOT u.grouped AND c.run_id = $1 AND c.link = $2 AND c.outcome <> 'linked' AND c.scope_key = u.scope_key AND c.source_name = u.entity_name
 ORDER BY u.grouped DESC, u.fkb_sort_1, u.fkb_scope_1, u.fkb_scope_2, u.outcome, u.reason`,
      values: ['7', 'so', BLANK_NAME_RE, 1001],
    });
  });
  it('unmatched sample, a loose scope column (nondeterministic collation, citext): the named rows\' semi-join and the NULL-scope join compare its text form under "C", the lines\' scope keys too', () => {
    expect(
      unlinkedRecordsStatement({ ...link, scopeTypes: ['uuid', 'text'], scopeLoose: [false, true] }, '7', 'so', { tenant: null }, 1001),
    ).toEqual({
      text: `WITH named AS (
  SELECT s."id"::text AS document_number, s."customer_name" AS entity_name, s."tenant_id" AS fkb_scope_1, s."region" AS fkb_scope_2, s."id" AS fkb_sort_1
    FROM public.sales_orders s
   WHERE s."customer_id" IS NULL
     AND EXISTS (SELECT 1 FROM (SELECT e.scope_key, e.source_name, e.scope_key[1]::uuid AS fkb_scope_1, e.scope_key[2]::text AS fkb_scope_2 FROM fk_backfill.plan_entries e
                                 WHERE e.run_id = $1 AND e.link = $2 AND e.outcome <> 'linked' AND NOT (e.source_name IS NULL OR e.source_name COLLATE "C" ~ $3)) e
                  WHERE e.source_name = s."customer_name" AND s."tenant_id" = e.fkb_scope_1 AND s."region"::text COLLATE "C" = e.scope_key[2])
  UNION ALL
  SELECT s."id"::text, s."customer_name", s."tenant_id" AS fkb_scope_1, s."region" AS fkb_scope_2, s."id" AS fkb_sort_1
    FROM public.sales_orders s
    JOIN (SELECT e.scope_key, e.source_name FROM fk_backfill.plan_entries e
           WHERE e.run_id = $1 AND e.link = $2 AND e.outcome <> 'linked' AND array_position(e.scope_key, NULL) IS NOT NULL AND NOT (e.source_name IS NULL OR e.source_name COLLATE "C" ~ $3)) e
      ON e.source_name = s."customer_name" AND e.scope_key = ARRAY[s."tenant_id"::text, s."region"::text COLLATE "C"]::text[]
   WHERE s."customer_id" IS NULL AND (s."tenant_id" IS NULL OR s."region" IS NULL)
   LIMIT $4
), u AS (
  SELECT n.document_number, n.entity_name, NULL::text AS outcome, NULL::text AS reason, 1::int8 AS row_count, false AS grouped, n.fkb_scope_1, n.fkb_scope_2, n.fkb_sort_1 FROM named n
  UNION ALL
  SELECT NULL, min(e.source_name), e.outcome, e.reason, sum(e.row_count)::int8, true, e.fkb_scope_1, e.fkb_scope_2, NULL
    FROM (SELECT e.source_name, e.outcome, e.reason, e.row_count, e.scope_key[1]::uuid AS fkb_scope_1, e.scope_key[2]::text AS fkb_scope_2 FROM fk_backfill.plan_entries e
           WHERE e.run_id = $1 AND e.link = $2 AND e.outcome <> 'linked' AND (e.source_name IS NULL OR e.source_name COLLATE "C" ~ $3)) e
   GROUP BY e.fkb_scope_1, e.fkb_scope_2, e.outcome, e.reason, e.source_name IS NULL
), k AS (
  SELECT u.document_number, u.entity_name, ARRAY[u."fkb_scope_1"::text, u."fkb_scope_2"::text COLLATE "C"]::text[] AS scope_key, u.outcome, u.reason, u.row_count, u.grouped, u.fkb_scope_1, u.fkb_scope_2, u.fkb_sort_1 FROM u
   ORDER BY grouped DESC, fkb_sort_1, fkb_scope_1, fkb_scope_2, outcome, reason
   LIMIT $4
)
SELECT u.document_number, u.entity_name, u.scope_key, coalesce(u.outcome, c.outcome, 'unmatched') AS outcome, CASE WHEN u.grouped THEN u.reason ELSE c.reason END AS reason, u.row_count, c.candidates
  FROM k u
  LEFT JOIN fk_backfill.plan_entries c
    ON NOT u.grouped AND c.run_id = $1 AND c.link = $2 AND c.outcome <> 'linked' AND c.scope_key = u.scope_key AND c.source_name = u.entity_name
 ORDER BY u.grouped DESC, u.fkb_sort_1, u.fkb_scope_1, u.fkb_scope_2, u.outcome, u.reason`,
      values: ['7', 'so', BLANK_NAME_RE, 1001],
    });
  });
  it('unmatched sample settings: no parallel workers, no synchronized scan (one order), no nested loop', () => {
    expect(unlinkedSampleSettingsStatement()).toEqual({
      text: `SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('synchronize_seqscans', 'off', true), set_config('enable_nestloop', 'off', true)`,
      values: [],
    });
  });

  it("with the link's own active: named rows not active are not listed (both branches)", () => {
    const base = unlinkedRecordsStatement(link, '7', 'so', { tenant: null }, 1001);
    const st = unlinkedRecordsStatement(
      { ...link, sourceActive: { column: 'deleted_at', activeWhen: 'null' } },
      '7',
      'so',
      { tenant: null },
      1001,
    );
    const expected = base.text.replaceAll('WHERE s."customer_id" IS NULL', 'WHERE s."customer_id" IS NULL AND s."deleted_at" IS NULL');
    expect(expected.split('s."deleted_at" IS NULL').length).toBe(3);
    expect(st).toEqual({ text: expected, values: base.values });
  });
});
