/**
 * A master renamed after the apply: drift reports its linked rows ("name ≠ master") until a person's alias settles
 * it. A new user's trial: the alias could not be recorded (review import refused the name, not in any queue: its rows
 * are linked), and drift stayed at exit 3 after every ordinary rename. An alias to the master the rows hold is now
 * taken for such a name; any other name not in the queue is still refused.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, drift, importDecisionsCsv, plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();
const csv = (lines: string[]): string => ['link,scope,name,decision,target_key', ...lines].join('\n');

describeEach('drift after a rename, settled by an alias', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('an alias of the old name to the renamed master settles it; an alias of it to another master, or of a name no row links, is refused', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Acme GmbH'), (2, 1, 'Beta AG'), (3, 2, 'Gamma SA');
      INSERT INTO orders (id, tenant_id, customer_name) SELECT g, 1, 'Acme GmbH' FROM generate_series(1, 5) g;`);
    await apply(t.db, { config, tenantId: '1' });
    await t.db.exec(`UPDATE customers SET customer_name = 'Acme Group GmbH' WHERE id = 1`);
    // the latest plan (as review export --fresh makes it) has no row of the linked name: it is in no queue
    await plan(t.db, { config, tenantId: '1' });
    const before = await drift(t.db, { config, tenantId: '1' });
    expect([before.found, before.links[0]!.renamed.rows]).toEqual([true, 5]);
    const refused = await importDecisionsCsv(
      t.db,
      csv(['order,"[""1""]",Acme GmbH,alias,2', 'order,"[""1""]",Nobody,alias,1', 'order,"[""1""]",Acme GmbH,alias,3']),
      {
        config,
        tenantId: '1',
        by: 'test',
      },
    ).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'INVALID_INPUT' });
    expect((refused as Error).message).toMatch(/line 2: name "Acme GmbH" is not a name of order .* in the queue/);
    expect((refused as Error).message).toMatch(/line 3: name "Nobody" is not a name of order .* in the queue/);
    // a key only another tenant has: said as such (a Citus trial named that tenant as if the key were its only master)
    expect((refused as Error).message).toContain('line 4: no master 3 in scope ["1"] (that key is a master of another scope, e.g. ["2"])');
    const r = await importDecisionsCsv(t.db, csv(['order,"[""1""]",Acme GmbH,alias,1']), { config, tenantId: '1', by: 'test' });
    expect(r).toMatchObject({ decided: 1, written: 1 });
    const after = await drift(t.db, { config, tenantId: '1' });
    expect([after.found, after.links[0]!.renamed.rows]).toEqual([false, 0]);
  });
});
