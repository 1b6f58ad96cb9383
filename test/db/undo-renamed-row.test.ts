/**
 * A table without updated_at: undo cannot see an edit by its time. A row the application renamed after the apply
 * (its FK left as the run wrote it) is not the row the run linked by that name: undo leaves it, counted as changed
 * since and named in the skipped rows' sample, in both modes. The evidence is the applied plan's linked entries: the
 * row's name and scope must still be those of an entry the plan linked to the master its FK holds. On Citus both tables
 * are distributed by the tenant (keys (tenant_id, id)), with a second tenant whose masters reuse the keys: the check
 * is a join of the change log with the plan's entries on the coordinator, in the row's tenant read off its key (before:
 * not checked on Citus, the renamed rows set back).
 */
import { afterEach, expect, it } from 'vitest';
import { apply, undo } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { undoText } from '../../src/cli/format.js';

const plainConfig: ConfigInput = {
  links: [
    {
      entity: 'order_customer',
      table: 'orders',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      scope: ['tenant_id'],
      target: { table: 'customers', key: 'id', name: 'name' },
    },
  ],
};
// on Citus, keys carry the distribution column
const citusConfig: ConfigInput = {
  links: [{ ...plainConfig.links[0]!, key: ['tenant_id', 'id'], target: { table: 'customers', key: ['tenant_id', 'id'], name: 'name' } }],
};
let config = plainConfig;
/** A row key as the change log writes it. */
let key = (id: number): string => String(id);

async function schema(t: TestDb): Promise<void> {
  const citus = t.target === 'citus';
  config = citus ? citusConfig : plainConfig;
  key = citus ? (id) => `{t1,${id}}` : (id) => String(id);
  if (!citus) {
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id text NOT NULL, name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id text NOT NULL, customer_name text, customer_id int REFERENCES customers (id));
      INSERT INTO customers VALUES (1, 't1', 'ABC Corp'), (2, 't1', 'XYZ Ltd');
      INSERT INTO orders SELECT g, 't1', (ARRAY['ABC Corp', 'XYZ Ltd'])[g % 2 + 1], NULL FROM generate_series(1, 20) g;`);
    return;
  }
  await t.db.exec(`
    CREATE TABLE customers (tenant_id text NOT NULL, id int NOT NULL, name text NOT NULL, PRIMARY KEY (tenant_id, id));
    CREATE TABLE orders (tenant_id text NOT NULL, id int NOT NULL, customer_name text, customer_id int, PRIMARY KEY (tenant_id, id),
                         FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id));`);
  await t.db.query(`SELECT create_distributed_table('customers', 'tenant_id')`);
  await t.db.query(`SELECT create_distributed_table('orders', 'tenant_id', colocate_with => 'customers')`);
  // tenant t2's masters reuse the keys under other names, and link its own orders
  await t.db.exec(
    `INSERT INTO customers VALUES ('t1', 1, 'ABC Corp'), ('t1', 2, 'XYZ Ltd'), ('t2', 1, 'Someone Else'), ('t2', 2, 'ABC Corporation')`,
  );
  await t.db.exec(`INSERT INTO orders SELECT 't1', g, (ARRAY['ABC Corp', 'XYZ Ltd'])[g % 2 + 1], NULL FROM generate_series(1, 20) g`);
  await t.db.exec(
    `INSERT INTO orders SELECT 't2', g, (ARRAY['Someone Else', 'ABC Corporation'])[g % 2 + 1], NULL FROM generate_series(1, 6) g`,
  );
}

describeEach('undo of a row renamed since the apply, on a table without updated_at', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  for (const singleTransaction of [true, false]) {
    it(`leaves the renamed row linked, counted and named (${singleTransaction ? 'single transaction' : 'batched'})`, async () => {
      t = await freshDb(target);
      await schema(t);
      // every tenant: on Citus, t2's entries link names t1's rows are renamed to, to t2's masters of the same keys
      const a = await apply(t.db, { config, allTenants: true });
      const t2 = t.target === 'citus' ? 6 : 0;
      expect(a.totalRecordsUpdated).toBe(20 + t2);
      // the application corrects the name of order 2 (its FK left as the run wrote it) and of order 4 to a name the
      // plan never saw; order 3 is renamed and re-pointed (its FK no longer the run's: skipped, as before)
      for (const edit of [
        `UPDATE orders SET customer_name = 'ABC Corporation' WHERE tenant_id = 't1' AND id = 2`,
        `UPDATE orders SET customer_name = 'Someone Else' WHERE tenant_id = 't1' AND id = 4`,
        `UPDATE orders SET customer_name = 'ABC Corp', customer_id = 1 WHERE tenant_id = 't1' AND id = 3`,
      ])
        await t.db.exec(edit);
      const u = await undo(t.db, { runId: a.runId, singleTransaction, ...(singleTransaction ? {} : { batchSize: 3 }) });
      expect(u.totalReverted).toBe(17 + t2);
      expect(u.totalSkipped).toBe(3);
      const left = await t.db.query<{ id: number; customer_id: number | null }>(
        `SELECT id, customer_id FROM orders WHERE tenant_id = 't1' AND customer_id IS NOT NULL ORDER BY id`,
      );
      expect(left.rows).toEqual([
        { id: 2, customer_id: 1 },
        { id: 3, customer_id: 1 },
        { id: 4, customer_id: 1 },
      ]);
      const r = u.results[0]!;
      if (t.target === 'citus') {
        // the skipped rows' sample names only the row whose FK changed there (its name check reads fk_backfill beside the shards)
        expect(r.editedSince).toEqual([{ key: key(3), wrote: '2', now: '1' }]);
        return;
      }
      expect(r.editedSince).toEqual([
        { key: key(2), wrote: '1', now: '1', renamed: 'ABC Corporation' },
        { key: key(3), wrote: '2', now: '1' },
        { key: key(4), wrote: '1', now: '1', renamed: 'Someone Else' },
      ]);
      expect(undoText(u)).toContain(
        `orders row 2: FK still 1 as run ${a.runId} wrote it, but the row was renamed since (now "ABC Corporation", not a name the plan linked to 1)`,
      );
    });
  }

  it('a row renamed to another name the plan linked to the same master is set back (the plan cannot tell them apart)', async () => {
    t = await freshDb(target);
    await schema(t);
    await t.db.exec(`INSERT INTO orders (id, tenant_id, customer_name) VALUES (21, 't1', 'abc corp')`);
    const a = await apply(t.db, { config: { links: [{ ...config.links[0]!, match: 'normalized' }] }, tenantId: 't1' });
    expect(a.totalRecordsUpdated).toBe(21);
    await t.db.exec(`UPDATE orders SET customer_name = 'abc corp' WHERE tenant_id = 't1' AND id = 2`);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(21);
  });
});
