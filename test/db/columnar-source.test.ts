/**
 * A source table (or a partition of one) stored as Citus columnar, which cannot UPDATE a row: an ERP on Citus that
 * moved its old invoice partitions to columnar (alter_old_partitions_set_access_method). apply and undo refuse it
 * before anything is written (CITUS_UNSUPPORTED, exit 2, naming the partition and the fix). Before: plan passed,
 * apply recorded a run and failed its first batch with "UPDATE and CTID scans not supported for ColumnarScan"
 * (DB_ERROR, exit 1), and every --resume failed the same way. On PGlite and plain PostgreSQL the access method is
 * stood in for by one named columnar over heap: the check reads the catalog, not the error.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply } from '../../src/apply/apply.js';
import { plan } from '../../src/planning/plan.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'invoice',
      table: 'invoices',
      key: ['id', 'invoice_date'],
      fk: 'customer_id',
      name: 'customer_name',
      target: { table: 'customers', key: 'id', name: 'name' },
      scope: ['org_id'],
    },
  ],
};

describeEach('a columnar source', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    if (target === 'citus') await t.db.exec(`CREATE EXTENSION IF NOT EXISTS citus_columnar`);
    else await t.db.exec(`CREATE ACCESS METHOD columnar TYPE TABLE HANDLER heap_tableam_handler`);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, org_id int NOT NULL, name text NOT NULL);
      CREATE TABLE invoices (id int NOT NULL, invoice_date date NOT NULL, org_id int NOT NULL, customer_name text, customer_id int,
                             PRIMARY KEY (id, invoice_date)) PARTITION BY RANGE (invoice_date);
      CREATE TABLE invoices_2026 PARTITION OF invoices FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
      CREATE TABLE invoices_2025 PARTITION OF invoices FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') USING columnar;
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Beta');
      INSERT INTO invoices VALUES (1, '2025-03-01', 1, 'Acme', NULL), (2, '2026-03-01', 1, 'Beta', NULL), (3, '2026-04-01', 1, 'Acme', NULL);`);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('apply refuses it before anything is written, naming the partition and the fix; once heap again, it applies', async () => {
    const p = await plan(t.db, { config, allTenants: true });
    expect(p.results[0]!.recordsMatched).toBe(3);
    await expect(apply(t.db, { config, allTenants: true })).rejects.toMatchObject({
      code: 'CITUS_UNSUPPORTED',
      message: expect.stringMatching(
        /invoices has invoices_2025 stored as columnar.*alter_table_set_access_method\('invoices_2025', 'heap'\).*nothing written/,
      ),
    });
    expect((await t.db.query(`SELECT count(customer_id)::int AS n FROM invoices`)).rows[0]).toEqual({ n: 0 });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM fk_backfill.runs WHERE kind = 'apply'`)).rows[0]).toEqual({ n: 0 });

    if (target === 'citus') await t.db.query(`SELECT alter_table_set_access_method('invoices_2025', 'heap')`);
    else await t.db.exec(`ALTER TABLE invoices_2025 SET ACCESS METHOD heap`);
    const a = await apply(t.db, { config, allTenants: true });
    expect(a.results[0]).toMatchObject({ planned: 3, updated: 3 });
  });
});
