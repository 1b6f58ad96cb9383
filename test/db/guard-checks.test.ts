/**
 * The guard and the table's own rules (a trial): a CHECK over the FK (void orders stay unlinked) made the
 * application's INSERT of a void order fail once the guard set its FK, an insert it could always make. The guard
 * now tests the table's CHECK constraints over the FK on the row it would write (it runs last of the BEFORE
 * triggers, so that row is the one the table checks) and leaves a row they refuse NULL, a miss naming the
 * constraint; with a BEFORE UPDATE trigger of the application's own on the table too.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, installGuard } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();

describeEach('guard and CHECK constraints over the FK', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  for (const trigger of [false, true]) {
    it(`an insert the CHECK would refuse with the FK set goes in unlinked, a miss naming the constraint${trigger ? ' (the table has a BEFORE trigger of its own)' : ''}`, async () => {
      t = await freshDb(target);
      await t.db.exec(`
        CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
        CREATE INDEX ON customers (tenant_id, customer_name);
        CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id),
                             kind text NOT NULL DEFAULT 'sale', CONSTRAINT void_unlinked CHECK (kind <> 'void' OR customer_id IS NULL));
        INSERT INTO customers VALUES (1, 1, 'Acme');
        ${
          trigger
            ? `CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.kind := lower(NEW.kind); RETURN NEW; END $$;
               CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION stamp();`
            : ''
        }`);
      const g = await installGuard(t.db, { config });
      // the application's own BEFORE UPDATE trigger runs before the guard's: said so at install
      expect(g.notices ?? []).toEqual(
        trigger
          ? [expect.stringContaining('orders has BEFORE UPDATE trigger(s) of its own on customer_id (stamp); they run before the guard')]
          : [],
      );
      await t.db.exec(
        `INSERT INTO orders (id, tenant_id, customer_name, kind) VALUES (1, 1, 'Acme', 'sale'), (2, 1, 'Acme', '${trigger ? 'VOID' : 'void'}')`,
      );
      const rows = await t.db.query<{ id: number; customer_id: number | null }>(`SELECT id, customer_id FROM orders ORDER BY id`);
      expect(rows.rows).toEqual([
        { id: 1, customer_id: 1 },
        { id: 2, customer_id: null },
      ]);
      const misses = await t.db.query<{ reason: string; row_key: string }>(`SELECT reason, row_key FROM fk_backfill.guard_misses`);
      expect(misses.rows).toEqual([{ reason: 'check void_unlinked', row_key: '2' }]);
      // an update making it a sale links it
      await t.db.exec(`UPDATE orders SET kind = 'sale', customer_name = 'Acme' WHERE id = 2`);
      expect((await t.db.query(`SELECT customer_id FROM orders WHERE id = 2`)).rows).toEqual([{ customer_id: 1 }]);
    });
  }

  it("a name an apply linked whose master was deactivated since is a miss 'inactive' (it said 'alias target unavailable')", async () => {
    t = await freshDb(target);
    const cfg = ordersConfig({}, { active: { column: 'deleted_at', activeWhen: 'null' } });
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL, deleted_at timestamptz);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id));
      INSERT INTO customers VALUES (1, 1, 'Acme', NULL);
      INSERT INTO orders VALUES (1, 1, 'Acme', NULL);`);
    expect((await apply(t.db, { config: cfg, allTenants: true })).totalUpdated).toBe(1);
    await installGuard(t.db, { config: cfg });
    await t.db.exec(`UPDATE customers SET deleted_at = now() WHERE id = 1; INSERT INTO orders VALUES (2, 1, 'Acme', NULL);`);
    expect((await t.db.query(`SELECT customer_id FROM orders WHERE id = 2`)).rows).toEqual([{ customer_id: null }]);
    expect((await t.db.query(`SELECT reason FROM fk_backfill.guard_misses`)).rows).toEqual([{ reason: 'inactive' }]);
  });

  it('CHECKs over an enum of public, on a column named like a guard variable, renamed or dropped since install: never the insert failed', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TYPE kind_t AS ENUM ('sale', 'void');
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id),
                           kind kind_t NOT NULL DEFAULT 'sale', v_reason text,
                           CONSTRAINT void_unlinked CHECK (kind <> 'void' OR customer_id IS NULL),
                           CONSTRAINT held CHECK (v_reason IS NULL OR customer_id IS NULL));
      INSERT INTO customers VALUES (1, 1, 'Acme');`);
    await installGuard(t.db, { config });
    const ins = async (id: number, kind: string, reason: string | null): Promise<number | null> =>
      (
        await t.db.query<{ customer_id: number | null }>(
          `INSERT INTO orders (id, tenant_id, customer_name, kind, v_reason) VALUES ($1, 1, 'Acme', $2, $3) RETURNING customer_id`,
          [id, kind, reason],
        )
      ).rows[0]!.customer_id;
    // an enum of public in the CHECK (printed bare, the function found no type kind_t); a column named v_reason
    expect([await ins(1, 'sale', null), await ins(2, 'void', null), await ins(3, 'sale', 'on hold')]).toEqual([1, null, null]);
    // the CHECK's column renamed since install: the test fails, the row goes in unlinked, said why
    await t.db.exec(`ALTER TABLE orders RENAME COLUMN kind TO doc_kind`);
    expect(await t.db.query(`INSERT INTO orders (id, tenant_id, customer_name) VALUES (4, 1, 'Acme') RETURNING customer_id`)).toMatchObject(
      {
        rows: [{ customer_id: null }],
      },
    );
    // the constraints dropped since install: no longer tested, rows linked
    await t.db.exec(`ALTER TABLE orders DROP CONSTRAINT void_unlinked, DROP CONSTRAINT held`);
    expect(await t.db.query(`INSERT INTO orders (id, tenant_id, customer_name) VALUES (5, 1, 'Acme') RETURNING customer_id`)).toMatchObject(
      {
        rows: [{ customer_id: 1 }],
      },
    );
    const misses = (
      await t.db.query<{ row_key: string; reason: string }>(`SELECT row_key, reason FROM fk_backfill.guard_misses ORDER BY row_key`)
    ).rows;
    expect(misses.map((m) => [m.row_key, m.reason.replace(/: .*/, ': …')])).toEqual([
      ['2', 'check void_unlinked'],
      ['3', 'check held'],
      ['4', 'check not tested: …'],
    ]);
  });
});
