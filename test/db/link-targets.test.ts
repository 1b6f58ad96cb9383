/**
 * A link name stands for one master table (store/link-targets.ts). A new user's trial: a review decision made for link
 * `order` → customers was reused by a config whose link `order` pointed at suppliers, and apply wrote the decision's
 * key into orders.party_id: the supplier with that id, another firm. Now the second config is refused before it
 * writes (LINK_RETARGETED, exit 2); under another entity name it plans on its own, without the other link's decisions.
 */
import { afterEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { apply, decide, drift, installGuard, plan, status, verify } from '../../src/index.js';
import type { Queryable } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';

const link = (entity: string, table: string): ConfigInput['links'][number] => ({
  entity,
  table: 'orders',
  key: 'id',
  fk: 'party_id',
  name: 'party_name',
  match: 'fuzzy',
  target: { table, key: 'id', name: 'name' },
});
const toCustomers: ConfigInput = { links: [link('order', 'customers')] };
const toSuppliers: ConfigInput = { links: [link('order', 'suppliers')] };

async function schema(db: Queryable): Promise<void> {
  for (const s of [
    `CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)`,
    `CREATE TABLE suppliers (id int PRIMARY KEY, name text NOT NULL)`,
    `CREATE TABLE orders (id int PRIMARY KEY, party_name text, party_id int)`,
    `INSERT INTO customers VALUES (1, 'Acme Corporation')`,
    `INSERT INTO suppliers VALUES (1, 'Totally Different Supplier')`,
    `INSERT INTO orders VALUES (1, 'Acme Europe Branch', NULL)`,
  ])
    await db.query(s);
}

describeEach('a link name bound to its master table', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('a decision made for customers is not read as a supplier key: the config pointing the name at suppliers is refused', async () => {
    t = await freshDb(target);
    await schema(t.db);
    await plan(t.db, { config: toCustomers });
    await decide(t.db, {
      config: toCustomers,
      link: 'order',
      scopeKey: [],
      name: 'Acme Europe Branch',
      action: 'alias',
      targetKey: '1',
      by: 'ana',
    });
    const before = await snapshot(t.db);
    const names =
      /^link "order" points at public\.suppliers \(id\), but .* with masters in public\.customers \(id\).*Give this link another entity name/;
    await refused(plan(t.db, { config: toSuppliers }), 'LINK_RETARGETED', names);
    await refused(apply(t.db, { config: toSuppliers }), 'LINK_RETARGETED', names);
    await refused(installGuard(t.db, { config: toSuppliers }), 'LINK_RETARGETED', names);
    await refused(
      decide(t.db, { config: toSuppliers, link: 'order', scopeKey: [], name: 'Acme Europe Branch', action: 'never', by: 'bo' }),
      'LINK_RETARGETED',
      names,
    );
    expect(await snapshot(t.db)).toEqual(before);
    // the read-only commands run, and say whose keys their counts read
    const told =
      /^link "order" points at public\.suppliers \(id\), but its fk-backfill history .* is of masters in public\.customers \(id\)/;
    for (const r of [
      await status(t.db, { config: toSuppliers }),
      await verify(t.db, { config: toSuppliers }),
      await drift(t.db, { config: toSuppliers }),
    ])
      expect(r.notices?.some((n) => told.test(n))).toBe(true);
    expect((await verify(t.db, { config: toCustomers })).notices ?? []).toEqual([]);
    // under its own name the supplier link plans alone: the customer decision is not its
    const own = await apply(t.db, { config: { links: [link('order_supplier', 'suppliers')] } });
    expect(own.totalUpdated).toBe(0);
    expect((await t.db.query(`SELECT party_id FROM orders`)).rows).toEqual([{ party_id: null }]);
    // and the customer link still applies its decision
    const a = await apply(t.db, { config: toCustomers });
    expect(a.totalUpdated).toBe(1);
    expect((await t.db.query(`SELECT party_id FROM orders`)).rows).toEqual([{ party_id: 1 }]);
  });

  it('the same master table under another key is refused too (the decisions hold keys of the other column)', async () => {
    t = await freshDb(target);
    await schema(t.db);
    await t.db.query(`ALTER TABLE customers ADD COLUMN no int UNIQUE`);
    await plan(t.db, { config: toCustomers });
    await decide(t.db, {
      config: toCustomers,
      link: 'order',
      scopeKey: [],
      name: 'Acme Europe Branch',
      action: 'alias',
      targetKey: '1',
      by: 'ana',
    });
    const byCode: ConfigInput = { links: [{ ...link('order', 'customers'), target: { table: 'customers', key: 'no', name: 'name' } }] };
    await refused(
      plan(t.db, { config: byCode }),
      'LINK_RETARGETED',
      /^link "order" points at public\.customers \(no\), but .* masters in public\.customers \(id\)/,
    );
  });
  it('the same master table and key column spelled otherwise (schema-qualified, the key as a list) is the same link', async () => {
    t = await freshDb(target);
    await schema(t.db);
    await plan(t.db, { config: toCustomers });
    const spelled: ConfigInput = {
      links: [{ ...link('order', 'public.customers'), target: { table: 'public.customers', key: ['id'], name: 'name' } }],
    };
    expect((await plan(t.db, { config: spelled })).results[0]!.entityType).toBe('order');
  });
  it('a name only plans were made under follows the config to another master table; the plans themselves cannot be applied', async () => {
    // a trial: one dry-run plan tied the name to its first master table, and every command refused the corrected config
    t = await freshDb(target);
    await schema(t.db);
    const first = await plan(t.db, { config: toCustomers });
    expect((await plan(t.db, { config: toSuppliers })).results[0]!.entityType).toBe('order');
    const registered = await t.db.query<{ target: string }>(`SELECT target FROM fk_backfill.link_targets WHERE link = 'order'`);
    expect(registered.rows).toEqual([{ target: 'public.suppliers (id)' }]);
    await refused(apply(t.db, { config: toSuppliers, planRunId: first.runId }), 'PLAN_STALE', /made with another config/);
    // once something holds its keys (a decision), the name stays bound
    await decide(t.db, { config: toSuppliers, link: 'order', scopeKey: [], name: 'Acme Europe Branch', action: 'never', by: 'bo' });
    await refused(plan(t.db, { config: toCustomers }), 'LINK_RETARGETED', /masters in public\.suppliers \(id\)/);
  });
});
