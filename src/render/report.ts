/**
 * A report rendered in a format: a standalone HTML file (inline CSS and SVG, no external assets), JSON,
 * CSV, and the seed's per-entity tables as text (the data: src/report/report.ts).
 */
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { BackfillError } from '../errors.js';
import { skipReasonsText } from '../apply/skips.js';
import { REPORT_FORMATS, runReport, type ReportFormat, type ReportLink, type RunReport } from '../report/report.js';
import { escapeHtml } from './html.js';
import { quotedName, table } from './table.js';

/** Renders a report in a format: a complete file's content. */
export async function report(
  handle: unknown,
  opts: { runId: string; format: ReportFormat; maxEntries?: number },
): Promise<{ format: ReportFormat; content: string; report: RunReport }> {
  if (!REPORT_FORMATS.includes(opts.format))
    throw new BackfillError('USAGE', `unknown format "${opts.format}"; use ${REPORT_FORMATS.join(', ')}`);
  const r = await runReport(handle, opts);
  const content =
    opts.format === 'json'
      ? JSON.stringify(r, null, 2) + '\n'
      : opts.format === 'csv'
        ? reportCsv(r)
        : opts.format === 'html'
          ? reportHtml(r)
          : reportText(r);
  return { format: opts.format, content, report: r };
}

export function reportCsv(r: RunReport): string {
  const header = [
    'link',
    'scope',
    'name',
    'outcome',
    'rows',
    'score',
    'reason',
    'candidate_1_key',
    'candidate_1_name',
    'candidate_1_score',
    'candidate_2_key',
    'candidate_2_name',
    'candidate_2_score',
    'candidate_3_key',
    'candidate_3_name',
    'candidate_3_score',
  ];
  const rows = r.entries.map((e) => [
    e.link,
    JSON.stringify(e.scopeKey),
    e.name ?? '',
    e.outcome,
    e.rows,
    e.score ?? '',
    e.reason ?? '',
    ...[0, 1, 2].flatMap((i) => {
      const c = e.candidates[i];
      return c === undefined ? ['', '', ''] : [c.key, c.name, c.score ?? ''];
    }),
  ]);
  return stringifyCsv([header, ...rows]);
}

/** The seed's per-entity tables. */
export function reportText(r: RunReport): string {
  const out = [
    `Report of ${r.kind} run ${r.runId}${r.kind === 'apply' ? ` (plan ${r.planRunId})` : ''}, ${r.tenantId === null ? 'all tenants' : `tenant ${r.tenantId}`}, ${r.startedAt}`,
    ...(r.undoneBy !== null
      ? [`Undone by run ${r.undoneBy}: the rows below were set back since ("Populated after" is as the run left them).`]
      : []),
    '',
    table(
      ['Entity Type', 'Total', 'NULL FK', 'Matched', 'Review', 'Ambiguous', 'Unmatched', 'Updated', 'Match Rate', 'Populated after'],
      r.links.map((l) => [
        l.entityType,
        l.totalRecords,
        l.recordsWithNullFK,
        l.recordsMatched,
        l.recordsReview,
        l.recordsAmbiguous,
        l.recordsUnmatched,
        l.recordsUpdated ?? '-',
        l.matchRate,
        l.populationAfter,
      ]),
    ),
  ];
  for (const l of r.links)
    if (l.skipReasons !== null) out.push(`${l.entityType}: planned but not updated: ${skipReasonsText(l.skipReasons)}`);
  if (r.entries.length > 0) {
    out.push('', `Not linked: ${leftText(r)}:`);
    const scoped = byScope(r);
    out.push(
      table(
        // the reason, as plan prints it and the CSV and HTML carry it: an "unmatched" beside an active namesake at 1.000 is
        // a person's "never" (a trial read it as the matcher missing an exact name)
        ['Entity Type', ...(scoped ? ['Scope'] : []), 'Name', 'Outcome', 'Rows', 'Score', 'Best candidate', 'Why'],
        r.entries.map((e) => [
          e.link,
          ...(scoped ? [scopeText(e.scopeKey)] : []),
          e.name === null ? '(no name)' : quotedName(e.name),
          e.outcome,
          e.rows,
          e.score === null ? '' : e.score.toFixed(3),
          e.candidates[0] === undefined
            ? ''
            : `${e.candidates[0].name}${e.candidates[0].active === false ? ' (inactive)' : ''} (${e.candidates[0].score?.toFixed(3) ?? ''})`,
          e.reason ?? '',
        ]),
      ),
    );
  }
  return out.join('\n') + '\n';
}

const COLORS: Record<string, string> = { linked: '#2e7d32', review: '#c98a00', ambiguous: '#c62828', unmatched: '#8a8f98' };

function histogramSvg(l: ReportLink): string {
  const W = 520;
  const H = 180;
  const left = 36;
  const bottom = 24;
  const top = 14;
  const plotW = W - left - 10;
  const plotH = H - bottom - top;
  const max = Math.max(1, ...l.histogram.map((b) => Object.values(b.names).reduce((a, n) => a + n, 0)));
  const bw = plotW / l.histogram.length;
  const parts: string[] = [];
  l.histogram.forEach((b, i) => {
    let y = top + plotH;
    for (const o of ['linked', 'review', 'ambiguous', 'unmatched']) {
      const n = b.names[o] ?? 0;
      if (n === 0) continue;
      const h = (n / max) * plotH;
      y -= h;
      parts.push(
        `<rect x="${(left + i * bw + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[o]}"><title>${b.from.toFixed(2)}–${b.to.toFixed(2)}: ${n} ${o} name(s)</title></rect>`,
      );
    }
  });
  const x = (s: number): string => (left + s * plotW).toFixed(1);
  const line = (s: number, label: string, color: string, dy: number): string =>
    `<line x1="${x(s)}" x2="${x(s)}" y1="${top - 4}" y2="${top + plotH}" stroke="${color}" stroke-width="2" stroke-dasharray="4 3"/><text x="${x(s)}" y="${top - 4 + dy}" font-size="10" text-anchor="${s > 0.8 ? 'end' : 'start'}" fill="${color}">${escapeHtml(label)}</text>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((s) => `<text x="${x(s)}" y="${H - 6}" font-size="10" text-anchor="middle">${s}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="score histogram of ${escapeHtml(l.entityType)}">
<line x1="${left}" x2="${W - 10}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>
<text x="4" y="${top + 8}" font-size="10">${max}</text><text x="4" y="${top + plotH}" font-size="10">0</text>
${parts.join('\n')}
${line(l.reviewAt, `reviewAt ${l.reviewAt}`, '#c98a00', 0)}
${line(l.autoLinkAt, `autoLinkAt ${l.autoLinkAt}`, '#2e7d32', 10)}
${ticks}
</svg>`;
}

/**
 * Whether the list of names left needs its scope (tenant) column: a report of all tenants where some name has one
 * (a trial: the same name of two tenants showed as two identical lines, neither saying whose it was).
 */
function byScope(r: RunReport): boolean {
  return r.tenantId === null && r.entries.some((e) => e.scopeKey.length > 0);
}

const scopeText = (k: readonly (string | null)[]): string => k.map((v) => v ?? '(none)').join(' / ');

/** "12 names (40 rows)", or "the 1000 with most rows of 5230 names (20 431 rows)" when the list is cut. */
function leftText(r: RunReport): string {
  const t = r.entriesTotal;
  const all = `${t.names} name${t.names === 1 ? '' : 's'} (${t.rows} row${t.rows === 1 ? '' : 's'})`;
  return r.entriesTruncated ? `the ${r.entries.length} with most rows of ${all}` : all;
}

/** A standalone HTML file: inline CSS, inline SVG, no scripts, no external assets. */
export function reportHtml(r: RunReport): string {
  const e = escapeHtml;
  const rate = (l: ReportLink): number => (l.recordsWithNullFK === 0 ? 1 : l.recordsMatched / l.recordsWithNullFK);
  const bars = r.links
    .map(
      (
        l,
      ) => `<tr><td>${e(l.entityType)}</td><td>${e(l.table)}</td><td class="n">${l.totalRecords}</td><td class="n">${l.recordsWithNullFK}</td><td class="n">${l.recordsMatched}</td>
<td class="n">${l.recordsReview}</td><td class="n">${l.recordsAmbiguous}</td><td class="n">${l.recordsUnmatched}</td><td class="n">${l.recordsUpdated ?? '–'}</td>
<td><div class="bar"><div style="width:${(rate(l) * 100).toFixed(1)}%"></div></div></td><td class="n">${e(l.matchRate)}</td><td class="n">${e(l.populationAfter)}</td></tr>`,
    )
    .join('\n');
  const skips = r.links
    .filter((l) => l.skipReasons !== null)
    .map((l) => `<li>${e(l.entityType)}: planned but not updated: ${l.skipReasons === null ? '' : e(skipReasonsText(l.skipReasons))}</li>`)
    .join('\n');
  const hists = r.links
    .filter((l) => l.histogram.some((b) => Object.keys(b.names).length > 0))
    .map((l) => `<figure><figcaption>${e(l.entityType)} (${e(l.strategy)})</figcaption>${histogramSvg(l)}</figure>`)
    .join('\n');
  const scoped = byScope(r);
  const list = r.entries
    .map(
      (
        x,
      ) => `<tr><td>${e(x.link)}</td>${scoped ? `<td>${e(scopeText(x.scopeKey))}</td>` : ''}<td>${x.name === null ? '<i>(no name)</i>' : e(x.name)}</td><td><span class="tag ${e(x.outcome)}">${e(x.outcome)}</span></td><td class="n">${x.rows}</td>
<td class="n">${x.score === null ? '' : x.score.toFixed(3)}</td><td>${x.candidates.map((c) => `${e(c.name)}${c.active === false ? ' (inactive)' : ''}${c.score === null ? '' : ` (${c.score.toFixed(3)})`}`).join('<br>')}</td><td>${e(x.reason ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fk-backfill report — run ${e(r.runId)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse}td,th{border-bottom:1px solid #dde;padding:4px 8px;text-align:left;vertical-align:top}td.n{text-align:right}
.bar{width:160px;height:12px;background:#e6e8ee;border-radius:6px;overflow:hidden}.bar>div{height:100%;background:#2e7d32}
figure{display:inline-block;margin:0 16px 16px 0}figcaption{font-weight:600}.tag{padding:1px 6px;border-radius:8px;font-size:12px}
.tag.review{background:#fff4d6}.tag.ambiguous{background:#ffe2e0}.tag.unmatched{background:#e8e8e8}.legend span{margin-right:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
</style></head><body>
<h1>fk-backfill report — ${e(r.kind)} run ${e(r.runId)}${r.kind === 'apply' ? ` (plan ${e(r.planRunId)})` : ''}</h1>
<p>${r.tenantId === null ? 'All tenants' : `Tenant ${e(r.tenantId)}`} · started ${e(r.startedAt)} · by ${e(r.executedBy ?? '?')} · ${e(r.status)}</p>
${r.undoneBy === null ? '' : `<p class="undone">Undone by run ${e(r.undoneBy)}: the rows below were set back since (“Populated after” is as the run left them).</p>\n`}<h2>Match rate per link</h2>
<table><thead><tr><th>Entity</th><th>Table</th><th>Total</th><th>NULL FK</th><th>Matched</th><th>Review</th><th>Ambiguous</th><th>Unmatched</th><th>Updated</th><th>Match rate</th><th></th><th>Populated after</th></tr></thead>
<tbody>${bars}</tbody></table>
${skips === '' ? '' : `<h2>Planned but not updated</h2>\n<ul>${skips}</ul>`}
<h2>Score histogram (distinct names)</h2>
<p class="legend">${Object.entries(COLORS)
    .map(([k, c]) => `<span><i style="background:${c}"></i>${k}</span>`)
    .join('')} — dashed lines: the reviewAt and autoLinkAt thresholds</p>
${hists || '<p>No scored names (exact matching scores nothing in between).</p>'}
<h2>Left for people: review, ambiguous and unmatched names</h2>
${r.entries.length === 0 ? '' : `<p>${e(leftText(r))}.</p>`}
${r.entries.length === 0 ? '<p>None: every name was linked.</p>' : `<table><thead><tr><th>Entity</th>${scoped ? '<th>Scope</th>' : ''}<th>Name</th><th>Outcome</th><th>Rows</th><th>Score</th><th>Candidates</th><th>Why</th></tr></thead><tbody>${list}</tbody></table>`}
</body></html>
`;
}
