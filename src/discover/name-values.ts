/**
 * Whether a text column holds a master's names, read from sampled values (discover): the bar the overlap must
 * clear, and the master's name column found by values when none is named as one.
 */
import { isText } from './naming.js';
import type { Overlap, Tbl } from './types.js';

/**
 * Whether sampled names say a text column holds a master's names: half of them (at least 2), or, for an FK column
 * named for the master, many distinct names shared exactly even when they are a small share (documents whose names
 * are mostly variants, "ACME CORP." or "Acme Inc", still share some verbatim): 10 and a tenth when the name column
 * is named for the master too (`client_name`), 20 and a twentieth when it was found by its values alone (`booked_name`)
 * or is named for it.
 */
export function sharesNames(o: Overlap, evidence: 'named' | 'values' | null): boolean {
  if (o.ratio === null || o.found < 2) return false;
  if (o.ratio >= 0.5) return true;
  const byValues = o.found >= 20 && o.ratio >= 0.05;
  // a column named for the master is stronger evidence than values alone: what values alone pass, it passes too
  // (a trial's documents shared 103 of 1,248 names verbatim, 8 %: the rest were the fuzzy strategy's business)
  if (evidence === 'named') return (o.found >= 10 && o.ratio >= 0.1) || byValues;
  if (evidence === 'values') return byValues;
  return false;
}

/**
 * The master's name column when none is named as one: of its first text columns and the source's (not the key or
 * the columns paired with it), the pair whose values overlap most (the source's sampled names found among the master's).
 */
export async function namesByValues(
  overlap: (src: Tbl, name: string, tgt: Tbl, tname: string) => Promise<Overlap>,
  src: Tbl,
  tgt: Tbl,
  exclude: ReadonlySet<string>,
  key: string,
): Promise<{ sname: string; tname: string; o: Overlap } | null> {
  // a generated column (lower(btrim(name))) derives from a plain one, which it ties with: plain ones first, and a generated
  // one only when no plain one holds half of the names
  const generated = (t: Tbl, n: string): number => generatedLast(t)(n, '');
  const texts = (t: Tbl, skip: ReadonlySet<string>): string[] =>
    t.order
      .filter((n) => !skip.has(n) && isText(t.cols.get(n)))
      .slice(0, 4)
      .sort(generatedLast(t));
  let best: { sname: string; tname: string; o: Overlap } | null = null;
  for (const tn of texts(tgt, new Set([key, ...exclude])))
    for (const sn of texts(src, tgt === src ? new Set([...exclude, tn]) : exclude)) {
      if (generated(src, sn) === 1 && best !== null && (best.o.ratio ?? 0) >= 0.5) continue;
      const o = await overlap(src, sn, tgt, tn);
      if (best === null || (o.ratio ?? -1) > (best.o.ratio ?? -1)) best = { sname: sn, tname: tn, o };
    }
  return best;
}

/**
 * Orders a table's columns plain first, generated (`GENERATED ALWAYS AS … STORED`) last: a generated copy of a name
 * (lower(btrim(customer_name))) ties with the plain column it derives from, and the guard cannot read it (a trial).
 * Called with '' as the second column: 1 when the first is generated.
 */
export function generatedLast(t: Tbl): (a: string, b: string) => number {
  const g = (n: string): number => Number((t.cols.get(n)?.generated ?? '') !== '');
  return (a, b) => g(a) - g(b);
}
