import { describe, expect, it } from 'vitest';
import type { LinkShape } from '../../../src/sql/link.js';
import { statusStatement } from '../../../src/sql/status.js';

const link: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"customers"',
  key: 'id',
  fk: 'customer_id',
  name: 'customer name',
  targetKey: 'id',
  targetName: 'customer_name',
  scope: ['tenant_id', 'branch'],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: null,
};

describe('status statement (whole text)', () => {
  it('rows and NULL FKs, filtered by the first scope column when a tenant is chosen', () => {
    expect(statusStatement(link, { tenant: 'T1' })).toEqual({
      text: `SELECT count(*)::int8 AS total, count(*) FILTER (WHERE s."customer_id" IS NULL)::int8 AS null_fks
  FROM "erp"."Sales Orders" s WHERE true AND s."tenant_id" = $1`,
      values: ['T1'],
    });
    expect(statusStatement(link, { tenant: null })).toEqual({
      text: `SELECT count(*)::int8 AS total, count(*) FILTER (WHERE s."customer_id" IS NULL)::int8 AS null_fks
  FROM "erp"."Sales Orders" s WHERE true`,
      values: [],
    });
  });

  it("with the link's own active: NULL FKs of active rows, those not active and the linked rows, each by its own filter", () => {
    const active = {
      ...link,
      sourceActive: { column: 'deleted_at', activeWhen: 'null' as const, also: [{ column: 'status', activeWhen: { notIn: ['void'] } }] },
    };
    expect(statusStatement(active, { tenant: 'T1' })).toEqual({
      text: `SELECT count(*)::int8 AS total, count(*) FILTER (WHERE s."customer_id" IS NULL AND s."deleted_at" IS NULL AND (s."status" NOT IN ('void')) IS NOT FALSE)::int8 AS null_fks,
       count(*) FILTER (WHERE s."customer_id" IS NULL AND NOT (s."deleted_at" IS NULL AND (s."status" NOT IN ('void')) IS NOT FALSE))::int8 AS not_active, count(s."customer_id")::int8 AS linked
  FROM "erp"."Sales Orders" s WHERE true AND s."tenant_id" = $1`,
      values: ['T1'],
    });
  });
});
