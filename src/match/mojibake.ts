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
