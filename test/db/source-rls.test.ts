/**
 * Documents under row-level security for the role running the tool (a new user's trial): status said "100.0 %" of 0
 * rows, the plan covered nothing, verify and drift were all clear, over a table whose policy hid 14,350 unlinked names.
 * Every command now says, in a notice, that it sees only what the policies show the role.
 */
import { afterEach, expect, it } from 'vitest';
import { drift, migrate, plan, status, verify } from '../../src/index.js';
import { withinTransaction, type Database } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();
const NOTICE =
  "row-level security on orders applies to this role: only the rows its policies show it are counted, checked and linked (run as the table's owner, or a role with BYPASSRLS, to see them all)";

describeEach('documents under row-level security', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it.runIf(target !== 'pglite')(
    'status, plan, verify and drift say the role sees only what the policies show it; the owner is told nothing',
    async () => {
      t = await freshDb(target);
      await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers SELECT i, 1 + i % 2, 'C' || i FROM generate_series(1, 10) i;
      INSERT INTO orders SELECT i, 1 + (1 + i % 10) % 2, 'C' || (1 + i % 10), NULL FROM generate_series(1, 60) i;`);
      await migrate(t.db);
      const role = `fkb_rls_${Math.random().toString(36).slice(2, 8)}`;
      await t.db.exec(`CREATE ROLE ${role};
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT, UPDATE ON orders TO ${role}; GRANT SELECT ON customers TO ${role};
      ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
      CREATE POLICY nobody ON orders USING (current_setting('app.tenant', true) = tenant_id::text);
      GRANT USAGE, CREATE ON SCHEMA fk_backfill TO ${role};
      GRANT ALL ON ALL TABLES IN SCHEMA fk_backfill TO ${role}; GRANT ALL ON ALL SEQUENCES IN SCHEMA fk_backfill TO ${role};`);
      const asRole = <T>(fn: (db: Database) => Promise<T>): Promise<T> =>
        t.db.transaction(async (tx) => {
          await tx.query(`SET LOCAL ROLE ${role}`);
          return fn(withinTransaction(t.db, tx));
        });
      try {
        const opts = { config, allTenants: true };
        expect((await asRole((db) => status(db, opts))).notices).toContain(NOTICE);
        expect((await asRole((db) => verify(db, opts))).notices).toContain(NOTICE);
        expect((await asRole((db) => drift(db, opts))).notices).toContain(NOTICE);
        expect((await asRole((db) => plan(db, { config, tenantId: '1' }))).notices).toContain(NOTICE);
        for (const r of [await status(t.db, opts), await verify(t.db, opts), await drift(t.db, opts)])
          expect(r.notices ?? []).not.toContain(NOTICE);
        // an owner the table forces its policies on: running as the owner is no way round them
        await t.db.exec(`ALTER TABLE orders OWNER TO ${role}; ALTER TABLE orders FORCE ROW LEVEL SECURITY`);
        expect((await asRole((db) => status(db, opts))).notices).toContain(
          'row-level security on orders applies to this role: only the rows its policies show it are counted, checked and linked (FORCE ROW LEVEL SECURITY applies them to its owner too: run as a role with BYPASSRLS to see them all)',
        );
      } finally {
        await t.db.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
      }
    },
  );
});
