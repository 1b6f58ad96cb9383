import { describe, expect, it } from 'vitest';
import type { LinkShape } from '../../../src/sql/link.js';
import { checksImmutableStatement, plannedRefusalsStatement } from '../../../src/sql/checks.js';
import { readOnlyStatement } from '../../../src/sql/session.js';

const link: LinkShape = {
  sourceSql: '"erp"."Orders"',
  targetSql: '"customers"',
  key: 'id',
  fk: 'customer id',
  name: 'customer name',
  targetKey: 'id',
  targetName: 'name',
  scope: ['tenant_id'],
  fkType: 'int4',
  keyType: 'int4',
  touch: { column: 'updated_at', type: 'timestamptz' },
  nameType: 'citext',
};

describe("plan's count of the rows a CHECK would refuse (whole text)", () => {
  it('a CHECK is evaluated ahead only if every function and operator in its stored tree is immutable, and no node calls something unnamed', () => {
    expect(checksImmutableStatement(7, ['a', 'b'])).toEqual({
      text: `SELECT c.conname::text AS name,
       c.conbin::text !~ $3
       AND NOT EXISTS (SELECT 1 FROM regexp_matches(c.conbin::text, ':(?:funcid|opfuncid) (\\d+)', 'g') m
                        JOIN pg_proc f ON f.oid = m[1]::oid WHERE f.provolatile <> 'i')
       AND NOT EXISTS (SELECT 1 FROM regexp_matches(c.conbin::text, ':opno (\\d+)', 'g') m
                        JOIN pg_operator o ON o.oid = m[1]::oid JOIN pg_proc f ON f.oid = o.oprcode WHERE f.provolatile <> 'i') AS immutable
  FROM pg_constraint c
 WHERE c.conrelid = $1::oid AND c.contype = 'c' AND c.conname = ANY ($2::text[])
 ORDER BY 1`,
      values: [
        7,
        ['a', 'b'],
        '\\{(SQLVALUEFUNCTION|COERCEVIAIO|NEXTVALUEEXPR|SUBLINK|PARAM|ARRAYCOERCEEXPR|CONVERTROWTYPEEXPR|XMLEXPR|CURRENTOFEXPR) ',
      ],
    });
  });

  it("the plan's linked rows of the tenant, each checked as apply would write it (the planned key, now() in updated_at: a derived table of the columns the CHECKs read), counted by the first constraint refusing it", () => {
    const checks = [
      { name: 'void_unlinked', expr: '("customer id" IS NULL) OR (kind <> \'void\'::text)', columns: ['customer id', 'kind'] },
      { name: 'touched_late', expr: "(updated_at > '2020-01-01'::timestamptz) OR (kind = 'void'::text)", columns: ['kind', 'updated_at'] },
    ];
    expect(plannedRefusalsStatement(link, checks, { planRunId: '3', linkName: 'order' }, { tenant: 'T1' })).toEqual({
      text: `SELECT x.refused_by AS name, count(*)::int8 AS n
  FROM (SELECT CASE WHEN (("customer id" IS NULL) OR (kind <> 'void'::text)) IS FALSE THEN $3::text WHEN ((updated_at > '2020-01-01'::timestamptz) OR (kind = 'void'::text)) IS FALSE THEN $4::text END AS refused_by
          FROM (SELECT CASE WHEN e.outcome = 'linked' THEN e.target_key::int4 END AS "customer id", s."kind" AS "kind", now()::timestamptz AS "updated_at"
                  FROM "erp"."Orders" s
                  JOIN fk_backfill.plan_entries e ON e.run_id = $1::int8 AND e.link = $2 AND e.outcome = 'linked'
                   AND e.scope_key = ARRAY[s."tenant_id"::text]::text[] AND e.source_name::citext = s."customer name"
                 WHERE s."customer id" IS NULL AND s."tenant_id" = $5) fkb_new_row) x
 WHERE x.refused_by IS NOT NULL
 GROUP BY 1
 ORDER BY 1`,
      values: ['3', 'order', 'void_unlinked', 'touched_late', 'T1'],
    });
  });

  it("counts only the documents the link's own active keeps, as plan and apply do (soft-deleted ones are never linked)", () => {
    const checks = [{ name: 'void_unlinked', expr: "((customer_id IS NULL) OR (kind <> 'void'::text))", columns: ['customer_id', 'kind'] }];
    const withActive: LinkShape = { ...link, sourceActive: { column: 'deleted_at', activeWhen: 'null' } };
    const text = plannedRefusalsStatement(withActive, checks, { planRunId: '3', linkName: 'order' }, { tenant: null }).text;
    expect(text).toContain(`WHERE s."customer id" IS NULL AND s."deleted_at" IS NULL) fkb_new_row) x`);
  });

  it('read only for the rest of the transaction', () => {
    expect(readOnlyStatement()).toEqual({ text: 'SET TRANSACTION READ ONLY', values: [] });
  });
});
