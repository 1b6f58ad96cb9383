/**
 * Masters row-level security hides from the planning role. A new user's trial: with two masters named Acme in a tenant
 * and a policy showing one, the name looked unique and apply linked it to the one the role saw. Now plan and apply over
 * every tenant refuse (PERMISSION_DENIED, exit 2) before recording anything; one tenant's plan says so in a notice (a
 * policy that shows a role its own tenant is the common setup); the table's owner plans the name as ambiguous.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, migrate, plan } from '../../src/index.js';
import { withinTransaction } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused } from '../helpers/hostile.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();

describeEach('masters hidden by row-level security', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it.runIf(target !== 'pglite')('plan and apply refuse before writing; the owner finds the name ambiguous', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL, region text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Acme', 'eu'), (2, 1, 'Acme', 'us'), (3, 1, 'Beta', 'eu');
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL), (2, 1, 'Beta', NULL);`);
    await migrate(t.db);
    const role = `fkb_rls_${Math.random().toString(36).slice(2, 8)}`;
    await t.db.exec(`CREATE ROLE ${role};
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT, UPDATE ON orders TO ${role}; GRANT SELECT ON customers TO ${role};
      GRANT USAGE, CREATE ON SCHEMA fk_backfill TO ${role};
      GRANT ALL ON ALL TABLES IN SCHEMA fk_backfill TO ${role}; GRANT ALL ON ALL SEQUENCES IN SCHEMA fk_backfill TO ${role};
      ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
      CREATE POLICY eu_only ON customers USING (region = 'eu');`);
    try {
      const runs = async () => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`)).rows[0]!.n;
      const before = await runs();
      for (const doing of ['plan', 'apply'] as const) {
        await refused(
          t.db.transaction(async (tx) => {
            await tx.query(`SET LOCAL ROLE ${role}`);
            const db = withinTransaction(t.db, tx);
            return doing === 'plan' ? plan(db, { config, allTenants: true }) : apply(db, { config, allTenants: true });
          }),
          'PERMISSION_DENIED',
          /row-level security on customers applies to this role and may hide masters from it/,
        );
      }
      expect(await runs()).toBe(before);
      // (the refusals recorded nothing; the tenant's plan below is a run of its own)
      const linked = await t.db.query<{ n: number }>(`SELECT count(customer_id)::int AS n FROM orders`);
      expect(linked.rows[0]!.n).toBe(0);
      // one tenant's run: said in a notice (a policy showing a role its own tenant's rows is the common one)
      const one = await t.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL ROLE ${role}`);
        return plan(withinTransaction(t.db, tx), { config, tenantId: '1' });
      });
      expect(one.notices?.join('\n')).toMatch(
        /row-level security on customers applies to this role: if its policy hides masters of tenant 1/,
      );
      const owner = await plan(t.db, { config, allTenants: true });
      expect([owner.results[0]!.recordsMatched, owner.results[0]!.recordsUnmatched]).toEqual([1, 1]);
    } finally {
      await t.db.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
    }
  });
});
