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
 * linked to the same master cannot be told (`plan.id` undefined: no plan, the FK alone decides; bound in `plan.p` where used).
 */
export function namedAsPlanned(link: LinkShape, s: string, plan: { p: Params; id: string | undefined }, linkName: string): string {
  if (plan.id === undefined || (link.touch !== null && link.touch.byTrigger !== true)) return '';
  const run = plan.p.add(plan.id);
  // the key cast only for linked entries (a CASE: each fits the FK, an entry of another outcome may not)
  return ` AND EXISTS (SELECT 1 FROM ${OWN}.plan_entries e
        WHERE e.run_id = ${run}::int8 AND e.link = ${linkName} AND e.outcome = 'linked' AND e.scope_key = ${scopeKeyExpr(s, link)}
          AND ${entryName(link, 'e')} = ${s}.${ident(link.name)} AND CASE WHEN e.outcome = 'linked' THEN e.target_key::${link.fkType} END = ${s}.${ident(link.fk)})`;
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
