/**
 * A CHECK constraint over the FK refuses some planned rows: plan says so up front and, where its expression is
 * immutable (and no BEFORE UPDATE trigger may change the row first), counts them from the plan's entries in one
 * read-only statement; `apply --plan` says it before it writes. Before: nothing said it until apply's skip reasons
 * counted the rows "refused by the table". On Citus both tables are distributed by the tenant (co-located, keys
 * (tenant_id, id)): the count is pushed down to the shards, one tenant's or all of them (before: not counted on
 * Citus; the statement's `jsonb_populate_record` in a FROM list is refused in a multi-shard query).
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan } from '../../src/index.js';
import { checkPlanToApply } from '../../src/apply/apply.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const plainConfig = ordersConfig({ updatedAt: 'updated_at' });
// on Citus, keys carry the distribution column
const citusConfig = ordersConfig({ updatedAt: 'updated_at', key: ['tenant_id', 'id'] }, { key: ['tenant_id', 'id'] });
let config = plainConfig;

async function schema(t: TestDb, extra: string): Promise<void> {
  const citus = t.target === 'citus';
  config = citus ? citusConfig : plainConfig;
  await t.db.exec(
    citus
      ? `CREATE TABLE customers (id int NOT NULL, tenant_id int NOT NULL, customer_name text NOT NULL, PRIMARY KEY (tenant_id, id));
         CREATE TABLE orders (id int NOT NULL, tenant_id int NOT NULL, customer_name text, customer_id int,
                              updated_at timestamptz, kind text NOT NULL DEFAULT 'sale', booked date NOT NULL DEFAULT '2020-01-01',
                              PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id));`
      : `CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
         CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id),
                              updated_at timestamptz, kind text NOT NULL DEFAULT 'sale', booked date NOT NULL DEFAULT '2020-01-01');`,
  );
  if (citus) {
    await t.db.query(`SELECT create_distributed_table('customers', 'tenant_id')`);
    await t.db.query(`SELECT create_distributed_table('orders', 'tenant_id', colocate_with => 'customers')`);
  }
  // one statement at a time: Citus refuses a multi-shard UPDATE among several commands of one query string
  const script = `
    INSERT INTO customers SELECT i, 1 + i % 2, 'C' || i FROM generate_series(1, 20) i;
    INSERT INTO orders (id, tenant_id, customer_name, updated_at)
      SELECT i, 1 + (1 + i % 20) % 2, 'C' || (1 + i % 20), '2020-01-01' FROM generate_series(1, 200) i;
    -- void orders, and one that names no customer (not planned: not counted)
    UPDATE orders SET kind = 'void' WHERE id IN (13, 77, 78, 150);
    UPDATE orders SET kind = 'void', customer_name = 'Nobody' WHERE id = 151;
    ${extra}`;
  for (const stmt of script.split(/;\s*\n/).filter((x) => x.trim() !== '')) await t.db.exec(stmt);
}

const head = 'order: CHECK constraint(s) orders_void_unlinked of orders involve customer_id';

describeEach('plan with a CHECK constraint over the FK', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('counts the planned rows the CHECK would refuse; apply --plan says it before writing, and refuses exactly those', async () => {
    t = await freshDb(target);
    await schema(t, `ALTER TABLE orders ADD CONSTRAINT orders_void_unlinked CHECK (customer_id IS NULL OR kind <> 'void');`);
    const p = await plan(t.db, { config, tenantId: '2' });
    const linked = p.results[0]!.recordsMatched;
    // orders 78 and 150 are tenant 2's voids (13 and 77 are tenant 1's)
    expect(p.results[0]!.recordsRefusedByCheck).toBe(2);
    const notice = `${head}: 2 of the ${linked} row(s) planned to link would be refused (orders_void_unlinked 2); apply leaves them NULL, counted as refused by the table`;
    expect(p.notices).toContain(notice);
    // the whole tenant: 4 refused
    const all = await plan(t.db, { config, allTenants: true });
    expect(all.results[0]!.recordsRefusedByCheck).toBe(4);
    // said before asking to write, and in apply's result
    expect(await checkPlanToApply(t.db, { config, tenantId: '2', planRunId: p.runId })).toContain(notice);
    const a = await apply(t.db, { config, tenantId: '2', planRunId: p.runId });
    expect(a.notices).toContain(notice);
    expect(a.results[0]!.skipReasons?.refusedByTable).toBe(2);
    expect(a.results[0]!.updated).toBe(linked - 2);
  });

  it('no planned row refused: said, with 0', async () => {
    t = await freshDb(target);
    await schema(
      t,
      `UPDATE orders SET kind = 'sale';
       ALTER TABLE orders ADD CONSTRAINT orders_void_unlinked CHECK (customer_id IS NULL OR kind <> 'void');`,
    );
    const p = await plan(t.db, { config, tenantId: '1' });
    expect(p.results[0]!.recordsRefusedByCheck).toBe(0);
    expect(p.notices).toContain(`${head}: none of the ${p.results[0]!.recordsMatched} row(s) planned to link would be refused`);
  });

  const notCounted: [string, string, string][] = [
    [
      'an expression that is not immutable (CURRENT_DATE)',
      `ALTER TABLE orders ADD CONSTRAINT orders_void_unlinked CHECK (customer_id IS NULL OR booked <= CURRENT_DATE);`,
      'orders_void_unlinked: not an immutable expression',
    ],
    [
      'a volatile function of the application (it could write: never evaluated by plan)',
      `CREATE FUNCTION not_void(k text) RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT k <> 'void' $$;
       ALTER TABLE orders ADD CONSTRAINT orders_void_unlinked CHECK (customer_id IS NULL OR not_void(kind));`,
      'orders_void_unlinked: not an immutable expression',
    ],
    [
      'a BEFORE UPDATE trigger on the table',
      `ALTER TABLE orders ADD CONSTRAINT orders_void_unlinked CHECK (customer_id IS NULL OR kind <> 'void');
       CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
       CREATE TRIGGER keep BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION keep();`,
      'a BEFORE UPDATE trigger may change the row before they are checked',
    ],
  ];
  for (const [what, ddl, why] of notCounted) {
    // Citus refuses a trigger on a distributed table (citus.enable_unsafe_triggers is off)
    it.skipIf(target === 'citus' && ddl.includes('CREATE TRIGGER'))(`${what}: named, not counted`, async () => {
      t = await freshDb(target);
      await schema(t, ddl);
      const p = await plan(t.db, { config, tenantId: '2' });
      expect(p.results[0]!.recordsRefusedByCheck).toBeUndefined();
      expect(p.notices).toContain(
        `${head}: apply leaves out, NULL, the rows they refuse (counted as refused by the table); not counted ahead (${why})`,
      );
    });
  }

  it('an immutable function of the application is evaluated and counted', async () => {
    t = await freshDb(target);
    await schema(
      t,
      `CREATE FUNCTION not_void(k text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT k <> 'void' $$;
       ALTER TABLE orders ADD CONSTRAINT orders_void_unlinked CHECK (customer_id IS NULL OR not_void(kind));`,
    );
    const p = await plan(t.db, { config, tenantId: '2' });
    expect(p.results[0]!.recordsRefusedByCheck).toBe(2);
  });
});
