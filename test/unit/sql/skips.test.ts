import { describe, expect, it } from 'vitest';
import { skipReasonsStatement } from '../../../src/sql/skips.js';
import type { LinkShape } from '../../../src/sql/link.js';
import { SALES_ORDERS_TOUCHED } from '../../helpers/link-shapes.js';

const link = SALES_ORDERS_TOUCHED;

describe('skip reasons statement (whole text)', () => {
  it('skip reasons: planned rows still unlinked, by the first reason that holds (master deleted, moved to another scope, inactive, renamed), within the tenant', () => {
    expect(
      skipReasonsStatement(
        {
          ...link,
          keys: ['id', 'line'],
          keyTypes: ['uuid', 'int4'],
          targetNameType: 'character(40)',
          nameType: 'citext',
          targetKeyAlone: true,
        },
        { planRunId: '3', runId: '7', linkName: 'so' },
        { tenant: 'T1' },
      ),
    ).toEqual({
      text: `WITH changed AS (
  SELECT unnest(cs.row_keys) AS k FROM fk_backfill.change_sets cs WHERE cs.run_id = $4::int8 AND cs.link = $1
), refused AS (
  SELECT x.row_key AS k, x.sqlstate = $5 AS locked
    FROM fk_backfill.refused_rows x WHERE x.run_id = $4::int8 AND x.link = $1
), r AS (
  SELECT e.scope_key, e.source_name, e.row_count, ARRAY[s."id"::text, s."line"::text]::text AS k,
         t."id" IS NULL AND o.k IS NULL AS master_gone,
         t."id" IS NULL AND o.k IS NOT NULL AS master_moved,
         t."id" IS NOT NULL AND NOT (t."is_active" IS TRUE) AS master_inactive,
         t."id" IS NOT NULL AND e.target_name IS NOT NULL AND t."customer_name" IS DISTINCT FROM e.target_name::character(40) AS master_renamed,
         ARRAY[s."id"::text, s."line"::text]::text IN (SELECT k FROM refused WHERE NOT locked) AS refused,
         ARRAY[s."id"::text, s."line"::text]::text IN (SELECT k FROM refused WHERE locked) AS locked,
         false AS self
    FROM "erp"."Sales Orders" s
    JOIN fk_backfill.plan_entries e
      ON e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked'
     AND e.source_name::citext = s."customer name" AND e.scope_key = ARRAY[s."tenant_id"::text, s."branch"::text]::text[]
    LEFT JOIN "customers" t ON t."id" = e.target_key::uuid AND t."tenant_id" = s."tenant_id" AND t."branch" = s."branch"
    LEFT JOIN (SELECT DISTINCT t."id" AS k FROM "customers" t) o ON o.k = e.target_key::uuid
   WHERE s."customer_id" IS NULL AND s."tenant_id" = $6
     AND ARRAY[s."id"::text, s."line"::text]::text NOT IN (SELECT k FROM changed)
), earlier AS (
  -- rows another run of this plan linked, its link not set back since by an undo of that run (the last of those writes
  -- an apply's): a trial applied a plan again after its first run was undone, and 1,068 rows an apply of another plan
  -- and the guard had linked since were put down to "another run of this plan"
  SELECT y.k
    FROM (SELECT unnest(cs.row_keys) AS k, cs.id, x.kind
            FROM fk_backfill.change_sets cs JOIN fk_backfill.runs x ON x.id = cs.run_id
           WHERE cs.link = $1 AND cs.run_id <> $4::int8
             AND (x.plan_run_id = $3::int8 OR x.kind = 'undo' AND x.target_run_id IN (SELECT o.id FROM fk_backfill.runs o WHERE o.plan_run_id = $3::int8))) y
   GROUP BY y.k
  HAVING (array_agg(y.kind ORDER BY y.id DESC))[1] <> 'undo'
), al AS (
  -- linked to the planned master by an earlier run of the same plan (applied again: not "changed since the plan")
  SELECT least(count(*), max(e.row_count))::int8 AS n
    FROM "erp"."Sales Orders" s
    JOIN fk_backfill.plan_entries e
      ON e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked'
     AND e.source_name::citext = s."customer name" AND e.scope_key = ARRAY[s."tenant_id"::text, s."branch"::text]::text[]
   WHERE s."customer_id" = e.target_key::uuid AND s."tenant_id" = $7
     AND ARRAY[s."id"::text, s."line"::text]::text IN (SELECT k FROM earlier) AND ARRAY[s."id"::text, s."line"::text]::text NOT IN (SELECT k FROM changed)
   GROUP BY e.scope_key, e.source_name
), u AS (
  SELECT ARRAY[s."tenant_id"::text, s."branch"::text]::text[] AS scope_key, s."customer name" AS name, count(*)::int8 AS n
    FROM "erp"."Sales Orders" s
   WHERE ARRAY[s."id"::text, s."line"::text]::text IN (SELECT k FROM changed) AND s."tenant_id" = $8
   GROUP BY 1, 2
), d AS (
  SELECT e.scope_key, e.source_name, e.row_count::int8 AS planned, coalesce(u.n, 0)::int8 AS updated
    FROM fk_backfill.plan_entries e
    LEFT JOIN u ON u.scope_key = e.scope_key AND u.name = e.source_name::citext
   WHERE e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked' AND e.scope_key[1] = $9
), w AS (
  -- per entry and reason, at most the rows the entry planned: rows of its name added since the plan are not planned rows skipped
  SELECT CASE WHEN self THEN 'self' WHEN master_gone THEN 'deleted' WHEN master_moved THEN 'moved' WHEN master_inactive THEN 'inactive'
              WHEN master_renamed THEN 'renamed' WHEN refused THEN 'refused' WHEN locked THEN 'locked' ELSE 'passed' END AS reason,
         least(count(*), max(row_count))::int8 AS n
    FROM r
   GROUP BY scope_key, source_name, 1
)
SELECT (SELECT coalesce(sum(n) FILTER (WHERE reason = 'deleted'), 0) FROM w)::int8 AS master_deleted,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'moved'), 0) FROM w)::int8 AS master_moved,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'inactive'), 0) FROM w)::int8 AS master_inactive,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'renamed'), 0) FROM w)::int8 AS master_renamed,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'refused'), 0) FROM w)::int8 AS refused,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'locked'), 0) FROM w)::int8 AS locked,
       ARRAY(SELECT r.k FROM r WHERE r.locked AND NOT (r.self OR r.master_gone OR r.master_moved OR r.master_inactive OR r.master_renamed OR r.refused)
              ORDER BY length(r.k), r.k LIMIT $10) AS locked_sample,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'self'), 0) FROM w)::int8 AS self_reference,
       (SELECT coalesce(sum(n), 0) FROM al)::int8 AS linked_earlier,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'passed'), 0) FROM w)::int8 AS passed_over,
       (SELECT coalesce(sum(greatest(planned - updated, 0)), 0)::int8 FROM d) AS short_by_name,
       row_security_active($2::regclass) AS rls,
       EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = $2::regclass AND NOT g.tgisinternal AND g.tgenabled <> 'D'
                  AND g.tgtype & 1 = 1 AND g.tgtype & 2 = 2 AND g.tgtype & 16 = 16) AS before_update_triggers`,
      values: ['so', '"erp"."Sales Orders"', '3', '7', '55P03', 'T1', 'T1', 'T1', 'T1', 5],
    });
  });

  it('skip reasons where master keys repeat across scopes ((tenant_id, id)): a master not found in its scope is deleted, never "moved"', () => {
    const st = skipReasonsStatement(link, { planRunId: '3', runId: '7', linkName: 'so' }, { tenant: 'T1' });
    expect(st.text).toContain(`         t."id" IS NULL AS master_gone,
         false AS master_moved,`);
    expect(st.text).not.toContain('SELECT DISTINCT t."id" AS k');
  });

  it('skip reasons of an unscoped link without an active predicate: no master can move or be inactive, no tenant filter', () => {
    expect(
      skipReasonsStatement({ ...link, scope: [], active: undefined }, { planRunId: '3', runId: '7', linkName: 'so' }, { tenant: 'T1' }),
    ).toEqual({
      text: `WITH changed AS (
  SELECT unnest(cs.row_keys) AS k FROM fk_backfill.change_sets cs WHERE cs.run_id = $4::int8 AND cs.link = $1
), refused AS (
  SELECT x.row_key AS k, x.sqlstate = $5 AS locked
    FROM fk_backfill.refused_rows x WHERE x.run_id = $4::int8 AND x.link = $1
), r AS (
  SELECT e.scope_key, e.source_name, e.row_count, s."id"::text AS k,
         t."id" IS NULL AS master_gone,
         false AS master_moved,
         false AS master_inactive,
         t."id" IS NOT NULL AND e.target_name IS NOT NULL AND t."customer_name" IS DISTINCT FROM e.target_name AS master_renamed,
         s."id"::text IN (SELECT k FROM refused WHERE NOT locked) AS refused,
         s."id"::text IN (SELECT k FROM refused WHERE locked) AS locked,
         false AS self
    FROM "erp"."Sales Orders" s
    JOIN fk_backfill.plan_entries e
      ON e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked'
     AND e.source_name = s."customer name" AND e.scope_key = ARRAY[]::text[]
    LEFT JOIN "customers" t ON t."id" = e.target_key::uuid
   WHERE s."customer_id" IS NULL
     AND s."id"::text NOT IN (SELECT k FROM changed)
), earlier AS (
  -- rows another run of this plan linked, its link not set back since by an undo of that run (the last of those writes
  -- an apply's): a trial applied a plan again after its first run was undone, and 1,068 rows an apply of another plan
  -- and the guard had linked since were put down to "another run of this plan"
  SELECT y.k
    FROM (SELECT unnest(cs.row_keys) AS k, cs.id, x.kind
            FROM fk_backfill.change_sets cs JOIN fk_backfill.runs x ON x.id = cs.run_id
           WHERE cs.link = $1 AND cs.run_id <> $4::int8
             AND (x.plan_run_id = $3::int8 OR x.kind = 'undo' AND x.target_run_id IN (SELECT o.id FROM fk_backfill.runs o WHERE o.plan_run_id = $3::int8))) y
   GROUP BY y.k
  HAVING (array_agg(y.kind ORDER BY y.id DESC))[1] <> 'undo'
), al AS (
  -- linked to the planned master by an earlier run of the same plan (applied again: not "changed since the plan")
  SELECT least(count(*), max(e.row_count))::int8 AS n
    FROM "erp"."Sales Orders" s
    JOIN fk_backfill.plan_entries e
      ON e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked'
     AND e.source_name = s."customer name" AND e.scope_key = ARRAY[]::text[]
   WHERE s."customer_id" = e.target_key::uuid
     AND s."id"::text IN (SELECT k FROM earlier) AND s."id"::text NOT IN (SELECT k FROM changed)
   GROUP BY e.scope_key, e.source_name
), u AS (
  SELECT ARRAY[]::text[] AS scope_key, s."customer name" AS name, count(*)::int8 AS n
    FROM "erp"."Sales Orders" s
   WHERE s."id"::text IN (SELECT k FROM changed)
   GROUP BY 1, 2
), d AS (
  SELECT e.scope_key, e.source_name, e.row_count::int8 AS planned, coalesce(u.n, 0)::int8 AS updated
    FROM fk_backfill.plan_entries e
    LEFT JOIN u ON u.scope_key = e.scope_key AND u.name = e.source_name
   WHERE e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked'
), w AS (
  -- per entry and reason, at most the rows the entry planned: rows of its name added since the plan are not planned rows skipped
  SELECT CASE WHEN self THEN 'self' WHEN master_gone THEN 'deleted' WHEN master_moved THEN 'moved' WHEN master_inactive THEN 'inactive'
              WHEN master_renamed THEN 'renamed' WHEN refused THEN 'refused' WHEN locked THEN 'locked' ELSE 'passed' END AS reason,
         least(count(*), max(row_count))::int8 AS n
    FROM r
   GROUP BY scope_key, source_name, 1
)
SELECT (SELECT coalesce(sum(n) FILTER (WHERE reason = 'deleted'), 0) FROM w)::int8 AS master_deleted,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'moved'), 0) FROM w)::int8 AS master_moved,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'inactive'), 0) FROM w)::int8 AS master_inactive,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'renamed'), 0) FROM w)::int8 AS master_renamed,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'refused'), 0) FROM w)::int8 AS refused,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'locked'), 0) FROM w)::int8 AS locked,
       ARRAY(SELECT r.k FROM r WHERE r.locked AND NOT (r.self OR r.master_gone OR r.master_moved OR r.master_inactive OR r.master_renamed OR r.refused)
              ORDER BY length(r.k), r.k LIMIT $6) AS locked_sample,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'self'), 0) FROM w)::int8 AS self_reference,
       (SELECT coalesce(sum(n), 0) FROM al)::int8 AS linked_earlier,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'passed'), 0) FROM w)::int8 AS passed_over,
       (SELECT coalesce(sum(greatest(planned - updated, 0)), 0)::int8 FROM d) AS short_by_name,
       row_security_active($2::regclass) AS rls,
       EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = $2::regclass AND NOT g.tgisinternal AND g.tgenabled <> 'D'
                  AND g.tgtype & 1 = 1 AND g.tgtype & 2 = 2 AND g.tgtype & 16 = 16) AS before_update_triggers`,
      values: ['so', '"erp"."Sales Orders"', '3', '7', '55P03', 5],
    });
  });

  it('the probe: the UPDATE apply would make, on the rows still matching a live active master in scope that the run neither changed nor recorded, in a CTE (rolled back by the caller); rows it would link count only up to what their entry is short of', () => {
    const probeLink: LinkShape = {
      sourceSql: '"orders"',
      targetSql: '"customers"',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      document: 'id',
      targetKey: 'id',
      targetName: 'name',
      scope: ['tenant_id'],
      fkType: 'int4',
      keyType: 'int4',
      touch: { column: 'updated_at', type: 'timestamp with time zone' },
    };
    expect(skipReasonsStatement(probeLink, { planRunId: '3', runId: '7', linkName: 'so', probe: true }, { tenant: 'T1' })).toEqual({
      text: `WITH changed AS (
  SELECT unnest(cs.row_keys) AS k FROM fk_backfill.change_sets cs WHERE cs.run_id = $4::int8 AND cs.link = $1
), refused AS (
  SELECT x.row_key AS k, x.sqlstate = $5 AS locked
    FROM fk_backfill.refused_rows x WHERE x.run_id = $4::int8 AND x.link = $1
), probe AS (
  UPDATE "orders" s
     SET "customer_id" = e.target_key::int4, "updated_at" = now()
    FROM fk_backfill.plan_entries e, "customers" t
   WHERE e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked'
     AND e.source_name = s."customer_name" AND e.scope_key = ARRAY[s."tenant_id"::text]::text[]
     AND t."id" = e.target_key::int4 AND t."tenant_id" = s."tenant_id"
     AND s."customer_id" IS NULL AND s."tenant_id" = $6
     AND s."id"::text NOT IN (SELECT k FROM changed) AND s."id"::text NOT IN (SELECT k FROM refused)
  RETURNING s."id"::text AS k, s."customer_id" IS NOT NULL AS linked
), r AS (
  SELECT e.scope_key, e.source_name, e.row_count, s."id"::text AS k,
         t."id" IS NULL AS master_gone,
         false AS master_moved,
         false AS master_inactive,
         t."id" IS NOT NULL AND e.target_name IS NOT NULL AND t."name" IS DISTINCT FROM e.target_name AS master_renamed,
         s."id"::text IN (SELECT k FROM refused WHERE NOT locked) AS refused,
         s."id"::text IN (SELECT k FROM refused WHERE locked) AS locked,
         false AS self,
         s."id"::text IN (SELECT k FROM probe WHERE linked) AS reachable
    FROM "orders" s
    JOIN fk_backfill.plan_entries e
      ON e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked'
     AND e.source_name = s."customer_name" AND e.scope_key = ARRAY[s."tenant_id"::text]::text[]
    LEFT JOIN "customers" t ON t."id" = e.target_key::int4 AND t."tenant_id" = s."tenant_id"
   WHERE s."customer_id" IS NULL AND s."tenant_id" = $7
     AND s."id"::text NOT IN (SELECT k FROM changed)
), earlier AS (
  -- rows another run of this plan linked, its link not set back since by an undo of that run (the last of those writes
  -- an apply's): a trial applied a plan again after its first run was undone, and 1,068 rows an apply of another plan
  -- and the guard had linked since were put down to "another run of this plan"
  SELECT y.k
    FROM (SELECT unnest(cs.row_keys) AS k, cs.id, x.kind
            FROM fk_backfill.change_sets cs JOIN fk_backfill.runs x ON x.id = cs.run_id
           WHERE cs.link = $1 AND cs.run_id <> $4::int8
             AND (x.plan_run_id = $3::int8 OR x.kind = 'undo' AND x.target_run_id IN (SELECT o.id FROM fk_backfill.runs o WHERE o.plan_run_id = $3::int8))) y
   GROUP BY y.k
  HAVING (array_agg(y.kind ORDER BY y.id DESC))[1] <> 'undo'
), al AS (
  -- linked to the planned master by an earlier run of the same plan (applied again: not "changed since the plan")
  SELECT least(count(*), max(e.row_count))::int8 AS n
    FROM "orders" s
    JOIN fk_backfill.plan_entries e
      ON e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked'
     AND e.source_name = s."customer_name" AND e.scope_key = ARRAY[s."tenant_id"::text]::text[]
   WHERE s."customer_id" = e.target_key::int4 AND s."tenant_id" = $8
     AND s."id"::text IN (SELECT k FROM earlier) AND s."id"::text NOT IN (SELECT k FROM changed)
   GROUP BY e.scope_key, e.source_name
), u AS (
  SELECT ARRAY[s."tenant_id"::text]::text[] AS scope_key, s."customer_name" AS name, count(*)::int8 AS n
    FROM "orders" s
   WHERE s."id"::text IN (SELECT k FROM changed) AND s."tenant_id" = $9
   GROUP BY 1, 2
), d AS (
  SELECT e.scope_key, e.source_name, e.row_count::int8 AS planned, coalesce(u.n, 0)::int8 AS updated
    FROM fk_backfill.plan_entries e
    LEFT JOIN u ON u.scope_key = e.scope_key AND u.name = e.source_name
   WHERE e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked' AND e.scope_key[1] = $10
), w0 AS (
  -- per entry and reason, at most the rows the entry planned: rows of its name added since the plan are not planned rows skipped
  SELECT scope_key, source_name, CASE WHEN self THEN 'self' WHEN master_gone THEN 'deleted' WHEN master_moved THEN 'moved' WHEN master_inactive THEN 'inactive'
              WHEN master_renamed THEN 'renamed' WHEN refused THEN 'refused' WHEN locked THEN 'locked' WHEN reachable THEN 'reachable' ELSE 'passed' END AS reason,
         least(count(*), max(row_count))::int8 AS n
    FROM r
   GROUP BY scope_key, source_name, 3
), w AS (
  -- rows the UPDATE would link now count only up to what their entry is short of after its other reasons: the rest
  -- arrived after the plan (inserted, or renamed into its name), and apply links none that arrive after its last statement
  SELECT w0.reason,
         CASE WHEN w0.reason = 'reachable' THEN least(w0.n, greatest(d.planned - d.updated - coalesce(o.n, 0), 0)) ELSE w0.n END AS n
    FROM w0
    LEFT JOIN d ON d.scope_key = w0.scope_key AND d.source_name = w0.source_name
    LEFT JOIN (SELECT scope_key, source_name, sum(n) AS n FROM w0 WHERE reason <> 'reachable' GROUP BY 1, 2) o
      ON o.scope_key = w0.scope_key AND o.source_name = w0.source_name
)
SELECT (SELECT coalesce(sum(n) FILTER (WHERE reason = 'deleted'), 0) FROM w)::int8 AS master_deleted,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'moved'), 0) FROM w)::int8 AS master_moved,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'inactive'), 0) FROM w)::int8 AS master_inactive,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'renamed'), 0) FROM w)::int8 AS master_renamed,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'refused'), 0) FROM w)::int8 AS refused,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'locked'), 0) FROM w)::int8 AS locked,
       ARRAY(SELECT r.k FROM r WHERE r.locked AND NOT (r.self OR r.master_gone OR r.master_moved OR r.master_inactive OR r.master_renamed OR r.refused)
              ORDER BY length(r.k), r.k LIMIT $11) AS locked_sample,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'self'), 0) FROM w)::int8 AS self_reference,
       (SELECT coalesce(sum(n), 0) FROM al)::int8 AS linked_earlier,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'passed'), 0) FROM w)::int8 AS passed_over,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'reachable'), 0) FROM w)::int8 AS reachable,
       (SELECT coalesce(sum(greatest(planned - updated, 0)), 0)::int8 FROM d) AS short_by_name,
       row_security_active($2::regclass) AS rls,
       EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = $2::regclass AND NOT g.tgisinternal AND g.tgenabled <> 'D'
                  AND g.tgtype & 1 = 1 AND g.tgtype & 2 = 2 AND g.tgtype & 16 = 16) AS before_update_triggers`,
      values: ['so', '"orders"', '3', '7', '55P03', 'T1', 'T1', 'T1', 'T1', 'T1', 5],
    });
  });

  it("with the link's own active: the planned rows read are active ones, and those soft-deleted since counted apart, at most each entry's shortfall", () => {
    const a = { planRunId: '3', runId: '7', linkName: 'so' };
    const base = skipReasonsStatement(link, a, { tenant: null });
    const st = skipReasonsStatement({ ...link, sourceActive: { column: 'deleted_at', activeWhen: 'null' } }, a, { tenant: null });
    const entry = `    JOIN fk_backfill.plan_entries e
      ON e.run_id = $3::int8 AND e.link = $1 AND e.outcome = 'linked'
     AND e.source_name = s."customer name" AND e.scope_key = ARRAY[s."tenant_id"::text, s."branch"::text]::text[]`;
    const expected = base.text
      .replace(
        `   WHERE s."customer_id" IS NULL
     AND s."id"::text NOT IN (SELECT k FROM changed)
), earlier AS (`,
        `   WHERE s."customer_id" IS NULL AND s."deleted_at" IS NULL
     AND s."id"::text NOT IN (SELECT k FROM changed)
), di AS (
  SELECT e.scope_key, e.source_name, count(*)::int8 AS n
    FROM "erp"."Sales Orders" s
${entry}
   WHERE s."customer_id" IS NULL AND NOT (s."deleted_at" IS NULL)
     AND s."id"::text NOT IN (SELECT k FROM changed)
   GROUP BY 1, 2
), earlier AS (`,
      )
      .replace(
        `AS passed_over,
`,
        `AS passed_over,
       (SELECT coalesce(sum(least(di.n, greatest(d.planned - d.updated - coalesce(o.n, 0), 0))), 0)
          FROM di JOIN d ON d.scope_key = di.scope_key AND d.source_name = di.source_name
          LEFT JOIN (SELECT scope_key, source_name, least(count(*), max(row_count)) AS n FROM r GROUP BY 1, 2) o
            ON o.scope_key = di.scope_key AND o.source_name = di.source_name)::int8 AS document_inactive,
`,
      );
    expect(expected).not.toBe(base.text);
    expect(st).toEqual({ text: expected, values: base.values });
  });
});
