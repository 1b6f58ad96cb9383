import { describe, expect, it } from 'vitest';
import { currentSchemaStatement } from '../../../src/sql/catalog-discover.js';
import { rowsPerKeyStatement } from '../../../src/sql/constrain.js';
import { mastersLockStatement, mastersSharedLockStatement } from '../../../src/sql/masters.js';

describe('one-line statements (whole text)', () => {
  it('constrain: rows per distinct walk key', () => {
    expect(rowsPerKeyStatement('"erp"."Sales Orders"', 'tenant id')).toEqual({
      text: `SELECT count(*)::float8 / greatest(count(DISTINCT s."tenant id"), 1) AS r FROM "erp"."Sales Orders" s`,
      values: [],
    });
  });
  it('discover: the current schema', () => {
    expect(currentSchemaStatement()).toEqual({ text: 'SELECT current_schema()::text AS s', values: [] });
  });
  it('masters: the per-target-table lock by oid, its key a parameter; an apply batch takes it shared', () => {
    expect(mastersLockStatement(16384)).toEqual({
      text: 'SELECT pg_advisory_xact_lock(hashtext($1))',
      values: ['fk_backfill.masters:16384'],
    });
    expect(mastersSharedLockStatement(16384)).toEqual({
      text: 'SELECT pg_advisory_xact_lock_shared(hashtext($1))',
      values: ['fk_backfill.masters:16384'],
    });
  });
});
