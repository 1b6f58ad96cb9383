/**
 * A stored plan against the masters as they are now, before `apply --plan` writes (src/apply/planned.ts).
 */
import { ident } from './quote.js';
import {
  activeWhere,
  entryName,
  FOLD_PATTERN,
  foldedName,
  type LinkShape,
  masterNameAsSource,
  OWN,
  Params,
  type ScopeFilter,
  type Statement,
  masterScopeKeyEq,
  masterScopeWhere,
} from './link.js';

/** A linked entry of the plan and an active master of its scope that may be its namesake (see the statement). */
export interface NamesakeRow {
  scope_key: (string | null)[];
  source_name: string;
  target_name: string | null;
  master: string;
  /** Found only by the folded comparison (letters and digits): the caller keeps it when the matcher calls the names one. */
  folded: boolean;
}

/** At most this many (entry, master) pairs are read; exact ones first. */
export const NAMESAKE_ROWS = 1000;

/**
 * The names a plan links whose master has a namesake now that the plan did not see: an active master of the entry's
 * scope, with another key, named as the planned master or as the document name itself (compared as the plan compares
 * them: on the columns' own types, so a citext 'Acme' is a namesake of 'ACME'), and absent from the entry's candidates
 * (a master created or reactivated since: a fresh plan would call the name ambiguous, or link it to the exact one).
 * A person's decision stands: an entry the plan took from one, or a name decided for the same master since. Equality
 * joins (hashed), not one join on either name (an OR: a nested loop, 20 s at 20,000 names and masters). `variants`
 * (a normalised or fuzzy link): names equal in their letters and digits, whatever the case and punctuation, too,
 * flagged `folded`: the fold also joins words ('Silver-Foods A/S' beside 'SilverFoods A/S'), which the plan's
 * normaliser keeps apart, so the caller keeps such a pair only when the matcher's normalised keys agree (a trial:
 * every fresh plan of a tenant holding both was refused as stale). One row per (entry, master) pair.
 */
export function namesakesSincePlanStatement(
  link: LinkShape,
  a: { planRunId: string; linkName: string; variants?: boolean },
  f: ScopeFilter,
): Statement<NamesakeRow> {
  const p = new Params();
  const tk = `t.${ident(link.targetKey)}`;
  const tn = `t.${ident(link.targetName)}`;
  const recorded =
    link.targetNameType === undefined || link.targetNameType === 'text' ? 'e.target_name' : `e.target_name::${link.targetNameType}`;
  // a normalised or fuzzy link's namesakes also differ in case, spacing or punctuation ('ACME Industries' beside the
  // planned 'Acme Industries': a fresh plan calls the name ambiguous; a trial)
  const pattern = a.variants === true ? p.add(FOLD_PATTERN) : '';
  const fold = (x: string): string => foldedName(x, pattern);
  const run = p.add(a.planRunId);
  const ln = p.add(a.linkName);
  const hits = (
    on: string,
    folded: boolean,
  ): string => `SELECT e.scope_key, e.source_name, e.target_name, ${tn}::text AS master, ${folded} AS folded
    FROM e JOIN ${link.targetSql} t ON ${on} AND ${masterScopeKeyEq('t', link, 'e.scope_key', true)}${activeWhere('t', link)}
   WHERE ${tk}::text <> e.target_key
     AND NOT coalesce(e.candidates @> jsonb_build_array(jsonb_build_object('key', ${tk}::text)), false)${masterScopeWhere('t', link, f, p)}`;
  const text = `WITH e AS (
  SELECT e.scope_key, e.source_name, e.target_key, e.target_name, e.candidates
    FROM ${OWN}.plan_entries e
   WHERE e.run_id = ${run}::int8 AND e.link = ${ln} AND e.outcome = 'linked' AND e.target_key IS NOT NULL
     AND e.method IS DISTINCT FROM 'decision'
     AND NOT EXISTS (SELECT 1 FROM ${OWN}.decisions d
                      WHERE d.link = e.link AND d.scope_key = e.scope_key AND md5(d.source_name) = md5(e.source_name)
                        AND d.source_name = e.source_name AND d.revoked_at IS NULL AND d.action = 'alias' AND d.target_key = e.target_key)
), h AS (
  ${hits(`${tn} = ${recorded}`, false)}
  UNION ALL
  ${hits(`${masterNameAsSource(link, tn)} = ${entryName(link, 'e')}`, false)}${
    a.variants === true
      ? `
  UNION ALL
  ${hits(`${fold(tn)} = ${fold('e.target_name')}`, true)}
  UNION ALL
  ${hits(`${fold(tn)} = ${fold('e.source_name')}`, true)}`
      : ''
  }
)
SELECT h.scope_key, h.source_name, h.target_name, h.master, bool_and(h.folded) AS folded
  FROM h
 GROUP BY 1, 2, 3, 4
 ORDER BY 5, 2, 4
 LIMIT ${NAMESAKE_ROWS}`;
  return { text, values: p.values };
}
