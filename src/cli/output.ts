/** Plain-text tables and JSON output for the CLI. */

export type Cell = string | number | boolean | null | undefined;

/** Renders rows as an aligned text table (numbers right-aligned). */
export function table(headers: string[], rows: Cell[][], opts: { totalRow?: Cell[] } = {}): string {
  const all = opts.totalRow === undefined ? rows : [...rows, opts.totalRow];
  const text = (c: Cell): string => (c === null || c === undefined ? '' : String(c));
  const widths = headers.map((h, i) => Math.max(h.length, ...all.map((r) => text(r[i]).length)));
  const numeric = headers.map(
    (_, i) =>
      all.length > 0 &&
      all.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined || /^\d+(\.\d+)?%$/.test(text(r[i]))),
  );
  const line = (r: Cell[]): string =>
    r
      .map((c, i) => (numeric[i] ? text(c).padStart(widths[i]!) : text(c).padEnd(widths[i]!)))
      .join(' | ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-|-');
  const out = [line(headers), sep, ...rows.map(line)];
  if (opts.totalRow !== undefined) out.push(sep, line(opts.totalRow));
  return out.join('\n');
}

export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

export function print(text: string): void {
  process.stdout.write(text + '\n');
}
