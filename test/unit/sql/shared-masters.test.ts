/**
 * Statements of a link with shared masters (target.shared: a master whose scope columns are all NULL is a candidate in
 * every scope), whole text where the statement is small, the changed join where it is not. Without the option every
 * statement is the one the other whole-text tests pin (sharedMasters absent: same text).
 */
import { describe, expect, it } from 'vitest';
import {
  masterEntryScopeJoin,
  masterScopeJoin,
  masterScopeKeyEq,
  masterScopeWhere,
  Params,
  type TypedLinkShape,
} from '../../../src/sql/link.js';
import { exactCandidatesStatement, mastersStatement } from '../../../src/sql/plan.js';
import { applyBatchStatement } from '../../../src/sql/apply.js';
import { integrityStatement } from '../../../src/sql/verify.js';
import { guardFunctionSql, guardNames } from '../../../src/sql/guard.js';
import { sharedLinkedStatement } from '../../../src/sql/constrain.js';
import { SALES_ORDERS } from '../../helpers/link-shapes.js';

const link: TypedLinkShape = {
  ...SALES_ORDERS,
  scope: ['tenant_id'],
  scopeTypes: ['integer'],
  nameType: 'text',
  targetNameType: 'text',
  nameLoose: false,
  active: { column: 'is_active', activeWhen: true },
  sharedMasters: true,
};
const two: TypedLinkShape = { ...link, scope: ['tenant_id', 'region'], scopeTypes: ['integer', 'numeric'] };

describe('shared masters: the scope fragments', () => {
  it('a master of the row scope, or of none while the row has one', () => {
    expect(masterScopeJoin('t', 's', link)).toBe(
      ` AND ((t."tenant_id" = s."tenant_id") OR (t."tenant_id" IS NULL AND s."tenant_id" IS NOT NULL))`,
    );
    expect(masterScopeJoin('t', 's', two)).toBe(
      ` AND ((t."tenant_id" = s."tenant_id" AND t."region" = s."region") OR (t."tenant_id" IS NULL AND t."region" IS NULL AND s."tenant_id" IS NOT NULL AND s."region" IS NOT NULL))`,
    );
    expect(masterEntryScopeJoin('t', link, 'm')).toBe(
      ` AND ((t."tenant_id" = m.fkb_scope_1) OR (t."tenant_id" IS NULL AND m.fkb_scope_1 IS NOT NULL))`,
    );
    expect(masterScopeKeyEq('t', link, 'd.scope_key')).toBe(`(ARRAY[t."tenant_id"::text]::text[] = d.scope_key OR t."tenant_id" IS NULL)`);
    const p = new Params();
    expect(masterScopeWhere('t', link, { tenant: '7' }, p)).toBe(` AND ((t."tenant_id" = $1) OR (t."tenant_id" IS NULL))`);
    expect(p.values).toEqual(['7']);
    // without the option: the plain scope equality, nothing else
    const plain = { ...link, sharedMasters: undefined };
    expect(masterScopeJoin('t', 's', plain)).toBe(` AND t."tenant_id" = s."tenant_id"`);
    expect(masterScopeWhere('t', plain, { tenant: null }, new Params())).toBe('');
  });
});

describe('shared masters: statements', () => {
  it('exact candidates: the regrouping form (never the per-group join), shared masters counted and listed apart', () => {
    expect(exactCandidatesStatement(link, { tenant: '7' })).toEqual({
      text: `WITH names AS (
  SELECT s."tenant_id" AS "tenant_id", s."customer_name" AS source_name, count(*)::int8 AS row_count
    FROM public.sales_orders s
   WHERE s."customer_id" IS NULL AND s."tenant_id" = $2
   GROUP BY s."tenant_id", s."customer_name"
)
SELECT ARRAY[n."tenant_id"::text]::text[] AS scope_key, n.source_name, n.row_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:$1::int] AS keys,
       count(t."id") FILTER (WHERE (t."is_active" IS TRUE))::int8 AS candidate_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE) AND t."tenant_id" IS NULL))[1:$1::int] AS shared_keys,
       count(t."id") FILTER (WHERE (t."is_active" IS TRUE) AND t."tenant_id" IS NULL)::int8 AS shared_count,
       (array_agg(t."id"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND NOT (t."is_active" IS TRUE)))[1:$1::int] AS inactive_keys,
       -- the active masters' names as read, in the order of keys: what a linked entry's decision rested on (apply rechecks it)
       (array_agg(t."customer_name"::text ORDER BY t."id"::text) FILTER (WHERE t."id" IS NOT NULL AND (t."is_active" IS TRUE)))[1:1] AS names
  FROM names n
  LEFT JOIN public.customers t
    ON t."customer_name" = n.source_name AND ((t."tenant_id" = n."tenant_id") OR (t."tenant_id" IS NULL AND n."tenant_id" IS NOT NULL))
 GROUP BY n."tenant_id", n.source_name, n.row_count
 ORDER BY 1, 2`,
      values: [10, '7'],
    });
  });

  it("masters of the normalised and fuzzy plans: the tenant's and the shared ones", () => {
    expect(mastersStatement(link, { tenant: '7' })).toEqual({
      text: `SELECT ARRAY[t."tenant_id"::text]::text[] AS scope_key, t."id"::text AS key, t."customer_name" AS name
  FROM public.customers t
 WHERE t."customer_name" IS NOT NULL AND t."is_active" IS TRUE AND ((t."tenant_id" = $1) OR (t."tenant_id" IS NULL))
 ORDER BY 1, 3, 2`,
      values: ['7'],
    });
  });

  it("apply's write-time recheck, verify's own-master join and the guard's lookups accept a shared master", () => {
    const a = applyBatchStatement(
      link,
      { runId: '1', linkName: 'l', tableName: 'sales_orders', map: 'm_tab', range: { after: null, upTo: null } },
      { tenant: null },
    );
    expect(a.text).toContain(
      `JOIN public.customers t ON t."id" = m.target_key AND t."is_active" IS TRUE AND ((t."tenant_id" = m.fkb_scope_1) OR (t."tenant_id" IS NULL AND m.fkb_scope_1 IS NOT NULL))`,
    );
    const v = integrityStatement(link, { tenant: null });
    expect(v.text).toContain(
      `ON t.k = s."customer_id" AND ((t."tenant_id" = s."tenant_id") OR (t."tenant_id" IS NULL AND s."tenant_id" IS NOT NULL))`,
    );
    const g = guardFunctionSql(
      { ...link, entity: 'l', sourceQualified: 'public.sales_orders', targetQualified: 'public.customers', tableName: 'sales_orders' },
      guardNames('l'),
      '5',
    );
    expect(g).toContain(
      `SELECT t."id" AS k FROM public.customers t WHERE t."customer_name" = NEW."customer_name" AND ((t."tenant_id" = NEW."tenant_id") OR (t."tenant_id" IS NULL AND NEW."tenant_id" IS NOT NULL)) AND (t."is_active" IS TRUE) LIMIT 2 FOR SHARE OF t`,
    );
  });

  it('constrain --tenant-safe: the rows linked to a master of no scope, counted', () => {
    expect(sharedLinkedStatement({ ...two, fk: 'customer_id', targetKey: 'id' })).toEqual({
      text: `SELECT count(*)::int8 AS n
  FROM public.sales_orders s
  JOIN public.customers t ON t."id" = s."customer_id"
 WHERE t."tenant_id" IS NULL AND t."region" IS NULL`,
      values: [],
    });
  });
});
