import { describe, expect, it } from 'vitest';
import type { LinkShape } from '../../../src/sql/link.js';
import {
  insertMastersStatement,
  masterColumnsStatement,
  insertRightsStatement,
  masterNumbersStatement,
  deactivateMastersStatement,
  deleteCreatedMastersStatement,
  lockMastersStatement,
  canonicalKeysStatement,
  mastersByKeyStatement,
  mastersInUseStatement,
  foreignKeysToStatement,
  mastersReferencedStatement,
  masterFingerprintsStatement,
  numberUniqueIndexesStatement,
  reactivateMastersStatement,
} from '../../../src/sql/masters.js';

const link: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"crm"."Customers"',
  key: 'id',
  fk: 'customer_id',
  name: 'customer name',
  targetKey: 'Customer ID',
  targetName: 'Legal Name',
  scope: ['tenant id', 'branch'],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: null,
  active: { column: 'Is Active', activeWhen: true },
};

describe('masters statements (whole text)', () => {
  it('asks which of the written columns the role may not INSERT, and who owns the table', () => {
    expect(insertRightsStatement(16384, ['customer_name', 'tenant_id'])).toEqual({
      text: `SELECT current_user::text AS who, pg_get_userbyid(c.relowner)::text AS owner, format('%I.%I', n.nspname, c.relname) AS q,
       ARRAY(SELECT x FROM unnest($2::text[]) x WHERE NOT has_column_privilege(c.oid, x, 'INSERT')) AS missing
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid`,
      values: [16384, ['customer_name', 'tenant_id']],
    });
  });
  it("the master table's columns by oid: what an INSERT must fill", () => {
    expect(masterColumnsStatement(16384)).toEqual({
      text: `SELECT a.attname::text AS name, a.attnotnull AS not_null, a.atthasdef AS has_default,
       a.attidentity::text AS identity, a.attgenerated::text AS generated, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a
 WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum`,
      values: [16384],
    });
  });

  it('masters by key, of every scope and activity (the caller picks the scope): keys one typed array parameter', () => {
    expect(mastersByKeyStatement({ ...link, targetKeyType: 'uuid', number: 'Cust No' }, ['k1', 'k2'])).toEqual({
      text: `SELECT t."Customer ID"::text AS key, ARRAY[t."tenant id"::text, t."branch"::text]::text[] AS scope_key, t."Legal Name" AS name,
       t."Cust No"::text AS number, (t."Is Active" IS TRUE) AS active
  FROM "crm"."Customers" t
 WHERE t."Customer ID" = ANY($1::uuid[])`,
      values: [['k1', 'k2']],
    });
    expect(mastersByKeyStatement({ ...link, scope: [], active: undefined, targetKeyType: 'int8' }, ['1'])).toEqual({
      text: `SELECT t."Customer ID"::text AS key, ARRAY[]::text[] AS scope_key, t."Legal Name" AS name,
       NULL::text AS number, true AS active
  FROM "crm"."Customers" t
 WHERE t."Customer ID" = ANY($1::int8[])`,
      values: [['1']],
    });
    // a queue of one tenant: within it (a router query on Citus)
    expect(mastersByKeyStatement({ ...link, targetKeyType: 'uuid' }, ['k1'], { tenant: 't1' })).toEqual({
      text: `SELECT t."Customer ID"::text AS key, ARRAY[t."tenant id"::text, t."branch"::text]::text[] AS scope_key, t."Legal Name" AS name,
       NULL::text AS number, (t."Is Active" IS TRUE) AS active
  FROM "crm"."Customers" t
 WHERE t."Customer ID" = ANY($1::uuid[]) AND t."tenant id" = $2`,
      values: [['k1'], 't1'],
    });
  });

  it("keys as the database writes them in the key's type, no table read", () => {
    expect(canonicalKeysStatement('uuid', ['{A-B}'])).toEqual({
      text: 'SELECT k.asked, k.asked::uuid::text AS key FROM unnest($1::text[]) AS k(asked)',
      values: [['{A-B}']],
    });
  });

  it('numbers per scope and prefix (widest digits, highest value), within the tenant', () => {
    expect(masterNumbersStatement({ ...link, number: 'Cust No' }, { tenant: 'T1' })).toEqual({
      text: `SELECT ARRAY[t."tenant id"::text, t."branch"::text]::text[] AS scope_key, substring(t."Cust No"::text from '^(.*?)[0-9]+$') AS prefix,
       max(length(substring(t."Cust No"::text from '([0-9]+)$')))::int AS width, max(substring(t."Cust No"::text from '([0-9]+)$')::numeric)::text AS max_number, count(*)::int8 AS n
  FROM "crm"."Customers" t
 WHERE t."Cust No"::text ~ '[0-9]+$' AND t."tenant id" = $1
 GROUP BY 1, 2`,
      values: ['T1'],
    });
    expect(masterNumbersStatement({ ...link, scope: [], number: 'no' }, { tenant: 'T1' })).toEqual({
      text: `SELECT ARRAY[]::text[] AS scope_key, substring(t."no"::text from '^(.*?)[0-9]+$') AS prefix,
       max(length(substring(t."no"::text from '([0-9]+)$')))::int AS width, max(substring(t."no"::text from '([0-9]+)$')::numeric)::text AS max_number, count(*)::int8 AS n
  FROM "crm"."Customers" t
 WHERE t."no"::text ~ '[0-9]+$'
 GROUP BY 1, 2`,
      values: [],
    });
  });

  it('numbers unique across scopes: every scope read, one group; the unique indexes holding the number column', () => {
    expect(masterNumbersStatement({ ...link, number: 'Cust No' }, { tenant: 'T1' }, true)).toEqual({
      text: `SELECT '{}'::text[] AS scope_key, substring(t."Cust No"::text from '^(.*?)[0-9]+$') AS prefix,
       max(length(substring(t."Cust No"::text from '([0-9]+)$')))::int AS width, max(substring(t."Cust No"::text from '([0-9]+)$')::numeric)::text AS max_number, count(*)::int8 AS n
  FROM "crm"."Customers" t
 WHERE t."Cust No"::text ~ '[0-9]+$'
 GROUP BY 1, 2`,
      values: [],
    });
    expect(numberUniqueIndexesStatement(16384, 'Cust No')).toEqual({
      text: `SELECT array_agg(a.attname::text ORDER BY k.ord) AS cols
  FROM pg_index i
 CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
 WHERE i.indrelid = $1::oid AND i.indisunique AND k.ord <= i.indnkeyatts
 GROUP BY i.indexrelid
HAVING bool_or(a.attname = $2::name)`,
      values: [16384, 'Cust No'],
    });
  });

  it('new masters from one JSON parameter: scope values cast to their types, the number and the active value written, in order', () => {
    expect(
      insertMastersStatement(
        { ...link, number: 'Cust No' },
        ['uuid', 'int4'],
        [
          { scope: ['T1', '2'], name: "O'Brien Ltd", number: 'CUST-005' },
          { scope: ['T1', null], name: 'Acme', number: null },
        ],
      ),
    ).toEqual({
      text: `INSERT INTO "crm"."Customers" AS t ("tenant id", "branch", "Legal Name", "Cust No", "Is Active")
SELECT x.s0::uuid, x.s1::int4, x.name, x.number, true FROM jsonb_to_recordset($1::jsonb) AS x(ord int, name text, number text, s0 text, s1 text) ORDER BY x.ord
RETURNING t."Customer ID"::text AS key, ARRAY[t."tenant id"::text, t."branch"::text]::text[] AS scope_key, t."Legal Name"::text AS name, (t."Is Active" IS TRUE) AS active`,
      values: [
        `[{"ord":0,"name":"O'Brien Ltd","number":"CUST-005","s0":"T1","s1":"2"},{"ord":1,"name":"Acme","number":null,"s0":"T1","s1":null}]`,
      ],
    });
    expect(
      insertMastersStatement(
        { ...link, scope: [], active: { column: 'deleted_at', activeWhen: 'null' } },
        [],
        [{ scope: [], name: 'Acme', number: null }],
      ),
    ).toEqual({
      text: `INSERT INTO "crm"."Customers" AS t ("Legal Name", "deleted_at")
SELECT x.name, NULL FROM jsonb_to_recordset($1::jsonb) AS x(ord int, name text, number text) ORDER BY x.ord
RETURNING t."Customer ID"::text AS key, ARRAY[]::text[] AS scope_key, t."Legal Name"::text AS name, (t."deleted_at" IS NULL) AS active`,
      values: ['[{"ord":0,"name":"Acme","number":null}]'],
    });
    // a status: the first value that makes a master active, as a literal; none for notIn
    expect(
      insertMastersStatement(
        { ...link, scope: [], active: { column: 'status', activeWhen: { in: ["on 'trial'", 'active'] } } },
        [],
        [{ scope: [], name: 'Acme', number: null }],
      ).text,
    ).toBe(`INSERT INTO "crm"."Customers" AS t ("Legal Name", "status")
SELECT x.name, 'on ''trial''' FROM jsonb_to_recordset($1::jsonb) AS x(ord int, name text, number text) ORDER BY x.ord
RETURNING t."Customer ID"::text AS key, ARRAY[]::text[] AS scope_key, t."Legal Name"::text AS name, ((t."status" IN ('on ''trial''', 'active')) IS TRUE) AS active`);
    // notIn (and notNull) imply no value: the column takes its default, and RETURNING says whether that is active
    expect(
      insertMastersStatement(
        { ...link, scope: [], active: { column: 'status', activeWhen: { notIn: ['closed'] } } },
        [],
        [{ scope: [], name: 'Acme', number: null }],
      ).text,
    ).toBe(`INSERT INTO "crm"."Customers" AS t ("Legal Name")
SELECT x.name FROM jsonb_to_recordset($1::jsonb) AS x(ord int, name text, number text) ORDER BY x.ord
RETURNING t."Customer ID"::text AS key, ARRAY[]::text[] AS scope_key, t."Legal Name"::text AS name, ((t."status" NOT IN ('closed')) IS NOT FALSE) AS active`);
  });

  it('undo of masters create: masters in use, the created ones deleted while unedited, the reactivated ones set back while active', () => {
    expect(mastersInUseStatement({ ...link, fkType: 'int8' }, ['1', '2'], { tenant: 'T1' })).toEqual({
      text: `SELECT DISTINCT s."customer_id"::text AS key FROM "erp"."Sales Orders" s WHERE s."customer_id" = ANY($1::int8[]) AND s."tenant id" = $2`,
      values: [['1', '2'], 'T1'],
    });
    expect(lockMastersStatement({ ...link, targetKeyType: 'int8' }, ['1'], { tenant: 'T1' })).toEqual({
      text: `SELECT 1 FROM "crm"."Customers" t WHERE t."Customer ID" = ANY($1::int8[]) AND t."tenant id" = $2 FOR UPDATE`,
      values: [['1'], 'T1'],
    });
    const fp = { key: '1', scope: ['T1', 'b'] };
    expect(masterFingerprintsStatement({ ...link, targetKeyType: 'int8' }, [fp], { tenant: 'T1' })).toEqual({
      text: `SELECT t."Customer ID"::text AS key, ARRAY[t."tenant id"::text, t."branch"::text]::text[] AS scope_key, md5(to_jsonb(t)::text) AS fp
  FROM "crm"."Customers" t
  JOIN jsonb_to_recordset($1::jsonb) AS x(key text, scope text[])
    ON t."Customer ID" = x.key::int8 AND ARRAY[t."tenant id"::text, t."branch"::text]::text[] = x.scope
 WHERE true AND t."tenant id" = $2`,
      values: [JSON.stringify([fp]), 'T1'],
    });
    const m = { key: '1', scope: ['T1', 'b'], name: 'Acme' };
    expect(deleteCreatedMastersStatement({ ...link, targetKeyType: 'int8' }, [m], { tenant: 'T1' })).toEqual({
      text: `DELETE FROM "crm"."Customers" t
 USING jsonb_to_recordset($1::jsonb) AS x(key text, scope text[], name text)
 WHERE t."Customer ID" = x.key::int8 AND ARRAY[t."tenant id"::text, t."branch"::text]::text[] = x.scope AND t."Legal Name"::text = x.name AND (t."Is Active" IS TRUE) AND t."tenant id" = $2
RETURNING t."Customer ID"::text AS key, ARRAY[t."tenant id"::text, t."branch"::text]::text[] AS scope_key`,
      values: [JSON.stringify([m]), 'T1'],
    });
    expect(
      mastersReferencedStatement(
        { ...link, targetKeyType: 'int8' },
        { schema: 'Billing', table: 'Dunning "Notes"', columns: ['tenant id', 'cust'], refColumns: ['tenant id', 'Customer ID'] },
        ['1', '2'],
        { tenant: 'T1' },
      ),
    ).toEqual({
      text: `SELECT DISTINCT t."Customer ID"::text AS key, ARRAY[t."tenant id"::text, t."branch"::text]::text[] AS scope_key
  FROM "crm"."Customers" t JOIN "Billing"."Dunning ""Notes""" r ON r."tenant id" = t."tenant id" AND r."cust" = t."Customer ID"
 WHERE t."Customer ID" = ANY($1::int8[]) AND t."tenant id" = $2`,
      values: [['1', '2'], 'T1'],
    });
    expect(foreignKeysToStatement(16384)).toEqual({
      text: `SELECT c.conname::text AS name, n.nspname::text AS schema, r.relname::text AS "table", has_table_privilege(c.conrelid, 'SELECT') AS readable,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_columns
  FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
 WHERE c.contype = 'f' AND c.confrelid = $1::oid AND c.conparentid = 0
 ORDER BY c.conname`,
      values: [16384],
    });
    const d = { key: '1', scope: ['T1', 'b'], was: 'false' };
    const e = { key: '2', scope: ['T1', 'c'], was: null };
    expect(deactivateMastersStatement({ ...link, targetKeyType: 'int8' }, 'boolean', [d, e], { tenant: null })).toEqual({
      text: `UPDATE "crm"."Customers" t
   SET "Is Active" = CASE WHEN t."Customer ID" = $1::int8 AND ARRAY[t."tenant id"::text, t."branch"::text]::text[] = $2::text[] THEN $5::boolean WHEN t."Customer ID" = $3::int8 AND ARRAY[t."tenant id"::text, t."branch"::text]::text[] = $4::text[] THEN $6::boolean END
 WHERE ((t."Customer ID" = $1::int8 AND ARRAY[t."tenant id"::text, t."branch"::text]::text[] = $2::text[]) OR (t."Customer ID" = $3::int8 AND ARRAY[t."tenant id"::text, t."branch"::text]::text[] = $4::text[])) AND t."Is Active" IS NOT DISTINCT FROM true
RETURNING t."Customer ID"::text AS key, ARRAY[t."tenant id"::text, t."branch"::text]::text[] AS scope_key`,
      values: ['1', ['T1', 'b'], '2', ['T1', 'c'], false, null],
    });
  });

  it('reactivation sets the active value on masters by key within the tenant, returning the old value; without a writable active value it refuses', () => {
    const r = [{ key: 'k1', scope: ['T1', 'b'] }];
    expect(reactivateMastersStatement({ ...link, targetKeyType: 'uuid' }, r, { tenant: 'T1' })).toEqual({
      text: `UPDATE "crm"."Customers" t SET "Is Active" = true
  FROM (SELECT o."Customer ID" AS k, ARRAY[o."tenant id"::text, o."branch"::text]::text[] AS scope, (to_jsonb(o."Is Active") #>> '{}') AS was
          FROM "crm"."Customers" o
          JOIN jsonb_to_recordset($1::jsonb) AS x(key text, scope text[])
            ON o."Customer ID" = x.key::uuid AND ARRAY[o."tenant id"::text, o."branch"::text]::text[] = x.scope) o
 WHERE t."Customer ID" = o.k AND ARRAY[t."tenant id"::text, t."branch"::text]::text[] = o.scope AND t."tenant id" = $2
RETURNING t."Customer ID"::text AS key, ARRAY[t."tenant id"::text, t."branch"::text]::text[] AS scope_key, t."Legal Name" AS name, o.was`,
      values: [JSON.stringify(r), 'T1'],
    });
    expect(() =>
      reactivateMastersStatement({ ...link, active: undefined, targetKeyType: 'int8' }, [{ key: '1', scope: [] }], { tenant: null }),
    ).toThrow('no active column configured: masters cannot be reactivated');
    expect(() =>
      reactivateMastersStatement(
        { ...link, active: { column: 'approved_at', activeWhen: 'notNull' }, targetKeyType: 'int8' },
        [{ key: '1', scope: [] }],
        {
          tenant: null,
        },
      ),
    ).toThrow('no value makes approved_at active (approved_at IS NOT NULL)');
  });
});
