/**
 * Reports of a plan (or of an apply, through its plan): per-link match rates, a score histogram with
 * the thresholds, and the names left for people (review / ambiguous / unmatched). Formats: a
 * standalone HTML file (inline CSS and SVG, no external assets), JSON, CSV, and the seed's per-entity
 * tables as text. Reads only fk_backfill's own tables.
 */
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { LinkConfig } from '../config/schema.js';
import { adapt } from '../db/index.js';
import { num } from '../db/port.js';
import type { Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { DEFAULT_MATCH_OPTIONS } from '../match/index.js';
import { formatRate } from '../plan/decide.js';
import { getRun, type RunRecord } from '../store/runs.js';
import { migrate } from '../store/migrate.js';
import { skipReasonsText, type SkipReasons } from '../apply/skips.js';

export type ReportFormat = 'html' | 'json' | 'csv' | 'text';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'json', 'csv', 'text'];

export interface ReportLink {
  entityType: string;
  table: string;
  strategy: string;
  autoLinkAt: number;
  reviewAt: number;
  totalRecords: number;
  recordsWithNullFK: number;
  recordsMatched: number;
  recordsReview: number;
  recordsAmbiguous: number;
  recordsUnmatched: number;
  /** Rows the apply run updated (apply reports only). */
  recordsUpdated: number | null;
  /** Apply reports: planned rows not updated, and why (issue #23); null for plans or when none were skipped. */
  skipReasons: SkipReasons | null;
  matchRate: string;
  /** Populated FKs after the run, over all rows: an apply counts the rows it updated, a plan the rows it would link. */
  populationAfter: string;
  /** Score histogram of distinct names: 20 bins of 0.05. */
  histogram: { from: number; to: number; names: Record<string, number>; rows: number }[];
}

export interface ReportEntry {
  link: string;
  scopeKey: (string | null)[];
  name: string | null;
  outcome: string;
  rows: number;
  score: number | null;
  reason: string | null;
  candidates: { key: string; name: string; score: number | null }[];
}

export interface RunReport {
  runId: string;
  kind: string;
  planRunId: string;
  tenantId: string | null;
  executedBy: string | null;
  startedAt: string;
  status: string;
  /** An apply run set back since by this undo run (its rows are no longer linked by it). */
  undoneBy: string | null;
  links: ReportLink[];
  /** Names not linked by the plan, most rows first (at most `maxEntries`). */
  entries: ReportEntry[];
  entriesTruncated: boolean;
}

const BINS = 20;

function thresholds(l: LinkConfig | undefined): { autoLinkAt: number; reviewAt: number } {
  const base = DEFAULT_MATCH_OPTIONS[l?.match ?? 'exact'];
  return { autoLinkAt: l?.autoLinkAt ?? base.autoLinkAt, reviewAt: l?.reviewAt ?? base.reviewAt };
}

interface SummaryResult {
  entityType: string;
  table?: string;
  strategy?: string;
  totalRecords?: number;
  recordsWithNullFK?: number;
  recordsMatched?: number;
  recordsAmbiguous?: number;
  recordsReview?: number;
}

async function build(db: Queryable, run: RunRecord, plan: RunRecord, maxEntries: number): Promise<RunReport> {
  const undone = run.kind === 'apply' ? (await db.query<{ id: string }>(`SELECT min(id)::text AS id FROM fk_backfill.runs WHERE kind = 'undo' AND target_run_id = $1::int8 AND status = 'done'`, [run.id])).rows[0]?.id ?? null : null;
  const summary = (plan.summary as { results?: SummaryResult[] } | null)?.results ?? [];
  const applied = run.kind === 'apply' ? ((run.summary as { results?: { entityType: string; updated: number; skipReasons?: SkipReasons }[] } | null)?.results ?? []) : null;
  const hist = await db.query<{ link: string; outcome: string; bin: number; names: unknown; rows: unknown }>(
    `SELECT link, outcome, least(width_bucket(score::float8, 0, 1, ${BINS}), ${BINS})::int AS bin, count(*)::int8 AS names, sum(row_count)::int8 AS rows
       FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND score IS NOT NULL GROUP BY 1, 2, 3`,
    [plan.id],
  );
  const links: ReportLink[] = summary.map((r) => {
    const cfg = plan.config.links.find((l) => l.entity === r.entityType);
    const t = thresholds(cfg);
    const histogram = Array.from({ length: BINS }, (_, i) => ({ from: i / BINS, to: (i + 1) / BINS, names: {} as Record<string, number>, rows: 0 }));
    for (const h of hist.rows.filter((x) => x.link === r.entityType)) {
      const b = histogram[Math.max(0, Math.min(BINS, h.bin) - 1)]!;
      b.names[h.outcome] = (b.names[h.outcome] ?? 0) + num(h.names);
      b.rows += num(h.rows);
    }
    const total = r.totalRecords ?? 0;
    const nulls = r.recordsWithNullFK ?? 0;
    const matched = r.recordsMatched ?? 0;
    const updated = applied === null ? null : (applied.find((a) => a.entityType === r.entityType)?.updated ?? 0);
    const review = r.recordsReview ?? 0;
    const ambiguous = r.recordsAmbiguous ?? 0;
    return {
      entityType: r.entityType,
      table: r.table ?? cfg?.table ?? '',
      strategy: r.strategy ?? cfg?.match ?? 'exact',
      ...t,
      totalRecords: total,
      recordsWithNullFK: nulls,
      recordsMatched: matched,
      recordsReview: review,
      recordsAmbiguous: ambiguous,
      recordsUnmatched: nulls - matched - review - ambiguous,
      recordsUpdated: updated,
      skipReasons: applied?.find((a) => a.entityType === r.entityType)?.skipReasons ?? null,
      matchRate: formatRate(matched, nulls),
      // an apply: what it did (planned rows skipped are not populated; rows added since may make it exceed the plan's total)
      populationAfter: formatRate(Math.min(total, total - nulls + (updated ?? matched)), total),
      histogram,
    };
  });
  const res = await db.query<{ link: string; scope_key: (string | null)[]; source_name: string | null; outcome: string; row_count: unknown; score: number | null; reason: string | null; candidates: unknown }>(
    `SELECT link, scope_key, source_name, outcome, row_count, score, reason, candidates
       FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND outcome <> 'linked'
      ORDER BY row_count DESC, link, source_name LIMIT $2`,
    [plan.id, maxEntries + 1],
  );
  const entries = res.rows.slice(0, maxEntries).map((r) => {
    const cands = (typeof r.candidates === 'string' ? JSON.parse(r.candidates) : r.candidates) as { key: string; name?: string; score?: number }[] | null;
    return {
      link: r.link,
      scopeKey: r.scope_key,
      name: r.source_name,
      outcome: r.outcome,
      rows: num(r.row_count),
      score: r.score === null ? null : Number(r.score),
      reason: r.reason,
      candidates: (cands ?? []).slice(0, 3).map((c) => ({ key: c.key, name: c.name ?? '', score: c.score ?? null })),
    };
  });
  return {
    runId: run.id,
    kind: run.kind,
    planRunId: plan.id,
    tenantId: run.scope?.tenant ?? null,
    executedBy: run.executedBy,
    startedAt: run.startedAt,
    status: run.status,
    undoneBy: undone,
    links,
    entries,
    entriesTruncated: res.rows.length > maxEntries,
  };
}

/** The report data of a plan or apply run. */
export async function runReport(handle: unknown, opts: { runId: string; maxEntries?: number }): Promise<RunReport> {
  const db = adapt(handle);
  await migrate(db);
  const run = await getRun(db, opts.runId);
  let plan = run;
  if (run.kind === 'apply') {
    if (run.planRunId === null) throw new BackfillError('RUN_STATE', `apply run ${run.id} has no plan`);
    plan = await getRun(db, run.planRunId);
  } else if (run.kind !== 'plan') {
    throw new BackfillError('RUN_STATE', `run ${run.id} is a ${run.kind} run; reports are made of plan and apply runs`);
  }
  if (plan.status !== 'done') throw new BackfillError('RUN_STATE', `plan ${plan.id} is ${plan.status}, not done`);
  return build(db, run, plan, opts.maxEntries ?? 5000);
}

/** Renders a report in a format: a complete file's content. */
export async function report(handle: unknown, opts: { runId: string; format: ReportFormat; maxEntries?: number }): Promise<{ format: ReportFormat; content: string; report: RunReport }> {
  if (!REPORT_FORMATS.includes(opts.format)) throw new BackfillError('USAGE', `unknown format "${opts.format}"; use ${REPORT_FORMATS.join(', ')}`);
  const r = await runReport(handle, opts);
  const content =
    opts.format === 'json' ? JSON.stringify(r, null, 2) + '\n' : opts.format === 'csv' ? reportCsv(r) : opts.format === 'html' ? reportHtml(r) : reportText(r);
  return { format: opts.format, content, report: r };
}

export function reportCsv(r: RunReport): string {
  const header = ['link', 'scope', 'name', 'outcome', 'rows', 'score', 'reason', 'candidate_1_key', 'candidate_1_name', 'candidate_1_score', 'candidate_2_key', 'candidate_2_name', 'candidate_2_score', 'candidate_3_key', 'candidate_3_name', 'candidate_3_score'];
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

function pad(cells: string[], widths: number[], numeric: boolean[]): string {
  return cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ').trimEnd();
}

function textTable(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || /^\d+(\.\d+)?%$/.test(String(r[i]))));
  return [pad(headers, widths, numeric), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map((r) => pad(r, widths, numeric))].join('\n');
}

/** The seed's per-entity tables. */
export function reportText(r: RunReport): string {
  const out = [
    `Report of ${r.kind} run ${r.runId}${r.kind === 'apply' ? ` (plan ${r.planRunId})` : ''}, ${r.tenantId === null ? 'all tenants' : `tenant ${r.tenantId}`}, ${r.startedAt}`,
    ...(r.undoneBy !== null ? [`Undone by run ${r.undoneBy}: the rows below were set back since ("Populated after" is as the run left them).`] : []),
    '',
    textTable(
      ['Entity Type', 'Total', 'NULL FK', 'Matched', 'Review', 'Ambiguous', 'Unmatched', 'Updated', 'Match Rate', 'Populated after'],
      r.links.map((l) => [l.entityType, l.totalRecords, l.recordsWithNullFK, l.recordsMatched, l.recordsReview, l.recordsAmbiguous, l.recordsUnmatched, l.recordsUpdated ?? '-', l.matchRate, l.populationAfter]),
    ),
  ];
  for (const l of r.links) if (l.skipReasons !== null) out.push(`${l.entityType}: planned but not updated: ${skipReasonsText(l.skipReasons)}`);
  if (r.entries.length > 0) {
    out.push('', `Not linked (${r.entries.length}${r.entriesTruncated ? '+' : ''} names):`);
    out.push(
      textTable(
        ['Entity Type', 'Name', 'Outcome', 'Rows', 'Score', 'Best candidate'],
        r.entries.map((e) => [e.link, e.name === null ? '(no name)' : JSON.stringify(e.name), e.outcome, e.rows, e.score === null ? '' : e.score.toFixed(3), e.candidates[0] === undefined ? '' : `${e.candidates[0].name} (${e.candidates[0].score?.toFixed(3) ?? ''})`]),
      ),
    );
  }
  return out.join('\n') + '\n';
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
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
      parts.push(`<rect x="${(left + i * bw + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[o]}"><title>${b.from.toFixed(2)}–${b.to.toFixed(2)}: ${n} ${o} name(s)</title></rect>`);
    }
  });
  const x = (s: number): string => (left + s * plotW).toFixed(1);
  const line = (s: number, label: string, color: string, dy: number): string =>
    `<line x1="${x(s)}" x2="${x(s)}" y1="${top - 4}" y2="${top + plotH}" stroke="${color}" stroke-width="2" stroke-dasharray="4 3"/><text x="${x(s)}" y="${top - 4 + dy}" font-size="10" text-anchor="${s > 0.8 ? 'end' : 'start'}" fill="${color}">${escapeHtml(label)}</text>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((s) => `<text x="${x(s)}" y="${H - 6}" font-size="10" text-anchor="middle">${s}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="score histogram of ${escapeHtml(l.entityType)}">
<line x1="${left}" x2="${W - 10}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>
<text x="4" y="${top + 8}" font-size="10">${max}</text><text x="4" y="${top + plotH}" font-size="10">0</text>
${parts.join('\n')}
${line(l.reviewAt, `reviewAt ${l.reviewAt}`, '#c98a00', 0)}
${line(l.autoLinkAt, `autoLinkAt ${l.autoLinkAt}`, '#2e7d32', 10)}
${ticks}
</svg>`;
}

/** A standalone HTML file: inline CSS, inline SVG, no scripts, no external assets. */
export function reportHtml(r: RunReport): string {
  const e = escapeHtml;
  const rate = (l: ReportLink): number => (l.recordsWithNullFK === 0 ? 1 : l.recordsMatched / l.recordsWithNullFK);
  const bars = r.links
    .map(
      (l) => `<tr><td>${e(l.entityType)}</td><td>${e(l.table)}</td><td class="n">${l.totalRecords}</td><td class="n">${l.recordsWithNullFK}</td><td class="n">${l.recordsMatched}</td>
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
  const list = r.entries
    .map(
      (x) => `<tr><td>${e(x.link)}</td><td>${x.name === null ? '<i>(no name)</i>' : e(x.name)}</td><td><span class="tag ${e(x.outcome)}">${e(x.outcome)}</span></td><td class="n">${x.rows}</td>
<td class="n">${x.score === null ? '' : x.score.toFixed(3)}</td><td>${x.candidates.map((c) => `${e(c.name)}${c.score === null ? '' : ` (${c.score.toFixed(3)})`}`).join('<br>')}</td><td>${e(x.reason ?? '')}</td></tr>`,
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
<h2>Left for people: review, ambiguous and unmatched names (${r.entries.length}${r.entriesTruncated ? '+' : ''})</h2>
${r.entries.length === 0 ? '<p>None: every name was linked.</p>' : `<table><thead><tr><th>Entity</th><th>Name</th><th>Outcome</th><th>Rows</th><th>Score</th><th>Candidates</th><th>Why</th></tr></thead><tbody>${list}</tbody></table>`}
</body></html>
`;
}
