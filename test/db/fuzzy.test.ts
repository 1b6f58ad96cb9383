import { afterEach, beforeEach, expect, it } from 'vitest';
import { AXIS_CONFIG } from '../../src/config/index.js';
import { createAxis, DEMO_TENANT, SEED_DATA, type AxisData } from '../../src/demo/axis.js';
import { apply, plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

/** The seed's own "future work" list as data: variants the exact match leaves behind. */
const VARIANTS: AxisData = {
  customers: [...SEED_DATA.customers, { number: 'CUST-006', name: 'John Smith' }, { number: 'CUST-007', name: 'Müller GmbH' }],
  vendors: SEED_DATA.vendors,
  documents: [
    ...SEED_DATA.documents,
    { table: 'sales_orders', number: 'SO-V-1', name: 'ABC Corporation', amount: 1 },
    { table: 'sales_orders', number: 'SO-V-2', name: 'abc corp.', amount: 1 },
    { table: 'sales_orders', number: 'SO-V-3', name: 'Acme Corp', amount: 1 },
    { table: 'sales_orders', number: 'SO-V-4', name: 'Smith, John', amount: 1 },
    { table: 'sales_orders', number: 'SO-V-5', name: 'Mueller GmbH', amount: 1 },
    { table: 'sales_orders', number: 'SO-V-6', name: 'Completely Different Holdings', amount: 1 },
  ],
};

function configWith(match: 'exact' | 'normalized' | 'fuzzy') {
  return { links: AXIS_CONFIG.links.map((l) => ({ ...l, match })) };
}

describeEach('matching strategies in the pipeline', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db, VARIANTS);
  });
  afterEach(async () => t.dispose());

  it('exact links only the seed names; fuzzy links the variants to the right master, per distinct name', async () => {
    const exact = await plan(t.db, { tenantId: DEMO_TENANT, config: configWith('exact'), entities: ['sales_order'] });
    expect(exact.results[0]!.recordsMatched).toBe(2);
    const fuzzy = await plan(t.db, { tenantId: DEMO_TENANT, config: configWith('fuzzy'), entities: ['sales_order'] });
    const r = fuzzy.results[0]!;
    expect(r.strategy).toBe('fuzzy');
    expect(r.recordsMatched).toBeGreaterThanOrEqual(6);
    expect(r.unmatchedRecords.map((u) => u.documentNumber)).toContain('SO-V-6');
    const a = await apply(t.db, { tenantId: DEMO_TENANT, planRunId: fuzzy.runId, config: configWith('fuzzy'), entities: ['sales_order'] });
    expect(a.totalUpdated).toBe(r.recordsMatched);
    const linked = await t.db.query<{ order_number: string; customer_name: string }>(
      `SELECT o.order_number, c.customer_name FROM sales_orders o JOIN customers c ON c.id = o.customer_id WHERE o.order_number LIKE 'SO-V-%' ORDER BY 1`,
    );
    const expected: Record<string, string> = {
      'SO-V-1': 'ABC Corp',
      'SO-V-2': 'ABC Corp',
      'SO-V-3': 'Acme Corporation',
      'SO-V-4': 'John Smith',
      'SO-V-5': 'Müller GmbH',
    };
    for (const row of linked.rows) expect(row.customer_name).toBe(expected[row.order_number]);
    const methods = await t.db.query<{ method: string }>(
      `SELECT DISTINCT method FROM fk_backfill.changes WHERE run_id = $1::int8 ORDER BY 1`,
      [a.runId],
    );
    expect(methods.rows.map((m) => m.method)).toContain('exact');
    // every link not made by exact equality is listed with its master, method, score and signals
    const inferred = new Map(r.inferredLinks.map((l) => [l.name, l]));
    expect(inferred.get('ABC Corporation')).toMatchObject({ targetName: 'ABC Corp', rows: 1 });
    expect(inferred.has('ABC Corp')).toBe(false);
    for (const l of r.inferredLinks) {
      expect(l.method).not.toBe('exact');
      expect(l.signals).not.toBeNull();
    }
    // the estimate from already-linked rows is reported
    expect(r.accuracy).toMatchObject({ samples: 1 });
  });

  it('normalized links case and punctuation variants but not typos', async () => {
    const p = await plan(t.db, { tenantId: DEMO_TENANT, config: configWith('normalized'), entities: ['sales_order'] });
    const notLinked = p.results[0]!.unmatchedRecords.map((u) => u.documentNumber);
    expect(notLinked).not.toContain('SO-V-1');
    expect(notLinked).not.toContain('SO-V-2');
    expect(notLinked).toContain('SO-V-6');
  });
});
