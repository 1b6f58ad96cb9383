/**
 * Undo run by a role that row-level security keeps from some of the rows the apply changed: it cannot see
 * them, so it cannot set them back. Before, it reported them as "changed since" and said nothing else; now
 * the skipped rows the table no longer shows are counted apart (`notFound`) and a notice names row-level
 * security and what to do. Undone again by a role that sees every row, they are set back.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, migrate, undo } from '../../src/index.js';
import { withinTransaction } from '../../src/db/port.js';
import { undoText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({ updatedAt: 'updated_at' });

describeEach('undo under row-level security', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it.runIf(target !== 'pglite')(
    'rows a policy hides from the undoing role are counted as not found, with a notice; set back later by the owner',
    async () => {
      t = await freshDb(target);
      await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int, updated_at timestamptz);
      INSERT INTO customers SELECT i, 1 + i % 2, 'C' || i FROM generate_series(1, 10) i;
      INSERT INTO orders SELECT i, 1 + (1 + i % 10) % 2, 'C' || (1 + i % 10), NULL, '2020-01-01' FROM generate_series(1, 60) i;`);
      const a = await apply(t.db, { config, allTenants: true, singleTransaction: true });
      expect(a.totalUpdated).toBe(60);
      const role = `fkb_rls_${Math.random().toString(36).slice(2, 8)}`;
      await t.db.exec(`CREATE ROLE ${role};
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT, UPDATE ON orders TO ${role}; GRANT SELECT ON customers TO ${role};
      ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant_one ON orders USING (tenant_id = 1);`);
      await migrate(t.db);
      await t.db.exec(`GRANT USAGE, CREATE ON SCHEMA fk_backfill TO ${role};
      GRANT ALL ON ALL TABLES IN SCHEMA fk_backfill TO ${role}; GRANT ALL ON ALL SEQUENCES IN SCHEMA fk_backfill TO ${role};`);
      try {
        const u = await t.db.transaction(async (tx) => {
          await tx.query(`SET LOCAL ROLE ${role}`);
          return undo(withinTransaction(t.db, tx), { runId: a.runId });
        });
        expect([u.totalReverted, u.totalSkipped]).toEqual([30, 30]);
        expect(u.results[0]!.notFound).toBe(30);
        expect(u.notices?.join('\n')).toMatch(
          /orders: 30 row\(s\) run \d+ changed were not found, so not set back: row-level security is on/,
        );
        expect(undoText(u)).toContain('30 skipped (changed since; 30 of them no longer found)');
        // the owner sees every row: the rest is set back (the 30 undone already are skipped, found)
        const owner = await undo(t.db, { runId: a.runId, singleTransaction: false, batchSize: 7 });
        expect([owner.totalReverted, owner.totalSkipped]).toEqual([30, 30]);
        expect(owner.results[0]!.notFound).toBeUndefined();
        expect(owner.notices).toBeUndefined();
        const left = await t.db.query<{ n: number }>(`SELECT count(customer_id)::int AS n FROM orders`);
        expect(left.rows[0]!.n).toBe(0);
      } finally {
        await t.db.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
      }
    },
  );
});
