/**
 * An FK column narrower than its master's key, which PostgreSQL allows the FK constraint over: a smallint customer_id
 * beside an integer customers.id, a numeric(12,0) beside a numeric(16,2), a varchar(4) code beside a varchar(10) or
 * text one. A master whose key the FK cannot hold is never linked. Before, apply failed building its lookup tables
 * ("out of range for type smallint", "numeric field overflow") and linked nothing, a longer code was cut to the FK's
 * width by the cast and then refused as "master deleted since plan", and the guard's trigger failed the application's
 * INSERT. The plan leaves such a name unmatched, saying why; apply and the guard never write such a key.
 */
import type { DecidedEntry } from './decide.js';

/** The values an FK narrower than the key holds. `type`: the FK's type as format_type spells it (messages name it). */
export type FkRange =
  /** An integer type: min to max, inclusive. */
  | { kind: 'range'; type: string; min: string; max: string }
  /** numeric(precision, scale): at most precision − scale digits before the point and scale after it. */
  | { kind: 'digits'; type: string; precision: number; scale: number }
  /** character varying(n): at most n characters. */
  | { kind: 'length'; type: string; length: number };

const RANGES: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};
const WIDTH = ['smallint', 'integer', 'bigint'];

/** The values of integer type `base` (smallint, integer, bigint), named `type`; null for another type. */
export function integerRange(base: string, type = base): FkRange | null {
  const r = RANGES[base];
  return r === undefined ? null : { kind: 'range', type, min: String(r[0]), max: String(r[1]) };
}

const NUMERIC = /^numeric(?:\((\d+)(?:,(-?\d+))?\))?$/;
/** varchar(n) and char(n) (the key's text form has no padding to count). */
const VARCHAR = /^(?:character varying|character)(?:\((\d+)\))?$/;

/**
 * The FK's range when its type (`fkType`, format_type's spelling with its modifier) holds fewer values than the key's
 * (`keyType`); null when every key fits. Integers by width; numeric by digits before and after the point (an
 * unconstrained numeric key holds any); varchar by length (a text key holds any).
 */
export function fkRangeOf(fkBase: string, keyBase: string, fkType: string, keyType = keyBase): FkRange | null {
  const f = WIDTH.indexOf(fkBase);
  const k = WIDTH.indexOf(keyBase);
  if (f >= 0 && k >= 0) return f >= k ? null : integerRange(fkBase, fkType);
  const fn = NUMERIC.exec(fkType);
  const kn = NUMERIC.exec(keyType);
  if (fkBase === 'numeric' && keyBase === 'numeric' && fn?.[1] !== undefined && kn !== null) {
    const precision = Number(fn[1]);
    const scale = Number(fn[2] ?? 0);
    const keyWide = kn[1] === undefined || Number(kn[1]) - Number(kn[2] ?? 0) > precision - scale || Number(kn[2] ?? 0) > scale;
    return keyWide ? { kind: 'digits', type: fkType, precision, scale } : null;
  }
  const fv = VARCHAR.exec(fkType);
  const texts = ['text', 'character varying', 'character'];
  if (texts.includes(fkBase) && fkBase !== 'text' && fv?.[1] !== undefined && texts.includes(keyBase)) {
    const length = Number(fv[1]);
    const kv = VARCHAR.exec(keyType);
    const keyWide = keyBase === 'text' || kv?.[1] === undefined || Number(kv[1]) > length;
    return keyWide ? { kind: 'length', type: fkType, length } : null;
  }
  return null;
}

/** Why a name whose master's key the FK cannot hold is left unmatched. */
export function unfitKeyReason(fk: string, range: FkRange): string {
  const holds =
    range.kind === 'range'
      ? `${range.min} to ${range.max}`
      : range.kind === 'digits'
        ? `at most ${range.precision - range.scale} digit(s) before the point and ${range.scale} after it`
        : `at most ${range.length} character(s)`;
  return `its master's key does not fit ${fk} (${range.type}, ${holds}): widen the column to link it`;
}

/** Whether key text `key` (the key's text form) is a value the FK holds. */
export function fitsFk(key: string, range: FkRange): boolean {
  if (range.kind === 'length') return [...key].length <= range.length;
  if (range.kind === 'digits') {
    const m = /^\s*[-+]?(\d*)(?:\.(\d*))?\s*$/.exec(key);
    if (m === null) return false;
    const int = (m[1] ?? '').replace(/^0+/, '');
    const after = (m[2] ?? '').replace(/0+$/, '').length;
    // a negative scale rounds to tens, hundreds…: the key's last -scale integer digits must be zeros
    const zeros = range.scale < 0 ? -range.scale : 0;
    if (zeros > 0 && int !== '' && !int.endsWith('0'.repeat(zeros))) return false;
    return int.length <= range.precision - range.scale && after <= Math.max(0, range.scale);
  }
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
