/**
 * A batch of a walk turns nested loops off for its transaction (SET LOCAL enable_nestloop = off: the UPDATE finds
 * the rows it read by a hash join, see src/apply/lookup.ts). That setting also reaches every query a row trigger of
 * the source runs inside the batch's UPDATE: an audit or denormalising trigger whose lookup joins two tables would
 * hash or merge a whole table per updated row instead of probing an index. So a source with a row trigger that
 * fires on apply's UPDATE keeps the server's planner settings; a trigger that cannot fire (UPDATE OF other
 * columns, disabled) does not change anything. The trigger here records the setting it ran under.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({ updatedAt: 'updated_at' });

const PLAIN =
  'CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int, updated_at timestamptz);';
const PARTITIONED = `CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int, updated_at timestamptz) PARTITION BY RANGE (id);
    CREATE TABLE orders_1 PARTITION OF orders FOR VALUES FROM (1) TO (101);
    CREATE TABLE orders_2 PARTITION OF orders FOR VALUES FROM (101) TO (1000);`;

async function schema(t: TestDb, orders: string, trigger: string): Promise<void> {
  await t.db.exec(`
    CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
    ${orders}
    CREATE TABLE seen (nestloop text);
    INSERT INTO customers SELECT i, 1, 'C' || i FROM generate_series(1, 20) i;
    INSERT INTO orders (id, tenant_id, customer_name) SELECT i, 1, 'C' || (1 + i % 20) FROM generate_series(1, 200) i;
    CREATE FUNCTION note_setting() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO seen VALUES (current_setting('enable_nestloop')); RETURN NEW; END $$;
    ${trigger}`);
}

describeEach('apply and the row triggers of its source', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  const cases: [string, string, string, string[], number][] = [
    [
      'a BEFORE UPDATE row trigger',
      PLAIN,
      'CREATE TRIGGER note BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION note_setting();',
      ['on'],
      200,
    ],
    [
      'an AFTER UPDATE OF the FK trigger',
      PLAIN,
      'CREATE TRIGGER note AFTER UPDATE OF customer_id ON orders FOR EACH ROW EXECUTE FUNCTION note_setting();',
      ['on'],
      200,
    ],
    [
      'a row trigger on one partition of a partitioned source',
      PARTITIONED,
      'CREATE TRIGGER note BEFORE UPDATE ON orders_2 FOR EACH ROW EXECUTE FUNCTION note_setting();',
      ['on'],
      100,
    ],
    [
      'a trigger on other columns only',
      PLAIN,
      'CREATE TRIGGER note BEFORE UPDATE OF tenant_id ON orders FOR EACH ROW EXECUTE FUNCTION note_setting();',
      [],
      0,
    ],
  ];
  for (const [what, orders, ddl, want, fired] of cases) {
    it(`${what}: runs under the server's planner settings, and every row is linked`, async () => {
      t = await freshDb(target);
      await schema(t, orders, ddl);
      const p = await plan(t.db, { config, allTenants: true });
      const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId, batchSize: 50 });
      expect(a.results[0]!.updated).toBe(200);
      const seen = await t.db.query<{ nestloop: string; n: number }>(`SELECT nestloop, count(*)::int AS n FROM seen GROUP BY 1`);
      expect(seen.rows.map((r) => r.nestloop)).toEqual(want);
      expect(seen.rows.reduce((n, r) => n + r.n, 0)).toBe(fired);
    });
  }
});
