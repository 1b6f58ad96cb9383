/**
 * A validated FK with rows that break it: a master deleted with the FK's triggers off (a data fix under
 * `session_replication_role = replica`, a restore with --disable-triggers). verify counts the orphans and says how a
 * validated constraint came to hold them (a new user's trial: 83 orphans beside "RESTRICT holds", unexplained).
 */
import { afterEach, expect, it } from 'vitest';
import { apply, constrain, verify } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({}, { name: 'name' });

describeEach('verify of a validated FK whose check was skipped', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('counts the orphans and says the constraint was bypassed', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'ABC Corp'), (2, 1, 'XYZ Ltd');
      INSERT INTO orders SELECT g, 1, (ARRAY['ABC Corp', 'XYZ Ltd'])[g % 2 + 1], NULL FROM generate_series(1, 10) g;`);
    await apply(t.db, { config, allTenants: true });
    await constrain(t.db, { config, allTenants: true });
    const clean = await verify(t.db, { config, allTenants: true });
    expect(clean.links[0]).toMatchObject({ orphans: 0, problems: [] });
    await t.db.exec(`BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM customers WHERE id = 2; COMMIT;`);
    const v = await verify(t.db, { config, allTenants: true });
    const name = v.links[0]!.constraint!.name;
    expect(v.links[0]!.orphans).toBe(5);
    expect(v.links[0]!.problems).toContain(
      `5 row(s) whose customer_id points to no customers row, though constraint ${name} is validated: written with its triggers off (session_replication_role = replica, ALTER TABLE … DISABLE TRIGGER ALL, a restore with --disable-triggers), which skips its check; point them at a master or set them NULL`,
    );
  });
});
