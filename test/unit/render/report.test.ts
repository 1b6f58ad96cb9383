/**
 * The names a report lists as not linked carry their scope (tenant) when the report covers all tenants: a trial's
 * all-tenant report listed "Acme" twice, neither line saying whose it was. A one-tenant report keeps the columns it had.
 */
import { describe, expect, it } from 'vitest';
import type { ReportEntry, RunReport } from '../../../src/report/report.js';
import { reportHtml, reportText } from '../../../src/render/report.js';

const entry = (tenant: string): ReportEntry => ({
  link: 'sales_order',
  scopeKey: [tenant],
  name: 'Acme',
  outcome: 'unmatched',
  rows: 2,
  score: null,
  reason: 'no candidate',
  candidates: [],
});

const report = (tenantId: string | null, entries: ReportEntry[]): RunReport => ({
  runId: '7',
  kind: 'plan',
  planRunId: '7',
  tenantId,
  executedBy: 'me',
  startedAt: '2026-12-05',
  status: 'done',
  undoneBy: null,
  links: [],
  entries,
  entriesTruncated: false,
  entriesTotal: { names: entries.length, rows: 2 * entries.length },
});

describe('report: names not linked', () => {
  it('an all-tenant report shows each name with its tenant, text and HTML', () => {
    const r = report(null, [entry('t-one'), entry('t-two')]);
    const text = reportText(r);
    expect(text).toMatch(/Entity Type +\| Scope +\| Name/);
    expect(text).toMatch(/sales_order +\| t-one +\| "Acme"/);
    expect(text).toMatch(/sales_order +\| t-two +\| "Acme"/);
    // why each is not linked, as plan says it (a person's "never" beside an exact namesake read as a miss otherwise)
    expect(text).toMatch(/\| Best candidate \| Why\n/);
    expect(text).toMatch(/sales_order +\| t-one +\| "Acme" +\| unmatched +\| +2 \| +\| +\| no candidate/);
    const html = reportHtml(r);
    expect(html).toContain('<th>Entity</th><th>Scope</th><th>Name</th>');
    expect(html).toContain('<td>sales_order</td><td>t-two</td><td>Acme</td>');
  });

  it('a one-tenant report (or names without a scope) has no scope column', () => {
    for (const r of [report('t-one', [entry('t-one')]), report(null, [{ ...entry('x'), scopeKey: [] }])]) {
      expect(reportText(r)).not.toContain('Scope');
      expect(reportHtml(r)).toContain('<th>Entity</th><th>Name</th>');
    }
  });
});
