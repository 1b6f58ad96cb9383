/**
 * The active predicate of a link's masters (issue #17): which masters may be linked to. One builder
 * renders it, and every statement that reads masters for linking (plan, apply's recheck, review,
 * decisions, masters, verify, skip reasons) goes through it.
 */
import { ident, literal } from './quote.js';

/**
 * When a master is active: its column is true, false, NULL (e.g. deleted_at) or not NULL; or (a status column of
 * text, an enum or a number) one of some values, or none of them; or (a validity date) `notPast`, the end of its
 * validity (`valid_to`) NULL or not yet past, `notFuture`, its start (`valid_from`) NULL or reached.
 */
export type ActiveWhen = true | false | 'null' | 'notNull' | 'notPast' | 'notFuture' | { in: string[] } | { notIn: string[] };

/** One column's condition. */
export interface ActivePart {
  column: string;
  activeWhen: ActiveWhen;
}

/**
 * When a master is active: its first column's condition and, for a master with two signals (a `deleted_at` beside a
 * status), `also` the others', all of which must hold.
 */
export interface ActivePredicate extends ActivePart {
  also?: ActivePart[];
}

/** Every column's condition of a predicate, the first one first. */
export function activeParts(a: ActivePredicate): ActivePart[] {
  return [{ column: a.column, activeWhen: a.activeWhen }, ...(a.also ?? [])];
}

/** `'active', 'trial'`: a status predicate's values as literals (sql/quote.ts), each as the config wrote it. */
const valueList = (values: string[]): string => values.map(literal).join(', ');

/**
 * `alias.col IS TRUE | IS FALSE | IS NULL | IS NOT NULL`, `(alias.col IN ('v', …)) IS TRUE` or `(alias.col NOT IN
 * ('v', …)) IS NOT FALSE`: never NULL itself, so `NOT (…)` is the inactive masters exactly. A flag that is NULL counts
 * as inactive either way (unknown state: never linked), and so does a status under `in` (it is none of the active
 * states); under `notIn` only the listed states are inactive, so a NULL status is active (a status column often
 * stays NULL until a master is blocked). The values are literals, not bound parameters: the predicate is embedded in
 * dozens of statements and in the guard's PL/pgSQL body; they are untyped, so PostgreSQL reads them as the column's
 * type (text, an enum, a number), and the catalog checks them against it before any statement runs.
 * A validity date is read at the statement's time (`now()`: the transaction's start; in the guard's trigger, the
 * writer's): `notPast` holds through the end day itself for a date (`valid_to = current_date`, or a timestamp at that
 * day's midnight: a date kept in a timestamp), else while the time is not past; `notFuture` from the start day's
 * midnight or time on. Both hold for NULL (open-ended) and are never NULL themselves.
 */
export function activeSql(alias: string, a: ActivePredicate): string {
  return activeParts(a)
    .map((x) => partSql(alias, x))
    .join(' AND ');
}

function partSql(alias: string, a: ActivePart): string {
  const col = `${alias}.${ident(a.column)}`;
  const w = a.activeWhen;
  if (typeof w === 'object')
    return 'in' in w ? `(${col} IN (${valueList(w.in)})) IS TRUE` : `(${col} NOT IN (${valueList(w.notIn)})) IS NOT FALSE`;
  switch (w) {
    case true:
      return `${col} IS TRUE`;
    case false:
      return `${col} IS FALSE`;
    case 'null':
      return `${col} IS NULL`;
    case 'notNull':
      return `${col} IS NOT NULL`;
    case 'notPast':
      return `(${col} IS NULL OR ${col} >= now() OR ${col} = current_date)`;
    case 'notFuture':
      return `(${col} IS NULL OR ${col} <= now())`;
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
 * The value that makes a master active (masters create/reactivate): SQL text, never user data; for a status
 * predicate the first of its values; NULL for a validity date (open-ended). null for `notNull` and `notIn`: no value
 * to write is implied, the caller refuses.
 */
export function activeValueSql(a: ActivePart): string | null {
  const w = a.activeWhen;
  if (typeof w === 'object') return 'in' in w ? literal(w.in[0]!) : null;
  switch (w) {
    case true:
      return 'true';
    case false:
      return 'false';
    case 'null':
    case 'notPast':
    case 'notFuture':
      return 'NULL';
    case 'notNull':
      return null;
  }
}

/**
 * The columns and values that make a master active, of the parts that imply one (`notNull` and `notIn` do not:
 * masters create leaves those to the column's default and checks the row it inserted is active).
 */
export function activeValues(a: ActivePredicate): { column: string; value: string }[] {
  const out: { column: string; value: string }[] = [];
  for (const x of activeParts(a)) {
    const value = activeValueSql(x);
    if (value !== null) out.push({ column: x.column, value });
  }
  return out;
}

/**
 * How a predicate reads in messages: `is_active = true`, `deleted_at IS NULL`, `status IN ('active', 'trial')`, parts
 * joined by AND.
 */
export function describeActive(a: ActivePredicate): string {
  return activeParts(a).map(describePart).join(' AND ');
}

function describePart(a: ActivePart): string {
  const w = a.activeWhen;
  if (typeof w === 'object') return 'in' in w ? `${a.column} IN (${valueList(w.in)})` : `${a.column} NOT IN (${valueList(w.notIn)})`;
  switch (w) {
    case true:
      return `${a.column} = true`;
    case false:
      return `${a.column} = false`;
    case 'null':
      return `${a.column} IS NULL`;
    case 'notNull':
      return `${a.column} IS NOT NULL`;
    case 'notPast':
      return `${a.column} not past (NULL, or now or later)`;
    case 'notFuture':
      return `${a.column} not future (NULL, or now or earlier)`;
  }
}

/**
 * Column names that look like a soft delete or a status (a master table with one and a link without an
 * active predicate gets a warning). Returns the matching columns of `columns`.
 */
export const SOFT_DELETE_COLUMN =
  /^(is_?)?(deleted|archived|inactive|disabled|removed|retired|void(ed)?|obsolete|closed|terminated|discontinued|hidden|suspended|blocked|trashed)(_at|_on|_date|_flag|_ts|_time|_by)?$|^(deleted|archived|disabled|removed|deactivated|ended|closed|terminated|valid_to|effective_to|end)_(at|on|date|ts|time)$|^(is_)?(active|enabled|valid|live|current)(_flag)?$|^(status|state|record_status|row_status|lifecycle_status)$/i;

/** The end of a validity (`valid_to`, `effective_until`, `expires_at`, `end_date`): a master is active while it is not past. */
const VALID_UNTIL_COLUMN =
  /^(valid|validity|effective|eff)_?(to|until|till|thru|through|end|ends)(_(at|on|date|ts|time|dt))?$|^(expires|expiry|expiration)(_(at|on|date|ts|time|dt))?$|^ends?_(at|on|date|ts|time|dt)$/i;
/** The start of a validity (`valid_from`, `effective_since`): a master is active once it is not in the future. */
const VALID_FROM_COLUMN = /^(valid|validity|effective|eff)_?(from|since|start|starts|begin)(_(at|on|date|ts|time|dt))?$/i;

/** `notPast` for a column named like the end of a validity, `notFuture` like its start, else null (by name alone). */
export function validityOf(column: string): 'notPast' | 'notFuture' | null {
  return VALID_UNTIL_COLUMN.test(column) ? 'notPast' : VALID_FROM_COLUMN.test(column) ? 'notFuture' : null;
}

export function softDeleteLike(columns: Iterable<string>): string[] {
  return [...columns].filter((c) => SOFT_DELETE_COLUMN.test(c) || validityOf(c) === 'notPast');
}
