/**
 * The guard's install says when the masters have no index its lookup can use. A new user's trial: `guard install` on
 * vendors without an index on (tenant_id, vendor_name) said nothing, though the README says every guarded write then
 * scans the masters.
 */
import { afterEach, expect, it } from 'vitest';
import { installGuard } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();

describeEach('guard install: the masters lookup index', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('no index on the masters name: a notice with the index to create; with one (name among its leading columns): none', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE INDEX customers_tenant ON customers (tenant_id);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);`);
    const before = await installGuard(t.db, { config });
    expect(before.notices).toEqual([
      'order: customers has no index on its name column and scope columns ("tenant_id", "customer_name"): every guarded write that names a master scans customers. CREATE INDEX ON "customers" ("tenant_id", "customer_name")',
    ]);
    await t.db.exec(`CREATE INDEX customers_name ON customers (tenant_id, customer_name)`);
    expect((await installGuard(t.db, { config })).notices).toBeUndefined();
  });

  it('masters in a mixed-case schema: the CREATE INDEX the notice gives runs as printed (a trial: MasterData.vendor unquoted, schema "masterdata" does not exist)', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE SCHEMA "MasterData";
      CREATE TABLE "MasterData"."Customer" (id int PRIMARY KEY, "TenantId" int NOT NULL, "DisplayName" text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, "TenantId" int NOT NULL, customer_name text, customer_id int);`);
    const mixed = ordersConfig({ scope: ['TenantId'] }, { table: 'MasterData.Customer', name: 'DisplayName' });
    const notices = (await installGuard(t.db, { config: mixed })).notices ?? [];
    expect(notices).toHaveLength(1);
    const sql = /CREATE INDEX ON .*$/u.exec(notices[0]!)?.[0];
    expect(sql).toBe('CREATE INDEX ON "MasterData"."Customer" ("TenantId", "DisplayName")');
    await t.db.exec(sql!);
    expect((await installGuard(t.db, { config: mixed })).notices).toBeUndefined();
  });
});
