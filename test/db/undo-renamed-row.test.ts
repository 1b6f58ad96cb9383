/**
 * A table without updated_at: undo cannot see an edit by its time. A row the application renamed after the apply
 * (its FK left as the run wrote it) is not the row the run linked by that name: undo leaves it, counted as changed
 * since and named in the skipped rows' sample, in both modes. The evidence is the applied plan's linked entries: the
 * row's name and scope must still be those of an entry the plan linked to the master its FK holds.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, undo } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { undoText } from '../../src/cli/format.js';

const config: ConfigInput = {
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

async function schema(t: TestDb): Promise<void> {
  await t.db.exec(`
    CREATE TABLE customers (id int PRIMARY KEY, tenant_id text NOT NULL, name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, tenant_id text NOT NULL, customer_name text, customer_id int REFERENCES customers (id));
    INSERT INTO customers VALUES (1, 't1', 'ABC Corp'), (2, 't1', 'XYZ Ltd');
    INSERT INTO orders SELECT g, 't1', (ARRAY['ABC Corp', 'XYZ Ltd'])[g % 2 + 1], NULL FROM generate_series(1, 20) g;`);
}

describeEach('undo of a row renamed since the apply, on a table without updated_at', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  for (const singleTransaction of [true, false]) {
    it(`leaves the renamed row linked, counted and named (${singleTransaction ? 'single transaction' : 'batched'})`, async () => {
      t = await freshDb(target);
      await schema(t);
      const a = await apply(t.db, { config, tenantId: 't1' });
      expect(a.totalRecordsUpdated).toBe(20);
      // the application corrects the name of order 2 (its FK left as the run wrote it) and of order 4 to a name the
      // plan never saw; order 3 is renamed and re-pointed (its FK no longer the run's: skipped, as before)
      await t.db.exec(`UPDATE orders SET customer_name = 'ABC Corporation' WHERE id = 2;
        UPDATE orders SET customer_name = 'Someone Else' WHERE id = 4;
        UPDATE orders SET customer_name = 'ABC Corp', customer_id = 1 WHERE id = 3`);
      const u = await undo(t.db, { runId: a.runId, singleTransaction, ...(singleTransaction ? {} : { batchSize: 3 }) });
      expect(u.totalReverted).toBe(17);
      expect(u.totalSkipped).toBe(3);
      const left = await t.db.query<{ id: number; customer_id: number | null }>(
        `SELECT id, customer_id FROM orders WHERE customer_id IS NOT NULL ORDER BY id`,
      );
      expect(left.rows).toEqual([
        { id: 2, customer_id: 1 },
        { id: 3, customer_id: 1 },
        { id: 4, customer_id: 1 },
      ]);
      const r = u.results[0]!;
      expect(r.editedSince).toEqual([
        { key: '2', wrote: '1', now: '1', renamed: 'ABC Corporation' },
        { key: '3', wrote: '2', now: '1' },
        { key: '4', wrote: '1', now: '1', renamed: 'Someone Else' },
      ]);
      expect(undoText(u)).toContain(
        `orders row 2: FK still 1 as run ${a.runId} wrote it, but the row was renamed since (now "ABC Corporation", not a name the plan linked to 1)`,
      );
    });
  }

  it('a row renamed to another name the plan linked to the same master is set back (the plan cannot tell them apart)', async () => {
    t = await freshDb(target);
    await schema(t);
    await t.db.exec(`INSERT INTO orders VALUES (21, 't1', 'abc corp', NULL)`);
    const a = await apply(t.db, { config: { links: [{ ...config.links[0]!, match: 'normalized' }] }, tenantId: 't1' });
    expect(a.totalRecordsUpdated).toBe(21);
    await t.db.exec(`UPDATE orders SET customer_name = 'abc corp' WHERE id = 2`);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(21);
  });
});
