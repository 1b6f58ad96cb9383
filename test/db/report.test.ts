import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan, undo } from '../../src/index.js';
import { createAxis } from '../../src/demo/axis.js';
import { report } from '../../src/pipeline/report.js';
import { DEMO_TENANT, FUZZY_CONFIG, FUZZY_DEMO, XSS_MASTER } from '../e2e/fixtures.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

describeEach('report', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db, FUZZY_DEMO);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('plan report in json, csv, text and standalone html (escaped names, histogram with thresholds)', async () => {
    const p = await plan(t.db, { tenantId: DEMO_TENANT, config: FUZZY_CONFIG });
    const json = await report(t.db, { runId: p.runId, format: 'json' });
    const so = json.report.links.find((l) => l.entityType === 'sales_order')!;
    expect(so).toMatchObject({ strategy: 'fuzzy', autoLinkAt: 0.9, reviewAt: 0.6, totalRecords: 11, recordsWithNullFK: 10, recordsMatched: 4, recordsReview: 4, recordsUnmatched: 2, matchRate: '40.0%', recordsUpdated: null });
    // every scored name is in one bin; names with a score in [0.6, 0.65) are review
    const binned = so.histogram.reduce((a, b) => a + Object.values(b.names).reduce((x, n) => x + n, 0), 0);
    const scored = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.plan_entries WHERE run_id = $1 AND link = 'sales_order' AND score IS NOT NULL`, [p.runId])).rows[0]!.n;
    expect(binned).toBe(scored);
    expect(so.histogram[12]!.names['review']).toBe(2); // Tst Customer 0.603, Beta Industry 0.614
    expect(JSON.parse(json.content).runId).toBe(p.runId);
    expect(json.report.entries.map((e) => e.name)).toContain('Tst Customer');
    expect(json.report.entries[0]!.rows).toBe(2);

    const csv = await report(t.db, { runId: p.runId, format: 'csv' });
    const rows = parse(csv.content, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(json.report.entries.length);
    expect(rows.find((r) => r['name'] === 'XYZ Suppl')).toMatchObject({ link: 'purchase_order', outcome: 'review', candidate_1_name: 'XYZ Supplies' });

    const text = await report(t.db, { runId: p.runId, format: 'text' });
    expect(text.content).toMatch(/Entity Type\s+\| Total \| NULL FK \| Matched/);
    expect(text.content).toMatch(/sales_order\s+\|\s+11 \|\s+10 \|\s+4 \|/);

    const html = (await report(t.db, { runId: p.runId, format: 'html' })).content;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|\bsrc=["']?http|href=["']?http|@import|url\(/i);
    expect(html).not.toContain(XSS_MASTER);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect((html.match(/<svg /g) ?? []).length).toBe(4);
    expect(html).toContain('autoLinkAt 0.9');
    expect(html).toContain('reviewAt 0.6');
    expect(html).toMatch(/<div style="width:40\.0%">/);
  });

  it('apply report shows rows updated; other runs are refused', async () => {
    const a = await apply(t.db, { tenantId: DEMO_TENANT });
    const r = await report(t.db, { runId: a.runId, format: 'json' });
    expect(r.report.kind).toBe('apply');
    expect(r.report.planRunId).toBe(a.planRunId);
    expect(r.report.links.map((l) => [l.entityType, l.recordsUpdated, l.populationAfter])).toEqual([
      ['sales_order', 2, '27.3%'],
      ['sales_invoice', 2, '66.7%'],
      ['purchase_order', 2, '75.0%'],
      ['purchase_bill', 1, '100.0%'],
    ]);
    const u = await undo(t.db, { runId: a.runId });
    await expect(report(t.db, { runId: u.runId, format: 'json' })).rejects.toMatchObject({ code: 'RUN_STATE' });
    await expect(report(t.db, { runId: '999999', format: 'json' })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await expect(report(t.db, { runId: a.runId, format: 'pdf' as never })).rejects.toMatchObject({ code: 'USAGE' });
  });
});
