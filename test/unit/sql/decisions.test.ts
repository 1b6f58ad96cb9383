import { describe, expect, it } from 'vitest';
import { humanDecisionsStatement } from '../../../src/sql/decisions.js';
import type { LinkShape } from '../../../src/sql/link.js';

const link: LinkShape = {
  sourceSql: 'public.sales_orders',
  targetSql: '"erp"."Customers"',
  key: 'id',
  keyType: 'uuid',
  fk: 'customer_id',
  fkType: 'uuid',
  name: 'customer_name',
  targetKey: 'id',
  targetName: 'Customer Name',
  scope: ['tenant_id', 'region'],
  touch: null,
  active: { column: 'is_active', activeWhen: true },
};

describe("people's decisions as a plan reads them (whole text)", () => {
  it('a scoped link with a tenant: the tenant is the first scope value, alias targets checked against the active masters of their scope', () => {
    expect(humanDecisionsStatement(link, 'so', { tenant: 't1' })).toEqual({
      text: `WITH d AS (
       SELECT DISTINCT ON (d.scope_key, d.source_name) d.scope_key, d.source_name, d.action, d.target_key
         FROM fk_backfill.decisions d
        WHERE d.link = $1 AND d.revoked_at IS NULL AND d.scope_key[1] = $2
        ORDER BY d.scope_key, d.source_name, d.decided_at DESC, d.id DESC
     ), m AS (
       -- the alias targets as they are now (a join and a GROUP BY, not a correlated subquery: Citus plans it)
       SELECT d.scope_key, d.target_key, count(*) AS n, min(t."Customer Name"::text) AS name
         FROM d
         JOIN "erp"."Customers" t ON t."id"::text = d.target_key AND ARRAY[t."tenant_id"::text, t."region"::text]::text[] = d.scope_key AND t."is_active" IS TRUE AND t."tenant_id" = $3
        GROUP BY d.scope_key, d.target_key
     )
     SELECT d.scope_key, d.source_name, d.action, d.target_key, coalesce(m.n, 0) > 0 AS valid, m.name AS target_name
       FROM d
       LEFT JOIN m ON m.scope_key = d.scope_key AND m.target_key = d.target_key`,
      values: ['so', 't1', 't1'],
    });
  });
  it('an unscoped link ignores the tenant; no active predicate, every master counts', () => {
    expect(humanDecisionsStatement({ ...link, scope: [], active: undefined }, 'so', { tenant: 't1' })).toEqual({
      text: `WITH d AS (
       SELECT DISTINCT ON (d.scope_key, d.source_name) d.scope_key, d.source_name, d.action, d.target_key
         FROM fk_backfill.decisions d
        WHERE d.link = $1 AND d.revoked_at IS NULL
        ORDER BY d.scope_key, d.source_name, d.decided_at DESC, d.id DESC
     ), m AS (
       -- the alias targets as they are now (a join and a GROUP BY, not a correlated subquery: Citus plans it)
       SELECT d.scope_key, d.target_key, count(*) AS n, min(t."Customer Name"::text) AS name
         FROM d
         JOIN "erp"."Customers" t ON t."id"::text = d.target_key AND ARRAY[]::text[] = d.scope_key
        GROUP BY d.scope_key, d.target_key
     )
     SELECT d.scope_key, d.source_name, d.action, d.target_key, coalesce(m.n, 0) > 0 AS valid, m.name AS target_name
       FROM d
       LEFT JOIN m ON m.scope_key = d.scope_key AND m.target_key = d.target_key`,
      values: ['so'],
    });
  });
});
