/**
 * npm run bench:accuracy -- --legacy [--size small|full] [--data DIR] [--seed N] [--sweep] [--errors N]
 * Builds the multi-tenant test set from real company names and prints precision/recall per strategy and baseline.
 */
import { buildBenchmark, locateDataset, SIZES, type BenchSize } from './dataset.js';
import { evaluateAll, formatTable, isPositive, runMatcher } from './evaluate.js';
import { DEFAULT_MATCH_OPTIONS, estimateAccuracy } from '../../src/match/index.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const size = (arg('size') ?? 'full') as BenchSize;
if (!(size in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
const dir = locateDataset(arg('data'));
if (!dir) {
  console.error('company-names dataset not found: pass --data DIR or set FKB_DATASET_DIR (default ../shared/datasets/company-names)');
  process.exit(2);
}
const seed = Number(arg('seed') ?? 42);
const t0 = performance.now();
const set = buildBenchmark(dir, size, seed);
const buildMs = performance.now() - t0;
const docs = set.tenants.reduce((a, t) => a + t.docs.length, 0);
const masters = set.tenants.reduce((a, t) => a + t.masters.length, 0);
const kinds = new Map<string, number>();
for (const t of set.tenants) for (const d of t.docs) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
console.log(`# bench:accuracy size=${size} seed=${seed}`);
console.log(
  `${set.tenants.length} tenants, ${masters} active masters, ${docs} distinct names (${set.dropped} generated names dropped for ill-defined truth), built in ${buildMs.toFixed(0)} ms`,
);
console.log(
  `name kinds: ${[...kinds.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}\n`,
);

const report = evaluateAll(set, { sweep: process.argv.includes('--sweep') });
console.log(formatTable(report.rows));

if (report.sweep.length > 0) {
  console.log('\n## fuzzy threshold sweep (same scores, re-decided)\n');
  console.log('| autoLinkAt | margin | precision | recall | wrong | ambiguous links | cross-tenant links |');
  console.log('|---|---|---|---|---|---|---|');
  for (const s of report.sweep) {
    const m = s.m;
    console.log(
      `| ${s.autoLinkAt.toFixed(2)} | ${s.margin} | ${m.precision === null ? '—' : (m.precision * 100).toFixed(2)} % | ${(m.recall * 100).toFixed(2)} % | ${m.wrong} | ${m.ambiguousLinks} | ${m.crossTenantLinks} |`,
    );
  }
}

// Leave-one-out estimate from already-linked names (what `plan` prints before applying).
let s = 0,
  al = 0,
  c = 0,
  w = 0;
for (const t of set.tenants) {
  const e = estimateAccuracy(t.aliases, t.masters, DEFAULT_MATCH_OPTIONS.fuzzy);
  s += e.samples;
  al += e.autoLinked;
  c += e.correct;
  w += e.wrong;
}
console.log(
  `\nestimateAccuracy (leave-one-out over ${s} known aliases): auto-linked ${al}, correct ${c}, wrong ${w}, precision ${al ? ((c / al) * 100).toFixed(2) : '—'} %, recall ${s ? ((c / s) * 100).toFixed(2) : '—'} %`,
);

const nErr = Number(arg('errors') ?? 0);
if (nErr > 0) {
  const fz = runMatcher(set, DEFAULT_MATCH_OPTIONS.fuzzy);
  const wrong = fz.verdicts.filter((v) => v.linkedTo !== null && v.linkedTo !== v.doc.truth);
  console.log(`\n## wrong fuzzy auto-links (${wrong.length})`);
  for (const v of wrong.slice(0, nErr)) {
    const d = v.decision!;
    console.log(
      `${v.doc.kind} | ${JSON.stringify(v.doc.name)} -> ${d.candidates[0]?.name} (${d.method} ${d.score}) truth=${v.doc.truth} ${JSON.stringify(d.candidates[0]?.signals)}`,
    );
  }
  const missed = fz.verdicts.filter((v) => isPositive(v.doc) && v.doc.reachable && v.linkedTo === null);
  console.log(`\n## reachable positives not auto-linked (${missed.length})`);
  for (const v of missed.slice(0, nErr)) {
    const d = v.decision!;
    console.log(
      `${v.doc.kind} | ${JSON.stringify(v.doc.name)} ${d.outcome} top=${d.candidates[0]?.name} ${d.score} ${d.candidates[0]?.key === v.doc.truth ? 'RIGHT' : 'other'} | ${d.reason}`,
    );
  }
}
