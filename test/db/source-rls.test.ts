/**
 * Documents under row-level security for the role running the tool (a new user's trial): status said "100.0 %" of 0
 * rows, the plan covered nothing, verify and drift were all clear, over a table whose policy hid 14,350 unlinked names.
 * Every command now says, in a notice, that it sees only what the policies show the role. Where they show it no row at
 * all (a Supabase-style policy over a setting the tool's session has not set: trial14), the notice says so and names
 * the setting; a master table the role sees nothing of is refused by plan (every name would be planned unmatched).
 */
import { afterEach, expect, it } from 'vitest';
import { apply, drift, migrate, plan, status, verify } from '../../src/index.js';
import { withinTransaction, type Database } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';
import { refused } from '../helpers/hostile.js';

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
      const asRole = <T>(fn: (db: Database) => Promise<T>, tenant?: string): Promise<T> =>
        t.db.transaction(async (tx) => {
          await tx.query(`SET LOCAL ROLE ${role}`);
          if (tenant !== undefined) await tx.query(`SELECT set_config('app.tenant', $1, true)`, [tenant]);
          return fn(withinTransaction(t.db, tx));
        });
      try {
        // the setting the policy reads not set: the role sees no row, said with the setting and how to give it
        const opts = { config, allTenants: true };
        const none = (tenant: string | null): string =>
          `row-level security on orders shows this role none of its rows${tenant === null ? '' : ` of tenant ${tenant}`}: nothing of it is counted, checked or linked; its policies read current_setting('app.tenant'), which this session has not set: ${
            tenant === null
              ? "run as the table's owner (unless it forces row level security) or a role with BYPASSRLS, or run one tenant at a time (--tenant T) and give it to the tool's connection (PGOPTIONS='-c app.tenant=T', or ?options=-c%20app.tenant%3DT in the database URL)"
              : "give it to the tool's connection (PGOPTIONS='-c app.tenant=1', or ?options=-c%20app.tenant%3D1 in the database URL), or run as the table's owner (unless it forces row level security) or a role with BYPASSRLS"
          }`;
        const st = await asRole((db) => status(db, opts));
        expect(st.notices).toContain(none(null));
        expect(st.links[0]!.totalRecords).toBe(0);
        expect((await asRole((db) => plan(db, { config, tenantId: '1' }))).notices).toContain(none('1'));
        // the masters hidden, the documents not: plan and apply refuse, nothing recorded (every name would be planned
        // unmatched; a trial's plan called all 3,750 names of a tenant unmatched)
        await t.db.exec(`ALTER TABLE orders DISABLE ROW LEVEL SECURITY; ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
          CREATE POLICY tenant ON customers USING (current_setting('app.tenant', true) = tenant_id::text);`);
        const runs = async () => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`)).rows[0]!.n;
        const before = await runs();
        for (const doing of ['plan', 'apply'] as const)
          await refused(
            asRole<unknown>((db) => (doing === 'plan' ? plan : apply)(db, { config, tenantId: '1' })),
            'PERMISSION_DENIED',
            /^(plan|apply): row-level security on customers shows this role none of its rows of tenant 1, so every name would be planned unmatched; its policies read current_setting\('app\.tenant'\), which this session has not set: give it to the tool's connection \(PGOPTIONS='-c app\.tenant=1'/,
          );
        expect(await runs()).toBe(before);
        // both hidden: the tenant is found nowhere, and the refusal says why
        await t.db.exec(`ALTER TABLE orders ENABLE ROW LEVEL SECURITY`);
        await refused(
          asRole((db) => plan(db, { config, tenantId: '1' })),
          'UNKNOWN_TENANT',
          /^tenant "1" not found: no row of orders, customers has it, but row-level security on orders shows this role none of its rows: its policies read current_setting\('app\.tenant'\)/,
        );
        expect((await asRole((db) => verify(db, opts))).notices).toContainEqual(
          expect.stringContaining(
            'row-level security on customers shows this role none of its rows: no name can be matched to its masters',
          ),
        );
        // given the setting, the role sees its tenant: plans it, and is told it sees only what the policies show it
        const one = await asRole((db) => plan(db, { config, tenantId: '1' }), '1');
        expect(one.results[0]!.recordsMatched).toBe(30);
        expect(one.notices).toContain(NOTICE);
        expect((await asRole((db) => status(db, opts), '1')).notices).toContain(NOTICE);
        expect((await asRole((db) => verify(db, opts), '1')).notices).toContain(NOTICE);
        expect((await asRole((db) => drift(db, opts), '1')).notices).toContain(NOTICE);
        for (const r of [await status(t.db, opts), await verify(t.db, opts), await drift(t.db, opts)])
          expect(r.notices ?? []).not.toContain(NOTICE);
        // an owner the table forces its policies on: running as the owner is no way round them
        await t.db.exec(`ALTER TABLE orders OWNER TO ${role}; ALTER TABLE orders FORCE ROW LEVEL SECURITY`);
        expect((await asRole((db) => status(db, opts), '1')).notices).toContain(
          'row-level security on orders applies to this role: only the rows its policies show it are counted, checked and linked (FORCE ROW LEVEL SECURITY applies them to its owner too: run as a role with BYPASSRLS to see them all)',
        );
      } finally {
        await t.db.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
      }
    },
  );
});
