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
 * A name as a table cell: quoted (JSON) when spaces at either end, control characters or invisible and unusual spaces
 * would otherwise hide how it differs from a name that looks the same ("Mueller Textiles S.A. " beside the master's
 * "Mueller Textiles S.A.").
 */
export function shownName(name: string): string {
  return /^\s|\s$/u.test(name) || UNSEEN.test(name) || decomposed(name) ? quotedName(name) : cappedName(name);
}

/**
 * A name written with separate accents (Unicode NFD: 'o' then U+0308, as macOS file names and some exports write it)
 * prints exactly like the composed one ('ö'), yet is another name to the database: a new user's trial had two
 * "Björk Textiles LLC" lines in a table. Such a name is quoted with its accents as escapes.
 */
function decomposed(name: string): boolean {
  return name.normalize('NFC') !== name;
}

/** The combining accents (U+0300–U+036F) of a decomposed name, written as escapes by quotedName. */
const ACCENTS = /[\u0300-\u036f]/gu;

/**
 * Control characters, invisible ones and spaces other than U+0020 (no-break, thin, ideographic …): a name holding one
 * prints like a name with a plain space, or none.
 */
export const UNSEEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00a0\u00ad\u061c\u115f\u1160\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufeff\uffa0]/u;

/**
 * A name quoted as a JSON string (cut as cappedName), with every character of UNSEEN written as its \uXXXX escape:
 * "ACME\u00a0Corp" (a no-break space), not "ACME Corp"; and a decomposed name's accents: "Bjo\u0308rk".
 */
export function quotedName(name: string): string {
  const escape = (c: string): string => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`;
  const quoted = JSON.stringify(cappedName(name)).replace(new RegExp(UNSEEN.source, 'gu'), escape);
  return decomposed(name) ? quoted.replace(ACCENTS, escape) : quoted;
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
