/**
 * npm run bench:match -- --names 100000 --masters 50000 [--seed N]
 * One scope, synthetic company names: builds the matcher and matches every distinct name with the fuzzy strategy.
 * Prints build/match time, throughput, outcome counts and peak RSS (sampled + process.resourceUsage().maxRSS).
 */
import { createMatcher, DEFAULT_MATCH_OPTIONS } from '../src/match/index.js';
import { syntheticScope } from './synthetic.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const nNames = arg('names', 100_000);
const nMasters = arg('masters', 50_000);
const { masters, names } = syntheticScope(nMasters, nNames, arg('seed', 7));

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
console.log(
  `index build ${(t1 - t0).toFixed(0)} ms; matching ${(t2 - t1).toFixed(0)} ms (${((names.size / (t2 - t1)) * 1000).toFixed(0)} names/s); total ${((t2 - t0) / 1000).toFixed(1)} s`,
);
console.log(
  `outcomes: ${Object.entries(outcomes)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
console.log(`peak RSS ${mb(peak)}`);
