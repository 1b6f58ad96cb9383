/**
 * The active predicate of a link's masters (issue #17): which masters may be linked to. One builder
 * renders it, and every statement that reads masters for linking (plan, apply's recheck, review,
 * decisions, masters, verify, skip reasons) goes through it.
 */
import { ident } from './quote.js';

/** When a master is active: its column is true, false, NULL (e.g. deleted_at) or not NULL. */
export type ActiveWhen = true | false | 'null' | 'notNull';

export interface ActivePredicate {
  column: string;
  activeWhen: ActiveWhen;
}

/**
 * `alias.col IS TRUE | IS FALSE | IS NULL | IS NOT NULL`: never NULL itself, so `NOT (…)` is the inactive
 * masters exactly. A boolean flag that is NULL counts as inactive either way (unknown state: never linked).
 */
export function activeSql(alias: string, a: ActivePredicate): string {
  const col = `${alias}.${ident(a.column)}`;
  switch (a.activeWhen) {
    case true:
      return `${col} IS TRUE`;
    case false:
      return `${col} IS FALSE`;
    case 'null':
      return `${col} IS NULL`;
    case 'notNull':
      return `${col} IS NOT NULL`;
  }
}

/** ` AND <active>` for a link with a predicate; nothing without one (every master is active). */
export function activeAnd(alias: string, a: ActivePredicate | undefined): string {
  return a === undefined ? '' : ` AND ${activeSql(alias, a)}`;
}

/** A boolean expression: true for active masters (`true` when the link has no predicate). */
export function activeExpr(alias: string, a: ActivePredicate | undefined): string {
  return a === undefined ? 'true' : `(${activeSql(alias, a)})`;
}

/**
 * The value that makes a master active (masters create/reactivate): SQL text, never user data.
 * null for `notNull`: no value to write is implied, the caller refuses.
 */
export function activeValueSql(a: ActivePredicate): string | null {
  switch (a.activeWhen) {
    case true:
      return 'true';
    case false:
      return 'false';
    case 'null':
      return 'NULL';
    case 'notNull':
      return null;
  }
}

/** How a predicate reads in messages: `is_active`, `deleted_at IS NULL`, `archived = false`. */
export function describeActive(a: ActivePredicate): string {
  switch (a.activeWhen) {
    case true:
      return `${a.column} = true`;
    case false:
      return `${a.column} = false`;
    case 'null':
      return `${a.column} IS NULL`;
    case 'notNull':
      return `${a.column} IS NOT NULL`;
  }
}

/**
 * Column names that look like a soft delete or a status (a master table with one and a link without an
 * active predicate gets a warning). Returns the matching columns of `columns`.
 */
export const SOFT_DELETE_COLUMN =
  /^(is_?)?(deleted|archived|inactive|disabled|removed|retired|void(ed)?|obsolete|closed|terminated|discontinued|hidden|suspended|blocked|trashed)(_at|_on|_date|_flag|_ts|_time|_by)?$|^(deleted|archived|disabled|removed|deactivated|ended|closed|terminated|valid_to|effective_to|end)_(at|on|date|ts|time)$|^(is_)?(active|enabled|valid|live|current)(_flag)?$|^(status|state|record_status|row_status|lifecycle_status)$/i;

export function softDeleteLike(columns: Iterable<string>): string[] {
  return [...columns].filter((c) => SOFT_DELETE_COLUMN.test(c));
}
