/**
 * What a master table's columns say about a link's active predicate: a soft-delete or status column and no
 * predicate (a warning: deleted masters would be linked), or a second signal the predicate leaves out (`deleted_at`
 * beside `is_active`: a notice naming the list that would require both). Pure: reads the catalog's columns only.
 */
import type { ActiveConfig } from '../config/schema.js';
import { activeParts, type ActivePredicate, describeActive, softDeleteLike, validityOf } from '../sql/active.js';
import { TEMPORAL } from './column-types.js';

/** The activeWhen a soft-delete-like column suggests, as JSON text: a status column that is not boolean takes its values. */
export function suggestActiveWhen(column: string, baseType: string): string {
  const validity = validityOf(column);
  if (validity !== null && TEMPORAL.has(baseType)) return `"${validity}"`;
  if (baseType === 'boolean') return /^(is_?)?(active|enabled|valid|live|current)(_flag)?$/i.test(column) ? 'true' : 'false';
  return /^(status|state|record_status|row_status|lifecycle_status)$/i.test(column)
    ? '{ "in": ["<the values that mean active>"] }'
    : '"null"';
}

export function activeSignals(
  entity: string,
  table: string,
  columns: ReadonlyMap<string, { type: string; baseType: string }>,
  written: ActiveConfig | undefined,
  active: ActivePredicate | undefined,
): { notice: string | null; softDelete: { columns: string[]; warning: string } | null } {
  const typeOf = (c: string): string => columns.get(c)?.type ?? '?';
  const suggest = (c: string): string => suggestActiveWhen(c, columns.get(c)?.baseType ?? '');
  if (active !== undefined && written !== undefined) {
    // a second soft-delete signal the predicate leaves out (deleted_at beside is_active): masters deleted by it count as active
    const used = new Set(activeParts(active).map((x) => x.column));
    const other = softDeleteLike(columns.keys()).filter((c) => !used.has(c));
    if (other.length === 0) return { notice: null, softDelete: null };
    const listed = (Array.isArray(written) ? written : [written]).map((x) => JSON.stringify(x));
    const next = `{ "column": "${other[0]!}", "activeWhen": ${suggest(other[0]!)} }`;
    return {
      notice: `${entity}: ${table} also has ${other.map((c) => `${c} (${typeOf(c)})`).join(', ')}, which "target.active" (${describeActive(active)}) leaves out: a master only that column marks deleted or inactive still counts as active. To require both, list them: "active": [${[...listed, next].join(', ')}]`,
      softDelete: null,
    };
  }
  // masters with a soft-delete or status column and no active predicate: deleted masters would be linked
  const like = softDeleteLike(columns.keys());
  if (like.length === 0) return { notice: null, softDelete: null };
  const typed = like.map((c) => ({ c, type: typeOf(c), when: suggest(c) }));
  // a flag or a timestamp first: a status's active values are the user's to name
  const ex = typed.find((x) => !x.when.startsWith('{')) ?? typed[0]!;
  const warning =
    `${entity}: ${table} has ${typed.map((x) => `${x.c} (${x.type})`).join(', ')} but the link has no "target.active": ` +
    `every master counts as active, soft-deleted ones included. ` +
    `Set e.g. "active": { "column": "${ex.c}", "activeWhen": ${ex.when} }`;
  return { notice: warning, softDelete: { columns: like, warning } };
}

/** A documents' column that reads as a soft delete (not a `closed_at`, a status or an active flag: how far a document got). */
const DOCUMENT_SOFT_DELETE = /^(is_)?(deleted|voided|trashed|removed|archived|discarded|purged)(_at|_on|_date|_ts|_time|_flag)?$/i;

/**
 * A link without its own `active` whose source table has a soft-delete column: such rows are planned and linked like any
 * other, and counted as unlinked work; a notice naming the predicate that would leave them out. Null: none, or one given.
 */
export function sourceSoftDeleteNotice(
  entity: string,
  table: string,
  columns: ReadonlyMap<string, { type: string; baseType: string }>,
  written: ActiveConfig | undefined,
): string | null {
  if (written !== undefined) return null;
  const c = [...columns.keys()].find((x) => DOCUMENT_SOFT_DELETE.test(x));
  if (c === undefined) return null;
  const when = columns.get(c)?.baseType === 'boolean' ? 'false' : '"null"';
  return `${entity}: ${table} has ${c} (${columns.get(c)?.type ?? '?'}), but the link has no "active": rows it marks deleted are planned, linked and counted as unlinked like any other. To leave them out: "active": { "column": "${c}", "activeWhen": ${when} }`;
}
