/**
 * Why an apply's planned rows were not updated: the one statement that counts them by reason (issue #23).
 */
import { activeExpr } from './active.js';
import { ident } from './quote.js';
import {
  activeWhere,
  entryName,
  type LinkShape,
  OWN,
  Params,
  rowKeyText,
  type ScopeFilter,
  scopeKeyExpr,
  scopeWhere,
  sourceActiveWhere,
  type Statement,
  masterScopeJoin,
} from './link.js';
import { LOCK_NOT_AVAILABLE } from '../errors.js';

/**
 * Why planned rows were not updated (issue #23), one set-based statement per link, run after the link
 * is walked and only when it updated fewer rows than planned. Reads the rows whose FK is still NULL, that
 * still match one of the plan's linked entries (name and scope compared as plan and apply compare them)
 * and that this run did not change, and counts them by the first reason that holds: planned master
 * deleted, moved to another scope, deactivated, renamed (its name is no longer the one the plan recorded),
 * refused by the table (fk_backfill.refused_rows, see src/batch/refused.ts), kept locked by another session
 * through every retry (recorded there too, as lock_not_available);
 * the master is looked up by its whole key, the row's scope included (masters keyed by (tenant_id, id)
 * repeat ids across tenants), and "moved" means its key is found in another scope only (a key unique alone: with keys
 * that repeat across scopes, a master not found in its own is deleted). The rows left
 * still match everything and were passed
 * over by the UPDATE itself (a BEFORE UPDATE trigger returning NULL, or a row-level security policy:
 * `rls` and `before_update_triggers` say which the table has). Planned rows not found here changed since
 * the plan (name, scope or FK) or were deleted: the caller computes them as the remainder. Rows of a planned name
 * added since the plan are found here too: an entry counts at most the rows it planned (before: 2 planned rows of
 * an archived master and 1 added since were "3 master deactivated, 1 not in the plan" for 1 row updated).
 */
/** Rows left locked that skipReasonsStatement names (`locked_sample`). */
export const LOCKED_SHOWN = 5;

/**
 * `probe`: the statement also tries, in a CTE, the UPDATE apply would make on the rows still matching
 * everything (`probe`), and counts those it would change now as `reachable` instead of passed over: rows
 * that arrived behind the walk (inserted or renamed into a planned name after the last statement that
 * could link them), not rows a trigger cancelled or a policy kept from the update. The caller runs it
 * under a savepoint it rolls back (nothing is written), and only where a BEFORE UPDATE trigger or row-level
 * security could have passed rows over (a new user's trial: "93 cancelled by a trigger" on a table whose
 * one trigger sets updated_at, for rows the application named after the final sweep).
 */
export function skipReasonsStatement(
  link: LinkShape,
  a: { planRunId: string; runId: string; linkName: string; probe?: boolean },
  f: ScopeFilter,
): Statement<{
  master_deleted: unknown;
  master_moved: unknown;
  master_inactive: unknown;
  master_renamed: unknown;
  refused: unknown;
  locked: unknown;
  locked_sample: string[];
  self_reference: unknown;
  linked_earlier: unknown;
  passed_over: unknown;
  /** Only with the link's own `active`: planned rows left NULL because the document is no longer active. */
  document_inactive?: unknown;
  /** Only with `probe`. */
  reachable?: unknown;
  short_by_name: unknown;
  rls: boolean;
  before_update_triggers: boolean;
}> {
  const p = new Params();
  const linkName = p.add(a.linkName);
  const tk = `t.${ident(link.targetKey)}`;
  // "moved" only where a key names one master in every scope: with keys that repeat across scopes ((tenant_id, id)),
  // another tenant's master of the same id is not this one moved (a new user's trial: every delete counted as a move)
  const scoped = link.scope.length > 0;
  const movable = scoped && link.targetKeyAlone === true;
  const rel = p.add(link.sourceSql);
  const recorded =
    link.targetNameType === undefined || link.targetNameType === 'text' ? 'e.target_name' : `e.target_name::${link.targetNameType}`;
  const planRun = p.add(a.planRunId);
  const runId = p.add(a.runId);
  // the row's linked entry in the plan (its name and scope compared as plan and apply compare them)
  const linkedEntry = `e.run_id = ${planRun}::int8 AND e.link = ${linkName} AND e.outcome = 'linked'
     AND ${entryName(link, 'e')} = s.${ident(link.name)} AND e.scope_key = ${scopeKeyExpr('s', link)}`;
  const text = `WITH changed AS (
  SELECT unnest(cs.row_keys) AS k FROM ${OWN}.change_sets cs WHERE cs.run_id = ${runId}::int8 AND cs.link = ${linkName}
), refused AS (
  SELECT x.row_key AS k, x.sqlstate = ${p.add(LOCK_NOT_AVAILABLE)} AS locked
    FROM ${OWN}.refused_rows x WHERE x.run_id = ${runId}::int8 AND x.link = ${linkName}
)${a.probe === true ? probeCte(link, linkedEntry, f, p) : ''}, r AS (
  SELECT e.scope_key, e.source_name, e.row_count, ${rowKeyText('s', link)} AS k,
         ${tk} IS NULL${movable ? ' AND o.k IS NULL' : ''} AS master_gone,
         ${movable ? `${tk} IS NULL AND o.k IS NOT NULL` : 'false'} AS master_moved,
         ${link.active === undefined ? 'false' : `${tk} IS NOT NULL AND NOT ${activeExpr('t', link.active)}`} AS master_inactive,
         ${tk} IS NOT NULL AND e.target_name IS NOT NULL AND t.${ident(link.targetName)} IS DISTINCT FROM ${recorded} AS master_renamed,
         ${rowKeyText('s', link)} IN (SELECT k FROM refused WHERE NOT locked) AS refused,
         ${rowKeyText('s', link)} IN (SELECT k FROM refused WHERE locked) AS locked,
         ${link.selfTable === true ? `s.${ident(link.targetKey)} = e.target_key::${link.fkType}` : 'false'} AS self${
           a.probe === true
             ? `,
         ${rowKeyText('s', link)} IN (SELECT k FROM probe WHERE linked) AS reachable`
             : ''
         }
    FROM ${link.sourceSql} s
    JOIN ${OWN}.plan_entries e
      ON ${linkedEntry}
    LEFT JOIN ${link.targetSql} t ON ${tk} = e.target_key::${link.fkType}${masterScopeJoin('t', 's', link)}${
      movable
        ? `
    LEFT JOIN (SELECT DISTINCT t.${ident(link.targetKey)} AS k FROM ${link.targetSql} t) o ON o.k = e.target_key::${link.fkType}`
        : ''
    }
   WHERE s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)}${scopeWhere('s', link, f, p)}
     AND ${rowKeyText('s', link)} NOT IN (SELECT k FROM changed)
)${inactiveCte(link, linkedEntry, f, p)}, earlier AS (
  -- rows another run of this plan linked, its link not set back since by an undo of that run (the last of those writes
  -- an apply's): a trial applied a plan again after its first run was undone, and 1,068 rows an apply of another plan
  -- and the guard had linked since were put down to "another run of this plan"
  SELECT y.k
    FROM (SELECT unnest(cs.row_keys) AS k, cs.id, x.kind
            FROM ${OWN}.change_sets cs JOIN ${OWN}.runs x ON x.id = cs.run_id
           WHERE cs.link = ${linkName} AND cs.run_id <> ${runId}::int8
             AND (x.plan_run_id = ${planRun}::int8 OR x.kind = 'undo' AND x.target_run_id IN (SELECT o.id FROM ${OWN}.runs o WHERE o.plan_run_id = ${planRun}::int8))) y
   GROUP BY y.k
  HAVING (array_agg(y.kind ORDER BY y.id DESC))[1] <> 'undo'
), al AS (
  -- linked to the planned master by an earlier run of the same plan (applied again: not "changed since the plan")
  SELECT least(count(*), max(e.row_count))::int8 AS n
    FROM ${link.sourceSql} s
    JOIN ${OWN}.plan_entries e
      ON ${linkedEntry}
   WHERE s.${ident(link.fk)} = e.target_key::${link.fkType}${scopeWhere('s', link, f, p)}
     AND ${rowKeyText('s', link)} IN (SELECT k FROM earlier) AND ${rowKeyText('s', link)} NOT IN (SELECT k FROM changed)
   GROUP BY e.scope_key, e.source_name
), u AS (
  SELECT ${scopeKeyExpr('s', link)} AS scope_key, s.${ident(link.name)} AS name, count(*)::int8 AS n
    FROM ${link.sourceSql} s
   WHERE ${rowKeyText('s', link)} IN (SELECT k FROM changed)${scopeWhere('s', link, f, p)}
   GROUP BY 1, 2
), d AS (
  SELECT e.scope_key, e.source_name, e.row_count::int8 AS planned, coalesce(u.n, 0)::int8 AS updated
    FROM ${OWN}.plan_entries e
    LEFT JOIN u ON u.scope_key = e.scope_key AND u.name = ${entryName(link, 'e')}
   WHERE e.run_id = ${planRun}::int8 AND e.link = ${linkName} AND e.outcome = 'linked'${f.tenant !== null && scoped ? ` AND e.scope_key[1] = ${p.add(f.tenant)}` : ''}
), ${a.probe === true ? 'w0' : 'w'} AS (
  -- per entry and reason, at most the rows the entry planned: rows of its name added since the plan are not planned rows skipped
  SELECT ${a.probe === true ? 'scope_key, source_name, ' : ''}CASE WHEN self THEN 'self' WHEN master_gone THEN 'deleted' WHEN master_moved THEN 'moved' WHEN master_inactive THEN 'inactive'
              WHEN master_renamed THEN 'renamed' WHEN refused THEN 'refused' WHEN locked THEN 'locked'${a.probe === true ? " WHEN reachable THEN 'reachable'" : ''} ELSE 'passed' END AS reason,
         least(count(*), max(row_count))::int8 AS n
    FROM r
   GROUP BY scope_key, source_name, ${a.probe === true ? '3' : '1'}${
     a.probe === true
       ? `
), w AS (
  -- rows the UPDATE would link now count only up to what their entry is short of after its other reasons: the rest
  -- arrived after the plan (inserted, or renamed into its name), and apply links none that arrive after its last statement
  SELECT w0.reason,
         CASE WHEN w0.reason = 'reachable' THEN least(w0.n, greatest(d.planned - d.updated - coalesce(o.n, 0), 0)) ELSE w0.n END AS n
    FROM w0
    LEFT JOIN d ON d.scope_key = w0.scope_key AND d.source_name = w0.source_name
    LEFT JOIN (SELECT scope_key, source_name, sum(n) AS n FROM w0 WHERE reason <> 'reachable' GROUP BY 1, 2) o
      ON o.scope_key = w0.scope_key AND o.source_name = w0.source_name`
       : ''
   }
)
SELECT (SELECT coalesce(sum(n) FILTER (WHERE reason = 'deleted'), 0) FROM w)::int8 AS master_deleted,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'moved'), 0) FROM w)::int8 AS master_moved,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'inactive'), 0) FROM w)::int8 AS master_inactive,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'renamed'), 0) FROM w)::int8 AS master_renamed,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'refused'), 0) FROM w)::int8 AS refused,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'locked'), 0) FROM w)::int8 AS locked,
       ARRAY(SELECT r.k FROM r WHERE r.locked AND NOT (r.self OR r.master_gone OR r.master_moved OR r.master_inactive OR r.master_renamed OR r.refused)
              ORDER BY length(r.k), r.k LIMIT ${p.add(LOCKED_SHOWN)}) AS locked_sample,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'self'), 0) FROM w)::int8 AS self_reference,
       (SELECT coalesce(sum(n), 0) FROM al)::int8 AS linked_earlier,
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'passed'), 0) FROM w)::int8 AS passed_over,${inactiveCount(link)}${
         a.probe === true
           ? `
       (SELECT coalesce(sum(n) FILTER (WHERE reason = 'reachable'), 0) FROM w)::int8 AS reachable,`
           : ''
       }
       (SELECT coalesce(sum(greatest(planned - updated, 0)), 0)::int8 FROM d) AS short_by_name,
       row_security_active(${rel}::regclass) AS rls,
       EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = ${rel}::regclass AND NOT g.tgisinternal AND g.tgenabled <> 'D'
                  AND g.tgtype & 1 = 1 AND g.tgtype & 2 = 2 AND g.tgtype & 16 = 16) AS before_update_triggers`;
  return { text, values: p.values };
}

/**
 * With the link's own `active`: per linked entry, its rows the application soft-deleted (the document no longer active,
 * FK still NULL, not changed by this run). Rows of a planned name that were inactive when planned were not planned
 * (the plan leaves them out), so an entry counts at most its shortfall left after the other reasons (`inactiveCount`).
 */
function inactiveCte(link: LinkShape, linkedEntry: string, f: ScopeFilter, p: Params): string {
  if (link.sourceActive === undefined) return '';
  return `, di AS (
  SELECT e.scope_key, e.source_name, count(*)::int8 AS n
    FROM ${link.sourceSql} s
    JOIN ${OWN}.plan_entries e
      ON ${linkedEntry}
   WHERE s.${ident(link.fk)} IS NULL AND NOT ${activeExpr('s', link.sourceActive)}${scopeWhere('s', link, f, p)}
     AND ${rowKeyText('s', link)} NOT IN (SELECT k FROM changed)
   GROUP BY 1, 2
)`;
}

/** `document_inactive`: per entry, its inactive rows up to what it is short of after the other reasons (see inactiveCte). */
function inactiveCount(link: LinkShape): string {
  if (link.sourceActive === undefined) return '';
  return `
       (SELECT coalesce(sum(least(di.n, greatest(d.planned - d.updated - coalesce(o.n, 0), 0))), 0)
          FROM di JOIN d ON d.scope_key = di.scope_key AND d.source_name = di.source_name
          LEFT JOIN (SELECT scope_key, source_name, least(count(*), max(row_count)) AS n FROM r GROUP BY 1, 2) o
            ON o.scope_key = di.scope_key AND o.source_name = di.source_name)::int8 AS document_inactive,`;
}

/**
 * The UPDATE apply would make on the planned rows still unlinked whose live, active master is in their scope and that
 * the run neither changed nor recorded as refused or locked, returning their keys and whether the row came out
 * linked: those are the rows it can link now (a trigger that keeps the FK NULL lets the UPDATE through unlinked).
 */
function probeCte(link: LinkShape, linkedEntry: string, f: ScopeFilter, p: Params): string {
  const touchSet = link.touch === null ? '' : `, ${ident(link.touch.column)} = now()`;
  return `, probe AS (
  UPDATE ${link.sourceSql} s
     SET ${ident(link.fk)} = e.target_key::${link.fkType}${touchSet}
    FROM ${OWN}.plan_entries e, ${link.targetSql} t
   WHERE ${linkedEntry}
     AND t.${ident(link.targetKey)} = e.target_key::${link.fkType}${masterScopeJoin('t', 's', link)}${activeWhere('t', link)}
     AND s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)}${scopeWhere('s', link, f, p)}
     AND ${rowKeyText('s', link)} NOT IN (SELECT k FROM changed) AND ${rowKeyText('s', link)} NOT IN (SELECT k FROM refused)
  RETURNING ${rowKeyText('s', link)} AS k, s.${ident(link.fk)} IS NOT NULL AS linked
)`;
}
