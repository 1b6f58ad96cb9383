/**
 * discover run by a role row-level security shows no row of a table (a policy over a setting the session has not
 * set). trial14: its samples were empty, the FK was rejected as "0/2000 values … not a reference to it" and no link
 * was proposed, without a word about the policy. Now a notice names the table, the setting and how to give it.
 */
import { afterEach, expect, it } from 'vitest';
import { discover } from '../../src/index.js';
import { withinTransaction } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

describeEach('discover under row-level security', (target) => {
  let t: TestDb;
  let role: string | undefined;
  afterEach(async () => {
    if (role !== undefined) await t.db.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
    role = undefined;
    await t.dispose();
  });

  it.runIf(target !== 'pglite')('names a table whose policies show the role no row, and the setting they read', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers SELECT i, 1, 'Customer ' || i FROM generate_series(1, 30) i;
      INSERT INTO orders SELECT i, 1, 'Customer ' || (1 + i % 30), CASE WHEN i % 2 = 0 THEN 1 + i % 30 END FROM generate_series(1, 60) i;
      ANALYZE;`);
    role = `fkb_rls_${Math.random().toString(36).slice(2, 8)}`;
    await t.db.exec(`CREATE ROLE ${role};
      GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON customers, orders TO ${role};
      ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON customers USING (tenant_id = current_setting('app.tenant', true)::int);`);
    const run = (tenant?: string) =>
      t.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL ROLE ${role}`);
        if (tenant !== undefined) await tx.query(`SELECT set_config('app.tenant', $1, true)`, [tenant]);
        return discover(withinTransaction(t.db, tx), { schemas: ['public'] });
      });
    const hidden = await run();
    expect(hidden.notices).toEqual([
      "row-level security on public.customers shows this role none of its rows (the table holds about 30): its sample is empty, so links to or from it are judged without its values; its policies read current_setting('app.tenant'), which this session has not set: give it to the tool's connection (PGOPTIONS='-c app.tenant=T', or ?options=-c%20app.tenant%3DT in the database URL), or run as the table's owner (unless it forces row level security) or a role with BYPASSRLS",
    ]);
    const shown = await run('1');
    expect(shown.notices).toBeUndefined();
    expect(shown.proposals.map((p) => `${p.source}.${p.fk}`)).toEqual(['public.orders.customer_id']);
  });
});
