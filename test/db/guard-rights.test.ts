/**
 * `guard install` by a role that may not create a trigger on the documents (a trial's least-privilege role, which
 * plans and applies): refused before a run is recorded, naming the table's owner and the GRANT that lets it. Before:
 * "installing the guard: permission denied (permission denied for table Claims)" and a failed guard run.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { installGuard, openDatabase } from '../../src/index.js';
import type { Database } from '../../src/db/port.js';
import { describeEach, disposeWithRole, freshDb, type TestDb, urlAs } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

describeEach('who may install the guard', (target) => {
  let t: TestDb;
  let db: Database | undefined;
  let role: string | undefined;
  afterEach(async () => {
    await disposeWithRole(t, db, role);
    db = undefined;
    role = undefined;
  });

  it.runIf(target === 'postgres')(
    'without TRIGGER on the documents: PERMISSION_DENIED naming the owner and the GRANT, no run; with it: installed',
    async () => {
      t = await freshDb(target);
      role = `fkb_gr_${randomBytes(4).toString('hex')}`;
      await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      CREATE ROLE ${role} LOGIN;
      GRANT USAGE, CREATE ON SCHEMA fk_backfill TO ${role};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA fk_backfill TO ${role};
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA fk_backfill TO ${role};
      GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA fk_backfill TO ${role};
      GRANT SELECT, UPDATE ON customers TO ${role};
      GRANT SELECT ON orders TO ${role};
      GRANT UPDATE (customer_id) ON orders TO ${role};`);
      db = await openDatabase(urlAs(t.url, role));
      const config = ordersConfig();
      await expect(installGuard(db, { config })).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
        message: `guard install: role ${role} may not create a trigger on orders (owned by postgres): run it as postgres, or GRANT TRIGGER ON public.orders TO "${role}" (docs/permissions.md); nothing installed`,
      });
      const runs = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs WHERE kind = 'guard'`);
      expect(runs.rows[0]!.n).toBe(0);
      await t.db.exec(`GRANT TRIGGER ON orders TO ${role}`);
      const g = await installGuard(db, { config });
      expect(g.guards.map((x) => x.table)).toEqual(['public.orders']);
      await t.db.exec(`INSERT INTO customers VALUES (1, 1, 'Acme'); INSERT INTO orders VALUES (1, 1, 'Acme', NULL)`);
      const linked = await t.db.query<{ v: number | null }>(`SELECT customer_id AS v FROM orders`);
      expect(linked.rows[0]!.v).toBe(1);
    },
  );
});
