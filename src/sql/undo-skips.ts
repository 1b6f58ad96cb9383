/**
 * What an undo skipped, said row by row: rows deleted or hidden since, rows edited since (a sample), rows an
 * earlier undo of the same run set back.
 */
import { ident } from './quote.js';
import { appliedTouch, untouchedSince } from './undo.js';
import { namedAsPlanned, plannedNamesCte } from './undo-names.js';
import { idCols, type LinkShape, OWN, Params, rowKeyMatch, type ScopeFilter, scopeWhere, type Statement } from './link.js';

/**
 * The rows run `targetRunId` changed in one link that the table no longer shows this role (`not_found`):
 * deleted since, or hidden by row-level security (`rls`: active on the table for the role), where undo
 * can neither see nor set them back. Run after an undo of the link skipped rows.
 */
export function undoNotFoundStatement(
  link: LinkShape,
  a: { targetRunId: string; linkName: string },
  f: ScopeFilter,
): Statement<{ not_found: unknown; rls: boolean }> {
  const p = new Params();
  const rel = p.add(link.sourceSql);
  const keys = idCols(link);
  const text = `WITH c AS (
  ${loggedKeys(p.add(a.targetRunId), p.add(a.linkName))}
)
SELECT (SELECT count(*) FROM c LEFT JOIN ${link.sourceSql} s ON ${rowKeyMatch('s', link, 'c.k')}${scopeWhere('s', link, f, p)}
         WHERE s.${ident(keys[0]!.col)} IS NULL)::int8 AS not_found,
       row_security_active(${rel}::regclass) AS rls`;
  return { text, values: p.values };
}

/**
 * The first `limit` rows run `targetRunId` changed in a link whose FK no longer holds the value the run wrote
 * (edited since): the row's key, the value written, the value now. What an undo skipped, row by row (a trial: "12
 * skipped (changed since)", and no way to see which). Not the rows an undo of the same run set back, nor those
 * another run wrote after it (rewrittenSinceStatement counts those: listed here, an apply's re-link read as "written
 * since" by the application, and a guard's link of the same value was not listed at all).
 */
export function undoEditedSampleStatement(
  link: LinkShape,
  a: { targetRunId: string; linkName: string; plan?: string },
  f: ScopeFilter,
  limit: number,
): Statement<{ key: string; wrote: string | null; now: string | null; touched: string | null; renamed: string | null }> {
  const p = new Params();
  const target = p.add(a.targetRunId);
  const linkName = p.add(a.linkName);
  // the FK as written, but the row written since by the application (undo's untouchedSince) or renamed since (its
  // namedAsPlanned, where the touched column cannot tell): skipped too
  const untouched = untouchedSince(link, 's', { recorded: 'c.rec', applied: appliedTouch(link.touch, target) }, { target, linkName });
  const named = namedAsPlanned(link, 's', a.plan);
  const unedited = untouched + named;
  const touched = link.touch === null ? 'NULL' : `s.${ident(link.touch.column)}::text`;
  const renamed = named === '' ? 'NULL' : `CASE WHEN NOT (true${named}) THEN s.${ident(link.name)}::text END`;
  // not the rows an undo of the same run set back: this one, or an earlier one (alreadyRevertedStatement counts those)
  const text = `WITH ${plannedNamesCte(link, { p, id: a.plan }, linkName)}c AS (
  SELECT DISTINCT ON (u.k) u.k, u.v, cs.touched_column IS NOT NULL AS rec, cs.changed_at
    FROM ${OWN}.change_sets cs CROSS JOIN LATERAL unnest(cs.row_keys, cs.new_values) AS u(k, v)
   WHERE cs.run_id = ${target}::int8 AND cs.link = ${linkName}
   ORDER BY u.k, cs.id DESC
), u AS (
  SELECT DISTINCT unnest(cs.row_keys) AS k
    FROM ${OWN}.change_sets cs JOIN ${OWN}.runs r ON r.id = cs.run_id
   WHERE r.kind = 'undo' AND r.target_run_id = ${target}::int8 AND cs.link = ${linkName}
), l AS (
  ${laterWrites(target, linkName)}
)
SELECT c.k AS key, c.v AS wrote, s.${ident(link.fk)}::text AS now, ${touched} AS touched, ${renamed} AS renamed
  FROM c JOIN ${link.sourceSql} s ON ${rowKeyMatch('s', link, 'c.k')}${scopeWhere('s', link, f, p)}
 WHERE (s.${ident(link.fk)}::text IS DISTINCT FROM c.v${unedited === '' ? '' : ` OR NOT (true${unedited})`}) AND NOT EXISTS (SELECT 1 FROM u WHERE u.k = c.k)
   AND NOT EXISTS (SELECT 1 FROM l WHERE l.k = c.k AND l.at >= c.changed_at)
 ORDER BY c.k
 LIMIT ${p.add(Math.max(1, Math.floor(limit)))}::int8`;
  return { text, values: p.values };
}

/**
 * Of the rows run `targetRunId` changed in a link, those an earlier undo of the same run already set back (an
 * `undo --entity`, or an undo that stopped before a new one was started): `n`, and the undo runs that did (`by`).
 * Undo counts them among its skipped rows, which no longer hold the value the run wrote; this says why.
 */
export function alreadyRevertedStatement(a: {
  targetRunId: string;
  runId: string;
  linkName: string;
}): Statement<{ n: unknown; by: string[] | null }> {
  const p = new Params();
  const target = p.add(a.targetRunId);
  const runId = p.add(a.runId);
  const linkName = p.add(a.linkName);
  const text = `WITH c AS (
  ${loggedKeys(target, linkName)}
), u AS (
  SELECT DISTINCT unnest(cs.row_keys) AS k, cs.run_id
    FROM ${OWN}.change_sets cs JOIN ${OWN}.runs r ON r.id = cs.run_id
   WHERE r.kind = 'undo' AND r.target_run_id = ${target}::int8 AND r.id <> ${runId}::int8 AND cs.link = ${linkName}
)
SELECT count(DISTINCT c.k)::int8 AS n, array_agg(DISTINCT u.run_id::text) AS by FROM c JOIN u ON u.k = c.k`;
  return { text, values: p.values };
}

/**
 * Of the rows run `targetRunId` changed in a link, those another run wrote after it (`at` ≥ the time the target
 * wrote the row, as undo's own check compares them): an apply that linked a cleared FK again, the guard linking a row
 * the application cleared and renamed, an undo of such a run. Undo leaves them, as that run wrote them. Per run, its
 * kind and rows (`n`), and the rows of all of them once (`total`); the undo runs of the target itself are not among
 * them (alreadyRevertedStatement counts those), nor `runId`, this undo.
 */
export function rewrittenSinceStatement(a: {
  targetRunId: string;
  runId: string;
  linkName: string;
}): Statement<{ run: string; kind: string; n: unknown; total: unknown }> {
  const p = new Params();
  const target = p.add(a.targetRunId);
  const runId = p.add(a.runId);
  const linkName = p.add(a.linkName);
  const text = `WITH c AS (
  SELECT c.row_key AS k, max(c.changed_at) AS at FROM ${OWN}.changes c WHERE c.run_id = ${target}::int8 AND c.link = ${linkName} GROUP BY c.row_key
), l AS (
  SELECT DISTINCT l.run_id, c.k
    FROM ${OWN}.changes l JOIN c ON c.k = l.row_key AND l.changed_at >= c.at JOIN ${OWN}.runs r ON r.id = l.run_id
   WHERE l.link = ${linkName} AND l.run_id <> ${target}::int8 AND l.run_id <> ${runId}::int8
     AND NOT (r.kind = 'undo' AND r.target_run_id IS NOT DISTINCT FROM ${target}::int8)
)
SELECT l.run_id::text AS run, r.kind, count(*)::int8 AS n, (SELECT count(DISTINCT l.k) FROM l)::int8 AS total
  FROM l JOIN ${OWN}.runs r ON r.id = l.run_id
 GROUP BY l.run_id, r.kind
 ORDER BY l.run_id`;
  return { text, values: p.values };
}

/** Each row key another run than `target` wrote into link `linkName`, with the time of its last such write. */
function laterWrites(target: string, linkName: string): string {
  return `SELECT l.row_key AS k, max(l.changed_at) AS at FROM ${OWN}.changes l WHERE l.link = ${linkName} AND l.run_id <> ${target}::int8 GROUP BY l.row_key`;
}

/** The row keys run `target` logged in link `linkName` (bound parameters), each once. */
function loggedKeys(target: string, linkName: string): string {
  return `SELECT DISTINCT unnest(cs.row_keys) AS k FROM ${OWN}.change_sets cs WHERE cs.run_id = ${target}::int8 AND cs.link = ${linkName}`;
}
