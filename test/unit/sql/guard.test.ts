import { describe, expect, it } from 'vitest';
import { dropGuardSql, guardLiveStatement, lockTimeoutStatement, qualifiedByOidStatement } from '../../../src/sql/guard.js';

describe('guard catalog statements (whole text)', () => {
  it('names a relation by oid, schema-qualified and quoted', () => {
    expect(qualifiedByOidStatement(16384)).toEqual({
      text: `SELECT format('%I.%I', n.nspname, c.relname) AS q FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid`,
      values: [16384],
    });
  });
  it("asks whether a guard's trigger is enabled and its function exists", () => {
    expect(guardLiveStatement(16384, 'fkb_guard_so', 'guard_so')).toEqual({
      text: `SELECT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = $1::oid AND t.tgname = $2 AND t.tgenabled <> 'D')
          AND EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = 'fk_backfill'::regnamespace AND p.proname = $3) AS ok`,
      values: [16384, 'fkb_guard_so', 'guard_so'],
    });
  });
  it('drops the trigger (when its table is still there) and the function, identifiers quoted', () => {
    expect(dropGuardSql('"public"."sales_orders"', 'fkb "guard"', 'guard_so')).toEqual([
      `DROP TRIGGER IF EXISTS "fkb ""guard""" ON "public"."sales_orders"`,
      `DROP FUNCTION IF EXISTS fk_backfill."guard_so"()`,
    ]);
    expect(dropGuardSql(null, 'fkb_guard_so', 'guard_so')).toEqual([`DROP FUNCTION IF EXISTS fk_backfill."guard_so"()`]);
  });
  it('sets the lock timeout of the install transaction, at least 1 ms', () => {
    expect(lockTimeoutStatement(10_000)).toEqual({ text: `SELECT set_config('lock_timeout', $1, true)`, values: ['10000ms'] });
    expect(lockTimeoutStatement(0.2)).toEqual({ text: `SELECT set_config('lock_timeout', $1, true)`, values: ['1ms'] });
  });
});
