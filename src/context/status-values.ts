/**
 * A status predicate's values checked against its table (`target.active` or a link's `active` of `{ in }` / `{ notIn }`): a value
 * the column's type cannot hold (an enum label it lacks, text for a number) is a config error, found by parsing the
 * predicate against the table (nothing read); a value no master holds (`"Closed"` where the rows say `closed`) is
 * a notice naming the values they do hold: under `notIn` it would leave every closed master linkable, under `in`
 * switch every master off, and the plan would say neither.
 */
import type { Queryable } from '../db/port.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';
import { describeActive, type ActivePart } from '../sql/active.js';
import { sampleValuesStatement } from '../sql/catalog-discover.js';
import { activeParseStatement, statusValuesMissingStatement } from '../sql/context.js';
import { displayTable, literal, qualified, type TableName } from '../sql/quote.js';

/** Throws CONFIG_INVALID for a value the column cannot hold (`path`: the predicate's, `$.links[0].target.active`); returns a notice for values no row holds, else null. */
export async function checkStatusValues(
  db: Queryable,
  target: TableName,
  active: ActivePart,
  type: string,
  path: string,
): Promise<string | null> {
  const w = active.activeWhen;
  if (typeof w !== 'object') return null;
  try {
    await db.query(activeParseStatement(qualified(target), active));
  } catch (e) {
    // a data exception (22xxx: no such enum label, not a number) or a type mismatch (42xxx: no equality for the
    // type); anything else (a lost connection) is the database's error, not the config's
    const state = sqlState(e);
    if (state === undefined || !(state.startsWith('22') || state.startsWith('42')) || state === '42501')
      throw wrapDbError(e, `checking ${path}`);
    const why = e instanceof Error ? e.message : String(e);
    throw new BackfillError(
      'CONFIG_INVALID',
      `${path}: ${describeActive(active)} does not fit ${displayTable(target)}.${active.column} (${type}): ${why}`,
      { details: { path } },
    );
  }
  const values = 'in' in w ? w.in : w.notIn;
  let missing: string[];
  try {
    missing = (await db.query(statusValuesMissingStatement(qualified(target), active.column, values))).rows.map((r) => r.v);
    if (missing.length === 0) return null;
    const held = (await db.query(sampleValuesStatement(qualified(target), active.column, 100000, 10))).rows.map((r) => r.v);
    return `no ${displayTable(target)} row has ${active.column} ${missing.map(literal).join(', ')} (${describeActive(active)}; values held: ${held.length > 0 ? held.map(literal).join(', ') : 'none'})`;
  } catch (e) {
    throw wrapDbError(e, `checking the values of ${path}`);
  }
}
