import { describe, expect, it } from 'vitest';
import {
  addForeignKeySql,
  addNotNullCheckSql,
  attachIndexSql,
  constrainNames,
  createIndexOnOnlySql,
  createIndexSql,
  createUniqueIndexSql,
  dropConstraintSql,
  dropIndexSql,
  dropNotNullSql,
  sentinelToNullSql,
  indexSql,
  nullCountStatement,
  objectName,
  orphanBatchStatement,
  serverVersionStatement,
  setNotNullSql,
  validateConstraintSql,
  type ConstrainShape,
} from '../../../src/sql/constrain.js';
import { refuseSetColumnsBefore15 } from '../../../src/constrain/existing.js';
import type { BackfillError } from '../../../src/errors.js';

/** A scoped link between schema-qualified tables whose names need quoting. */
const s: ConstrainShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"crm"."Customers"',
  sourceTable: 'Sales Orders',
  targetTable: 'Customers',
  sourceSchema: 'erp',
  targetSchema: 'crm',
  key: 'id',
  keyType: 'uuid',
  fk: 'Customer ID',
  targetKey: 'id',
  scope: ['tenant_id'],
};
/** An unscoped link on the search path, a bigint walk key. */
const u: ConstrainShape = {
  ...s,
  sourceSql: '"orders"',
  targetSql: '"customers"',
  sourceTable: 'orders',
  targetTable: 'customers',
  sourceSchema: null,
  targetSchema: null,
  fk: 'customer_id',
  scope: [],
  keyType: 'bigint',
};

describe('constrain object names', () => {
  it('table, columns and suffix; over 63 bytes cut (never inside a UTF-8 character) before a stable hash', () => {
    expect(objectName('orders', ['tenant_id', 'customer_id'], 'fkey')).toBe('orders_tenant_id_customer_id_fkey');
    expect(objectName('sales_order_lines_of_the_northern_region', ['tenant_identifier', 'customer_identifier'], 'fkey')).toBe(
      'sales_order_lines_of_the_northern_region_tenant_i_c1b464cf_fkey',
    );
    const mb = objectName('Bestellpositionen_für_Kundenaufträge_Ü', ['Mandant_Schlüssel', 'Kunde_Schlüssel'], 'idx');
    expect(mb).toBe('Bestellpositionen_für_Kundenaufträge_Ü_Mandant__77f3c029_idx');
    expect(Buffer.byteLength(mb, 'utf8')).toBe(63);
  });
  it("a link's names: the FK and its index over the scope when tenant-safe, the master's unique key over scope and key", () => {
    expect(constrainNames(s, true)).toEqual({
      foreignKey: 'Sales Orders_tenant_id_Customer ID_fkey',
      index: 'Sales Orders_tenant_id_Customer ID_idx',
      unique: 'Customers_tenant_id_id_key',
      notNullCheck: 'Sales Orders_Customer ID_not_null',
    });
    expect(constrainNames(s, false)).toEqual({
      foreignKey: 'Sales Orders_Customer ID_fkey',
      index: 'Sales Orders_Customer ID_idx',
      unique: 'Customers_tenant_id_id_key',
      notNullCheck: 'Sales Orders_Customer ID_not_null',
    });
    expect(constrainNames(u, false)).toEqual({
      foreignKey: 'orders_customer_id_fkey',
      index: 'orders_customer_id_idx',
      unique: 'customers_id_key',
      notNullCheck: 'orders_customer_id_not_null',
    });
    expect([indexSql('erp', 'Sales Orders_idx'), indexSql(null, 'orders_idx')]).toEqual(['"erp"."Sales Orders_idx"', '"orders_idx"']);
  });
});

describe('constrain DDL (whole text)', () => {
  it('indexes: plain or concurrent, a partitioned parent ON ONLY with partitions attached, dropped by their catalog name', () => {
    // a tenant-safe FK's index leads with the scope; a plain FK's is the FK alone, scope or not
    expect([
      createIndexSql(s, 'so_idx', true, true),
      createIndexSql(s, 'so_idx', false, false),
      createIndexSql(u, 'o_idx', false, true),
    ]).toEqual([
      'CREATE INDEX CONCURRENTLY "so_idx" ON "erp"."Sales Orders" ("tenant_id", "Customer ID")',
      'CREATE INDEX "so_idx" ON "erp"."Sales Orders" ("Customer ID")',
      'CREATE INDEX "o_idx" ON "orders" ("customer_id")',
    ]);
    expect(createIndexOnOnlySql(s, 'Sales Orders_tenant_id_Customer ID_idx', true)).toBe(
      'CREATE INDEX IF NOT EXISTS "Sales Orders_tenant_id_Customer ID_idx" ON ONLY "erp"."Sales Orders" ("tenant_id", "Customer ID")',
    );
    expect(createIndexOnOnlySql(s, 'Sales Orders_Customer ID_idx', false)).toBe(
      'CREATE INDEX IF NOT EXISTS "Sales Orders_Customer ID_idx" ON ONLY "erp"."Sales Orders" ("Customer ID")',
    );
    expect(createIndexOnOnlySql(u, 'orders_customer_id_idx', false)).toBe(
      'CREATE INDEX IF NOT EXISTS "orders_customer_id_idx" ON ONLY "orders" ("customer_id")',
    );
    expect(attachIndexSql('"erp"."so_idx"', '"erp"."so_2025_idx"')).toBe('ALTER INDEX "erp"."so_idx" ATTACH PARTITION "erp"."so_2025_idx"');
    expect([dropIndexSql('erp."So Idx"', true), dropIndexSql('o_idx', false)]).toEqual([
      'DROP INDEX CONCURRENTLY IF EXISTS erp."So Idx"',
      'DROP INDEX IF EXISTS o_idx',
    ]);
    expect([createUniqueIndexSql(s, 'Customers_tenant_id_id_key', true), createUniqueIndexSql(u, 'customers_id_key', false)]).toEqual([
      'CREATE UNIQUE INDEX CONCURRENTLY "Customers_tenant_id_id_key" ON "crm"."Customers" ("tenant_id", "id")',
      'CREATE UNIQUE INDEX "customers_id_key" ON "customers" ("id")',
    ]);
  });
  it('the FK: over the scope when tenant-safe, NOT VALID unless told otherwise, its delete action', () => {
    expect([
      addForeignKeySql(s, 'so_fkey', true, 'restrict'),
      addForeignKeySql(s, 'so_fkey', false, 'set null', false),
      addForeignKeySql(u, 'o_fkey', true, 'no action'),
    ]).toEqual([
      'ALTER TABLE "erp"."Sales Orders" ADD CONSTRAINT "so_fkey" FOREIGN KEY ("tenant_id", "Customer ID") REFERENCES "crm"."Customers" ("tenant_id", "id") ON DELETE RESTRICT NOT VALID',
      'ALTER TABLE "erp"."Sales Orders" ADD CONSTRAINT "so_fkey" FOREIGN KEY ("Customer ID") REFERENCES "crm"."Customers" ("id") ON DELETE SET NULL',
      'ALTER TABLE "orders" ADD CONSTRAINT "o_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id") ON DELETE NO ACTION NOT VALID',
    ]);
    // tenant-safe SET NULL / SET DEFAULT name the FK column alone (a deleted master leaves the tenant column); not tenant-safe, no list
    expect([
      addForeignKeySql(s, 'so_fkey', true, 'set null'),
      addForeignKeySql(s, 'so_fkey', true, 'set default', false),
      addForeignKeySql(u, 'o_fkey', false, 'set default'),
    ]).toEqual([
      'ALTER TABLE "erp"."Sales Orders" ADD CONSTRAINT "so_fkey" FOREIGN KEY ("tenant_id", "Customer ID") REFERENCES "crm"."Customers" ("tenant_id", "id") ON DELETE SET NULL ("Customer ID") NOT VALID',
      'ALTER TABLE "erp"."Sales Orders" ADD CONSTRAINT "so_fkey" FOREIGN KEY ("tenant_id", "Customer ID") REFERENCES "crm"."Customers" ("tenant_id", "id") ON DELETE SET DEFAULT ("Customer ID")',
      'ALTER TABLE "orders" ADD CONSTRAINT "o_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id") ON DELETE SET DEFAULT NOT VALID',
    ]);
    expect(serverVersionStatement()).toEqual({ text: "SELECT current_setting('server_version_num')::int AS v", values: [] });
    expect(validateConstraintSql(s, 'so_fkey')).toBe('ALTER TABLE "erp"."Sales Orders" VALIDATE CONSTRAINT "so_fkey"');
    expect(dropConstraintSql(s, 'so "x"')).toBe('ALTER TABLE "erp"."Sales Orders" DROP CONSTRAINT IF EXISTS "so ""x"""');
  });
  it('NOT NULL: a NOT VALID check first, then the column; undo is told how to drop it', () => {
    expect(addNotNullCheckSql(s, 'Sales Orders_Customer ID_not_null')).toBe(
      'ALTER TABLE "erp"."Sales Orders" ADD CONSTRAINT "Sales Orders_Customer ID_not_null" CHECK ("Customer ID" IS NOT NULL) NOT VALID',
    );
    expect(setNotNullSql(s)).toBe('ALTER TABLE "erp"."Sales Orders" ALTER COLUMN "Customer ID" SET NOT NULL');
    expect(dropNotNullSql({ sourceSql: '"erp"."Sales Orders"', fk: 'Customer ID' })).toBe(
      'ALTER TABLE "erp"."Sales Orders" ALTER COLUMN "Customer ID" DROP NOT NULL',
    );
  });
  it('a NOT NULL FK whose default stands for "not set": made nullable, its default dropped, the rows holding it NULL', () => {
    expect(
      sentinelToNullSql({ sourceSql: '"erp"."Sales Orders"', fk: 'Customer ID' }, "'00000000-0000-0000-0000-000000000000'::uuid"),
    ).toBe(
      `ALTER TABLE "erp"."Sales Orders" ALTER COLUMN "Customer ID" DROP NOT NULL, ALTER COLUMN "Customer ID" DROP DEFAULT; UPDATE "erp"."Sales Orders" SET "Customer ID" = NULL WHERE "Customer ID" = '00000000-0000-0000-0000-000000000000'::uuid`,
    );
  });
});

describe('constrain scans (whole text)', () => {
  it('one orphan batch: keys (after, the batch-th key after it], FK values with no master of the same scope (a NULL scope: of any), a bounded sample naming rows by their whole key', () => {
    expect(orphanBatchStatement({ ...s, keys: ['tenant_id', 'id'] }, true, 'K', 5000, 10)).toEqual({
      text: `WITH u AS (
  SELECT x.k AS up
    FROM (SELECT s."id" AS k
            FROM "erp"."Sales Orders" s
           WHERE true AND s."id" > $1::uuid
           ORDER BY s."id"
           LIMIT $2) x
   ORDER BY x.k DESC
   LIMIT 1
)
SELECT u.up::text AS last_key,
       count(*)::int8 AS scanned,
       count(*) FILTER (WHERE s."Customer ID" IS NOT NULL AND CASE WHEN s."tenant_id" IS NULL THEN o.k IS NULL ELSE t.k IS NULL END)::int8 AS orphans,
       coalesce(to_jsonb((array_agg(jsonb_build_object('key', ARRAY[s."tenant_id"::text, s."id"::text]::text, 'fk', s."Customer ID"::text, 'scope', to_jsonb(ARRAY[s."tenant_id"::text]::text[]))) FILTER (WHERE s."Customer ID" IS NOT NULL AND CASE WHEN s."tenant_id" IS NULL THEN o.k IS NULL ELSE t.k IS NULL END))[1:$3::int]), '[]'::jsonb) AS sample,
       array_agg(ARRAY[s."tenant_id"::text, s."Customer ID"::text]::text) FILTER (WHERE s."Customer ID" IS NOT NULL AND CASE WHEN s."tenant_id" IS NULL THEN o.k IS NULL ELSE t.k IS NULL END) AS missing
  FROM u
  JOIN "erp"."Sales Orders" s ON s."id" <= u.up AND s."id" > $1::uuid
  LEFT JOIN (SELECT t."id" AS k, t."tenant_id" FROM "crm"."Customers" t GROUP BY 1, 2) t ON t.k = s."Customer ID" AND t."tenant_id" = s."tenant_id"
  LEFT JOIN (SELECT DISTINCT t."id" AS k FROM "crm"."Customers" t) o ON o.k = s."Customer ID"
 GROUP BY u.up`,
      values: ['K', 5000, 10],
    });
  });
  it('the first batch, not tenant-safe: no lower bound, the master looked up by key alone', () => {
    expect(orphanBatchStatement(s, false, null, 5000, 10)).toEqual({
      text: `WITH u AS (
  SELECT x.k AS up
    FROM (SELECT s."id" AS k
            FROM "erp"."Sales Orders" s
           WHERE true
           ORDER BY s."id"
           LIMIT $1) x
   ORDER BY x.k DESC
   LIMIT 1
)
SELECT u.up::text AS last_key,
       count(*)::int8 AS scanned,
       count(*) FILTER (WHERE s."Customer ID" IS NOT NULL AND t.k IS NULL)::int8 AS orphans,
       coalesce(to_jsonb((array_agg(jsonb_build_object('key', s."id"::text, 'fk', s."Customer ID"::text, 'scope', to_jsonb(ARRAY[s."tenant_id"::text]::text[]))) FILTER (WHERE s."Customer ID" IS NOT NULL AND t.k IS NULL))[1:$2::int]), '[]'::jsonb) AS sample,
       array_agg(s."Customer ID"::text) FILTER (WHERE s."Customer ID" IS NOT NULL AND t.k IS NULL) AS missing
  FROM u
  JOIN "erp"."Sales Orders" s ON s."id" <= u.up
  LEFT JOIN (SELECT t."id" AS k FROM "crm"."Customers" t GROUP BY 1) t ON t.k = s."Customer ID"
 GROUP BY u.up`,
      values: [5000, 10],
    });
  });
  it('a Citus source walked by distribution value: the bound counts distinct keys', () => {
    expect(orphanBatchStatement(u, false, '7', 100, 5, true)).toEqual({
      text: `WITH u AS (
  SELECT x.k AS up
    FROM (SELECT s."id" AS k
            FROM "orders" s
           WHERE true AND s."id" > $1::bigint
           GROUP BY s."id"
           ORDER BY s."id"
           LIMIT $2) x
   ORDER BY x.k DESC
   LIMIT 1
)
SELECT u.up::text AS last_key,
       count(*)::int8 AS scanned,
       count(*) FILTER (WHERE s."customer_id" IS NOT NULL AND t.k IS NULL)::int8 AS orphans,
       coalesce(to_jsonb((array_agg(jsonb_build_object('key', s."id"::text, 'fk', s."customer_id"::text, 'scope', to_jsonb(ARRAY[]::text[]))) FILTER (WHERE s."customer_id" IS NOT NULL AND t.k IS NULL))[1:$3::int]), '[]'::jsonb) AS sample,
       array_agg(s."customer_id"::text) FILTER (WHERE s."customer_id" IS NOT NULL AND t.k IS NULL) AS missing
  FROM u
  JOIN "orders" s ON s."id" <= u.up AND s."id" > $1::bigint
  LEFT JOIN (SELECT t."id" AS k FROM "customers" t GROUP BY 1) t ON t.k = s."customer_id"
 GROUP BY u.up`,
      values: ['7', 100, 5],
    });
  });
  it('NULL FKs left', () => {
    expect(nullCountStatement(s)).toEqual({
      text: `SELECT count(*)::int8 AS n FROM "erp"."Sales Orders" WHERE "Customer ID" IS NULL`,
      values: [],
    });
  });
});

describe('constrain --tenant-safe SET NULL / SET DEFAULT before PostgreSQL 15', () => {
  const link = (onDelete: 'set null' | 'set default' | 'restrict' | 'cascade', tenantSafe = true) => ({
    entity: 'sales_order',
    fk: 'customer_id',
    tenantSafe,
    onDelete,
  });
  it('refused (DB_UNSUPPORTED, exit 2) on 14, in one line saying why and what works; 15 and other actions pass', () => {
    const e = ((): BackfillError => {
      try {
        refuseSetColumnsBefore15(140011, [link('restrict'), link('set null')]);
      } catch (x) {
        return x as BackfillError;
      }
      throw new Error('not refused');
    })();
    expect([e.code, e.exitCode]).toEqual(['DB_UNSUPPORTED', 2]);
    expect(e.message).toBe(
      'constrain --tenant-safe: sales_order (ON DELETE SET NULL) needs PostgreSQL 15 or later (this server is 14), where ON DELETE SET NULL (customer_id) sets the FK column alone; without that column list a deleted master would set the tenant column too. Use onDelete restrict, no action or cascade, or constrain without --tenant-safe. Nothing was changed.',
    );
    expect(() => refuseSetColumnsBefore15(140011, [link('set default')])).toThrow(/needs PostgreSQL 15/);
    expect(() => refuseSetColumnsBefore15(150000, [link('set null'), link('set default')])).not.toThrow();
    expect(() => refuseSetColumnsBefore15(130000, [link('restrict'), link('cascade'), link('set null', false)])).not.toThrow();
  });
});
