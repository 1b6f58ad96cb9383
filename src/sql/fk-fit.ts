/** The SQL form of src/plan/fk-range.ts: whether a master's key is a value an FK narrower than the key holds. */
import type { FkRange } from '../plan/fk-range.js';

/**
 * SQL that is true when the key text `expr` (a text expression of a key of this link) is a value the FK holds; `add`
 * binds a value and returns its placeholder. Never fails on a key that does not fit (an explicit cast to a varchar
 * would cut it; to a narrower numeric, raise).
 */
export function fitsFkSql(expr: string, range: FkRange, add: (v: string | number) => string): string {
  if (range.kind === 'length') return `char_length(${expr}) <= ${add(range.length)}::int`;
  if (range.kind === 'digits')
    return `(${expr}::numeric = round(${expr}::numeric, ${add(range.scale)}::int) AND abs(${expr}::numeric) < power(10::numeric, ${add(range.precision - range.scale)}::int))`;
  return `${expr}::numeric BETWEEN ${add(range.min)}::numeric AND ${add(range.max)}::numeric`;
}
