/**
 * A multimap of the index: a key's only value is stored bare, several in an array. Most keys of a scope's index have
 * one value, and a one-element array grown by push costs ~170 bytes (issue #21: 50 k masters, ~400 k keys).
 */
export type Multi<V> = Map<string, V | V[]>;

export function addTo<V>(m: Multi<V>, k: string, v: V): void {
  const cur = m.get(k);
  if (cur === undefined) m.set(k, v);
  else if (Array.isArray(cur)) cur.push(v);
  else m.set(k, [cur, v]);
}

/** The values of `k`, in the order added (not to be modified: the index's own array, or a fresh one for a bare value). */
export function valuesOf<V>(m: Multi<V>, k: string): V[] {
  const v = m.get(k);
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** How many values `k` has (0 when absent). */
export function countOf<V>(m: Multi<V>, k: string): number {
  const v = m.get(k);
  return v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
}

/** Once the index is built: arrays grown by push keep up to half again as many slots, cut them to their length. */
export function trimmed<V>(m: Multi<V>): void {
  for (const [k, v] of m) if (Array.isArray(v) && v.length > 2) m.set(k, v.slice());
}
