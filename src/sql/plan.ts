/**
 * The exact plan as one statement: the distinct (scope, name) of NULL-FK rows, their exactly-named
 * masters (exactCandidatesStatement) and the decision (src/plan/decide.ts's decideExact, written in SQL)
 * inserted straight into fk_backfill.plan_entries. Nothing travels to the client and back: with many
 * small tenants the distinct names approach the rows (150 k entries for 1 M rows over 5 000 tenants),
 * and sending each one through Node cost more than the bare UPDATE the plan prepares.
 */
import {
  activeWhere,
  groupSpelling,
  type LinkShape,
  loose,
  masterNameAsSource,
  masterScopeJoin,
  masterScopeWhere,
  sharedMaster,
  Params,
  type ScopeFilter,
  scopeJoin,
  scopeKeyExpr,
  scopeWhere,
  type Statement,
  textForm,
  sourceActiveWhere,
  onMaster,
  targetScope,
} from './link.js';
import { activeExpr } from './active.js';
import { ident } from './quote.js';
import type { Outcome } from '../match/types.js';
import { NO_SCOPE_REASON } from '../plan/decide.js';
import type { FkRange } from '../plan/fk-range.js';
import { fitsFkSql } from './fk-fit.js';

/**
 * What JavaScript's String.prototype.trim removes (WhiteSpace and LineTerminator), and the characters that show
 * nothing beside them (zero-width space, non-joiner, joiner, word joiner, Mongolian vowel separator): a name of only
 * these is blank (decide.ts isBlankName), never linked.
 */
export const BLANK_NAME_RE = '^[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u180e\\u2000-\\u200d\\u2028\\u2029\\u202f\\u205f\\u2060\\u3000\\ufeff]*$';

/**
 * Inserts the exact plan of one link under run `runId`; returns nothing. Outcomes, reasons, candidates
 * and the recorded master name are those of decideExact (a unit test compares the two on every case).
 */
export function exactPlanInsertStatement(
  link: LinkShape & { scopeTypes?: string[] },
  a: { runId: string; linkName: string },
  f: ScopeFilter,
  maxCandidates = 10,
): Statement {
  const inner = exactCandidatesStatement(link, f, maxCandidates, { ordered: false });
  const p = new Params();
  for (const v of inner.values) p.add(v);
  const run = p.add(a.runId);
  const ln = p.add(a.linkName);
  const blank = p.add(BLANK_NAME_RE);
  // one candidate (nearly every linked name): the array built directly; the aggregate over unnest it replaces took
  // 6 µs per entry, 0.27 s of a 1 M-row plan over 5,000 tenants
  const shared = link.sharedMasters === true;
  // a shared master (of no scope, target.shared) says so in its candidate: review shows it, the reason names it
  const sharedMark = (k: string): string =>
    shared ? ` || CASE WHEN ${k} = ANY(d.shared_keys) THEN '{"shared": true}'::jsonb ELSE '{}'::jsonb END` : '';
  const cand = (k: string, extra: string): string =>
    `jsonb_build_object('key', ${k}, 'name', d.source_name, 'score', 1, 'method', 'exact'${extra})${sharedMark(k)}`;
  const cands = (arr: string, extra: string): string =>
    `CASE WHEN cardinality(${arr}) = 1 THEN jsonb_build_array(${cand(`${arr}[1]`, extra)})
                 ELSE (SELECT jsonb_agg(${cand('u.k', extra)} ORDER BY u.o) FROM unnest(${arr}) WITH ORDINALITY AS u(k, o)) END`;
  const text = `WITH c AS (
${inner.text}
), d AS (
  SELECT c.scope_key, c.source_name::text AS source_name, c.row_count, coalesce(c.keys, '{}') AS keys, c.candidate_count,
         coalesce(c.inactive_keys, '{}') AS inactive_keys, c.names,${shared ? ` coalesce(c.shared_keys, '{}') AS shared_keys, c.shared_count,` : ''}
         CASE WHEN c.source_name IS NULL THEN 'no name' WHEN c.source_name::text COLLATE "C" ~ ${blank} THEN 'blank name' END AS no_name
    FROM c
)
INSERT INTO fk_backfill.plan_entries (run_id, link, scope_key, source_name, outcome, target_key, method, score, row_count, candidates, reason, target_name)
SELECT ${run}::int8, ${ln}::text, d.scope_key, d.source_name,
       CASE WHEN d.no_name IS NOT NULL THEN 'unmatched' WHEN d.candidate_count = 1 THEN 'linked' WHEN d.candidate_count > 1 THEN 'ambiguous' ELSE 'unmatched' END,
       CASE WHEN d.no_name IS NULL AND d.candidate_count = 1 THEN d.keys[1] END,
       CASE WHEN d.no_name IS NULL AND d.candidate_count = 1 THEN 'exact' END,
       CASE WHEN d.no_name IS NULL AND d.candidate_count = 1 THEN 1::real END,
       d.row_count,
       CASE WHEN d.no_name IS NOT NULL THEN '[]'::jsonb
            WHEN d.candidate_count >= 1 THEN ${cands('d.keys', '')}
            WHEN cardinality(d.inactive_keys) > 0 THEN ${cands('d.inactive_keys', ", 'active', false")}
            ELSE '[]'::jsonb END,
       CASE WHEN d.no_name IS NOT NULL THEN d.no_name
            WHEN array_position(d.scope_key, NULL) IS NOT NULL THEN ${p.add(NO_SCOPE_REASON)}
            WHEN d.candidate_count = 1 THEN 'one active master with this exact name'${
              shared ? ` || CASE WHEN d.shared_count > 0 THEN ', a shared master (of no tenant)' ELSE '' END` : ''
            }
            WHEN d.candidate_count > 1 THEN d.candidate_count::text || ' active masters share this exact name'${
              shared
                ? ` || CASE WHEN d.shared_count > 0 THEN ' (' || d.shared_count::text || ' of them shared by every tenant: never guessed)' ELSE '' END`
                : ''
            }
            WHEN cardinality(d.inactive_keys) = 1 THEN 'only an inactive master matches this name (not linked)'
            WHEN cardinality(d.inactive_keys) > 1 THEN 'only inactive masters (' || cardinality(d.inactive_keys)::text || ') match this name (not linked)'
            ELSE 'no active master with this exact name' END,
       CASE WHEN d.no_name IS NULL AND d.candidate_count = 1 THEN d.names[1] END
  FROM d`;
  return { text, values: p.values };
}

/**
 * For the rest of the transaction, work_mem at least 64 MB: the exact plan groups every NULL-FK row by
 * (scope, name); at the default 4 MB that hash aggregate spills to disk (1 M rows: 1.2 s against 0.6 s).
 * And no JIT: the plan's statements cost enough to pass jit_above_cost, and compiling their expressions
 * took 0.4 s of the 2.4 s unmatched sample (1 M rows, 5 000 tenants) while saving nothing measurable.
 */
export function workMemStatement(): Statement {
  return {
    text: `SELECT CASE WHEN pg_size_bytes(current_setting('work_mem')) < 67108864 THEN set_config('work_mem', '64MB', true) END, set_config('jit', 'off', true)`,
    values: [],
  };
}

/**
 * A link's linked entries whose master's key its narrower integer FK cannot hold, made unmatched with `reason`
 * (src/plan/fk-range.ts; the exact plan decides in SQL, so it is checked here before the entries are counted).
 */
export function unfitKeysStatement(a: { runId: string; linkName: string }, range: FkRange, reason: string): Statement {
  const p = new Params();
  const text = `UPDATE fk_backfill.plan_entries e
   SET outcome = 'unmatched', target_key = NULL, method = NULL, target_name = NULL, reason = ${p.add(reason)}
 WHERE e.run_id = ${p.add(a.runId)}::int8 AND e.link = ${p.add(a.linkName)} AND e.outcome = 'linked' AND e.target_key IS NOT NULL
   AND NOT ${fitsFkSql('e.target_key', range, (v) => p.add(v))}`;
  return { text, values: p.values };
}

/** Per outcome and method: distinct names and rows of one link's plan (the plan's summary, counted where the entries are). */
export function planCountsStatement(a: {
  runId: string;
  linkName: string;
}): Statement<{ outcome: Outcome; method: string | null; names: unknown; rows: unknown }> {
  return {
    text: `SELECT e.outcome, e.method, count(*)::int8 AS names, coalesce(sum(e.row_count), 0)::int8 AS rows
  FROM fk_backfill.plan_entries e
 WHERE e.run_id = $1::int8 AND e.link = $2
 GROUP BY 1, 2`,
    values: [a.runId, a.linkName],
  };
}

/** Which entries of one link's plan: the given (scope, name) pairs, or the linked ones not linked by exact equality. */
export type EntrySelection = { pairs: [(string | null)[], string][] } | { inferred: true };

function entryWhere(a: { runId: string; linkName: string; which: EntrySelection }, p: Params): string {
  const base = `e.run_id = ${p.add(a.runId)}::int8 AND e.link = ${p.add(a.linkName)}`;
  if ('inferred' in a.which) return `${base} AND e.outcome = 'linked' AND e.method IS DISTINCT FROM 'exact'`;
  // a JSON array of [scope_key, name] pairs, one parameter however many
  return `${base}
   AND (e.scope_key, e.source_name) IN (SELECT ARRAY(SELECT jsonb_array_elements_text(x.value -> 0)), x.value ->> 1
                                          FROM jsonb_array_elements(${p.add(JSON.stringify(a.which.pairs))}::jsonb) x)`;
}

/** A plan entry as planEntriesStatement reads it. */
export interface PlanEntryDbRow {
  scope_key: (string | null)[];
  source_name: string | null;
  outcome: Outcome;
  target_key: string | null;
  method: string | null;
  score: unknown;
  row_count: unknown;
  candidates: unknown;
  reason: string | null;
  target_name: string | null;
}

/** Some entries of one link's plan (see EntrySelection). */
export function planEntriesStatement(a: { runId: string; linkName: string; which: EntrySelection }): Statement<PlanEntryDbRow> {
  const p = new Params();
  const text = `SELECT e.scope_key, e.source_name, e.outcome, e.target_key, e.method, e.score, e.row_count, e.candidates, e.reason, e.target_name
  FROM fk_backfill.plan_entries e
 WHERE ${entryWhere(a, p)}`;
  return { text, values: p.values };
}

/** Deletes some entries of one link's plan (to write them again decided otherwise: people's decisions). */
export function deletePlanEntriesStatement(a: { runId: string; linkName: string; which: EntrySelection }): Statement {
  const p = new Params();
  return { text: `DELETE FROM fk_backfill.plan_entries e WHERE ${entryWhere(a, p)}`, values: p.values };
}

/**
 * Plain name and scope columns (text, varchar, integers, uuid; no citext, char(n) or nondeterministic collation, the
 * scope's types known): the join's equality is each column's own grouping equality, so every name meets at most one
 * group of masters with that (scope, name) and the masters can be grouped first (a few per name, small) instead of
 * grouping the names again after the join (a sort of every name: 0.6 s of the plan at 145 k names).
 */
const PLAIN_NAME = /^(text|character varying(\(\d+\))?)$/;
const PLAIN_SCOPE = /^(text|character varying(\(\d+\))?|smallint|integer|bigint|uuid)$/;
function plainJoin(link: LinkShape & { scopeTypes?: string[] }): boolean {
  return (
    link.nameLoose === false &&
    link.sharedMasters !== true &&
    PLAIN_NAME.test(link.nameType ?? 'text') &&
    PLAIN_NAME.test(link.targetNameType ?? 'text') &&
    link.scopeTypes !== undefined &&
    link.scope.every((_, i) => !loose(link, i) && PLAIN_SCOPE.test(link.scopeTypes?.[i] ?? ''))
  );
}

/**
 * Distinct (scope, name) among rows whose FK is NULL, with row counts and the active masters whose
 * name is exactly equal in the same scope (seed semantics, set-based: one hash join, no per-row query).
 */
export function exactCandidatesStatement(
  link: LinkShape & { scopeTypes?: string[] },
  f: ScopeFilter,
  maxCandidates = 10,
  o: { ordered?: boolean } = {},
): Statement {
  const p = new Params();
  const tkey = `t.${ident(link.targetKey)}`;
  // masters that are not active are read too, only to say so ("only an inactive master has this name")
  const act = activeExpr('t', link.active);
  const max = p.add(maxCandidates);
  // a loose scope column (citext, nondeterministic collation) groups by its text form: see LinkShape.scopeLoose
  const scopeCol = (c: string, i: number): string => (loose(link, i) ? textForm(`s.${ident(c)}`) : `s.${ident(c)}`);
  const groupCols = [...link.scope.map(scopeCol), `s.${ident(link.name)}`].join(', ');
  if (plainJoin(link)) {
    const tcols = targetScope(link).map((c) => `t.${ident(c)}`);
    const mastersWhere = scopeWhere('t', onMaster(link), f, p);
    const text = `WITH names AS (
  SELECT ${[...link.scope.map((c, i) => `${scopeCol(c, i)} AS ${ident(c)}`), `s.${ident(link.name)} AS source_name`].join(', ')}, count(*)::int8 AS row_count
    FROM ${link.sourceSql} s
   WHERE s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)}${scopeWhere('s', link, f, p)}
   GROUP BY ${groupCols}
), m AS (
  SELECT ${[...tcols, `t.${ident(link.targetName)}`].join(', ')},
         (array_agg(${tkey}::text ORDER BY ${tkey}::text) FILTER (WHERE ${tkey} IS NOT NULL AND ${act}))[1:${max}::int] AS keys,
         count(${tkey}) FILTER (WHERE ${act})::int8 AS candidate_count,
         (array_agg(${tkey}::text ORDER BY ${tkey}::text) FILTER (WHERE ${tkey} IS NOT NULL AND NOT ${act}))[1:${max}::int] AS inactive_keys,
         (array_agg(t.${ident(link.targetName)}::text ORDER BY ${tkey}::text) FILTER (WHERE ${tkey} IS NOT NULL AND ${act}))[1:1] AS names
    FROM ${link.targetSql} t
   WHERE t.${ident(link.targetName)} IS NOT NULL${mastersWhere}
   GROUP BY ${[...tcols, `t.${ident(link.targetName)}`].join(', ')}
)
SELECT ${scopeKeyExpr('n', link)} AS scope_key, n.source_name, n.row_count, m.keys, coalesce(m.candidate_count, 0)::int8 AS candidate_count, m.inactive_keys, m.names
  FROM names n
  LEFT JOIN m
    ON m.${ident(link.targetName)} = n.source_name${scopeJoin('m', 'n', link, 'a')}${
      o.ordered === false
        ? ''
        : `
 ORDER BY 1, 2`
    }`;
    return { text, values: p.values };
  }
  // a loose name column's group is recorded under one spelling of it (groupSpelling), still joined by the group's value
  const spelled = link.nameLoose === true;
  // with shared masters (target.shared), a name meets its own scope's masters and those of no scope: counted apart too
  const sharedCols =
    link.sharedMasters === true
      ? `
       (array_agg(${tkey}::text ORDER BY ${tkey}::text) FILTER (WHERE ${tkey} IS NOT NULL AND ${act} AND ${sharedMaster('t', link)}))[1:${max}::int] AS shared_keys,
       count(${tkey}) FILTER (WHERE ${act} AND ${sharedMaster('t', link)})::int8 AS shared_count,`
      : '';
  const text = `WITH names AS (
  SELECT ${[...link.scope.map((c, i) => `${scopeCol(c, i)} AS ${ident(c)}`), `s.${ident(link.name)} AS source_name`].join(', ')}${spelled ? `, ${groupSpelling(link, `s.${ident(link.name)}`)} AS spelling` : ''}, count(*)::int8 AS row_count
    FROM ${link.sourceSql} s
   WHERE s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)}${scopeWhere('s', link, f, p)}
   GROUP BY ${groupCols}
)
SELECT ${scopeKeyExpr('n', link)} AS scope_key, ${spelled ? 'n.spelling AS source_name' : 'n.source_name'}, n.row_count,
       (array_agg(${tkey}::text ORDER BY ${tkey}::text) FILTER (WHERE ${tkey} IS NOT NULL AND ${act}))[1:${max}::int] AS keys,
       count(${tkey}) FILTER (WHERE ${act})::int8 AS candidate_count,${sharedCols}
       (array_agg(${tkey}::text ORDER BY ${tkey}::text) FILTER (WHERE ${tkey} IS NOT NULL AND NOT ${act}))[1:${max}::int] AS inactive_keys,
       -- the active masters' names as read, in the order of keys: what a linked entry's decision rested on (apply rechecks it)
       (array_agg(t.${ident(link.targetName)}::text ORDER BY ${tkey}::text) FILTER (WHERE ${tkey} IS NOT NULL AND ${act}))[1:1] AS names
  FROM names n
  LEFT JOIN ${link.targetSql} t
    ON ${masterNameAsSource(link, `t.${ident(link.targetName)}`)} = n.source_name${masterScopeJoin('t', 'n', link)}
 GROUP BY ${[...link.scope.map((c) => `n.${ident(c)}`), 'n.source_name', ...(spelled ? ['n.spelling'] : []), 'n.row_count'].join(', ')}${
   o.ordered === false
     ? ''
     : `
 ORDER BY 1, 2`
 }`;
  return { text, values: p.values };
}

/** The link's `compare` columns as plan reads them (compare_0, compare_1…; compare_agree on names only, see compareColumns). */
export type CompareValues = Record<`compare_${number}`, string | null | undefined> & { compare_agree?: boolean | null };
/** A master as mastersStatement and inactiveMastersStatement read it. */
export type MasterRow = { scope_key: (string | null)[]; key: string; name: string } & CompareValues;
/** A distinct unlinked name as unlinkedNamesStatement reads it. */
export type NameRow = { scope_key: (string | null)[]; source_name: string | null; row_count: unknown } & CompareValues;

/** Active masters of the scope(s): key, name (for normalised/fuzzy matching). */
export function mastersStatement(link: LinkShape, f: ScopeFilter): Statement<MasterRow> {
  const p = new Params();
  const text = `SELECT ${scopeKeyExpr('t', onMaster(link))} AS scope_key, t.${ident(link.targetKey)}::text AS key, t.${ident(link.targetName)} AS name${compareColumns(link, 'target')}
  FROM ${link.targetSql} t
 WHERE t.${ident(link.targetName)} IS NOT NULL${activeWhere('t', link)}${masterScopeWhere('t', link, f, p)}
 ORDER BY 1, 3, 2`;
  return { text, values: p.values };
}

/** Names already linked by FK to an active master of the same scope: known aliases and labelled data. */
export function aliasesStatement(
  link: LinkShape,
  f: ScopeFilter,
): Statement<{ scope_key: (string | null)[]; name: string; key: string; rows: unknown }> {
  const p = new Params();
  const text = `SELECT ${scopeKeyExpr('s', link)} AS scope_key, s.${ident(link.name)} AS name, s.${ident(link.fk)}::text AS key, count(*)::int8 AS rows
  FROM ${link.sourceSql} s
  JOIN ${link.targetSql} t ON t.${ident(link.targetKey)} = s.${ident(link.fk)}${masterScopeJoin('t', 's', link)}${activeWhere('t', link)}
 WHERE s.${ident(link.fk)} IS NOT NULL AND s.${ident(link.name)} IS NOT NULL${scopeWhere('s', link, f, p)}
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3`;
  return { text, values: p.values };
}

/**
 * The link's `compare` columns as text, `compare_0`, `compare_1`… in config order (columns, not an array: PGlite reads
 * a NULL element of a text[] as the string "NULL"). A master's own values; for a name, the value every one of its rows
 * has (NULL when one row has none: its rows would otherwise borrow another row's value), and `compare_agree` false when
 * its rows hold different values on some column (then the name decides alone: two people may share it). Pairs of
 * different types are read alike (`as`: numbers through trim_scale(numeric), a date/time as the master's type).
 * count/min/max: plain aggregates every engine, Citus included, pushes down.
 */
function compareColumns(link: LinkShape, side: 'source' | 'target'): string {
  const cols = link.compare ?? [];
  if (cols.length === 0) return '';
  const read = (alias: string, col: string, as: string | undefined, mine: boolean): string =>
    as === 'numeric'
      ? `trim_scale(${alias}.${ident(col)}::numeric)::text`
      : as !== undefined && mine
        ? `${alias}.${ident(col)}::${as}::text`
        : `${alias}.${ident(col)}::text`;
  if (side === 'target') return cols.map((c, i) => `, ${read('t', c.target, c.as, false)} AS compare_${i}`).join('');
  const v = cols.map((c) => read('s', c.source, c.as, true));
  const each = v.map((x, i) => `, CASE WHEN count(${x}) = count(*) AND min(${x}) = max(${x}) THEN min(${x}) END AS compare_${i}`).join('');
  return `${each}, ${v.map((x) => `min(${x}) IS NOT DISTINCT FROM max(${x})`).join(' AND ')} AS compare_agree`;
}

/** Distinct names of NULL-FK rows with their row counts (input of normalised/fuzzy plans). */
export function unlinkedNamesStatement(link: LinkShape, f: ScopeFilter): Statement<NameRow> {
  const p = new Params();
  const name = `s.${ident(link.name)}`;
  const text = `SELECT ${scopeKeyExpr('s', link)} AS scope_key, ${groupSpelling(link, name)} AS source_name, count(*)::int8 AS row_count${compareColumns(link, 'source')}
  FROM ${link.sourceSql} s
 WHERE s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)}${scopeWhere('s', link, f, p)}
 GROUP BY 1, ${link.nameLoose === true ? name : '2'}
 ORDER BY 1, 2`;
  return { text, values: p.values };
}

/** Inactive masters of the scope(s): key, name, number (missing-master proposals flag reactivation). */
export function inactiveMastersStatement(
  link: LinkShape & { number?: string | undefined },
  f: ScopeFilter,
): Statement<MasterRow & { number: string | null }> {
  const p = new Params();
  if (link.active === undefined)
    return {
      text: 'SELECT NULL::text[] AS scope_key, NULL::text AS key, NULL::text AS name, NULL::text AS number WHERE false',
      values: [],
    };
  const number = link.number === undefined ? 'NULL::text' : `t.${ident(link.number)}::text`;
  const text = `SELECT ${scopeKeyExpr('t', onMaster(link))} AS scope_key, t.${ident(link.targetKey)}::text AS key, t.${ident(link.targetName)} AS name, ${number} AS number
  FROM ${link.targetSql} t
 WHERE NOT ${activeExpr('t', link.active)} AND t.${ident(link.targetName)} IS NOT NULL${masterScopeWhere('t', link, f, p)}`;
  return { text, values: p.values };
}
