/**
 * Aligned plain-text tables (the CLI's output, the text report): columns as wide as their widest cell as a
 * terminal shows it (string-width: a CJK character or an emoji takes two columns, a combining accent none),
 * numbers and percentages right-aligned.
 */
import stringWidth from 'string-width';

export type Cell = string | number | boolean | null | undefined;

function text(c: Cell): string {
  return c === null || c === undefined ? '' : String(c);
}

function padTo(s: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - stringWidth(s)));
  return right ? fill + s : s + fill;
}

/** Renders rows as an aligned text table (numbers right-aligned), with an optional total row under a rule. */
export function table(headers: string[], rows: Cell[][], opts: { totalRow?: Cell[] } = {}): string {
  const all = opts.totalRow === undefined ? rows : [...rows, opts.totalRow];
  const widths = headers.map((h, i) => Math.max(stringWidth(h), ...all.map((r) => stringWidth(text(r[i])))));
  const numeric = headers.map(
    (_, i) =>
      all.length > 0 &&
      all.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined || /^\d+(\.\d+)?%$/.test(text(r[i]))),
  );
  const line = (r: Cell[]): string =>
    r
      .map((c, i) => padTo(text(c), widths[i]!, numeric[i]!))
      .join(' | ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-|-');
  const out = [line(headers), sep, ...rows.map(line)];
  if (opts.totalRow !== undefined) out.push(sep, line(opts.totalRow));
  return out.join('\n');
}

/**
 * A name as a table cell: quoted (JSON) when spaces at either end or control characters would otherwise hide
 * how it differs from a name that looks the same ("Mueller Textiles S.A. " beside the master's "Mueller Textiles S.A.").
 */
export function shownName(name: string): string {
  const shown = cappedName(name);
  // eslint-disable-next-line no-control-regex
  return /^\s|\s$|[\u0000-\u001f\u007f-\u009f\u00a0\u200b-\u200d\ufeff]/u.test(name) ? JSON.stringify(shown) : shown;
}

/** Names longer than this many characters are cut in text tables (a 2,000-character name made every line 8,000 wide). */
const NAME_SHOWN = 80;

/** A name cut to NAME_SHOWN characters for a table cell, saying how long it is (the JSON output has it whole). */
export function cappedName(name: string): string {
  const chars = [...name];
  return chars.length <= NAME_SHOWN
    ? name
    : `${chars.slice(0, NAME_SHOWN - 1).join('')}… (${chars.length.toLocaleString('en-US')} characters)`;
}
