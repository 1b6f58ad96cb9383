import { describe, expect, it } from 'vitest';
import { buildBenchmark, locateDataset } from '../../bench/accuracy/dataset.js';
import { evaluateAll } from '../../bench/accuracy/evaluate.js';
import { createMatcher, DEFAULT_MATCH_OPTIONS } from '../../src/match/index.js';

/**
 * The small accuracy benchmark, asserted in CI: the default fuzzy thresholds must keep auto-link precision >= 99.5 %
 * with zero ambiguous and zero cross-tenant auto-links. Needs ../shared/datasets/company-names (or FKB_DATASET_DIR).
 */
const dir = locateDataset();
if (!dir)
  console.warn('SKIPPING accuracy benchmark tests: company-names dataset not found (../shared/datasets/company-names or FKB_DATASET_DIR)');

describe.skipIf(!dir)('accuracy benchmark (small)', () => {
  const set = dir ? buildBenchmark(dir, 'small', 42) : { tenants: [], dropped: 0 };

  it('default fuzzy thresholds: precision >= 99.5 %, no ambiguous or cross-tenant auto-links, recall above baselines', () => {
    const report = evaluateAll(set);
    const f = report.fuzzy;
    expect(f.autoLinks).toBeGreaterThan(500);
    expect(f.precision!).toBeGreaterThanOrEqual(0.995);
    expect(f.ambiguousLinks).toBe(0);
    expect(f.crossTenantLinks).toBe(0);
    // Recall clearly above the best baseline that reaches the same precision.
    const best = Math.max(
      ...report.rows.filter((r) => r.label.startsWith('baseline') && (r.precision ?? 0) >= 0.995).map((r) => r.recall),
      0,
    );
    expect(f.recall).toBeGreaterThan(best + 0.05);
  });

  it('exact strategy keeps the seed semantics on the benchmark (never more links than the seed)', () => {
    const report = evaluateAll(set);
    const seed = report.rows.find((r) => r.label.startsWith('baseline: seed exact'))!;
    const exact = report.rows.find((r) => r.label === 'fk-backfill exact')!;
    expect(exact.correct).toBe(seed.correct);
    expect(exact.autoLinks).toBeLessThanOrEqual(seed.autoLinks); // only duplicates differ: ambiguous instead of LIMIT 1
  });

  it('blocking recall: the true master is always among the generated candidates for reachable names', () => {
    const lost: string[] = [];
    let checked = 0;
    for (const t of set.tenants) {
      const m = createMatcher(t.masters, t.aliases, DEFAULT_MATCH_OPTIONS.fuzzy);
      for (const d of t.docs) {
        if (!d.reachable || d.truth === null || d.truth === 'AMBIGUOUS') continue;
        checked++;
        if (!m.candidateKeys(d.name).includes(d.truth)) lost.push(`${d.kind}: ${d.name} -> ${d.truth}`);
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(lost).toEqual([]);
  });
});
