/**
 * The library's decide() takes `accept` as `review import` and the review page do: candidate 1 of the name in the
 * newest plan that holds it, or the master `targetKey` names; an ambiguous name needs `targetKey`. Before: decide()
 * knew alias, never and create only ("unknown action \"accept\"").
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { decide, plan, reviewQueue } from '../../src/index.js';
import { createAxis } from '../../src/demo/axis.js';
import { DEMO_TENANT, FUZZY_CONFIG, FUZZY_DEMO } from '../e2e/fixtures.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const opts = { tenantId: DEMO_TENANT, config: FUZZY_CONFIG };

describeEach('decide accept', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db, FUZZY_DEMO);
  });
  afterEach(async () => t.dispose());

  it('accept: candidate 1 of the latest plan, or the targetKey given; refused for an ambiguous name and without a plan', async () => {
    const base = { config: FUZZY_CONFIG, link: 'sales_order', scopeKey: [DEMO_TENANT], by: 'ana' } as const;
    // no plan yet: said so, nothing written
    await expect(decide(t.db, { ...base, name: 'Beta Industry', action: 'accept' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/no finished plan of this config covers link "sales_order" for tenant .*: plan first/),
    });
    await plan(t.db, opts);
    const q = await reviewQueue(t.db, opts);
    const beta = q.items.find((i) => i.name === 'Beta Industry')!;
    const top = beta.candidates[0]!.key;
    const a = await decide(t.db, { ...base, name: 'Beta Industry', action: 'accept' });
    expect(a.decision).toMatchObject({ action: 'alias', targetKey: top, decidedBy: 'ana' });
    // the same as alias with that key: nothing new written
    expect((await decide(t.db, { ...base, name: 'Beta Industry', action: 'alias', targetKey: top })).changed).toBe(false);
    // accept with a targetKey: that master (as the CSV's target_key)
    const other = beta.candidates.find((c) => c.key !== top && c.active !== false) ?? beta.candidates[0]!;
    const b = await decide(t.db, { ...base, name: 'Tset Cstmr Hldgs', action: 'accept', targetKey: other.key });
    expect(b.decision).toMatchObject({ action: 'alias', targetKey: other.key });
    // a name the plan does not hold
    await expect(decide(t.db, { ...base, name: 'Nobody At All', action: 'accept' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/is not in the queue of plan/),
    });
    // an ambiguous name: two active masters of one name
    await t.db.query(
      `INSERT INTO customers (tenant_id, customer_number, customer_name) SELECT tenant_id, 'CUST-T' || n, 'Twin Co' FROM customers, generate_series(1, 2) n WHERE tenant_id = $1 LIMIT 2`,
      [DEMO_TENANT],
    );
    await t.db.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'SO-T-1', 'Twin Co')`, [DEMO_TENANT]);
    await plan(t.db, opts);
    await expect(decide(t.db, { ...base, name: 'Twin Co', action: 'accept' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/accept of an ambiguous name/),
    });
  });
});
