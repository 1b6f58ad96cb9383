import { describe, expect, it } from 'vitest';
import type { LinkShape } from '../../../src/sql/link.js';
import {
  constraintStatement,
  crossScopeStatement,
  cyclesStatement,
  deleteReferencedStatement,
  integrityStatement,
} from '../../../src/sql/verify.js';
import { BLANK_NAME_RE } from '../../../src/sql/plan.js';

const link: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"customers"',
  key: 'id',
  fk: 'customer_id',
  name: 'customer name',
  targetKey: 'id',
  targetName: 'customer_name',
  scope: ['tenant_id'],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: null,
};

describe('verify statements (whole text)', () => {
  it('a hierarchy: rows naming themselves (never linked to themselves) counted apart', () => {
    expect(integrityStatement({ ...link, selfTable: true }, { tenant: null }).text).toContain(
      `count(*) FILTER (WHERE s."customer_id" IS NULL AND NOT (s."customer name" IS NULL OR s."customer name"::text COLLATE "C" ~ $1) AND s."customer name" = s."customer_name")::int8 AS null_fks_self,
       count(*) FILTER (WHERE s."customer_id" IS NULL AND NOT (s."customer name" IS NULL OR s."customer name"::text COLLATE "C" ~ $1) AND (s."tenant_id" IS NULL) AND NOT coalesce(s."customer name" = s."customer_name", false))::int8 AS null_fks_no_scope,`,
    );
  });

  it('a hierarchy: the rows a chain of parents leads back to, stepping by key and tenant, at most 64 steps', () => {
    const units: LinkShape = {
      ...link,
      sourceSql: '"erp"."Units"',
      targetSql: '"erp"."Units"',
      fk: 'parent id',
      keyType: 'int4',
      fkType: 'int4',
      selfTable: true,
    };
    expect(cyclesStatement(units, { tenant: 'T1' })).toEqual({
      text: `WITH RECURSIVE w AS (
  SELECT s."id" AS start, s."parent id" AS cur, s."tenant_id" AS fkb_scope_1, 1 AS depth
    FROM "erp"."Units" s
   WHERE s."parent id" IS NOT NULL AND s."tenant_id" = $1
     AND EXISTS (SELECT 1 FROM "erp"."Units" c WHERE c."parent id" = s."id" AND c."tenant_id" = s."tenant_id")
  UNION ALL
  SELECT w.start, p."parent id", w.fkb_scope_1, w.depth + 1
    FROM w JOIN "erp"."Units" p ON p."id" = w.cur AND p."tenant_id" = w.fkb_scope_1
   WHERE p."parent id" IS NOT NULL AND w.cur <> w.start AND w.depth < 64
)
SELECT count(*)::int8 AS rows FROM w WHERE w.cur = w.start`,
      values: ['T1'],
    });
  });

  it('the FK constraints from the column to the target, validated and widest first', () => {
    expect(constraintStatement(1, 2, 'customer_id')).toEqual({
      text: `SELECT c.conname::text AS name, c.confdeltype::text AS deltype, c.convalidated AS validated,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns
       FROM pg_constraint c
      WHERE c.contype = 'f' AND c.conrelid = $1::oid AND c.confrelid = $2::oid
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) AND a.attname = $3)
      ORDER BY c.convalidated DESC, array_length(c.conkey, 1) DESC, c.conname`,
      values: [1, 2, 'customer_id'],
    });
  });
  it('deletes one referenced master of the tenant by its whole key, scope included, the tenant named on the master too (a router query on Citus)', () => {
    expect(deleteReferencedStatement(link, { tenant: 'T1' })).toEqual({
      text: `DELETE FROM "customers" t
 USING (SELECT s."customer_id" AS fk, s."tenant_id"
          FROM "erp"."Sales Orders" s
         WHERE s."customer_id" IS NOT NULL AND s."tenant_id" = $1
           AND EXISTS (SELECT 1 FROM "customers" m WHERE m."id" = s."customer_id" AND m."tenant_id" = s."tenant_id")
         LIMIT 1) x
 WHERE t."id" = x.fk AND t."tenant_id" = x."tenant_id" AND t."tenant_id" = $2`,
      values: ['T1', 'T1'],
    });
  });
  it('a loose scope column (citext, nondeterministic collation) is compared by its text form too', () => {
    expect(deleteReferencedStatement({ ...link, scopeLoose: [true] }, { tenant: null })).toEqual({
      text: `DELETE FROM "customers" t
 USING (SELECT s."customer_id" AS fk, s."tenant_id"
          FROM "erp"."Sales Orders" s
         WHERE s."customer_id" IS NOT NULL
           AND EXISTS (SELECT 1 FROM "customers" m WHERE m."id" = s."customer_id" AND m."tenant_id"::text COLLATE "C" = s."tenant_id"::text COLLATE "C")
         LIMIT 1) x
 WHERE t."id" = x.fk AND t."tenant_id"::text COLLATE "C" = x."tenant_id"::text COLLATE "C"`,
      values: [],
    });
  });
});

describe('integrity statement (whole text)', () => {
  const scoped: LinkShape = { ...link, scope: ['tenant_id', 'branch'], active: { column: 'is_active', activeWhen: true } };
  it('each row meets its master by the whole key, every scope column included; any master with the key tells an orphan from a cross-scope link', () => {
    expect(integrityStatement(scoped, { tenant: null })).toEqual({
      text: `SELECT count(*)::int8 AS total,
       count(*) FILTER (WHERE s."customer_id" IS NULL)::int8 AS null_fks,
       count(*) FILTER (WHERE s."customer_id" IS NULL AND (s."customer name" IS NULL OR s."customer name"::text COLLATE "C" ~ $1))::int8 AS null_fks_no_name,
       0::int8 AS null_fks_self,
       count(*) FILTER (WHERE s."customer_id" IS NULL AND NOT (s."customer name" IS NULL OR s."customer name"::text COLLATE "C" ~ $1) AND (s."tenant_id" IS NULL OR s."branch" IS NULL))::int8 AS null_fks_no_scope,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND o.k IS NULL)::int8 AS orphans,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND t.k IS NULL AND o.k IS NOT NULL AND s."tenant_id" IS NOT NULL AND s."branch" IS NOT NULL)::int8 AS cross_scope,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND t.k IS NULL)::int8 AS unresolved,
       count(*) FILTER (WHERE t.k IS NOT NULL AND NOT t.active)::int8 AS inactive_targets
  FROM "erp"."Sales Orders" s
  LEFT JOIN (SELECT t."id" AS k, t."tenant_id", t."branch", bool_or((t."is_active" IS TRUE)) AS active
                FROM "customers" t WHERE true GROUP BY 1, 2, 3) t
    ON t.k = s."customer_id" AND t."tenant_id" = s."tenant_id" AND t."branch" = s."branch"
  LEFT JOIN (SELECT DISTINCT t."id" AS k FROM "customers" t) o ON o.k = s."customer_id"
 WHERE true`,
      values: [BLANK_NAME_RE],
    });
  });
  it("a soft-delete predicate, a tenant filter on the rows and on their own masters, no other tenant's masters read, a loose scope column grouped and compared by its text form too", () => {
    expect(
      integrityStatement({ ...scoped, active: { column: 'deleted_at', activeWhen: 'null' }, scopeLoose: [false, true] }, { tenant: 'T1' }),
    ).toEqual({
      text: `SELECT count(*)::int8 AS total,
       count(*) FILTER (WHERE s."customer_id" IS NULL)::int8 AS null_fks,
       count(*) FILTER (WHERE s."customer_id" IS NULL AND (s."customer name" IS NULL OR s."customer name"::text COLLATE "C" ~ $2))::int8 AS null_fks_no_name,
       0::int8 AS null_fks_self,
       count(*) FILTER (WHERE s."customer_id" IS NULL AND NOT (s."customer name" IS NULL OR s."customer name"::text COLLATE "C" ~ $2) AND (s."tenant_id" IS NULL OR s."branch" IS NULL))::int8 AS null_fks_no_scope,
       NULL::int8 AS orphans,
       NULL::int8 AS cross_scope,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND t.k IS NULL)::int8 AS unresolved,
       count(*) FILTER (WHERE t.k IS NOT NULL AND NOT t.active)::int8 AS inactive_targets
  FROM "erp"."Sales Orders" s
  LEFT JOIN (SELECT t."id" AS k, t."tenant_id", t."branch", bool_or((t."deleted_at" IS NULL)) AS active
                FROM "customers" t WHERE true AND t."tenant_id" = $1 GROUP BY 1, 2, 3, t."branch"::text COLLATE "C") t
    ON t.k = s."customer_id" AND t."tenant_id" = s."tenant_id" AND t."branch"::text COLLATE "C" = s."branch"::text COLLATE "C"
 WHERE true AND s."tenant_id" = $3`,
      values: ['T1', BLANK_NAME_RE, 'T1'],
    });
  });
  it('an unscoped link without an active predicate: no cross-scope join, every master active', () => {
    expect(integrityStatement({ ...scoped, scope: [], active: undefined }, { tenant: 'T1' })).toEqual({
      text: `SELECT count(*)::int8 AS total,
       count(*) FILTER (WHERE s."customer_id" IS NULL)::int8 AS null_fks,
       count(*) FILTER (WHERE s."customer_id" IS NULL AND (s."customer name" IS NULL OR s."customer name"::text COLLATE "C" ~ $1))::int8 AS null_fks_no_name,
       0::int8 AS null_fks_self,
       0::int8 AS null_fks_no_scope,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND t.k IS NULL)::int8 AS orphans,
       0::int8 AS cross_scope,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND t.k IS NULL)::int8 AS unresolved,
       count(*) FILTER (WHERE t.k IS NOT NULL AND NOT t.active)::int8 AS inactive_targets
  FROM "erp"."Sales Orders" s
  LEFT JOIN (SELECT t."id" AS k, bool_or(true) AS active
                FROM "customers" t WHERE true GROUP BY 1) t
    ON t.k = s."customer_id"
 WHERE true`,
      values: [BLANK_NAME_RE],
    });
  });

  it("with the link's own active: NULL FKs of active rows, those not active and the linked rows apart", () => {
    const base = integrityStatement(link, { tenant: null });
    const st = integrityStatement({ ...link, sourceActive: { column: 'is_void', activeWhen: false } }, { tenant: null });
    const expected = base.text
      .replaceAll('WHERE s."customer_id" IS NULL', 'WHERE s."customer_id" IS NULL AND s."is_void" IS FALSE')
      .replace(
        'AS null_fks_no_scope,',
        `AS null_fks_no_scope,
       count(*) FILTER (WHERE s."customer_id" IS NULL AND NOT (s."is_void" IS FALSE))::int8 AS not_active, count(s."customer_id")::int8 AS linked,`,
      );
    expect(expected).not.toBe(base.text);
    expect(st).toEqual({ text: expected, values: base.values });
  });

  it('under --tenant, the FKs no master of the tenant has: only the masters holding those keys read, whatever their tenant', () => {
    expect(crossScopeStatement(scoped, { tenant: 'T1' })).toEqual({
      text: `WITH u AS MATERIALIZED (
  SELECT s."customer_id" AS fk, s."tenant_id" IS NOT NULL AND s."branch" IS NOT NULL AS scoped
    FROM "erp"."Sales Orders" s
  LEFT JOIN (SELECT t."id" AS k, t."tenant_id", t."branch", bool_or((t."is_active" IS TRUE)) AS active
                FROM "customers" t WHERE true AND t."tenant_id" = $1 GROUP BY 1, 2, 3) t
    ON t.k = s."customer_id" AND t."tenant_id" = s."tenant_id" AND t."branch" = s."branch"
   WHERE s."customer_id" IS NOT NULL AND t.k IS NULL AND s."tenant_id" = $2
)
SELECT count(*) FILTER (WHERE o.k IS NULL)::int8 AS orphans, count(*) FILTER (WHERE o.k IS NOT NULL AND u.scoped)::int8 AS cross_scope
  FROM u LEFT JOIN (SELECT DISTINCT t."id" AS k FROM "customers" t WHERE t."id" IN (SELECT u.fk FROM u)) o ON o.k = u.fk`,
      values: ['T1', 'T1'],
    });
  });
});
