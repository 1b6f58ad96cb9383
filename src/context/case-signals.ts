/**
 * What a link's name columns say about case: a citext master name beside a document name of another type (varchar,
 * text) compares as PostgreSQL compares them, text's case-sensitive equality, so under `"match": "exact"` a document
 * naming 'ACME LTD' finds no master 'Acme Ltd' though the master's own type calls them one name (a trial: 11,012 rows
 * of 272,965 left unlinked, each listed as "no active master with this exact name"). Pure: reads the column types only.
 */
const CITEXT = /(^|\.)citext$/;

export function citextMasterNotice(
  link: { entity: string; match: string },
  source: [table: string, column: string, baseType: string],
  target: [table: string, column: string, baseType: string],
): string | null {
  if (link.match !== 'exact' || !CITEXT.test(target[2]) || CITEXT.test(source[2])) return null;
  return `${link.entity}: ${target[0]}.${target[1]} is citext but ${source[0]}.${source[1]} is ${source[2]}: "match": "exact" compares them as PostgreSQL does, case-sensitively, so a name that differs from a master's only by case is not linked; "match": "normalized" links it (case, spacing and punctuation aside)`;
}
