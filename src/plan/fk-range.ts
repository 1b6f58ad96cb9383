/**
 * An integer FK narrower than its master's key (a smallint customer_id beside an integer customers.id: PostgreSQL
 * allows the FK constraint): a master whose key the FK cannot hold is never linked. Before, apply failed building its
 * lookup tables ("out of range for type smallint") and linked nothing, and the guard's trigger failed the
 * application's INSERT. The plan leaves such a name unmatched, saying why; apply and the guard never write such a key.
 */
import type { DecidedEntry } from './decide.js';

/** The values an integer FK narrower than the key holds, inclusive. */
export interface FkRange {
  /** The FK's type as format_type spells it (the message names it). */
  type: string;
  min: string;
  max: string;
}

const RANGES: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};
const WIDTH = ['smallint', 'integer', 'bigint'];

/** The values of integer type `base` (smallint, integer, bigint), named `type`; null for another type. */
export function integerRange(base: string, type = base): FkRange | null {
  const r = RANGES[base];
  return r === undefined ? null : { type, min: String(r[0]), max: String(r[1]) };
}

/** The FK's range when its base integer type is narrower than the key's; null when every key fits. */
export function fkRangeOf(fkBase: string, keyBase: string, fkType: string): FkRange | null {
  const f = WIDTH.indexOf(fkBase);
  const k = WIDTH.indexOf(keyBase);
  if (f < 0 || k < 0 || f >= k) return null;
  return integerRange(fkBase, fkType);
}

/** Why a name whose master's key the FK cannot hold is left unmatched. */
export function unfitKeyReason(fk: string, range: FkRange): string {
  return `its master's key does not fit ${fk} (${range.type}, ${range.min} to ${range.max}): widen the column to link it`;
}

/** Whether key text `key` (an integer's text form) is a value the FK holds. */
export function fitsFk(key: string, range: FkRange): boolean {
  try {
    const v = BigInt(key.trim());
    return v >= BigInt(range.min) && v <= BigInt(range.max);
  } catch {
    return false;
  }
}

/** `e`, or when linked to a master whose key the FK cannot hold: unmatched, saying why (its candidates kept for review). */
export function withinFk(e: DecidedEntry, fk: string, range: FkRange | undefined): DecidedEntry {
  if (range === undefined || e.outcome !== 'linked' || e.targetKey === null || fitsFk(e.targetKey, range)) return e;
  const { targetName: _t, ...rest } = e;
  return { ...rest, outcome: 'unmatched', targetKey: null, method: null, reason: unfitKeyReason(fk, range) };
}
