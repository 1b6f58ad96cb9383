/** What a column's type says to the catalog checks: text, integer and date/time kinds, and how compare pairs are read. */

import { ident } from '../sql/quote.js';

export const TEXT_TYPES = new Set(['text', 'character varying', 'character', 'citext', 'name']);
export const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);

/** The length a character type declares (`character varying(40)`, `character(12)`: format_type), else undefined. */
export function declaredLength(full: string): number | undefined {
  const m = /^(?:character varying|character|varchar|bpchar)\((\d+)\)$/.exec(full);
  return m === null ? undefined : Number(m[1]);
}

/** A type as format_type spells it, without its modifier ((40), [] kept as []). */
export function baseType(t: string): string {
  return t.replace(/\(.*\)$/, '').replace(/\[\]$/, '[]');
}

export const TEMPORAL = new Set(['date', 'timestamp without time zone', 'timestamp with time zone']);
const NUMERIC = new Set(['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision']);

/** A type revenue can sum as an amount: a number, or money. */
export function isAmountType(t: string): boolean {
  return NUMERIC.has(t) || t === 'money';
}

/**
 * How a compare pair's values are read so that equal values read equal (plan compares them as text): null as they
 * are (one type, or both textual); 'numeric' (both numbers: trim_scale(x::numeric), so 5 = 5.00); a date/time type
 * (the source cast to the master's: a date against a timestamp); undefined when the kinds differ (a date against a
 * uuid never agrees: refused rather than sending every name to review).
 */
export function compareAs(source: string, target: string): string | null | undefined {
  if (source === target || (TEXT_TYPES.has(source) && TEXT_TYPES.has(target))) return null;
  if (NUMERIC.has(source) && NUMERIC.has(target)) return 'numeric';
  if (TEMPORAL.has(source) && TEMPORAL.has(target)) return target;
  return undefined;
}

/**
 * An FK column of text beside a key of another type (uuid keys kept as text by an application, trial15): PostgreSQL
 * cannot make a FOREIGN KEY between them either, so the way out is to retype the column, said as the statement.
 */
export function retypeHint(fkBase: string, keyType: string, tableSql: string, fk: string): string {
  if (!TEXT_TYPES.has(baseType(fkBase)) || TEXT_TYPES.has(baseType(keyType))) return '';
  const col = ident(fk);
  return `: it must hold the key's type (no FOREIGN KEY joins ${baseType(fkBase)} to ${keyType} either); retype it first, e.g. ALTER TABLE ${tableSql} ALTER COLUMN ${col} TYPE ${keyType} USING nullif(btrim(${col}), '')::${keyType}`;
}
