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
});
