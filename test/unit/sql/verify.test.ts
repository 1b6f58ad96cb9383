import { describe, expect, it } from 'vitest';
import type { LinkShape } from '../../../src/sql/link.js';
import { constraintStatement, deleteReferencedStatement } from '../../../src/sql/verify.js';

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
  it('deletes one referenced master of the tenant by its whole key, scope included', () => {
    expect(deleteReferencedStatement(link, { tenant: 'T1' })).toEqual({
      text: `DELETE FROM "customers" t
 USING (SELECT s."customer_id" AS fk, s."tenant_id"
          FROM "erp"."Sales Orders" s
         WHERE s."customer_id" IS NOT NULL AND s."tenant_id" = $1
           AND EXISTS (SELECT 1 FROM "customers" m WHERE m."id" = s."customer_id" AND m."tenant_id" = s."tenant_id")
         LIMIT 1) x
 WHERE t."id" = x.fk AND t."tenant_id" = x."tenant_id"`,
      values: ['T1'],
    });
  });
});
