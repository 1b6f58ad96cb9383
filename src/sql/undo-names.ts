/**
 * Undo's name check, where updated_at cannot tell an edit by the application (the link touches no column, or a BEFORE
 * UPDATE trigger may set it): the change log records no name, but the plan the run applied does.
 */
import { entryName, idCols, type LinkShape, OWN, type Params, scopeKeyExpr } from './link.js';
import { ident } from './quote.js';

/**
 * ` AND <the row still has the name and scope of an entry the applied plan linked to the master its FK holds>`, where
 * the touched column cannot tell an edit (the link touches none, or a BEFORE UPDATE trigger may set it): the change
 * log records no name, but the plan does. A row the application renamed since (its FK left as the run wrote it) is
 * left as it is, counted as changed since and named in the skipped rows' sample. A rename to another name the plan
 * linked to the same master cannot be told. Its entries come from plannedNamesCte (`fkb_planned`, one row), beside it
 * in the statement's WITH: both '' where there is no plan (`plan` undefined: the FK alone decides).
 *
 * A hashed subplan: the entries hashed once per statement, each row a probe. As an EXISTS over plan_entries it
 * became a semi-join driven by the change log's one-row estimate (an unnest of each change set, estimated at 10
 * rows): the plan's linked entries each re-read the set's arrays (60,000 invoices, 4,000 entries: 8 M rows filtered
 * per 2,000-row statement, an undo beside a trigger refusing 700 rows ran for over 10 minutes). Over plan_entries
 * itself the subplan's cost was charged once per probe of the row's key (the check pushed into that index scan), and
 * the planner read the whole table instead; unnesting the CTE's arrays it is estimated at 10 rows. `IS TRUE` keeps
 * it a subplan (an IN at the top of the WHERE is turned into a semi-join).
 */
export function namedAsPlanned(link: LinkShape, s: string, plan: string | undefined): string {
  if (!checksNames(link, plan)) return '';
  return ` AND (${s}.${ident(link.fk)}, ${scopeKeyExpr(s, link)}::text, ${s}.${ident(link.name)}) IN (SELECT x.* FROM fkb_planned n, unnest(n.masters, n.scopes, n.names) x) IS TRUE`;
}

/** Whether undo checks the rows' names against plan `plan` (namedAsPlanned): only where updated_at cannot tell an edit. */
export function checksNames(link: LinkShape, plan: string | undefined): plan is string {
  return plan !== undefined && (link.touch === null || link.touch.byTrigger === true);
}

/** A plan's linked entries as three parallel arrays of text: master key, scope key, name. */
export interface PlannedNames {
  masters: readonly string[];
  scopes: readonly string[];
  names: readonly string[];
}

/**
 * Per change-log row \`c\` of a statement's FROM, the plan's linked entries of its master (the value the run wrote):
 * \`planned_scopes\`, \`planned_names\` (NULL: none), joined from one grouping of the plan's linked entries by master.
 * '' where the names are not checked.
 */
export function plannedOfMasters(
  link: LinkShape,
  plan: { p: Params; id: string | undefined },
  linkName: string,
): { columns: string; join: string } {
  if (!checksNames(link, plan.id)) return { columns: ', NULL::text[] AS planned_scopes, NULL::text[] AS planned_names', join: '' };
  const run = plan.p.add(plan.id);
  return {
    columns: ', e.scopes AS planned_scopes, e.names AS planned_names',
    join: `
  LEFT JOIN (SELECT e.target_key::${link.fkType} AS master, array_agg(e.scope_key::text) AS scopes, array_agg(e.source_name) AS names
               FROM ${OWN}.plan_entries e
              WHERE e.run_id = ${run}::int8 AND e.link = ${linkName} AND e.outcome = 'linked'
              GROUP BY 1) e ON e.master = c.new_value::${link.fkType}`,
  };
}

/**
 * `fkb_planned AS MATERIALIZED (…), `: the entries the applied plan `plan.id` linked in the link, as three arrays of one
 * row (the master's key typed as the FK, the scope as text, the name typed as the name column), for namedAsPlanned;
 * '' where it checks nothing. Bound in `plan.p`.
 */
export function plannedNamesCte(
  link: LinkShape,
  plan: { p: Params; id: string | undefined; given?: PlannedNames | undefined },
  linkName: string,
): string {
  if (!checksNames(link, plan.id)) return '';
  const g = plan.given;
  if (g !== undefined) {
    // the entries of the masters of a split's rows, as the batch read them (plannedOfMasters): the same check for
    // those rows, without reading the plan's entries again in each statement of the split (4,000 entries: ~40 ms)
    const nt = link.nameType === undefined || link.nameType === 'text' ? '' : `::${link.nameType}[]`;
    return `fkb_planned AS MATERIALIZED (
  SELECT ${plan.p.add(g.masters)}::text[]::${link.fkType}[] AS masters, ${plan.p.add(g.scopes)}::text[] AS scopes, ${plan.p.add(g.names)}::text[]${nt} AS names
), `;
  }
  const run = plan.p.add(plan.id);
  // the key cast only for linked entries (a CASE: each fits the FK, an entry of another outcome may not)
  return `fkb_planned AS MATERIALIZED (
  SELECT array_agg(CASE WHEN e.outcome = 'linked' THEN e.target_key::${link.fkType} END) AS masters, array_agg(e.scope_key::text) AS scopes,
         array_agg(${entryName(link, 'e')}) AS names
    FROM ${OWN}.plan_entries e
   WHERE e.run_id = ${run}::int8 AND e.link = ${linkName} AND e.outcome = 'linked'
), `;
}

/**
 * namedAsPlanned on Citus, where the UPDATE on the shards reads no fk_backfill table: on the coordinator, `c` joins each
 * log row with the plan's linked entries of its master (the FK value it wrote) in the row's own scope, read off its key
 * (on a distributed source the key carries the distribution column, a scope column), giving the names the plan linked
 * there (`fkb_name`, typed as the name column); the UPDATE sets a row back only while its name is one of them. A row
 * renamed since joins none and is left as it is. Only where every scope column is a key column (else the FK alone
 * decides, as where there is no plan): the entries of a master key are then those of one tenant, a few names, not
 * one per tenant whose masters reuse the key.
 */
export function citusPlannedNames(
  link: LinkShape,
  plan: { p: Params; id: string | undefined },
  linkName: string,
): { columns: string; join: string; where: string } {
  const none = { columns: '', join: '', where: '' };
  if (plan.id === undefined || (link.touch !== null && link.touch.byTrigger !== true)) return none;
  const cols = idCols(link);
  const at = link.scope.map((sc) => cols.findIndex((c) => c.col === sc));
  if (at.length === 0 || at.some((i) => i < 0)) return none;
  const run = plan.p.add(plan.id);
  const part = (i: number): string => (cols.length === 1 ? 'c.row_key' : `(c.row_key::text[])[${i + 1}]`);
  const scope = at.map((i, j) => ` AND e.scope_key[${j + 1}] = ${part(i)}`).join('');
  // the key cast only for linked entries (a CASE: each fits the FK, an entry of another outcome may not)
  return {
    columns: `,
         ${entryName(link, 'e')} AS fkb_name`,
    join: `
    JOIN ${OWN}.plan_entries e ON e.run_id = ${run}::int8 AND e.link = ${linkName} AND e.outcome = 'linked'${scope}
     AND CASE WHEN e.outcome = 'linked' THEN e.target_key::${link.fkType} END = c.new_value::${link.fkType}`,
    where: ` AND s.${ident(link.name)} = c.fkb_name`,
  };
}
