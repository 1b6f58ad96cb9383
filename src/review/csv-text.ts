/**
 * A review CSV as a spreadsheet saves it back. The export is UTF-8 with commas; what comes back may be UTF-16
 * ("Unicode text": a BOM, tab-separated), a legacy code page (Excel's plain "CSV" on Windows: Windows-1252), or
 * separated by semicolons (a spreadsheet in a locale whose decimal mark is the comma). Read as UTF-8 with commas,
 * such a file failed with the parser's raw message, or became one column per line.
 */
/** The file's text: UTF-16 by its byte-order mark (or its zero bytes), UTF-8 when the bytes are UTF-8, else Windows-1252. */
export function decodeCsvBytes(bytes: Uint8Array): string {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xff && b1 === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (b0 === 0xfe && b1 === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  // without a BOM, UTF-16 shows as a zero byte beside every ASCII letter of the header ("link,…")
  if (bytes.length >= 4 && b1 === 0 && bytes[3] === 0 && b0 !== 0) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 4 && b0 === 0 && bytes[2] === 0 && b1 !== 0) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // not UTF-8: a single-byte code page; Windows-1252 is what spreadsheets write on the systems that write one
    return windows1252(bytes);
  }
}

/**
 * Windows-1252's 0x80–0x9F (’ “ ” – — € …; the five it leaves undefined stay C1 controls, as the WHATWG index has
 * them); every other byte is its Latin-1 code point.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * Decoded by hand: Node built with a small ICU (Node 20's default) has no windows-1252 decoder and reads the
 * label as Latin-1, so a curly apostrophe came back as the control character U+0092.
 */
function windows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = bytes.subarray(i, i + 8192);
    out += String.fromCharCode(...chunk).replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
  }
  return out;
}

const DELIMITERS = [',', ';', '\t'] as const;

/**
 * The separator of a review CSV, read off its header line: the one that splits it into cells among which are
 * `link` and `decision` (the export's header); a comma when none does (the import then names the missing columns).
 */
export function csvDelimiter(text: string): string {
  const header = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/, 1)[0] ?? '';
  for (const d of DELIMITERS) {
    const cells = header.split(d).map((c) =>
      c
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase(),
    );
    if (cells.includes('link') && cells.includes('decision')) return d;
  }
  return ',';
}
