/**
 * Hostile input through the library: every bad config, tenant, run id or name must give a
 * BackfillError with a stable code, a one-line message naming the thing, exit code 2 for bad input,
 * and nothing written (every user table and every fk_backfill table hashed before and after).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, AXIS_CONFIG, decide, migrate, plan, status, undo, type ConfigInput } from '../../src/index.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';
import { longName } from '../helpers/random-schema.js';

type Link = ConfigInput['links'][number];
const SO: Link = AXIS_CONFIG.links[0]!;

function withLink(patch: (l: Link) => Link): ConfigInput {
  return { links: [patch(structuredClone(SO))] };
}

/** Count of hostile inputs tried (reported in the closing note). */
const tried = { library: 0 };

describeEach('hostile: library', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db);
    await migrate(t.db);
    await t.db.query(`CREATE VIEW so_view AS SELECT * FROM sales_orders`);
    await t.db.query(`CREATE TABLE int_orders (id serial PRIMARY KEY, tenant_id uuid NOT NULL, customer_name text, customer_id int)`);
    await t.db.query(`INSERT INTO int_orders (tenant_id, customer_name) VALUES ($1, 'ABC Corp')`, [DEMO_TENANT]);
  });
  afterEach(async () => t.dispose());

  it('bad configs, tenants and run ids: clear message, exit 2, nothing written', async () => {
    const before = await snapshot(t.db);
    const T = { tenantId: DEMO_TENANT };
    const cases: [ConfigInput | undefined, Record<string, unknown>, string, RegExp][] = [
      [withLink((l) => ({ ...l, table: 'no_such_table' })), T, 'SCHEMA_MISSING_TABLE', /no_such_table/],
      [withLink((l) => ({ ...l, table: 'sales_orders; DROP TABLE customers; --' })), T, 'SCHEMA_MISSING_TABLE', /DROP TABLE customers/],
      [withLink((l) => ({ ...l, table: '"sales_orders"; DROP TABLE customers; --"' })), T, 'CONFIG_INVALID', /table/],
      [withLink((l) => ({ ...l, table: 'public.sales_orders.x' })), T, 'CONFIG_INVALID', /schema\.table/],
      [withLink((l) => ({ ...l, table: '"sales_orders' })), T, 'CONFIG_INVALID', /unterminated quote/],
      [
        withLink((l) => ({ ...l, table: 'Sales_Orders' })),
        T,
        'SCHEMA_MISSING_TABLE',
        /Sales_Orders does not exist .* \(did you mean "sales_orders"\? names are case-sensitive\)$/,
      ],
      [
        withLink((l) => ({ ...l, target: { ...l.target, table: 'PUBLIC.Customers' } })),
        T,
        'SCHEMA_MISSING_TABLE',
        /^table PUBLIC\.Customers does not exist \(\$\.links\[0\]\.target\.table\) \(did you mean "public\.customers"\? names are case-sensitive\)$/,
      ],
      [withLink((l) => ({ ...l, fk: 'customer_idd' })), T, 'SCHEMA_MISSING_COLUMN', /sales_orders\.customer_idd/],
      [withLink((l) => ({ ...l, fk: 'Customer_ID' })), T, 'SCHEMA_MISSING_COLUMN', /did you mean "customer_id"/],
      [withLink((l) => ({ ...l, fk: 'customer_id = NULL; DROP TABLE customers; --' })), T, 'SCHEMA_MISSING_COLUMN', /DROP TABLE/],
      [withLink((l) => ({ ...l, key: 'ctid' })), T, 'SCHEMA_MISSING_COLUMN', /ctid/],
      [withLink((l) => ({ ...l, name: 'total_amount' })), T, 'SCHEMA_TYPE_MISMATCH', /total_amount must be a text column/],
      [
        withLink((l) => ({ ...l, table: 'int_orders', document: undefined }) as Link),
        T,
        'SCHEMA_TYPE_MISMATCH',
        /int_orders\.customer_id is integer but customers\.id is uuid/,
      ],
      [withLink((l) => ({ ...l, table: 'so_view' })), T, 'SCHEMA_NOT_A_TABLE', /so_view is a view/],
      [withLink((l) => ({ ...l, target: { ...l.target, table: 'so_view' } })), T, 'SCHEMA_NOT_A_TABLE', /so_view is a view/],
      [
        withLink((l) => ({ ...l, target: { ...l.target, active: 'customer_number' } })),
        T,
        'SCHEMA_TYPE_MISMATCH',
        /customers.customer_number must be boolean to serve as the active flag/,
      ],
      [withLink((l) => ({ ...l, scope: ['tenant_id', 'order_number'] })), T, 'SCHEMA_MISSING_COLUMN', /customers\.order_number/],
      [withLink((l) => ({ ...l, fk: 'ü'.repeat(40) })), T, 'CONFIG_INVALID', /63 bytes/],
      [withLink((l) => ({ ...l, entity: 'sales order; --' })), T, 'CONFIG_INVALID', /entity/],
      [withLink((l) => ({ ...l, fk: '' })), T, 'CONFIG_INVALID', /empty/],
      [withLink((l) => ({ ...l, fk: 'a\u0000b' })), T, 'CONFIG_INVALID', /NUL/],
      [{ links: [] }, T, 'CONFIG_INVALID', /at least one link/],
      [undefined, { tenantId: "'; DROP TABLE customers; --" }, 'UNKNOWN_TENANT', /DROP TABLE customers/],
      [undefined, { tenantId: 'not-a-uuid' }, 'UNKNOWN_TENANT', /not-a-uuid/],
      [undefined, { tenantId: '00000000-0000-4000-8000-000000000999' }, 'UNKNOWN_TENANT', /not found/],
      [undefined, { tenantId: '%' }, 'UNKNOWN_TENANT', /%/],
      [undefined, {}, 'TENANT_REQUIRED', /--tenant/],
      [undefined, { tenantId: DEMO_TENANT, allTenants: true }, 'USAGE', /not both/],
      [
        undefined,
        { tenantId: DEMO_TENANT, entities: ['sales_order', 'x; DROP TABLE customers'] },
        'UNKNOWN_ENTITY',
        /x; DROP TABLE customers/,
      ],
    ];
    for (const [i, [config, opts, code, names]] of cases.entries()) {
      const o = { ...(config !== undefined ? { config } : {}), ...opts };
      await refused(plan(t.db, o), code, names);
      tried.library++;
      if (i % 3 === 0) {
        // apply goes through the same checks; a third of the cases keep the suite fast
        await refused(apply(t.db, o), code, names);
        tried.library++;
      }
    }
    // a malformed id is bad input (USAGE, naming it), a well-formed one no run has is RUN_NOT_FOUND
    for (const id of ['1; DROP TABLE customers', '99999999999999999999', '-1', '', '$1', '424242']) {
      const [code, names] = id === '424242' ? ['RUN_NOT_FOUND', /run/] : ['USAGE', /must be a run id/];
      await refused(undo(t.db, { runId: id }), code, names);
      await refused(apply(t.db, { planRunId: id }), code, names);
      tried.library += 2;
    }
    expect(await snapshot(t.db)).toEqual(before);
    // the canary: customers still there, every identifier was quoted
    expect((await t.db.query(`SELECT count(*)::int AS n FROM customers`)).rows[0]).toEqual({ n: expect.any(Number) });
  });

  it('run ids of the wrong kind and stale plans are refused without writing', async () => {
    const p = await plan(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
    const before = await snapshot(t.db);
    await refused(undo(t.db, { runId: p.runId }), 'RUN_STATE', new RegExp(`run ${p.runId} is a plan run`), 2);
    const other = withLink((l) => ({ ...l, match: 'fuzzy' }));
    // a stale plan is input the user must redo (plan again), refused before anything is written: exit 2, like a wrong run id
    await refused(apply(t.db, { config: other, tenantId: DEMO_TENANT, planRunId: p.runId }), 'PLAN_STALE', /another config.*plan again/, 2);
    tried.library += 2;
    expect(await snapshot(t.db)).toEqual(before);
    // a plan whose entries were edited after it was made (its content hash no longer matches): the same
    await t.db.query(`UPDATE fk_backfill.plan_entries SET method = 'edited' WHERE run_id = $1::int8 AND outcome = 'linked'`, [p.runId]);
    const edited = await snapshot(t.db);
    await refused(apply(t.db, { planRunId: p.runId }), 'PLAN_STALE', /modified after it was made.*plan again/, 2);
    tried.library++;
    expect(await snapshot(t.db)).toEqual(edited);
  });

  it('a decision on a 3 500-character name is recorded and honoured (regression: btree limit on decisions)', async () => {
    const name = longName(3, 3500);
    await t.db.query(`INSERT INTO customers (tenant_id, customer_number, customer_name) VALUES ($1, 'L-1', $2)`, [DEMO_TENANT, name]);
    await t.db.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, 'L-SO-1', $2)`, [DEMO_TENANT, name]);
    const d = await decide(t.db, { link: 'sales_order', scopeKey: [DEMO_TENANT], name, action: 'never', by: 'test' });
    expect(d.changed).toBe(true);
    const p = await plan(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
    const u = p.results[0]!.unmatchedRecords.find((r) => r.documentNumber === 'L-SO-1');
    expect(u?.reason).toMatch(/never/);
  });

  it('hostile names are data, never SQL or patterns: exact links only the identical name', async () => {
    // a 3500-character name: btree entries are limited to ~2.7 kB (regression: plan_entries index on the raw name)
    const long = longName(7, 3500);
    const hostile = [
      "'; DROP TABLE customers; --",
      '\\',
      '%',
      '_',
      '$1',
      '%%',
      'a_c',
      "O''Brien",
      '\\x41',
      'ABC Corp ',
      '',
      long,
      long.slice(0, -1),
    ];
    const masters = ["'; DROP TABLE customers; --", '\\', '%', '$1', 'abc', 'ABC Corp', "O''Brien", '', long];
    for (const [i, m] of masters.entries()) {
      await t.db.query(`INSERT INTO customers (tenant_id, customer_number, customer_name) VALUES ($1, $2, $3)`, [DEMO_TENANT, `H-${i}`, m]);
    }
    for (const [i, n] of hostile.entries()) {
      await t.db.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, $2, $3)`, [
        DEMO_TENANT,
        `H-SO-${i}`,
        n,
      ]);
    }
    tried.library += hostile.length;
    for (const match of ['exact', 'normalized', 'fuzzy'] as const) {
      const config = withLink((l) => ({ ...l, match }));
      const a = await apply(t.db, { config, tenantId: DEMO_TENANT });
      const linked = await t.db.query<{ doc: string; name: string; master: string }>(
        `SELECT o.order_number AS doc, o.customer_name AS name, c.customer_name AS master
           FROM sales_orders o JOIN customers c ON c.id = o.customer_id WHERE o.order_number LIKE 'H-SO-%' ORDER BY 1`,
      );
      for (const r of linked.rows) {
        if (match === 'exact') expect(r.master, `exact linked ${JSON.stringify(r.name)}`).toBe(r.name);
        // '%' and '_' are never wildcards; punctuation-only names never match a different punctuation-only name
        if (/^[%_\\$']*$/.test(r.name) || /^[%_\\$']*$/.test(r.master))
          expect(r.master, `${match} linked ${JSON.stringify(r.name)} to ${JSON.stringify(r.master)}`).toBe(r.name);
      }
      if (match === 'exact') {
        // ('' = '' is linked today, like the seed; whether an empty name should count as no name is left open)
        expect(
          linked.rows
            .map((r) => r.name)
            .filter((n) => n !== '')
            .sort(),
        ).toEqual(["'; DROP TABLE customers; --", '$1', '%', '\\', "O''Brien", long].sort());
      }
      await undo(t.db, { runId: a.runId });
    }
    expect((await status(t.db, { tenantId: DEMO_TENANT })).links).toHaveLength(4);
  });
});
