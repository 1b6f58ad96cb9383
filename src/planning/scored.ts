import { num, type Queryable } from '../db/port.js';
import { createMatcher, DEFAULT_MATCH_OPTIONS, estimateAccuracy, type KnownAlias, type MasterRecord, type MatchOptions } from '../match/index.js';
import { aliasesStatement, inactiveMastersStatement, mastersStatement, unlinkedNamesStatement } from '../sql/plan.js';
import { isBlankName, noName, onlyInactive } from '../plan/decide.js';
import type { ResolvedLink } from '../context/catalog.js';
import { type Context, shape } from '../context/context.js';
import type { DecidedEntry } from '../plan/decide.js';

/** The link's `compare` columns as plan reads them (compare_0, compare_1…, see sql/plan.ts). */
type CompareValues = Record<`compare_${number}`, string | null | undefined>;

/** Most labelled names scored for the precision/recall estimate of one link. */
const MAX_LABELLED = 2000;

export function matchOptionsFor(l: ResolvedLink): MatchOptions {
  const strategy = l.config.match;
  const base = DEFAULT_MATCH_OPTIONS[strategy];
  return {
    ...base,
    ...(l.config.autoLinkAt !== undefined ? { autoLinkAt: l.config.autoLinkAt } : {}),
    ...(l.config.reviewAt !== undefined ? { reviewAt: l.config.reviewAt } : {}),
    ...(l.config.margin !== undefined ? { margin: l.config.margin } : {}),
  };
}

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list === undefined) m.set(k, [r]);
    else list.push(r);
  }
  return m;
}

/**
 * Normalised and fuzzy plans: the distinct names, the active masters and the known aliases of each
 * scope are read once (three set-based statements); each distinct name is matched once in memory and
 * handed to `sink` as it is decided (the caller writes entries in chunks: 100 k entries with their
 * candidates held at once were most of a fuzzy plan's memory).
 */
export async function planScored(db: Queryable, l: ResolvedLink, ctx: Context, sink: (e: DecidedEntry) => Promise<void> | void): Promise<{ accuracy: unknown }> {
  const s = shape(l);
  const opts = matchOptionsFor(l);
  const n = unlinkedNamesStatement(s, ctx.filter);
  const m = mastersStatement(s, ctx.filter);
  const a = aliasesStatement(s, ctx.filter);
  const names = (await db.query<{ scope_key: (string | null)[]; source_name: string | null; row_count: unknown } & CompareValues>(n.text, n.values)).rows;
  const masters = (await db.query<{ scope_key: (string | null)[]; key: string; name: string } & CompareValues>(m.text, m.values)).rows;
  const nCompare = s.compare?.length ?? 0;
  const evidence = (r: CompareValues): (string | null)[] | undefined => (nCompare === 0 ? undefined : Array.from({ length: nCompare }, (_, i) => r[`compare_${i}`] ?? null));
  const aliases = (await db.query<{ scope_key: (string | null)[]; name: string; key: string; rows: unknown }>(a.text, a.values)).rows;
  // masters the active predicate excludes: only to say "only an inactive master matches" instead of "no candidate"
  const im = inactiveMastersStatement(s, ctx.filter);
  const inactive = (await db.query<{ scope_key: (string | null)[]; key: string; name: string }>(im.text, im.values)).rows;
  const inactiveBy = groupBy(inactive, (r) => JSON.stringify(r.scope_key));
  const mastersBy = groupBy(masters, (r) => JSON.stringify(r.scope_key));
  const aliasesBy = groupBy(aliases, (r) => JSON.stringify(r.scope_key));
  let labelledBudget = MAX_LABELLED;
  const acc = { samples: 0, autoLinked: 0, correct: 0, wrong: 0 };
  for (const [scope, group] of groupBy(names, (r) => JSON.stringify(r.scope_key))) {
    const ms: MasterRecord[] = (mastersBy.get(scope) ?? []).map((r) => ({ key: r.key, name: r.name, evidence: evidence(r) }));
    const known: KnownAlias[] = (aliasesBy.get(scope) ?? []).map((r) => ({ name: r.name, key: r.key, rows: num(r.rows) }));
    const scopeKey = group[0]!.scope_key;
    const unscoped = scopeKey.some((v) => v === null);
    const matcher = createMatcher(unscoped ? [] : ms, unscoped ? [] : known, opts);
    const masterNames = new Map(ms.map((m) => [m.key, m.name]));
    const ims: MasterRecord[] = unscoped ? [] : (inactiveBy.get(scope) ?? []).map((r) => ({ key: r.key, name: r.name }));
    const inactiveMatcher = ims.length === 0 ? null : createMatcher(ims, [], opts);
    for (const r of group) {
      const rowCount = num(r.row_count);
      if (r.source_name === null || isBlankName(r.source_name)) {
        await sink({ scopeKey, sourceName: r.source_name, rowCount, ...noName(r.source_name) });
        continue;
      }
      const d = matcher.match(r.source_name, evidence(r));
      if (d.outcome === 'unmatched' && inactiveMatcher !== null) {
        const i = inactiveMatcher.match(r.source_name);
        if (i.outcome !== 'unmatched' && i.candidates.length > 0) {
          await sink({ scopeKey, sourceName: r.source_name, rowCount, ...onlyInactive(i.candidates) });
          continue;
        }
      }
      // the master's own name as read (an alias candidate carries the alias): what apply rechecks
      const targetName = d.outcome === 'linked' && d.targetKey !== null ? (masterNames.get(d.targetKey) ?? null) : null;
      await sink({ scopeKey, sourceName: r.source_name, rowCount, outcome: d.outcome, targetKey: d.targetKey, method: d.method, score: d.score, candidates: d.candidates, reason: d.reason, targetName });
    }
    if (labelledBudget > 0 && known.length > 0 && ms.length > 0) {
      const sample = known.slice(0, labelledBudget);
      labelledBudget -= sample.length;
      const est = estimateAccuracy(sample, ms, opts);
      acc.samples += est.samples;
      acc.autoLinked += est.autoLinked;
      acc.correct += est.correct;
      acc.wrong += est.wrong;
    }
  }
  const accuracy = {
    ...acc,
    precision: acc.autoLinked === 0 ? null : acc.correct / acc.autoLinked,
    recall: acc.samples === 0 ? null : acc.correct / acc.samples,
    note: 'estimated on names already linked by FK (leave-one-out)',
  };
  return { accuracy };
}
