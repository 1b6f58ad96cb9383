/**
 * drift over a table whose statistics were taken while its FKs were NULL (apply leaves them so on PGlite, which has no
 * autovacuum, and on a server until autovacuum comes by), with plan entries nobody analysed: the planner expected one
 * linked row and nested the masters' duplicate names (a hash aggregate over every master, once per linked row) and the
 * applied plans' entries (once per renamed group) inside loops. A trial's 227 k claims: 58 s, 1.4 s hashed. drift now
 * plans its statements with hash joins only; the plans it runs are read here by EXPLAIN on its own transaction.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, drift, type Database, type Queryable } from '../../src/index.js';
import { statementOf, type QueryArgs } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

interface PlanNode {
  'Node Type': string;
  Plans?: PlanNode[];
}

function nodeTypes(n: PlanNode, out: string[] = []): string[] {
  out.push(n['Node Type']);
  for (const k of n.Plans ?? []) nodeTypes(k, out);
  return out;
}

/** `db`, whose drift statements (`WITH r AS …`) are explained on the connection and transaction that runs them. */
function explaining(db: Database, plans: string[][]): Database {
  const wrap = (q: Queryable): Queryable => ({
    query: (async (...args: QueryArgs<unknown>) => {
      const { text, values } = statementOf(...args);
      if (/^WITH r AS \(/.test(text)) {
        const e = await q.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
        plans.push(nodeTypes(e.rows[0]!['QUERY PLAN'][0].Plan));
      }
      return q.query(text, values);
    }) as Queryable['query'],
  });
  return { ...db, ...wrap(db), transaction: (fn) => db.transaction((tx) => fn(wrap(tx))) } as Database;
}

describeEach('drift over stale statistics', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('nests no loop over the masters or the plan entries', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers SELECT g, 1 + g % 2, 'Customer ' || g || ' Trading Ltd' FROM generate_series(1, 200) g;
      INSERT INTO orders SELECT g, 1 + (g % 200) % 2, CASE WHEN g % 3 = 0 THEN 'CUSTOMER ' || g % 200 || ' TRADING LTD'
                                                           ELSE 'Customer ' || g % 200 || ' Trading Ltd' END, NULL
        FROM generate_series(1, 6000) g;
      ANALYZE customers; ANALYZE orders;`);
    const config = ordersConfig({ match: 'fuzzy' });
    const a = await apply(t.db, { config, allTenants: true });
    expect(a.totalUpdated).toBe(5970);
    await t.db.exec(`UPDATE customers SET customer_name = 'Renamed ' || id WHERE id % 10 = 0`);
    const plans: string[][] = [];
    const d = await drift(explaining(t.db, plans), { config, allTenants: true });
    // every row of a renamed customer (ids 10, 20, … 190; customer 0's orders name none) drifted, counted right
    const expected = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE customer_id % 10 = 0`);
    expect(d.links[0]!.renamed.rows).toBe(expected.rows[0]!.n);
    expect(expected.rows[0]!.n).toBeGreaterThan(0);
    expect(plans).toHaveLength(1);
    expect(plans[0]).not.toContain('Nested Loop');
  });
});
