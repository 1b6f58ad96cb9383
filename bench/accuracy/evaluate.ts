import type { Candidate, MatchOptions, NameDecision } from '../../src/match/index.js';
import { createMatcher, decideFuzzy, DEFAULT_MATCH_OPTIONS } from '../../src/match/index.js';
import type { BenchDoc, BenchSet } from './dataset.js';

/** A decision reduced to what the metrics need. */
export interface Verdict {
  doc: BenchDoc;
  linkedTo: string | null;
  outcome: NameDecision['outcome'];
  top: string | null;
  /** Full decision (fuzzy only; used to re-decide under other thresholds). */
  decision?: NameDecision;
}

export interface Metrics {
  label: string;
  docs: number;
  positives: number;
  autoLinks: number;
  correct: number;
  wrong: number;
  ambiguousLinks: number;
  crossTenantLinks: number;
  precision: number | null;
  recall: number;
  review: number;
  reviewTop1: number;
  reviewRecall: number | null;
  ms: number;
}

export function isPositive(d: BenchDoc): boolean {
  return d.truth !== null && d.truth !== 'AMBIGUOUS';
}

export function metrics(label: string, verdicts: Verdict[], ms: number): Metrics {
  let positives = 0;
  let autoLinks = 0;
  let correct = 0;
  let ambiguousLinks = 0;
  let crossTenantLinks = 0;
  let review = 0;
  let reviewTop1 = 0;
  for (const v of verdicts) {
    const pos = isPositive(v.doc);
    if (pos) positives++;
    if (v.linkedTo !== null) {
      autoLinks++;
      if (pos && v.linkedTo === v.doc.truth) correct++;
      if (v.doc.truth === 'AMBIGUOUS') ambiguousLinks++;
      if (v.doc.crossTenant) crossTenantLinks++;
    } else if (pos && (v.outcome === 'review' || v.outcome === 'ambiguous')) {
      review++;
      if (v.top === v.doc.truth) reviewTop1++;
    }
  }
  return {
    label,
    docs: verdicts.length,
    positives,
    autoLinks,
    correct,
    wrong: autoLinks - correct,
    ambiguousLinks,
    crossTenantLinks,
    precision: autoLinks > 0 ? correct / autoLinks : null,
    recall: positives > 0 ? correct / positives : 0,
    review,
    reviewTop1,
    reviewRecall: review > 0 ? reviewTop1 / review : null,
    ms,
  };
}

/** Run one strategy of our matcher over every tenant. */
export function runMatcher(set: BenchSet, options: MatchOptions): { verdicts: Verdict[]; ms: number } {
  const t0 = performance.now();
  const verdicts: Verdict[] = [];
  for (const t of set.tenants) {
    const m = createMatcher(t.masters, t.aliases, options);
    for (const doc of t.docs) {
      const d = m.match(doc.name, doc.evidence);
      verdicts.push({
        doc,
        linkedTo: d.outcome === 'linked' ? d.targetKey : null,
        outcome: d.outcome,
        top: d.candidates[0]?.key ?? null,
        decision: d,
      });
    }
  }
  return { verdicts, ms: performance.now() - t0 };
}

/** Re-decide fuzzy-scored decisions under other thresholds (normalised/exact/alias stages do not depend on them). */
export function redecide(verdicts: Verdict[], options: MatchOptions): Verdict[] {
  return verdicts.map((v) => {
    const d = v.decision;
    if (!d || d.candidates.length === 0 || d.candidates[0]!.method !== 'fuzzy') return v;
    const nd = decideFuzzy(d.name, d.candidates as Candidate[], options);
    return { ...v, linkedTo: nd.outcome === 'linked' ? nd.targetKey : null, outcome: nd.outcome, top: nd.candidates[0]?.key ?? null };
  });
}

// ------------------------------------------------------------------ baselines
/** The seed: `WHERE name = $1 LIMIT 1` (case-sensitive; an arbitrary master when several share the name). */
export function runSeedExact(set: BenchSet, caseInsensitive: boolean): { verdicts: Verdict[]; ms: number } {
  const t0 = performance.now();
  const verdicts: Verdict[] = [];
  for (const t of set.tenants) {
    const idx = new Map<string, string>();
    for (const m of t.masters) {
      const k = caseInsensitive ? m.name.toLowerCase() : m.name;
      if (!idx.has(k)) idx.set(k, m.key);
    }
    for (const doc of t.docs) {
      const hit = idx.get(caseInsensitive ? doc.name.toLowerCase() : doc.name) ?? null;
      verdicts.push({ doc, linkedTo: hit, outcome: hit ? 'linked' : 'unmatched', top: hit });
    }
  }
  return { verdicts, ms: performance.now() - t0 };
}

/** pg_trgm's trigram set: lower-case, alphanumeric words padded with two spaces in front and one behind. */
export function pgTrigrams(s: string): Set<string> {
  const out = new Set<string>();
  for (const w of s.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (w.length === 0) continue;
    const p = `  ${w} `;
    const cps = [...p];
    for (let i = 0; i + 3 <= cps.length; i++) out.add(cps.slice(i, i + 3).join(''));
  }
  return out;
}

/** pg_trgm similarity(): |A ∩ B| / |A ∪ B|. */
export function pgSimilarity(a: string, b: string): number {
  const A = pgTrigrams(a);
  const B = pgTrigrams(b);
  if (A.size === 0 || B.size === 0) return 0;
  let inter = 0;
  for (const g of A) if (B.has(g)) inter++;
  return inter / (A.size + B.size - inter);
}

/** Best trigram match per name (like `ORDER BY similarity(name, $1) DESC LIMIT 1`); returns best key and score. */
export function trigramBest(set: BenchSet): { best: { doc: BenchDoc; key: string | null; score: number }[]; ms: number } {
  const t0 = performance.now();
  const best: { doc: BenchDoc; key: string | null; score: number }[] = [];
  for (const t of set.tenants) {
    const grams = t.masters.map((m) => pgTrigrams(m.name));
    const inv = new Map<string, number[]>();
    grams.forEach((g, i) => {
      for (const x of g) {
        const l = inv.get(x);
        if (l) l.push(i);
        else inv.set(x, [i]);
      }
    });
    for (const doc of t.docs) {
      const q = pgTrigrams(doc.name);
      const counts = new Map<number, number>();
      for (const x of q) for (const i of inv.get(x) ?? []) counts.set(i, (counts.get(i) ?? 0) + 1);
      let bk: string | null = null;
      let bs = 0;
      for (const [i, inter] of counts) {
        const s = inter / (q.size + grams[i]!.size - inter);
        if (s > bs) {
          bs = s;
          bk = t.masters[i]!.key;
        }
      }
      best.push({ doc, key: bk, score: bs });
    }
  }
  return { best, ms: performance.now() - t0 };
}

export function trigramAt(best: { doc: BenchDoc; key: string | null; score: number }[], threshold: number): Verdict[] {
  return best.map((b) => {
    const linked = b.key !== null && b.score >= threshold ? b.key : null;
    return { doc: b.doc, linkedTo: linked, outcome: linked ? 'linked' : 'unmatched', top: b.key };
  });
}

export interface AccuracyReport {
  rows: Metrics[];
  sweep: { autoLinkAt: number; margin: number; m: Metrics }[];
  trigramAtTarget: { threshold: number; m: Metrics } | null;
  fuzzy: Metrics;
  dropped: number;
}

/** Everything bench:accuracy prints, as data (the vitest accuracy test uses it too). */
export function evaluateAll(set: BenchSet, opts: { fuzzy?: MatchOptions; sweep?: boolean; targetPrecision?: number } = {}): AccuracyReport {
  const fuzzyOpts = opts.fuzzy ?? DEFAULT_MATCH_OPTIONS.fuzzy;
  const target = opts.targetPrecision ?? 0.995;
  const rows: Metrics[] = [];
  const seed = runSeedExact(set, false);
  rows.push(metrics('baseline: seed exact (LIMIT 1)', seed.verdicts, seed.ms));
  const ci = runSeedExact(set, true);
  rows.push(metrics('baseline: case-insensitive exact (LIMIT 1)', ci.verdicts, ci.ms));
  const tri = trigramBest(set);
  for (const th of [0.3, 0.5, 0.7]) rows.push(metrics(`baseline: pg_trgm similarity >= ${th}`, trigramAt(tri.best, th), tri.ms));
  let trigramAtTarget: AccuracyReport['trigramAtTarget'] = null;
  for (let th = 0.3; th <= 1.0001; th += 0.01) {
    const m = metrics(
      `baseline: pg_trgm >= ${th.toFixed(2)} (best at ${(target * 100).toFixed(1)} % precision)`,
      trigramAt(tri.best, th),
      tri.ms,
    );
    if (m.precision !== null && m.precision >= target) {
      trigramAtTarget = { threshold: Number(th.toFixed(2)), m };
      break;
    }
  }
  if (trigramAtTarget) rows.push(trigramAtTarget.m);
  for (const strategy of ['exact', 'normalized'] as const) {
    const r = runMatcher(set, DEFAULT_MATCH_OPTIONS[strategy]);
    rows.push(metrics(`fk-backfill ${strategy}`, r.verdicts, r.ms));
  }
  const fz = runMatcher(set, fuzzyOpts);
  const fuzzy = metrics(`fk-backfill fuzzy (autoLinkAt ${fuzzyOpts.autoLinkAt}, margin ${fuzzyOpts.margin})`, fz.verdicts, fz.ms);
  rows.push(fuzzy);
  const sweep: AccuracyReport['sweep'] = [];
  if (opts.sweep) {
    for (const margin of [0.03, 0.05, 0.08]) {
      for (let a = 0.8; a <= 1.0001; a += 0.01) {
        const o = { ...fuzzyOpts, autoLinkAt: Number(a.toFixed(2)), margin };
        sweep.push({ autoLinkAt: o.autoLinkAt, margin, m: metrics(`fuzzy ${o.autoLinkAt}/${margin}`, redecide(fz.verdicts, o), 0) });
      }
    }
  }
  return { rows, sweep, trigramAtTarget, fuzzy, dropped: set.dropped };
}

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(2)} %`);

export function formatTable(rows: Metrics[]): string {
  const head = [
    'strategy',
    'names',
    'positives',
    'auto-links',
    'precision',
    'recall',
    'wrong',
    'ambiguous links',
    'cross-tenant links',
    'review-band top-1',
    'runtime',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const m of rows) {
    lines.push(
      `| ${m.label} | ${m.docs} | ${m.positives} | ${m.autoLinks} | ${pct(m.precision)} | ${pct(m.recall)} | ${m.wrong} | ${m.ambiguousLinks} | ${m.crossTenantLinks} | ${m.reviewRecall === null ? '—' : `${pct(m.reviewRecall)} (${m.reviewTop1}/${m.review})`} | ${m.ms.toFixed(0)} ms |`,
    );
  }
  return lines.join('\n');
}
