import { createMatcher } from './matcher.js';
import type { MasterRecord, MatchOptions } from './types.js';

export interface AccuracyEstimate {
  samples: number;
  autoLinked: number;
  correct: number;
  wrong: number;
  precision: number | null;
  recall: number | null;
}

/**
 * Hold-out estimate on labelled names (names already linked by FK): each labelled name is matched WITHOUT its own
 * alias (leave-one-out) and we count whether an auto-link would pick the labelled key.
 */
export function estimateAccuracy(
  labelled: { name: string; key: string; rows: number }[],
  masters: MasterRecord[],
  options: MatchOptions,
): AccuracyEstimate {
  const active = new Set(masters.map((m) => m.key));
  const matcher = createMatcher(masters, labelled, options);
  const seen = new Set<string>();
  let samples = 0;
  let autoLinked = 0;
  let correct = 0;
  let wrong = 0;
  const sorted = [...labelled].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const l of sorted) {
    if (!active.has(l.key)) continue;
    const id = `${l.key}\u0000${l.name}`;
    if (seen.has(id)) continue;
    seen.add(id);
    samples++;
    const d = matcher.matchExcluding(l.name, l.name);
    if (d.outcome !== 'linked') continue;
    autoLinked++;
    if (d.targetKey === l.key) correct++;
    else wrong++;
  }
  return {
    samples,
    autoLinked,
    correct,
    wrong,
    precision: autoLinked > 0 ? correct / autoLinked : null,
    recall: samples > 0 ? correct / samples : null,
  };
}
