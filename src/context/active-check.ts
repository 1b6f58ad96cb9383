/**
 * An active predicate (a link's `target.active`, or its own `active` over the source rows) checked against its table.
 */
import type { Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { activeParts, type ActivePredicate } from '../sql/active.js';
import { displayTable, type TableName } from '../sql/quote.js';
import { TEMPORAL } from './column-types.js';
import { checkStatusValues } from './status-values.js';
import { column, type TableInfo } from './table-info.js';

/** A column whose type cannot serve where the config puts it (`path`: where). */
export function mismatch(msg: string, path: string): BackfillError {
  return new BackfillError('SCHEMA_TYPE_MISMATCH', `${msg} (${path})`, { details: { path } });
}

/**
 * Each column exists, a flag is boolean, a validity date (`notPast`, `notFuture`) a date or timestamp, a status value
 * fits the column's type; notices for status values no row holds.
 */
export async function checkActive(
  db: Queryable,
  info: TableInfo,
  table: TableName,
  active: ActivePredicate | undefined,
  path: string,
): Promise<string[]> {
  const notices: string[] = [];
  for (const part of active === undefined ? [] : activeParts(active)) {
    const c = column(info, table, part.column, path);
    if ((part.activeWhen === true || part.activeWhen === false) && c.baseType !== 'boolean') {
      const hint = TEMPORAL.has(c.baseType)
        ? `for a soft-delete column such as deleted_at use { "column": "${part.column}", "activeWhen": "null" }`
        : `for a status column use { "column": "${part.column}", "activeWhen": { "in": ["active"] } } with the values that mean active (or { "notIn": [...] })`;
      throw mismatch(
        `${displayTable(table)}.${part.column} must be boolean to serve as the active flag ("activeWhen": ${String(part.activeWhen)}), is ${c.type}; ${hint}`,
        path,
      );
    }
    if ((part.activeWhen === 'notPast' || part.activeWhen === 'notFuture') && !TEMPORAL.has(c.baseType))
      throw mismatch(
        `${displayTable(table)}.${part.column} must be a date or timestamp to serve as a validity date ("activeWhen": "${part.activeWhen}"), is ${c.type}`,
        path,
      );
    if (typeof part.activeWhen === 'object') {
      const n = await checkStatusValues(db, table, part, c.type, path);
      if (n !== null) notices.push(n);
    }
  }
  return notices;
}
