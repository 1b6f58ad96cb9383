import { describe, expect, it } from 'vitest';
import {
  activeCond,
  dropGuardSql,
  guardFunctionSql,
  guardLiveStatement,
  guardNames,
  guardTriggerSql,
  lockTimeoutStatement,
  qualifiedByOidStatement,
  guardRightsStatement,
  type GuardShape,
} from '../../../src/sql/guard.js';
import { literal } from '../../../src/sql/quote.js';
import type { LinkShape } from '../../../src/sql/link.js';
import { QUOTED_SCOPED } from '../../helpers/link-shapes.js';

describe('guard catalog statements (whole text)', () => {
  it('names a relation by oid, schema-qualified and quoted, and says whether it is partitioned', () => {
    expect(qualifiedByOidStatement(16384)).toEqual({
      text: `SELECT format('%I.%I', n.nspname, c.relname) AS q, c.relkind = 'p' AS partitioned FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid`,
      values: [16384],
    });
  });
  it('asks what guard install needs of the role on a table: TRIGGER, and CREATE on fk_backfill', () => {
    expect(guardRightsStatement(16384)).toEqual({
      text: `SELECT current_user::text AS who, pg_get_userbyid(c.relowner)::text AS owner, format('%I.%I', n.nspname, c.relname) AS q,
       has_table_privilege(c.oid, 'TRIGGER') AS may_trigger, has_schema_privilege('fk_backfill', 'CREATE') AS may_create
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid`,
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

const link: LinkShape = QUOTED_SCOPED;
const g: GuardShape = {
  ...link,
  entity: "Sales Order's customer",
  sourceQualified: '"erp"."Sales Orders"',
  targetQualified: '"crm"."Customers"',
  tableName: 'erp.Sales Orders',
};

describe('guard trigger (whole text)', () => {
  it('string literals double their quotes and refuse NUL; the active condition or true', () => {
    expect([literal("O'Brien"), literal('')]).toEqual([`'O''Brien'`, `''`]);
    expect(() => literal('a\u0000')).toThrow('an SQL literal must not contain a NUL character');
    // a backslash or a dollar sign: an escape string, the same under either standard_conforming_strings, that cannot
    // close the guard's $fkb_guard$ body
    expect([literal('C:\\x'), literal('$fkb_guard$'), literal("it's $5\\")]).toEqual([
      `E'C:\\\\x'`,
      `E'\\x24fkb_guard\\x24'`,
      `E'it\\'s \\x245\\\\'`,
    ]);
    expect([activeCond('t', link), activeCond('t', { ...link, active: undefined })]).toEqual(['(t."is_active" IS TRUE)', 'true']);
  });

  it('object names: a slug of the entity and a hash, at most 63 bytes however long the entity', () => {
    expect(guardNames("Sales Order's customer")).toEqual({
      trigger: 'zz_fkb_guard_Sales_Order_s_customer_c215af13',
      fn: 'guard_Sales_Order_s_customer_c215af13',
    });
    expect(guardNames('x'.repeat(80))).toEqual({
      trigger: 'zz_fkb_guard_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_46b05b91',
      fn: 'guard_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_46b05b91',
    });
  });

  it("the trigger function: a writer's clear and an existing key's INSERT left alone; decision, exact active name of the row's scope, applied alias, each master locked and rechecked; links logged under the row's whole key", () => {
    expect(guardFunctionSql(g, guardNames(g.entity), '42'))
      .toBe(`CREATE OR REPLACE FUNCTION fk_backfill."guard_Sales_Order_s_customer_c215af13"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fkb_guard$
DECLARE
  v_sk text[] := ARRAY[NEW."tenant_id"::text, NEW."Branch"::text COLLATE "C"]::text[];
  v_name text := NEW."customer name"::text;
  v_key "crm"."Customers"."id"%TYPE;
  v_cand "crm"."Customers"."id"%TYPE;
  v_alias text;
  v_origin text;
  v_n int;
  v_method text;
  v_reason text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- the writer cleared the FK and kept the name and scope (a form saving the whole row): its decision, left NULL
    IF OLD."customer_id" IS NOT NULL AND v_name IS NOT DISTINCT FROM OLD."customer name"::text AND v_sk IS NOT DISTINCT FROM ARRAY[OLD."tenant_id"::text, OLD."Branch"::text COLLATE "C"]::text[] THEN
      RETURN NEW;
    END IF;
  ELSIF EXISTS (SELECT 1 FROM "erp"."Sales Orders" s WHERE s."tenant_id" = NEW."tenant_id" AND s."id" = NEW."id") THEN
    -- an INSERT … ON CONFLICT of an existing key, nothing logged: the FK the existing row holds when it has this name
    -- and scope (a sync re-sending the row: DO UPDATE SET fk = EXCLUDED.fk keeps it), else none (EXCLUDED would carry
    -- a link of the new name into the DO UPDATE unlogged; that UPDATE fires this trigger, which links and logs it)
    SELECT s."customer_id" INTO NEW."customer_id" FROM "erp"."Sales Orders" s
     WHERE s."tenant_id" = NEW."tenant_id" AND s."id" = NEW."id" AND s."customer name"::text IS NOT DISTINCT FROM v_name AND ARRAY[s."tenant_id"::text, s."Branch"::text COLLATE "C"]::text[] IS NOT DISTINCT FROM v_sk;
    RETURN NEW;
  END IF;
  SELECT a.target_key, a.origin INTO v_alias, v_origin
    FROM fk_backfill.aliases a
   WHERE a.link = 'Sales Order''s customer' AND md5(a.source_name) = md5(v_name) AND a.scope_key = v_sk AND a.source_name = v_name
   ORDER BY a.origin DESC
   LIMIT 1;
  IF v_origin = 'decision' THEN
    IF v_alias IS NULL THEN
      v_reason := 'decision';
    ELSE
      v_cand := v_alias;
      SELECT t."id" FROM "crm"."Customers" t WHERE t."id" = v_cand AND t."tenant_id" = NEW."tenant_id" AND t."Branch"::text COLLATE "C" = NEW."Branch"::text COLLATE "C" AND (t."is_active" IS TRUE) FOR SHARE OF t INTO v_key;
      IF v_key IS NULL THEN v_reason := CASE WHEN EXISTS (SELECT 1 FROM "crm"."Customers" t WHERE t."id" = v_cand AND t."tenant_id" = NEW."tenant_id" AND t."Branch"::text COLLATE "C" = NEW."Branch"::text COLLATE "C") THEN 'inactive' ELSE 'decision target unavailable' END; ELSE v_method := 'decision'; END IF;
    END IF;
  ELSE
    SELECT count(*), (array_agg(x.k))[1] INTO v_n, v_cand
      FROM (SELECT t."id" AS k FROM "crm"."Customers" t WHERE t."Legal Name" = NEW."customer name" AND t."tenant_id" = NEW."tenant_id" AND t."Branch"::text COLLATE "C" = NEW."Branch"::text COLLATE "C" AND (t."is_active" IS TRUE) LIMIT 2 FOR SHARE OF t) x;
    IF v_n = 1 THEN
      v_key := v_cand;
      v_method := 'exact';
    ELSIF v_n > 1 THEN
      v_reason := 'ambiguous';
    ELSIF v_origin = 'apply' THEN
      v_cand := v_alias;
      SELECT t."id" FROM "crm"."Customers" t WHERE t."id" = v_cand AND t."tenant_id" = NEW."tenant_id" AND t."Branch"::text COLLATE "C" = NEW."Branch"::text COLLATE "C" AND (t."is_active" IS TRUE) FOR SHARE OF t INTO v_key;
      IF v_key IS NULL THEN
        v_reason := CASE WHEN EXISTS (SELECT 1 FROM "crm"."Customers" t WHERE t."id" = v_cand AND t."tenant_id" = NEW."tenant_id" AND t."Branch"::text COLLATE "C" = NEW."Branch"::text COLLATE "C") THEN 'inactive' ELSE 'alias target unavailable' END;
      ELSIF EXISTS (SELECT 1 FROM "crm"."Customers" t JOIN "crm"."Customers" x ON x."Legal Name" = t."Legal Name" AND x."id" <> t."id"
        WHERE t."id" = v_key AND t."tenant_id" = NEW."tenant_id" AND t."Branch"::text COLLATE "C" = NEW."Branch"::text COLLATE "C" AND x."tenant_id" = NEW."tenant_id" AND x."Branch"::text COLLATE "C" = NEW."Branch"::text COLLATE "C" AND (x."is_active" IS TRUE)) THEN
        -- another active master of the scope is named as that one now (a duplicate since): the name is ambiguous
        v_key := NULL;
        v_reason := 'ambiguous';
      ELSE
        v_method := 'alias';
      END IF;
    ELSIF EXISTS (SELECT 1 FROM "crm"."Customers" t WHERE t."Legal Name" = NEW."customer name" AND t."tenant_id" = NEW."tenant_id" AND t."Branch"::text COLLATE "C" = NEW."Branch"::text COLLATE "C") THEN
      v_reason := 'inactive';
    ELSE
      v_reason := 'unmatched';
    END IF;
  END IF;
  IF v_key IS NULL THEN
    INSERT INTO fk_backfill.guard_misses (run_id, link, scope_key, source_name, row_key, reason)
    VALUES (42, 'Sales Order''s customer', v_sk, v_name, ARRAY[NEW."tenant_id"::text, NEW."id"::text]::text, v_reason);
    RETURN NEW;
  END IF;
  NEW."customer_id" := v_key;
  INSERT INTO fk_backfill.guard_links (run_id, link, table_name, column_name, row_key, new_value, method)
  VALUES (42, 'Sales Order''s customer', 'erp.Sales Orders', 'customer_id', ARRAY[NEW."tenant_id"::text, NEW."id"::text]::text, v_key::text, v_method);
  RETURN NEW;
END
$fkb_guard$`);
  });

  it("a table's CHECK constraints over the FK are tested on the row as it would be written; a hierarchy never links a row to itself", () => {
    const checked = guardFunctionSql(
      {
        ...g,
        sourceOid: 16384,
        fkChecks: [
          { name: 'void_unlinked', expr: "((kind <> 'void'::public.kind_t) OR (customer_id IS NULL))" },
          { name: 'pos', expr: '(customer_id > 0)' },
        ],
      },
      { trigger: 'trg', fn: 'fn' },
      '7',
    );
    expect(checked).toContain(`  v_reason text;
  v_refused boolean;
BEGIN`);
    expect(checked).toContain(`    END IF;
  END IF;
  -- the table's CHECK constraints over the FK, on the row as it would be written
  IF v_key IS NOT NULL THEN
    NEW."customer_id" := v_key;
    BEGIN
      IF v_reason IS NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conrelid = 16384::oid AND c.contype = 'c' AND c.conname = 'void_unlinked') THEN
        EXECUTE E'SELECT (((kind <> \\'void\\'::public.kind_t) OR (customer_id IS NULL))) IS FALSE FROM (SELECT (\\x241).*) s' INTO v_refused USING NEW;
        IF v_refused THEN v_reason := 'check void_unlinked'; END IF;
      END IF;
      IF v_reason IS NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conrelid = 16384::oid AND c.contype = 'c' AND c.conname = 'pos') THEN
        EXECUTE E'SELECT ((customer_id > 0)) IS FALSE FROM (SELECT (\\x241).*) s' INTO v_refused USING NEW;
        IF v_refused THEN v_reason := 'check pos'; END IF;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      v_reason := 'check not tested: ' || SQLERRM;
    END;
    IF v_reason IS NOT NULL THEN
      NEW."customer_id" := NULL;
      v_key := NULL;
    END IF;
  END IF;
  IF v_key IS NULL THEN
    INSERT INTO fk_backfill.guard_misses`);
    const self = guardFunctionSql({ ...g, selfTable: true }, { trigger: 'trg', fn: 'fn' }, '7');
    expect(self).toContain(`  -- a hierarchy: a row naming itself (parent_name = its own name) is never linked to itself
  IF v_key IS NOT NULL AND v_key = NEW."id" THEN
    v_key := NULL;
    v_reason := 'self';
  END IF;
  IF v_key IS NULL THEN`);
  });

  it('on a partitioned table, an UPDATE that leaves the FK NULL marks the row, and the BEFORE INSERT that moves it returns it untouched', () => {
    const f = guardFunctionSql({ ...g, partitionKeys: null }, { trigger: 'trg', fn: 'guard_so_1' }, '7');
    const mark = `md5(ARRAY[ARRAY[NEW."tenant_id"::text, NEW."id"::text]::text, v_sk::text, v_name, statement_timestamp()::text]::text)`;
    expect(f).toContain(`  v_reason text;
  v_moved text;
BEGIN
  v_moved := current_setting('fk_backfill.guard_so_1', true);
  IF v_moved <> '' THEN
    -- the mark of this function's last call: a row an UPDATE is moving to another partition (its BEFORE INSERT here)
    PERFORM set_config('fk_backfill.guard_so_1', '', true);
    IF TG_OP = 'INSERT' AND v_moved = ${mark} THEN RETURN NEW; END IF;
  END IF;
  IF TG_OP = 'UPDATE' THEN`);
    expect(f).toContain(`::text[] THEN
      PERFORM set_config('fk_backfill.guard_so_1', ${mark}, true);
      RETURN NEW;
    END IF;
  ELSIF EXISTS`);
    expect(f).toContain(`v_name, ARRAY[NEW."tenant_id"::text, NEW."id"::text]::text, v_reason);
    IF TG_OP = 'UPDATE' THEN PERFORM set_config('fk_backfill.guard_so_1', ${mark}, true); END IF;
    RETURN NEW;
  END IF;`);
    expect(guardFunctionSql(g, { trigger: 'trg', fn: 'guard_so_1' }, '7')).not.toContain('set_config');
    // with the partition keys known, only an UPDATE that changes one of them marks the row
    expect(guardFunctionSql({ ...g, partitionKeys: ['tenant_id'] }, { trigger: 'trg', fn: 'guard_so_1' }, '7')).toContain(
      `IF TG_OP = 'UPDATE' THEN IF NEW."tenant_id" IS DISTINCT FROM OLD."tenant_id" THEN PERFORM set_config('fk_backfill.guard_so_1', ${mark}, true); END IF; END IF;`,
    );
  });

  it('the trigger function of an unscoped link with one key column and no active predicate', () => {
    expect(
      guardFunctionSql(
        { ...g, keys: undefined, keyTypes: undefined, scope: [], scopeLoose: undefined, active: undefined },
        { trigger: 'trg', fn: 'fn' },
        '7',
      ),
    ).toBe(`CREATE OR REPLACE FUNCTION fk_backfill."fn"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fkb_guard$
DECLARE
  v_sk text[] := ARRAY[]::text[];
  v_name text := NEW."customer name"::text;
  v_key "crm"."Customers"."id"%TYPE;
  v_cand "crm"."Customers"."id"%TYPE;
  v_alias text;
  v_origin text;
  v_n int;
  v_method text;
  v_reason text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- the writer cleared the FK and kept the name and scope (a form saving the whole row): its decision, left NULL
    IF OLD."customer_id" IS NOT NULL AND v_name IS NOT DISTINCT FROM OLD."customer name"::text AND v_sk IS NOT DISTINCT FROM ARRAY[]::text[] THEN
      RETURN NEW;
    END IF;
  ELSIF EXISTS (SELECT 1 FROM "erp"."Sales Orders" s WHERE s."id" = NEW."id") THEN
    -- an INSERT … ON CONFLICT of an existing key, nothing logged: the FK the existing row holds when it has this name
    -- and scope (a sync re-sending the row: DO UPDATE SET fk = EXCLUDED.fk keeps it), else none (EXCLUDED would carry
    -- a link of the new name into the DO UPDATE unlogged; that UPDATE fires this trigger, which links and logs it)
    SELECT s."customer_id" INTO NEW."customer_id" FROM "erp"."Sales Orders" s
     WHERE s."id" = NEW."id" AND s."customer name"::text IS NOT DISTINCT FROM v_name AND ARRAY[]::text[] IS NOT DISTINCT FROM v_sk;
    RETURN NEW;
  END IF;
  SELECT a.target_key, a.origin INTO v_alias, v_origin
    FROM fk_backfill.aliases a
   WHERE a.link = 'Sales Order''s customer' AND md5(a.source_name) = md5(v_name) AND a.scope_key = v_sk AND a.source_name = v_name
   ORDER BY a.origin DESC
   LIMIT 1;
  IF v_origin = 'decision' THEN
    IF v_alias IS NULL THEN
      v_reason := 'decision';
    ELSE
      v_cand := v_alias;
      SELECT t."id" FROM "crm"."Customers" t WHERE t."id" = v_cand AND true FOR SHARE OF t INTO v_key;
      IF v_key IS NULL THEN v_reason := 'decision target unavailable'; ELSE v_method := 'decision'; END IF;
    END IF;
  ELSE
    SELECT count(*), (array_agg(x.k))[1] INTO v_n, v_cand
      FROM (SELECT t."id" AS k FROM "crm"."Customers" t WHERE t."Legal Name" = NEW."customer name" AND true LIMIT 2 FOR SHARE OF t) x;
    IF v_n = 1 THEN
      v_key := v_cand;
      v_method := 'exact';
    ELSIF v_n > 1 THEN
      v_reason := 'ambiguous';
    ELSIF v_origin = 'apply' THEN
      v_cand := v_alias;
      SELECT t."id" FROM "crm"."Customers" t WHERE t."id" = v_cand AND true FOR SHARE OF t INTO v_key;
      IF v_key IS NULL THEN
        v_reason := 'alias target unavailable';
      ELSIF EXISTS (SELECT 1 FROM "crm"."Customers" t JOIN "crm"."Customers" x ON x."Legal Name" = t."Legal Name" AND x."id" <> t."id"
        WHERE t."id" = v_key AND true) THEN
        -- another active master of the scope is named as that one now (a duplicate since): the name is ambiguous
        v_key := NULL;
        v_reason := 'ambiguous';
      ELSE
        v_method := 'alias';
      END IF;
    ELSE
      v_reason := 'unmatched';
    END IF;
  END IF;
  IF v_key IS NULL THEN
    INSERT INTO fk_backfill.guard_misses (run_id, link, scope_key, source_name, row_key, reason)
    VALUES (7, 'Sales Order''s customer', v_sk, v_name, NEW."id"::text, v_reason);
    RETURN NEW;
  END IF;
  NEW."customer_id" := v_key;
  INSERT INTO fk_backfill.guard_links (run_id, link, table_name, column_name, row_key, new_value, method)
  VALUES (7, 'Sales Order''s customer', 'erp.Sales Orders', 'customer_id', NEW."id"::text, v_key::text, v_method);
  RETURN NEW;
END
$fkb_guard$`);
    expect(() => guardFunctionSql(g, { trigger: 'trg', fn: 'fn' }, '1; DROP')).toThrow('bad run id 1; DROP');
    // a name holding the body's dollar-quote tag would end the body early: refused
    expect(() => guardFunctionSql({ ...g, name: 'x$fkb_guard$; DROP TABLE t; --' }, { trigger: 'trg', fn: 'fn' }, '7')).toThrow(
      `Sales Order's customer: a table or column name contains "$fkb_guard$"; the guard cannot be generated`,
    );
  });

  it('the trigger: before an insert or an update of the name or scope, while the FK is NULL and the name is not', () => {
    expect(guardTriggerSql(g, guardNames(g.entity)))
      .toBe(`CREATE TRIGGER "zz_fkb_guard_Sales_Order_s_customer_c215af13" BEFORE INSERT OR UPDATE OF "customer name", "tenant_id", "Branch" ON "erp"."Sales Orders"
  FOR EACH ROW WHEN (NEW."customer_id" IS NULL AND NEW."customer name" IS NOT NULL)
  EXECUTE FUNCTION fk_backfill."guard_Sales_Order_s_customer_c215af13"()`);
    // the link's own active: a row written not active is left alone (neither linked nor a miss)
    expect(guardTriggerSql({ ...g, sourceActive: { column: 'is_void', activeWhen: false } }, guardNames(g.entity)))
      .toBe(`CREATE TRIGGER "zz_fkb_guard_Sales_Order_s_customer_c215af13" BEFORE INSERT OR UPDATE OF "customer name", "tenant_id", "Branch" ON "erp"."Sales Orders"
  FOR EACH ROW WHEN (NEW."customer_id" IS NULL AND NEW."customer name" IS NOT NULL AND NEW."is_void" IS FALSE)
  EXECUTE FUNCTION fk_backfill."guard_Sales_Order_s_customer_c215af13"()`);
  });
});
