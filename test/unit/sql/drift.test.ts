import { describe, expect, it } from 'vitest';
import { driftDecisionsStatement, driftLinkedStatement, driftNewNamesStatement } from '../../../src/sql/drift.js';
import type { LinkShape } from '../../../src/sql/link.js';
import { QUOTED_SCOPED } from '../../helpers/link-shapes.js';

const link: LinkShape = QUOTED_SCOPED;
describe('drift statements (whole text)', () => {
  it('linked rows whose master is missing, of another tenant, inactive, duplicated or renamed (a decision alias to that master is no drift), within the tenant', () => {
    expect(driftLinkedStatement({ ...link, targetKeyAlone: true }, 'so', { tenant: 'T1' })).toEqual({
      text: `WITH r AS (
  SELECT ARRAY[s."tenant_id"::text, s."Branch"::text COLLATE "C"]::text[] AS scope_key, s."customer name"::text AS source_name, s."customer_id"::text AS target_key,
         t."id"::text AS master_key, t."Legal Name"::text AS master_name,
         CASE WHEN t."id" IS NULL THEN CASE WHEN o.k IS NOT NULL THEN 'otherScope' ELSE 'missing' END
              WHEN NOT ((t."is_active" IS TRUE)) THEN 'inactive'
              WHEN d.fkb_name IS NOT NULL THEN 'duplicated'
              WHEN (btrim(s."customer name"::text) = '') IS NOT FALSE THEN NULL
              WHEN t."Legal Name" = s."customer name" THEN NULL
              ELSE 'renamed' END AS kind,
         d.fkb_names AS dup_names
    FROM "erp"."Sales Orders" s
    LEFT JOIN "crm"."Customers" t ON t."id" = s."customer_id" AND t."tenant_id" = s."tenant_id" AND t."Branch"::text COLLATE "C" = s."Branch"::text COLLATE "C"
    LEFT JOIN (SELECT DISTINCT x."id" AS k FROM "crm"."Customers" x) o ON o.k = s."customer_id"
    LEFT JOIN (SELECT m."tenant_id", m."Branch", m."Legal Name" AS fkb_name, array_agg(m."Legal Name"::text) AS fkb_names FROM "crm"."Customers" m
                WHERE true AND m."is_active" IS TRUE AND m."tenant_id" = $2
                GROUP BY m."tenant_id", m."Branch", m."Legal Name" HAVING count(*) > 1) d
      ON d.fkb_name = t."Legal Name" AND d."tenant_id" = t."tenant_id" AND d."Branch"::text COLLATE "C" = t."Branch"::text COLLATE "C"
   WHERE s."customer_id" IS NOT NULL AND s."tenant_id" = $3
), g AS (
  SELECT r.kind, r.scope_key, r.source_name, r.target_key, r.master_name, r.dup_names, count(*)::int8 AS row_count
    FROM r
   WHERE r.kind IS NOT NULL
     AND NOT (r.kind IN ('renamed', 'duplicated') AND EXISTS (
           SELECT 1 FROM fk_backfill.aliases a
            WHERE a.link = $1 AND md5(a.source_name) = md5(r.source_name) AND a.scope_key = r.scope_key
              AND a.source_name = r.source_name AND a.origin = 'decision' AND a.target_key = r.target_key))
   GROUP BY 1, 2, 3, 4, 5, 6
), pe AS (
  -- what applied runs (done, not undone) linked, and the master's name their plans recorded (the latest run's)
  SELECT DISTINCT ON (e.scope_key, e.source_name, e.target_key) e.scope_key, e.source_name, e.target_key, e.target_name
    FROM fk_backfill.plan_entries e
    JOIN fk_backfill.runs a ON a.plan_run_id = e.run_id AND a.kind = 'apply' AND a.status = 'done'
   WHERE e.link = $1 AND e.outcome = 'linked'
     AND NOT EXISTS (SELECT 1 FROM fk_backfill.runs u WHERE u.kind = 'undo' AND u.status = 'done' AND u.target_run_id = a.id)
     AND (e.scope_key, e.source_name) IN (SELECT g.scope_key, g.source_name FROM g WHERE g.kind = 'renamed')
   ORDER BY e.scope_key, e.source_name, e.target_key, a.id DESC
)
SELECT g.kind, g.scope_key, g.source_name, g.target_key, g.master_name, pe.target_key IS NOT NULL AS applied, pe.target_name AS recorded_name, g.row_count,
       g.dup_names
  FROM g
  LEFT JOIN pe ON g.kind = 'renamed' AND pe.scope_key = g.scope_key AND pe.source_name = g.source_name AND pe.target_key = g.target_key
 ORDER BY g.row_count DESC, 1, 3, 2`,
      values: ['so', 'T1', 'T1'],
    });
  });
  it('a normalised or fuzzy link (variants): duplicates found on the names folded to their letters and digits', () => {
    const st = driftLinkedStatement({ ...link, scope: [], scopeLoose: undefined, active: undefined }, 'so', { tenant: null }, true, true);
    expect(st.values).toEqual(['so', '[^[:alnum:]]+']);
    expect(st.text)
      .toContain(`    LEFT JOIN (SELECT coalesce(nullif(lower(regexp_replace(m."Legal Name"::text COLLATE "default", $2, '', 'g')), ''), m."Legal Name"::text COLLATE "default") AS fkb_name, array_agg(m."Legal Name"::text) AS fkb_names FROM "crm"."Customers" m
                WHERE true
                GROUP BY coalesce(nullif(lower(regexp_replace(m."Legal Name"::text COLLATE "default", $2, '', 'g')), ''), m."Legal Name"::text COLLATE "default") HAVING count(*) > 1) d
      ON d.fkb_name = coalesce(nullif(lower(regexp_replace(t."Legal Name"::text COLLATE "default", $2, '', 'g')), ''), t."Legal Name"::text COLLATE "default")`);
  });
  it('without fk_backfill: empty stand-ins for its tables', () => {
    expect(driftLinkedStatement({ ...link, scope: [], scopeLoose: undefined, active: undefined }, 'so', { tenant: null }, false)).toEqual({
      text: `WITH r AS (
  SELECT ARRAY[]::text[] AS scope_key, s."customer name"::text AS source_name, s."customer_id"::text AS target_key,
         t."id"::text AS master_key, t."Legal Name"::text AS master_name,
         CASE WHEN t."id" IS NULL THEN 'missing'
              WHEN NOT (true) THEN 'inactive'
              WHEN d.fkb_name IS NOT NULL THEN 'duplicated'
              WHEN (btrim(s."customer name"::text) = '') IS NOT FALSE THEN NULL
              WHEN t."Legal Name" = s."customer name" THEN NULL
              ELSE 'renamed' END AS kind,
         d.fkb_names AS dup_names
    FROM "erp"."Sales Orders" s
    LEFT JOIN "crm"."Customers" t ON t."id" = s."customer_id"
    LEFT JOIN (SELECT m."Legal Name" AS fkb_name, array_agg(m."Legal Name"::text) AS fkb_names FROM "crm"."Customers" m
                WHERE true
                GROUP BY m."Legal Name" HAVING count(*) > 1) d
      ON d.fkb_name = t."Legal Name"
   WHERE s."customer_id" IS NOT NULL
), g AS (
  SELECT r.kind, r.scope_key, r.source_name, r.target_key, r.master_name, r.dup_names, count(*)::int8 AS row_count
    FROM r
   WHERE r.kind IS NOT NULL
     AND NOT (r.kind IN ('renamed', 'duplicated') AND EXISTS (
           SELECT 1 FROM (SELECT NULL::text AS link, NULL::text[] AS scope_key, NULL::text AS source_name, NULL::text AS origin, NULL::text AS target_key WHERE false) a
            WHERE a.link = $1 AND md5(a.source_name) = md5(r.source_name) AND a.scope_key = r.scope_key
              AND a.source_name = r.source_name AND a.origin = 'decision' AND a.target_key = r.target_key))
   GROUP BY 1, 2, 3, 4, 5, 6
), pe AS (
  -- what applied runs (done, not undone) linked, and the master's name their plans recorded (the latest run's)
  SELECT DISTINCT ON (e.scope_key, e.source_name, e.target_key) e.scope_key, e.source_name, e.target_key, e.target_name
    FROM (SELECT NULL::int8 AS run_id, NULL::text AS link, NULL::text[] AS scope_key, NULL::text AS source_name, NULL::text AS outcome, NULL::text AS target_key, NULL::text AS target_name WHERE false) e
    JOIN (SELECT NULL::int8 AS id, NULL::text AS kind, NULL::text AS status, NULL::int8 AS plan_run_id, NULL::int8 AS target_run_id WHERE false) a ON a.plan_run_id = e.run_id AND a.kind = 'apply' AND a.status = 'done'
   WHERE e.link = $1 AND e.outcome = 'linked'
     AND NOT EXISTS (SELECT 1 FROM (SELECT NULL::int8 AS id, NULL::text AS kind, NULL::text AS status, NULL::int8 AS plan_run_id, NULL::int8 AS target_run_id WHERE false) u WHERE u.kind = 'undo' AND u.status = 'done' AND u.target_run_id = a.id)
     AND (e.scope_key, e.source_name) IN (SELECT g.scope_key, g.source_name FROM g WHERE g.kind = 'renamed')
   ORDER BY e.scope_key, e.source_name, e.target_key, a.id DESC
)
SELECT g.kind, g.scope_key, g.source_name, g.target_key, g.master_name, pe.target_key IS NOT NULL AS applied, pe.target_name AS recorded_name, g.row_count,
       g.dup_names
  FROM g
  LEFT JOIN pe ON g.kind = 'renamed' AND pe.scope_key = g.scope_key AND pe.source_name = g.source_name AND pe.target_key = g.target_key
 ORDER BY g.row_count DESC, 1, 3, 2`,
      values: ['so'],
    });
  });
  it('new names: unlinked names no finished plan has seen that nothing would link now, within the tenant (masters of a loose scope column counted by its text form too)', () => {
    expect(driftNewNamesStatement(link, 'so', { tenant: 'T1' }, 50)).toEqual({
      text: `WITH n AS (
  SELECT ARRAY[s."tenant_id"::text, s."Branch"::text COLLATE "C"]::text[] AS scope_key, s."tenant_id" AS fkb_scope_1, s."Branch" AS fkb_scope_2, s."customer name" AS name, count(*)::int8 AS row_count
    FROM "erp"."Sales Orders" s
   WHERE s."customer_id" IS NULL AND s."customer name" IS NOT NULL AND s."tenant_id" = $2
   GROUP BY 1, 2, 3, 4
)
-- active masters of each name's exact name in its scope, counted by a join and a GROUP BY (not a correlated
-- subquery per name: Citus cannot run one against a distributed master)
, m AS (
  SELECT n.scope_key, n.name, count(*)::int8 AS masters
    FROM n
    JOIN "crm"."Customers" t ON t."Legal Name" = n.name AND t."tenant_id" = n.fkb_scope_1 AND t."Branch"::text COLLATE "C" = n.fkb_scope_2::text COLLATE "C" AND (t."is_active" IS TRUE) AND t."tenant_id" = $3
   GROUP BY n.scope_key, n.name
)
SELECT n.scope_key, n.name::text AS source_name, n.row_count,
       count(*) OVER ()::int8 AS names_total, sum(n.row_count) OVER ()::int8 AS rows_total
  FROM n
  LEFT JOIN m ON m.scope_key = n.scope_key AND m.name = n.name
 WHERE NOT EXISTS (SELECT 1 FROM fk_backfill.plan_entries e JOIN fk_backfill.runs r ON r.id = e.run_id AND r.kind = 'plan' AND r.status = 'done'
                    WHERE e.link = $1 AND e.scope_key = n.scope_key AND e.source_name = n.name)
   AND NOT EXISTS (SELECT 1 FROM fk_backfill.aliases a
                    WHERE a.link = $1 AND md5(a.source_name) = md5(n.name::text) AND a.scope_key = n.scope_key
                      AND a.source_name = n.name::text)
   AND coalesce(m.masters, 0) <> 1
 ORDER BY n.row_count DESC, 2, 1
 LIMIT $4::int8`,
      values: ['so', 'T1', 'T1', 50],
    });
    // without fk_backfill, and a limit of at least 1
    expect(
      driftNewNamesStatement({ ...link, scope: [], scopeLoose: undefined, active: undefined }, 'so', { tenant: null }, 0, false),
    ).toEqual({
      text: `WITH n AS (
  SELECT ARRAY[]::text[] AS scope_key, s."customer name" AS name, count(*)::int8 AS row_count
    FROM "erp"."Sales Orders" s
   WHERE s."customer_id" IS NULL AND s."customer name" IS NOT NULL
   GROUP BY 1, 2
)
-- active masters of each name's exact name in its scope, counted by a join and a GROUP BY (not a correlated
-- subquery per name: Citus cannot run one against a distributed master)
, m AS (
  SELECT n.scope_key, n.name, count(*)::int8 AS masters
    FROM n
    JOIN "crm"."Customers" t ON t."Legal Name" = n.name AND true
   GROUP BY n.scope_key, n.name
)
SELECT n.scope_key, n.name::text AS source_name, n.row_count,
       count(*) OVER ()::int8 AS names_total, sum(n.row_count) OVER ()::int8 AS rows_total
  FROM n
  LEFT JOIN m ON m.scope_key = n.scope_key AND m.name = n.name
 WHERE NOT EXISTS (SELECT 1 FROM (SELECT NULL::int8 AS run_id, NULL::text AS link, NULL::text[] AS scope_key, NULL::text AS source_name, NULL::text AS outcome, NULL::text AS target_key, NULL::text AS target_name WHERE false) e JOIN (SELECT NULL::int8 AS id, NULL::text AS kind, NULL::text AS status, NULL::int8 AS plan_run_id, NULL::int8 AS target_run_id WHERE false) r ON r.id = e.run_id AND r.kind = 'plan' AND r.status = 'done'
                    WHERE e.link = $1 AND e.scope_key = n.scope_key AND e.source_name = n.name)
   AND NOT EXISTS (SELECT 1 FROM (SELECT NULL::text AS link, NULL::text[] AS scope_key, NULL::text AS source_name, NULL::text AS origin, NULL::text AS target_key WHERE false) a
                    WHERE a.link = $1 AND md5(a.source_name) = md5(n.name::text) AND a.scope_key = n.scope_key
                      AND a.source_name = n.name::text)
   AND coalesce(m.masters, 0) <> 1
 ORDER BY n.row_count DESC, 2, 1
 LIMIT $2::int8`,
      values: ['so', 1],
    });
  });
  it('decisions in force whose master is deleted or inactive, with the NULL-FK rows of their name (as a plan groups them), within the tenant', () => {
    expect(driftDecisionsStatement({ ...link, nameType: 'citext' }, 'so', { tenant: 'T1' })).toEqual({
      text: `WITH a AS (
  SELECT a.scope_key, a.source_name, a.target_key
    FROM fk_backfill.aliases a
   WHERE a.link = $1 AND a.origin = 'decision' AND a.target_key IS NOT NULL AND a.scope_key[1] = $2
), k AS (
  SELECT CASE WHEN t."id" IS NULL THEN 'missing' ELSE 'inactive' END AS kind, a.scope_key, a.source_name, a.target_key,
         t."Legal Name"::text AS master_name
    FROM a
    LEFT JOIN "crm"."Customers" t ON t."id"::text = a.target_key AND ARRAY[t."tenant_id"::text, t."Branch"::text COLLATE "C"]::text[] = a.scope_key AND t."tenant_id" = $3
   WHERE t."id" IS NULL OR NOT ((t."is_active" IS TRUE))
), n AS (
  -- the name's rows as a plan groups them (a citext name: every spelling of it)
  SELECT k.scope_key, k.source_name, count(*)::int8 AS row_count
    FROM k
    JOIN "erp"."Sales Orders" s ON k.source_name::citext = s."customer name" AND k.scope_key = ARRAY[s."tenant_id"::text, s."Branch"::text COLLATE "C"]::text[]
   WHERE s."customer_id" IS NULL AND s."tenant_id" = $4
   GROUP BY 1, 2
), live AS (
  -- the scopes that still hold a master or a document: a decision of a tenant deleted since is no drift (nothing is
  -- left to link there, and --tenant refuses a tenant no row has: drift stayed at exit 3 for good; a trial)
  SELECT ARRAY[t."tenant_id"::text, t."Branch"::text COLLATE "C"]::text[] AS scope_key FROM "crm"."Customers" t
   WHERE ARRAY[t."tenant_id"::text, t."Branch"::text COLLATE "C"]::text[] IN (SELECT k.scope_key FROM k) AND t."tenant_id" = $5
  UNION
  SELECT ARRAY[s."tenant_id"::text, s."Branch"::text COLLATE "C"]::text[] FROM "erp"."Sales Orders" s
   WHERE ARRAY[s."tenant_id"::text, s."Branch"::text COLLATE "C"]::text[] IN (SELECT k.scope_key FROM k) AND s."tenant_id" = $6
)
SELECT k.kind, k.scope_key, k.source_name, k.target_key, k.master_name, coalesce(n.row_count, 0)::int8 AS row_count
  FROM k
  LEFT JOIN n ON n.scope_key = k.scope_key AND n.source_name = k.source_name
 WHERE k.scope_key IN (SELECT live.scope_key FROM live)
 ORDER BY 6 DESC, 3, 2`,
      values: ['so', 'T1', 'T1', 'T1', 'T1', 'T1'],
    });
  });

  it("new names with the link's own active: of active rows only", () => {
    const base = driftNewNamesStatement(link, 'so', { tenant: 'T1' }, 50);
    const st = driftNewNamesStatement({ ...link, sourceActive: { column: 'deleted_at', activeWhen: 'null' } }, 'so', { tenant: 'T1' }, 50);
    const expected = base.text.replace(
      'IS NULL AND s."customer name" IS NOT NULL',
      'IS NULL AND s."customer name" IS NOT NULL AND s."deleted_at" IS NULL',
    );
    expect(expected).not.toBe(base.text);
    expect(st).toEqual({ text: expected, values: base.values });
  });
});
