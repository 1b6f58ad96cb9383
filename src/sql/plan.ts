/**
 * The exact plan as one statement: the distinct (scope, name) of NULL-FK rows, their exactly-named
 * masters (exactCandidatesStatement) and the decision (src/plan/decide.ts's decideExact, written in SQL)
 * inserted straight into fk_backfill.plan_entries. Nothing travels to the client and back: with many
 * small tenants the distinct names approach the rows (150 k entries for 1 M rows over 5 000 tenants),
 * and sending each one through Node cost more than the bare UPDATE the plan prepares.
 */
import { exactCandidatesStatement, Params, type LinkShape, type ScopeFilter, type Statement } from './statements.js';

/**
 * What JavaScript's String.prototype.trim removes (WhiteSpace and LineTerminator): a name of only these
 * is blank (decide.ts isBlankName), never linked.
 */
export const BLANK_NAME_RE = '^[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]*$';

/**
 * Inserts the exact plan of one link under run `runId`; returns nothing. Outcomes, reasons, candidates
 * and the recorded master name are those of decideExact (a unit test compares the two on every case).
 */
export function exactPlanInsertStatement(link: LinkShape, a: { runId: string; linkName: string }, f: ScopeFilter, maxCandidates = 10): Statement {
  const inner = exactCandidatesStatement(link, f, maxCandidates, { ordered: false });
  const p = new Params();
  for (const v of inner.values) p.add(v);
  const run = p.add(a.runId);
  const ln = p.add(a.linkName);
  const blank = p.add(BLANK_NAME_RE);
  const cands = (arr: string, extra: string): string =>
    `(SELECT jsonb_agg(jsonb_build_object('key', u.k, 'name', d.source_name, 'score', 1, 'method', 'exact'${extra}) ORDER BY u.o) FROM unnest(${arr}) WITH ORDINALITY AS u(k, o))`;
  const text = `WITH c AS (
${inner.text}
), d AS (
  SELECT c.scope_key, c.source_name::text AS source_name, c.row_count, coalesce(c.keys, '{}') AS keys, c.candidate_count,
         coalesce(c.inactive_keys, '{}') AS inactive_keys, c.names,
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
            WHEN d.candidate_count = 1 THEN 'one active master with this exact name'
            WHEN d.candidate_count > 1 THEN d.candidate_count::text || ' active masters share this exact name'
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
 */
export function workMemStatement(): Statement {
  return { text: `SELECT CASE WHEN pg_size_bytes(current_setting('work_mem')) < 67108864 THEN set_config('work_mem', '64MB', true) END`, values: [] };
}

/** Per outcome and method: distinct names and rows of one link's plan (the plan's summary, counted where the entries are). */
export function planCountsStatement(a: { runId: string; linkName: string }): Statement {
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

/** Some entries of one link's plan (see EntrySelection). */
export function planEntriesStatement(a: { runId: string; linkName: string; which: EntrySelection }): Statement {
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
