/**
 * A link without a scope whose documents and masters both carry a column named like a tenant column: every command
 * reading the config says so (a new user's trial: a config with "scope": [] linked one tenant's orders to another
 * tenant's customers, and neither apply nor verify said a word).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { plan, verify, type ConfigInput } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config = (scope: string[]): ConfigInput => ({
  links: [
    {
      entity: 'order',
      table: 'orders',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      target: { table: 'customers', key: 'id', name: 'name' },
      scope,
    },
  ],
});
const NOTICE =
  'order: the link has no "scope", but orders and customers both have tenant: a document may be linked to any tenant\'s master of its name. If tenant is the tenant, set "scope": ["tenant"]';

describeEach('a link without a scope beside a tenant column', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant text NOT NULL, name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant text NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 'acme', 'Beta GmbH');
      INSERT INTO orders VALUES (1, 'globex', 'Beta GmbH', NULL);`);
  });
  afterEach(async () => t.dispose());

  it('is said by plan and verify; not with the scope set, nor without a tenant-like column on both', async () => {
    expect((await plan(t.db, { config: config([]), allTenants: true })).notices).toContain(NOTICE);
    expect((await verify(t.db, { config: config([]), allTenants: true })).notices).toContain(NOTICE);
    expect((await plan(t.db, { config: config(['tenant']), allTenants: true })).notices ?? []).not.toContainEqual(
      expect.stringContaining('has no "scope"'),
    );
    await t.db.exec(`ALTER TABLE customers RENAME COLUMN tenant TO region`);
    expect((await plan(t.db, { config: config([]), allTenants: true })).notices ?? []).not.toContainEqual(
      expect.stringContaining('has no "scope"'),
    );
  });
});
