/**
 * npm run bench:match -- --names 100000 --masters 50000 [--seed N]
 * One scope, synthetic company names: builds the matcher and matches every distinct name with the fuzzy strategy.
 * Prints build/match time, throughput, outcome counts and peak RSS (sampled + process.resourceUsage().maxRSS).
 */
import { createMatcher, DEFAULT_MATCH_OPTIONS, type MasterRecord } from '../src/match/index.js';
import { mulberry32 } from './accuracy/dataset.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const nNames = arg('names', 100_000);
const nMasters = arg('masters', 50_000);
const r = mulberry32(arg('seed', 7));

const SYL = ['ka', 'lo', 'mi', 'ra', 'ten', 'vo', 'zu', 'bel', 'cor', 'dan', 'el', 'fin', 'gar', 'hol', 'is', 'jo', 'kre', 'lum', 'mar', 'nor', 'os', 'pra', 'qui', 'ros', 'sil', 'tor', 'ul', 'ver', 'wes', 'xan', 'yor', 'zen'];
const GENERIC = ['Global', 'Services', 'Group', 'Holdings', 'International', 'Systems', 'Solutions', 'Trading', 'Industries', 'Logistics', 'Foods', 'Partners'];
const LEGAL = ['Inc.', 'Ltd', 'GmbH', 'Corp.', 'LLC', 'S.A.', 'AG', 'B.V.', 'PLC', 'Co.', ''];
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const word = (): string => {
  const n = 2 + Math.floor(r() * 2);
  let w = '';
  for (let i = 0; i < n; i++) w += pick(SYL);
  return w[0]!.toUpperCase() + w.slice(1);
};
const company = (): string => {
  const parts = [word()];
  if (r() < 0.6) parts.push(r() < 0.5 ? word() : pick(GENERIC));
  if (r() < 0.3) parts.push(pick(GENERIC));
  const lf = pick(LEGAL);
  return lf ? `${parts.join(' ')} ${lf}` : parts.join(' ');
};
const noisy = (s: string): string => {
  const x = r();
  if (x < 0.25) return s.toUpperCase();
  if (x < 0.5) {
    const p = 1 + Math.floor(r() * (s.length - 2));
    return s.slice(0, p) + s.slice(p + 1);
  }
  if (x < 0.65) return s.replace(/ (Inc\.|Ltd|GmbH|Corp\.|LLC|S\.A\.|AG|B\.V\.|PLC|Co\.)$/, '');
  return s;
};

const masters: MasterRecord[] = [];
for (let i = 0; i < nMasters; i++) masters.push({ key: `M${i}`, name: company() });
const names = new Set<string>();
let guard = 0;
while (names.size < nNames && guard++ < nNames * 10) {
  names.add(r() < 0.7 ? noisy(masters[Math.floor(r() * nMasters)]!.name) : company());
}

let peak = process.memoryUsage().rss;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const t0 = performance.now();
const matcher = createMatcher(masters, [], DEFAULT_MATCH_OPTIONS.fuzzy);
const t1 = performance.now();
const outcomes: Record<string, number> = {};
let i = 0;
for (const n of names) {
  const d = matcher.match(n);
  outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
  if (++i % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
}
const t2 = performance.now();
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
console.log(`bench:match  masters=${nMasters} distinct names=${names.size} strategy=fuzzy`);
console.log(`index build ${(t1 - t0).toFixed(0)} ms; matching ${(t2 - t1).toFixed(0)} ms (${((names.size / (t2 - t1)) * 1000).toFixed(0)} names/s); total ${((t2 - t0) / 1000).toFixed(1)} s`);
console.log(`outcomes: ${Object.entries(outcomes).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`peak RSS ${mb(peak)}`);
