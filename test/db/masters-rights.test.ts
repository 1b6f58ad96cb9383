/**
 * `masters create` by a role that may read the masters but not INSERT them (a trial's least-privilege role, which
 * plans and applies): refused before a run is recorded, naming the columns, the table's owner and the GRANT. Before:
 * "creating masters: permission denied (permission denied for table Payers)" and a failed masters run.
 */
import { afterEach, expect, it } from 'vitest';
import { createMasters, migrate, proposeMasters } from '../../src/index.js';
import { withinTransaction } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();

describeEach('who may create masters', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it.runIf(target !== 'pglite')('without INSERT on the masters: PERMISSION_DENIED naming the GRANT, no run; with it: created', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id serial PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers (tenant_id, customer_name) VALUES (1, 'Acme');
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL), (2, 1, 'Zeta Logistics', NULL);`);
    await migrate(t.db);
    const role = `fkb_mr_${Math.random().toString(36).slice(2, 8)}`;
    await t.db.exec(`CREATE ROLE ${role};
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT, UPDATE ON orders TO ${role}; GRANT SELECT ON customers TO ${role};
      GRANT USAGE, CREATE ON SCHEMA fk_backfill TO ${role};
      GRANT ALL ON ALL TABLES IN SCHEMA fk_backfill TO ${role}; GRANT ALL ON ALL SEQUENCES IN SCHEMA fk_backfill TO ${role};`);
    const asRole = <T>(fn: (db: typeof t.db) => Promise<T>): Promise<T> =>
      t.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL ROLE ${role}`);
        return fn(withinTransaction(t.db, tx));
      });
    try {
      const file = await asRole((db) => proposeMasters(db, { config, tenantId: '1' }));
      expect(file.proposals.map((p) => [p.name, p.approved])).toEqual([['Zeta Logistics', true]]);
      const runs = async (): Promise<number> =>
        (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs WHERE kind = 'masters'`)).rows[0]!.n;
      await expect(asRole((db) => createMasters(db, { config, tenantId: '1', proposals: file, by: 'tester' }))).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
        message: `cannot create masters in customers: role ${role} may not INSERT customer_name, tenant_id there: run it as postgres, or GRANT INSERT ON public.customers TO "${role}" (docs/permissions.md); nothing written`,
      });
      expect(await runs()).toBe(0);
      await t.db.exec(`GRANT INSERT ON customers TO ${role}; GRANT USAGE ON SEQUENCE customers_id_seq TO ${role}`);
      const res = await asRole((db) => createMasters(db, { config, tenantId: '1', proposals: file, by: 'tester' }));
      expect(res.created.map((c) => c.name)).toEqual(['Zeta Logistics']);
      expect(await runs()).toBe(1);
    } finally {
      await t.db.exec(`DROP OWNED BY ${role} CASCADE; DROP ROLE ${role}`).catch(() => undefined);
    }
  });
});
