import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan, type ProgressEvent, resumeApply, resumeUndo, undo } from '../../src/index.js';
import { getRun } from '../../src/store/runs.js';
import { AXIS_CONFIG } from '../../src/config/defaults.js';
import { batchSettings } from '../../src/batch/batch.js';
import { openDatabase } from '../../src/db/index.js';
import { applyBatchStatement, applyMapStatements } from '../../src/sql/apply.js';
import { applyBoundStatement } from '../../src/sql/walk.js';
import { prepare, shape } from '../../src/context/context.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { applyText } from '../../src/cli/format.js';
import { createBatchFixture, DEMO_TENANT, expectedLinkHash, linkHash, OTHER_TENANT, tableHash } from './apply-fixture.js';

const N = 2000;
const ENTITIES = ['sales_order', 'purchase_order'];

describeEach('batched apply', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, N);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('links exactly what one transaction would, in many batches, one change row per changed row; other tenant untouched', async () => {
    const otherBefore = await tableHash(t.db, 'sales_orders', `t.tenant_id = '${OTHER_TENANT}'`);
    const otherPoBefore = await tableHash(t.db, 'purchase_orders', `t.tenant_id = '${OTHER_TENANT}'`);
    const events: ProgressEvent[] = [];
    const a = await apply(t.db, { tenantId: DEMO_TENANT, entities: ENTITIES, batchSize: 150, onProgress: (e) => events.push(e) });
    expect(a).toMatchObject({ mode: 'batched', status: 'done' });
    expect(a.planHash).toMatch(/^[0-9a-f]{32}$/);
    // 1000 demo rows: 50 already linked, 4/44 of the rest unmatched
    const so = a.results.find((r) => r.entityType === 'sales_order')!;
    expect(so.updated).toBeGreaterThan(800);
    expect(so).toMatchObject({ skipped: 0, complete: true, planned: so.updated });
    expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
      await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', DEMO_TENANT),
    );
    expect(await linkHash(t.db, 'purchase_orders', 'vendor_id')).toBe(
      await expectedLinkHash(t.db, 'purchase_orders', 'vendor_id', 'vendors', 'vendor_name', DEMO_TENANT),
    );
    expect(await tableHash(t.db, 'sales_orders', `t.tenant_id = '${OTHER_TENANT}'`)).toBe(otherBefore);
    expect(await tableHash(t.db, 'purchase_orders', `t.tenant_id = '${OTHER_TENANT}'`)).toBe(otherPoBefore);
    const log = await t.db.query<{ n: number; keys: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (link, row_key))::int AS keys FROM fk_backfill.changes WHERE run_id = $1::int8`,
      [a.runId],
    );
    expect(log.rows[0]).toEqual({ n: a.totalUpdated, keys: a.totalUpdated });
    const batches = events.filter((e) => e.event === 'batch');
    expect(batches.length).toBeGreaterThanOrEqual(Math.floor(1500 / 150));
    expect(events.filter((e) => e.event === 'start').map((e) => e.link)).toEqual(ENTITIES);
    expect(events.filter((e) => e.event === 'end').every((e) => e.event === 'end' && e.status === 'done')).toBe(true);
    const run = await getRun(t.db, a.runId);
    expect(run.status).toBe('done');
    // a small run (its WAL fits in max_wal_size / 2, its table in the cache): walked by key
    expect(a.results.map((r) => r.walk)).toEqual(['key', 'key']);
    expect((run.checkpoint as { links: Record<string, { done: boolean }> }).links['sales_order']!.done).toBe(true);
  });

  it('a stopped run counts the planned rows it did not reach as not yet processed, apart from skipped (text, result, run summary)', async () => {
    const ac = new AbortController();
    let seen = 0;
    const a = await apply(t.db, {
      tenantId: DEMO_TENANT,
      entities: ENTITIES,
      batchSize: 100,
      walk: 'key',
      signal: ac.signal,
      onProgress: (e) => {
        if (e.event === 'batch' && ++seen === 2) ac.abort();
      },
    });
    expect(a.status).toBe('stopped');
    const [so, po] = a.results as [(typeof a.results)[0], (typeof a.results)[0]];
    expect(so.planned).toBeGreaterThan(so.updated);
    expect(so).toMatchObject({ complete: false, skipped: 0, notYetProcessed: so.planned - so.updated });
    expect(po).toMatchObject({ complete: false, updated: 0, skipped: 0, notYetProcessed: po.planned });
    expect(a.totalNotYetProcessed).toBe(so.planned - so.updated + po.planned);
    const text = applyText(a);
    expect(text).toContain(`stopped: ${a.totalNotYetProcessed} planned row(s) not yet processed`);
    expect(text).toMatch(/Skipped \| Not yet processed/);
    expect((await getRun(t.db, a.runId)).summary).toMatchObject({
      totalNotYetProcessed: a.totalNotYetProcessed,
      results: [{ notYetProcessed: so.notYetProcessed }, { notYetProcessed: po.planned }],
    });
    // the printer checks the counts it prints: a result that does not add up is refused, not shown
    expect(() => applyText({ ...a, results: [{ ...so, notYetProcessed: 0 }] })).toThrow(/counts do not add up/);
    const done = await resumeApply(t.db, { runId: a.runId });
    expect(done.status).toBe('done');
    expect(done.totalNotYetProcessed).toBeUndefined();
    expect(done.results.every((r) => r.notYetProcessed === undefined && r.updated === r.planned)).toBe(true);
  });

  for (const walk of ['ctid', 'key'] as const) {
    it(`${walk} walk stopped between batches, table rewritten (CLUSTER), resumed: same end state as one uninterrupted run; batched undo is exact`, async () => {
      const before = await tableHash(t.db, 'sales_orders');
      const poBefore = await tableHash(t.db, 'purchase_orders');
      const ac = new AbortController();
      let seen = 0;
      const a = await apply(t.db, {
        allTenants: true,
        entities: ENTITIES,
        batchSize: 100,
        walk,
        signal: ac.signal,
        onProgress: (e) => {
          if (e.event === 'batch' && ++seen === 4) ac.abort();
        },
      });
      expect(a.status).toBe('stopped');
      expect(a.results[0]!.complete).toBe(false);
      expect(a.results[1]!.complete).toBe(false);
      const stoppedRun = await getRun(t.db, a.runId);
      expect(stoppedRun.status).toBe('stopped');
      const partial = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.changes WHERE run_id = $1::int8`, [
        a.runId,
      ]);
      expect(partial.rows[0]!.n).toBe(a.totalUpdated);
      expect(a.totalUpdated).toBeGreaterThan(0);

      // every row moves: a ctid walk's checkpoint (a block number) no longer says which rows are done
      await t.db.query('CLUSTER sales_orders USING sales_orders_pkey');
      await t.db.query('CLUSTER purchase_orders USING purchase_orders_pkey');
      const events: ProgressEvent[] = [];
      const r = await resumeApply(t.db, { runId: a.runId, batchSize: 333, onProgress: (e) => events.push(e) });
      expect(r).toMatchObject({ runId: a.runId, status: 'done' });
      const cp = (await getRun(t.db, a.runId)).checkpoint as { links: Record<string, { walk: string; pass?: number }> };
      expect(cp.links['sales_order']!.walk).toBe(walk);
      // the ctid walk's first pass missed rows moved behind it; its catch-up pass linked them
      expect(events.some((e) => e.event === 'start' && e.catchUp === true)).toBe(walk === 'ctid');
      expect(await linkHash(t.db, 'sales_orders', 'customer_id')).toBe(
        await expectedLinkHash(t.db, 'sales_orders', 'customer_id', 'customers', 'customer_name', null),
      );
      expect(await linkHash(t.db, 'purchase_orders', 'vendor_id')).toBe(
        await expectedLinkHash(t.db, 'purchase_orders', 'vendor_id', 'vendors', 'vendor_name', null),
      );
      const log = await t.db.query<{ n: number; keys: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT (link, row_key))::int AS keys FROM fk_backfill.changes WHERE run_id = $1::int8`,
        [a.runId],
      );
      expect(log.rows[0]).toEqual({ n: r.totalUpdated, keys: r.totalUpdated });
      await expect(resumeApply(t.db, { runId: a.runId })).rejects.toMatchObject({ code: 'RUN_STATE' });

      // Batched undo, stopped once and resumed: tables exactly as before the apply (updated_at included).
      const ac2 = new AbortController();
      const u = await undo(t.db, {
        runId: a.runId,
        singleTransaction: false,
        batchSize: 200,
        signal: ac2.signal,
        onProgress: (e) => e.event === 'batch' && ac2.abort(),
      });
      expect(u.status).toBe('stopped');
      const u2 = await resumeUndo(t.db, { runId: u.runId });
      expect(u2).toMatchObject({ status: 'done', totalReverted: r.totalUpdated, totalSkipped: 0 });
      expect(await tableHash(t.db, 'sales_orders')).toBe(before);
      expect(await tableHash(t.db, 'purchase_orders')).toBe(poBefore);
    });
  }

  it('skips rows edited since planning; refuses a plan modified after it was made', async () => {
    const p = await plan(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
    // edited since the plan: one row renamed, one linked by someone else
    const ids = (
      await t.db.query<{ id: string }>(
        `SELECT id::text FROM sales_orders WHERE tenant_id = $1 AND customer_id IS NULL AND customer_name = 'customer 1' ORDER BY id LIMIT 2`,
        [DEMO_TENANT],
      )
    ).rows.map((r) => r.id);
    await t.db.query(`UPDATE sales_orders SET customer_name = 'customer 2' WHERE id = $1`, [ids[0]]);
    const c3 = (
      await t.db.query<{ id: string }>(`SELECT id::text FROM customers WHERE tenant_id = $1 AND customer_name = 'customer 3'`, [
        DEMO_TENANT,
      ])
    ).rows[0]!.id;
    await t.db.query(`UPDATE sales_orders SET customer_id = $2 WHERE id = $1`, [ids[1], c3]);
    const a = await apply(t.db, { planRunId: p.runId, batchSize: 97 });
    expect(a.results[0]).toMatchObject({ skipped: 2, complete: true });
    const rows = await t.db.query<{ id: string; customer_id: string | null }>(
      `SELECT id::text, customer_id::text FROM sales_orders WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [ids],
    );
    expect(Object.fromEntries(rows.rows.map((r) => [r.id, r.customer_id]))).toEqual({ [ids[0]!]: null, [ids[1]!]: c3 });

    const p2 = await plan(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
    await t.db.query(
      `UPDATE fk_backfill.plan_entries SET target_key = (SELECT id::text FROM customers WHERE tenant_id = $2 LIMIT 1) WHERE run_id = $1::int8 AND outcome = 'linked' AND source_name = 'customer 2'`,
      [p2.runId, OTHER_TENANT],
    );
    await expect(apply(t.db, { planRunId: p2.runId })).rejects.toMatchObject({ code: 'PLAN_STALE' });
    // a config given beside the plan without the plan's link (a new user's trial: UNKNOWN_ENTITY "sales_order", a
    // name they never passed)
    const other = { links: [{ ...AXIS_CONFIG.links.find((l) => l.entity === 'purchase_order')! }] };
    await expect(apply(t.db, { planRunId: p2.runId, config: other })).rejects.toMatchObject({
      code: 'PLAN_STALE',
      exitCode: 2,
      message: `plan ${p2.runId} was made with another config (its link sales_order is not in this one): plan again with this config, or apply plan ${p2.runId} with the config it was made with`,
    });
  });

  it('a batch reads its key range through the primary key index (EXPLAIN)', async () => {
    await t.db.query('ANALYZE');
    const ctx = await prepare(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
    const s = shape(ctx.links[0]!);
    const keys = (await t.db.query<{ id: string }>(`SELECT id::text FROM sales_orders ORDER BY id OFFSET 500 LIMIT 2`)).rows.map(
      (r) => r.id,
    );
    const b = applyBoundStatement(s, keys[0]!, 100, ctx.filter);
    const bp = (await t.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${b.text}`, b.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(bp).toMatch(/Index (Only )?Scan using sales_orders_pkey/);
    expect(bp).toMatch(/Index Cond: \(id > /);
    expect(bp).not.toMatch(/Seq Scan on sales_orders/);
    // the apply statement: the same range over the typed lookup table built from a real plan
    const p = await plan(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
    const typed = { ...s, scopeTypes: ctx.links[0]!.scopeTypes };
    for (const m of applyMapStatements(typed, { planRunId: p.runId, linkName: 'sales_order', map: 'fk_backfill.apply_map_test' }))
      await t.db.query(m.text, m.values);
    const bst = applyBatchStatement(
      typed,
      {
        runId: p.runId,
        linkName: 'sales_order',
        tableName: 'sales_orders',
        map: 'fk_backfill.apply_map_test',
        range: { after: keys[0]!, upTo: keys[1]! },
      },
      ctx.filter,
    );
    const bplan = (await t.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${bst.text}`, bst.values)).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(bplan).toMatch(/Index Cond: \(\(id > .*\) AND \(id <= /);
    expect(bplan).not.toMatch(/Seq Scan on sales_orders/);
  });
});

describeEach('batched apply, key types', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
  });
  afterEach(async () => {
    await t.dispose();
  });

  for (const keyType of ['int8', 'text'] as const) {
    it(`${keyType} keys, two scope columns, one company only`, async () => {
      await t.db.query(`CREATE TABLE clients (no serial PRIMARY KEY, company int NOT NULL, branch text NOT NULL, cname text NOT NULL)`);
      await t.db.query(
        `CREATE TABLE docs (k ${keyType} PRIMARY KEY, company int NOT NULL, branch text NOT NULL, client text, client_no int REFERENCES clients (no), updated_at timestamptz NOT NULL DEFAULT '2026-01-01')`,
      );
      await t.db.query(
        `INSERT INTO clients (company, branch, cname) SELECT c, b, 'client ' || i FROM generate_series(1, 2) c, unnest(ARRAY['north', 'south']) b, generate_series(1, 10) i`,
      );
      // text keys sort as text ('k10' < 'k9'): the walk must follow the index order, not numeric order
      await t.db.query(
        `INSERT INTO docs (k, company, branch, client) SELECT ${keyType === 'text' ? `'k' || i` : 'i'}, 1 + i % 2, CASE WHEN i % 3 = 0 THEN 'north' ELSE 'south' END, 'client ' || (i % 12) FROM generate_series(1, 900) i`,
      );
      const config = {
        links: [
          {
            entity: 'doc',
            table: 'docs',
            key: 'k',
            fk: 'client_no',
            name: 'client',
            target: { table: 'clients', key: 'no', name: 'cname' },
            scope: ['company', 'branch'],
          },
        ],
      };
      const other = await t.db.query<{ h: string }>(`SELECT md5(string_agg(d::text, '|' ORDER BY k)) AS h FROM docs d WHERE company = 2`);
      const a = await apply(t.db, { config, tenantId: '1', batchSize: 37 });
      const expected = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM docs d JOIN clients c ON c.company = d.company AND c.branch = d.branch AND c.cname = d.client WHERE d.company = 1`,
      );
      expect(a.totalUpdated).toBe(expected.rows[0]!.n);
      const wrong = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM docs d JOIN clients c ON c.no = d.client_no WHERE c.company <> d.company OR c.branch <> d.branch OR c.cname <> d.client`,
      );
      expect(wrong.rows[0]!.n).toBe(0);
      expect(
        (await t.db.query<{ h: string }>(`SELECT md5(string_agg(d::text, '|' ORDER BY k)) AS h FROM docs d WHERE company = 2`)).rows[0]!.h,
      ).toBe(other.rows[0]!.h);
      const u = await undo(t.db, { runId: a.runId, singleTransaction: false, batchSize: 41 });
      expect(u.totalReverted).toBe(a.totalUpdated);
      expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM docs WHERE client_no IS NOT NULL`)).rows[0]!.n).toBe(0);
    });
  }
});

interface PlanNode {
  'Node Type': string;
  'Parent Relationship'?: string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  'TID Cond'?: string;
  Plans?: PlanNode[];
}

/** Scans of `table` on the inner side of a Nested Loop (run once per outer row). */
function innerScans(node: PlanNode, table: string, inner = false, out: PlanNode[] = []): PlanNode[] {
  if (inner && node['Relation Name'] === table) out.push(node);
  for (const k of node.Plans ?? [])
    innerScans(k, table, inner || (node['Node Type'] === 'Nested Loop' && k['Parent Relationship'] === 'Inner'), out);
  return out;
}

describeEach('batched apply, a narrow batch of a large table', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 40_000);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('never rescans the key range once per row (uuid keys: the histogram cannot estimate a range narrower than a bucket)', async () => {
    await t.db.query('ANALYZE');
    const ctx = await prepare(t.db, { allTenants: true, entities: ['sales_order'] });
    const l = ctx.links[0]!;
    const typed = { ...shape(l), scopeTypes: l.scopeTypes };
    const p = await plan(t.db, { allTenants: true, entities: ['sales_order'] });
    for (const m of applyMapStatements(typed, { planRunId: p.runId, linkName: 'sales_order', map: 'fk_backfill.apply_map_test' }))
      await t.db.query(m.text, m.values);
    // 150 keys of 40 000: well inside one of the 100 histogram buckets
    const keys = (await t.db.query<{ id: string }>(`SELECT id::text FROM sales_orders ORDER BY id OFFSET 20000 LIMIT 151`)).rows.map(
      (r) => r.id,
    );
    const range = { after: keys[0]!, upTo: keys[150]! };
    const st = applyBatchStatement(
      typed,
      { runId: p.runId, linkName: 'sales_order', tableName: 'sales_orders', map: 'fk_backfill.apply_map_test', range },
      ctx.filter,
    );
    // as a batch runs it
    const json = await t.db.transaction(async (tx) => {
      await tx.query(`SELECT ${batchSettings()}`, ['2s', '60s']);
      return (await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${st.text}`, st.values)).rows[0]!['QUERY PLAN'];
    });
    const root = ((typeof json === 'string' ? JSON.parse(json) : json) as { Plan: PlanNode }[])[0]!.Plan;
    // the range is read by the outer side; a read of sales_orders inside a nested loop is a probe by ctid or key
    const probes = innerScans(root, 'sales_orders').map((scan) => `${scan['Node Type']}: ${scan['Index Cond'] ?? scan['TID Cond'] ?? ''}`);
    for (const probe of probes)
      expect(probe).toMatch(/^(Index Scan: .*\((id = x\.fkb_key|x\.fkb_key = id)\)|Tid Scan: \((ctid = x\.fkb_tid|x\.fkb_tid = ctid)\))/);
    const expected = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sales_orders s JOIN customers c ON c.tenant_id = s.tenant_id AND c.customer_name = s.customer_name
        WHERE s.customer_id IS NULL AND s.id > $1::uuid AND s.id <= $2::uuid`,
      [range.after, range.upTo],
    );
    const res = await t.db.query(st.text, st.values);
    expect(Number((res.rows[0] as { changed: string }).changed)).toBe(expected.rows[0]!.n);
  });
});

describeEach('batched apply, choosing the walk', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
  });
  afterEach(async () => {
    await t.dispose();
  });

  const config = {
    links: [
      {
        entity: 'doc',
        table: 'docs',
        key: 'k',
        fk: 'client_no',
        name: 'client',
        target: { table: 'clients', key: 'no', name: 'cname' },
        scope: ['company'],
      },
    ],
  };
  async function schema(docs: string): Promise<void> {
    await t.db.query(`CREATE TABLE clients (no serial PRIMARY KEY, company int NOT NULL, cname text NOT NULL)`);
    await t.db.query(docs);
    await t.db.query(
      `INSERT INTO clients (company, cname) SELECT c, 'client ' || i FROM generate_series(1, 50) c, generate_series(1, 5) i`,
    );
    await t.db.query(`INSERT INTO docs (k, company, client) SELECT i, 1 + i % 50, 'client ' || (i % 6) FROM generate_series(1, 5000) i`);
    await t.db.query('ANALYZE');
  }
  const walkOf = async (runId: string): Promise<string> =>
    ((await getRun(t.db, runId)).checkpoint as { links: Record<string, { walk: string }> }).links['doc']!.walk;
  const expectedLinks = `SELECT count(*)::int AS n FROM docs d JOIN clients c ON c.company = d.company AND c.cname = d.client`;

  it('auto: key for one tenant of fifty on sparse pages; ctid for every tenant once the table is big for the cache; both link the same rows', async () => {
    // fillfactor 10: a few rows per page, so one tenant's rows are far fewer than the table's pages
    await schema(
      `CREATE TABLE docs (k int8 PRIMARY KEY, company int NOT NULL, client text, client_no int REFERENCES clients (no)) WITH (fillfactor = 10)`,
    );
    const one = await apply(t.db, { config, tenantId: '7', batchSize: 40 });
    expect(await walkOf(one.runId)).toBe('key');
    expect(one.results[0]!.walk).toBe('key');
    // a run this small walks by key (see chooseWalk) unless the table is large for the cache: say it is
    let db = t.db;
    if (target === 'pglite') await t.db.query(`SET effective_cache_size = '64kB'`);
    else {
      await t.db.query(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET effective_cache_size = %L', current_database(), '64kB'); END $$`);
      db = await openDatabase(t.url);
    }
    try {
      const all = await apply(db, { config, allTenants: true, batchSize: 400 });
      expect(await walkOf(all.runId)).toBe('ctid');
      expect(one.totalUpdated + all.totalUpdated).toBe((await t.db.query<{ n: number }>(expectedLinks)).rows[0]!.n);
    } finally {
      if (db !== t.db) await db.close();
      else await t.db.query('RESET effective_cache_size'); // the embedded instance is shared between tests
    }
    expect(
      (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM docs d JOIN clients c ON c.no = d.client_no WHERE c.company <> d.company OR c.cname <> d.client`,
        )
      ).rows[0]!.n,
    ).toBe(0);
  });

  for (const behind of ['never analysed', 'FKs cleared since the last ANALYZE'] as const) {
    it(`a source whose statistics are behind it (${behind}) is analysed first: no batch rescans a table once per row`, async () => {
      await t.db.query(`CREATE TABLE clients (no serial PRIMARY KEY, company int NOT NULL, cname text NOT NULL)`);
      await t.db.query(
        `CREATE TABLE docs (k int8 PRIMARY KEY, company int NOT NULL, client text, client_no int REFERENCES clients (no), updated_at timestamptz NOT NULL DEFAULT now())`,
      );
      await t.db.query(
        `INSERT INTO clients (company, cname) SELECT c, 'client ' || i FROM generate_series(1, 50) c, generate_series(1, 200) i`,
      );
      await t.db.query(
        `INSERT INTO docs (k, company, client) SELECT i, 1 + i % 50, 'client ' || (i % 201) FROM generate_series(1, 40000) i`,
      );
      if (behind !== 'never analysed') {
        await t.db.query(`UPDATE docs d SET client_no = c.no FROM clients c WHERE c.company = d.company AND c.cname = d.client`);
        await t.db.query('ANALYZE');
        await t.db.query('UPDATE docs SET client_no = NULL');
      }
      const ac = new AbortController();
      const a = await apply(t.db, {
        config,
        allTenants: true,
        walk: 'key',
        batchSize: 5000,
        signal: ac.signal,
        onProgress: (e) => e.event === 'batch' && ac.abort(),
      });
      expect(a.status).toBe('stopped');
      // the next batch, planned as it would run
      const ctx = await prepare(t.db, { config, allTenants: true });
      const l = ctx.links[0]!;
      const typed = { ...shape(l), scopeTypes: l.scopeTypes };
      for (const m of applyMapStatements(typed, {
        planRunId: (await getRun(t.db, a.runId)).planRunId!,
        linkName: 'doc',
        map: 'fk_backfill.apply_map_test',
      }))
        await t.db.query(m.text, m.values);
      const st = applyBatchStatement(
        typed,
        {
          runId: a.runId,
          linkName: 'doc',
          tableName: 'docs',
          map: 'fk_backfill.apply_map_test',
          range: { after: '5000', upTo: '10000' },
          walk: 'key',
        },
        ctx.filter,
      );
      const json = await t.db.transaction(async (tx) => {
        await tx.query(`SELECT ${batchSettings()}`, ['2s', '60s']);
        return (await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${st.text}`, st.values)).rows[0]!['QUERY PLAN'];
      });
      const root = ((typeof json === 'string' ? JSON.parse(json) : json) as { Plan: PlanNode }[])[0]!.Plan;
      // a read of the source, the entries or the masters inside a nested loop may only be a probe (by ctid or index)
      for (const table of ['docs', 'apply_map_test', 'clients']) {
        for (const scan of innerScans(root, table)) expect(`${table}: ${scan['Node Type']}`).toMatch(/: (Tid Scan|Index (Only )?Scan)$/);
      }
    });
  }

  it('a ctid batch reads its blocks by TID Range Scan (EXPLAIN)', async () => {
    await schema(
      `CREATE TABLE docs (k int8 PRIMARY KEY, company int NOT NULL, client text, client_no int REFERENCES clients (no), updated_at timestamptz NOT NULL DEFAULT now())`,
    );
    const ctx = await prepare(t.db, { config, allTenants: true });
    const l = ctx.links[0]!;
    const typed = { ...shape(l), scopeTypes: l.scopeTypes };
    const p = await plan(t.db, { config, allTenants: true });
    for (const m of applyMapStatements(typed, { planRunId: p.runId, linkName: 'doc', map: 'fk_backfill.apply_map_test' }))
      await t.db.query(m.text, m.values);
    const st = applyBatchStatement(
      typed,
      {
        runId: p.runId,
        linkName: 'doc',
        tableName: 'docs',
        map: 'fk_backfill.apply_map_test',
        range: { after: '3', upTo: '5' },
        walk: 'ctid',
      },
      ctx.filter,
    );
    // under the settings a ctid batch runs with
    const text = await t.db.transaction(async (tx) => {
      await tx.query(`SELECT ${batchSettings()}`, ['2s', '60s']);
      return (await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${st.text}`, st.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    // the blocks are read by TID Range Scan; the UPDATE finds each row read there by its ctid (Tid Scan) or, hashed, by the same range
    expect(text).toMatch(/Tid Range Scan on docs o/);
    expect(text).toMatch(/Tid Scan on docs s|Tid Range Scan on docs s/);
    expect(text).not.toMatch(/Seq Scan on docs/);
    // blocks [3, 5): exactly the rows stored there
    const expected = await t.db.query<{ n: number }>(`${expectedLinks} WHERE d.ctid >= '(3,0)'::tid AND d.ctid < '(5,0)'::tid`);
    // and the planner knows about how many: it estimates the block range from the table's pages (bounds
    // it cannot see, as InitPlans, made it 0.5 % of the table, one row on a small table, and nested loops)
    const estimate = Number(/Tid Range Scan on docs o {2}\(cost=\S+ rows=(\d+)/.exec(text)?.[1]);
    expect(estimate).toBeGreaterThan(expected.rows[0]!.n / 3);
    const res = await t.db.query(st.text, st.values);
    expect(Number((res.rows[0] as { changed: string }).changed)).toBe(expected.rows[0]!.n);
  });

  it('--walk ctid where it cannot work (a partitioned table) is refused before anything is written', async () => {
    await t.db.query(`CREATE TABLE clients (no serial PRIMARY KEY, company int NOT NULL, cname text NOT NULL)`);
    await t.db.query(
      `CREATE TABLE docs (k int8, company int NOT NULL, client text, client_no int REFERENCES clients (no), PRIMARY KEY (k, company)) PARTITION BY LIST (company)`,
    );
    await t.db.query(`CREATE TABLE docs_1 PARTITION OF docs FOR VALUES IN (1)`);
    await t.db.query(`INSERT INTO clients (company, cname) VALUES (1, 'client 1')`);
    await t.db.query(`INSERT INTO docs (k, company, client) SELECT i, 1, 'client 1' FROM generate_series(1, 50) i`);
    // its primary key is (k, company): k alone may repeat across partitions, so the row identity is both
    const keyed = { links: [{ ...config.links[0]!, key: ['k', 'company'] }] };
    await expect(apply(t.db, { config: keyed, allTenants: true, walk: 'ctid' })).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/partitioned/),
    });
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`)).rows[0]!.n).toBe(0);
    // auto walks it by key
    const a = await apply(t.db, { config: keyed, allTenants: true });
    expect(a.totalUpdated).toBe(50);
    expect(await walkOf(a.runId)).toBe('key');
  });
});
