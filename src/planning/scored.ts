import { num, type Queryable } from '../db/port.js';
import { DEFAULT_MATCH_OPTIONS, estimateAccuracy, type KnownAlias, type MasterRecord, type MatchOptions } from '../match/index.js';
import {
  aliasesStatement,
  type CompareValues,
  inactiveMastersStatement,
  type MasterRow,
  mastersStatement,
  unlinkedNamesStatement,
} from '../sql/plan.js';
import { type EntryDecision, isBlankName, noName, noScope } from '../plan/decide.js';
import { scopeDecider } from '../plan/scope-decider.js';
import type { ResolvedLink } from '../context/catalog.js';
import { declaredLength } from '../context/column-types.js';
import { type Context, shape } from '../context/context.js';
import type { DecidedEntry } from '../plan/decide.js';

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
    // the name column's declared length (varchar(40)): a name that long may have been cut there (truncation.ts)
    ...(declaredLength(l.nameType) !== undefined ? { nameLength: declaredLength(l.nameType)! } : {}),
  };
}

/**
 * The length a source without a declared one cut its names at: the longest names' length when three names or more
 * share it (a field of 30 characters fills up; one long name does not make a cap). 16 at least, as truncation.ts.
 */
export function sharedMaxLength(names: Iterable<string | null>): number | undefined {
  let max = 0;
  let at = 0;
  for (const n of names) {
    if (n === null) continue;
    const len = [...n].length;
    if (len > max) [max, at] = [len, 1];
    else if (len === max) at++;
  }
  return max >= 16 && at >= 3 ? max : undefined;
}

/**
 * Rows grouped per scope (JSON of the scope key, first-seen order), each row kept only as `pick` makes it: the rows
 * as read (an object and a `scope_key` array each, ~250 bytes per row) are dropped once grouped (issue #21).
 */
function groupBy<T extends { scope_key: (string | null)[] }, V>(rows: T[], pick: (r: T) => V): Map<string, V[]> {
  const m = new Map<string, V[]>();
  for (const r of rows) {
    const k = JSON.stringify(r.scope_key);
    const list = m.get(k);
    if (list === undefined) m.set(k, [pick(r)]);
    else list.push(pick(r));
  }
  return m;
}

/**
 * Normalised and fuzzy plans: the distinct names, the active masters and the known aliases of each
 * scope are read once (three set-based statements); each distinct name is matched once in memory and
 * handed to `sink` as it is decided (the caller writes entries in chunks: 100 k entries with their
 * candidates held at once were most of a fuzzy plan's memory).
 */
export async function planScored(
  db: Queryable,
  l: ResolvedLink,
  ctx: Context,
  sink: (e: DecidedEntry) => Promise<void> | void,
): Promise<{ accuracy: unknown }> {
  const s = shape(l);
  const opts = matchOptionsFor(l);
  const nCompare = s.compare?.length ?? 0;
  const evidence = (r: CompareValues): (string | null)[] | undefined =>
    nCompare === 0 ? undefined : Array.from({ length: nCompare }, (_, i) => r[`compare_${i}`] ?? null);
  const master = (r: MasterRow): MasterRecord =>
    nCompare === 0 ? { key: r.key, name: r.name } : { key: r.key, name: r.name, evidence: evidence(r) };
  // Per scope: its key (one array for all its entries), then its names, their row counts and compare values.
  const namesBy = new Map<
    string,
    { scopeKey: (string | null)[]; names: (string | null)[]; rows: number[]; evidence: ((string | null)[] | undefined)[] }
  >();
  for (const r of (await db.query(unlinkedNamesStatement(s, ctx.filter))).rows) {
    const k = JSON.stringify(r.scope_key);
    let g = namesBy.get(k);
    if (g === undefined) namesBy.set(k, (g = { scopeKey: r.scope_key, names: [], rows: [], evidence: [] }));
    g.names.push(r.source_name);
    g.rows.push(num(r.row_count));
    // a name whose rows disagree on a column may name several people: it decides by its name alone
    if (nCompare > 0) g.evidence.push(r.compare_agree === false ? undefined : evidence(r));
  }
  // a column of no declared length: the length its longest names share, if they do (the names of every scope)
  if (opts.nameLength === undefined) {
    const cap = sharedMaxLength(new Set([...namesBy.values()].flatMap((g) => g.names)));
    if (cap !== undefined) opts.nameLength = cap;
  }
  const mastersBy = groupBy((await db.query(mastersStatement(s, ctx.filter))).rows, master);
  const aliasesBy = groupBy((await db.query(aliasesStatement(s, ctx.filter))).rows, (r): KnownAlias => ({
    name: r.name,
    key: r.key,
    rows: num(r.rows),
  }));
  // masters the active predicate excludes: only to say "only an inactive master matches" instead of "no candidate"
  const inactiveBy = groupBy((await db.query(inactiveMastersStatement(s, ctx.filter))).rows, master);
  // shared masters (target.shared: of no scope) are candidates in every scope, beside its own
  const noScopeKey = JSON.stringify(s.scope.map(() => null));
  const sharedMs = s.sharedMasters === true ? (mastersBy.get(noScopeKey) ?? []) : [];
  const sharedIms = s.sharedMasters === true ? (inactiveBy.get(noScopeKey) ?? []) : [];
  const shared = new Set([...sharedMs, ...sharedIms].map((m) => m.key));
  // scoring is CPU work of minutes on a large scope: every 50 ms the event loop gets a turn, so a server planning
  // (the review page's re-plan) still answers its other requests
  let breathed = Date.now();
  const breathe = async (): Promise<void> => {
    if (Date.now() - breathed < 50) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    breathed = Date.now();
  };
  let labelledBudget = MAX_LABELLED;
  const acc = { samples: 0, autoLinked: 0, correct: 0, wrong: 0 };
  for (const [scope, group] of namesBy) {
    // the masters of no scope are the shared ones, not a scope's own (an unscoped link's one scope, [], is not that)
    const sharedOnly = s.sharedMasters === true && scope === noScopeKey;
    const own = sharedOnly ? [] : (mastersBy.get(scope) ?? []);
    const ms: MasterRecord[] = sharedMs.length === 0 ? own : [...own, ...sharedMs];
    const known: KnownAlias[] = aliasesBy.get(scope) ?? [];
    const ownInactive = sharedOnly ? [] : (inactiveBy.get(scope) ?? []);
    const ims: MasterRecord[] = sharedIms.length === 0 ? ownInactive : [...ownInactive, ...sharedIms];
    // a scope's names and masters are let go once it is planned (each scope is visited once)
    for (const by of [namesBy, mastersBy, aliasesBy, inactiveBy]) by.delete(scope);
    const scopeKey = group.scopeKey;
    const unscoped = scopeKey.some((v) => v === null);
    const rowOf = (at: number, e: EntryDecision): DecidedEntry => ({
      scopeKey,
      sourceName: group.names[at]!,
      rowCount: group.rows[at]!,
      ...e,
    });
    const n = group.names.length;
    if (unscoped) {
      for (let at = 0; at < n; at++) {
        const name = group.names[at]!;
        await sink(rowOf(at, name === null || isBlankName(name) ? noName(name) : noScope()));
      }
    } else {
      const decide = scopeDecider({ masters: ms, aliases: known, inactive: ims, shared }, opts);
      for (let at = 0; at < n; at++) {
        await sink(rowOf(at, decide(group.names[at]!, group.evidence[at])));
        await breathe();
      }
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
