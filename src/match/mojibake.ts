/**
 * UTF-8 read as Windows-1252 or Latin-1 somewhere on the way into the ledger ("CosteÃ±a" for Costeña, "MÃ¼ller" for
 * Müller, "SociÃ©tÃ©" for Société): the letters are decoded again, once, when the whole name reads as such bytes and
 * they are valid UTF-8. A name whose letters only look so ("SÃO PAULO": Ã then a capital O, no continuation byte) stays
 * as written, and so does any whose bytes are no valid UTF-8.
 */

/** Windows-1252's letters in 0x80–0x9F, where Latin-1 has control characters. */
const CP1252 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const BYTE = new Map<string, number>([...CP1252].map((c, i) => [c, 0x80 + i]));

/** A UTF-8 lead byte of a two-byte letter (Ã, Â, Å, Ä, …) then a continuation byte, as Windows-1252 shows them. */
const SUSPECT =
  /[\u00c2-\u00df][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]/u;

const decoder = new TextDecoder('utf-8', { fatal: true });

export function repairMojibake(name: string): string {
  if (!SUSPECT.test(name)) return name;
  const bytes: number[] = [];
  for (const c of name) {
    const code = c.codePointAt(0)!;
    const b = code <= 0xff ? code : BYTE.get(c);
    if (b === undefined) return name;
    bytes.push(b);
  }
  try {
    return decoder.decode(Uint8Array.from(bytes));
  } catch {
    return name;
  }
}

/** The named character references a name exported through HTML or XML carries (`&amp;` above all). */
const ENTITIES = new Map<string, string>([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['nbsp', '\u00a0'],
  ['auml', 'ä'],
  ['ouml', 'ö'],
  ['uuml', 'ü'],
  ['Auml', 'Ä'],
  ['Ouml', 'Ö'],
  ['Uuml', 'Ü'],
  ['szlig', 'ß'],
  ['eacute', 'é'],
  ['egrave', 'è'],
  ['aacute', 'á'],
  ['agrave', 'à'],
  ['oacute', 'ó'],
  ['iacute', 'í'],
  ['uacute', 'ú'],
  ['ccedil', 'ç'],
  ['ntilde', 'ñ'],
  ['oslash', 'ø'],
  ['aring', 'å'],
]);

/**
 * HTML character references decoded: `Steel &amp; Wire` (a name that went through a web form, an XML export or an
 * e-invoice) is `Steel & Wire`; normalised as written it read "steel and amp wire" and matched nothing (trial14: 161
 * names, 780 rows). Only complete references (`&name;`, `&#38;`, `&#x26;`) of the names above, twice at most
 * (`&amp;amp;`); anything else stays as written.
 */
export function decodeEntities(name: string): string {
  if (!name.includes('&')) return name;
  let out = name;
  for (let i = 0; i < 2; i++) {
    const next = out.replace(/&(#[0-9]{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,6});/giu, (ref, body: string) => {
      if (body.startsWith('#')) {
        const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
        return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : ref;
      }
      return ENTITIES.get(body) ?? ref;
    });
    if (next === out) break;
    out = next;
  }
  return out;
}
