/**
 * The masters an exact plan's unlinked names may be spelled like but for case or blanks (src/planning/name-notices.ts):
 * read by a skeleton of the name (no blanks, no invisible characters, lower case, NFKC where the server encoding is
 * UTF-8) equal to some unlinked name's, instead of every master of the filter (50 k masters held 50 MB for a notice;
 * a million would hold a gigabyte). Names equal but for case or blanks always share a skeleton where PostgreSQL's
 * lower() folds their letters alike (every ASCII letter; others as the database's collation does); the caller checks
 * each master it gets with the exact fold (foldBlanks), so a skeleton shared by names that differ otherwise counts nothing.
 */
import { activeWhere, type LinkShape, masterScopeWhere, Params, type ScopeFilter, scopeKeyExpr, type Statement, onMaster } from './link.js';
import { ident } from './quote.js';

export interface SpelledLikeRow {
  scope_key: (string | null)[];
  name: string;
}

/** `x` without blanks, invisible characters and case, as SQL (the same for both sides of the comparison). */
function skeleton(x: string): string {
  // under the database's default collation (deterministic): a column's nondeterministic one (case-insensitive ICU)
  // refuses regular expressions, and `::text` keeps it
  x = `(${x}) COLLATE "default"`;
  const nfkc = `CASE WHEN current_setting('server_encoding') = 'UTF8' THEN normalize(${x}, NFKC) ELSE ${x} END`;
  return `lower(regexp_replace(${nfkc}, '[[:space:]\\u00a0\\u00ad\\u200b-\\u200d\\u2060\\ufeff]+', '', 'g'))`;
}

/** The link's active masters (within the filter) whose name has the skeleton of one of `names`. */
export function mastersSpelledLikeStatement(link: LinkShape, f: ScopeFilter, names: readonly string[]): Statement<SpelledLikeRow> {
  const p = new Params();
  const list = p.add([...names]);
  const text = `SELECT ${scopeKeyExpr('t', onMaster(link))} AS scope_key, t.${ident(link.targetName)}::text AS name
  FROM ${link.targetSql} t
 WHERE t.${ident(link.targetName)} IS NOT NULL${activeWhere('t', link)}${masterScopeWhere('t', link, f, p)}
   AND ${skeleton(`t.${ident(link.targetName)}::text`)} IN (SELECT ${skeleton('x')} FROM unnest(${list}::text[]) AS x)`;
  return { text, values: p.values };
}
