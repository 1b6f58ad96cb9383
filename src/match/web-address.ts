/**
 * A firm named by its web address (docs/matching.md, "A name written as its web address"): `Moonpig.com Limited`,
 * `Jet2.com Limited`, `www.trainline.co.uk` are Moonpig, Jet2, Trainline. The address's ending (`.com`, `.net`,
 * `.org`, `.io`, `.co.uk`, `.com.au`, …) and a leading `www.` say nothing about which firm; a country's ending alone
 * (`.de`, `.nl`) is left, and so is a `com` written as a word of its own (`Foo Com`).
 */

/** `word.com`, `word.co.uk`, `www.word.net`: glued to the word by a dot, not followed by more letters. */
const WEB_ADDRESS =
  /(?<![\p{L}\p{N}.])(?:www\.)?(\p{L}[\p{L}\p{N}-]*\p{L}|\p{L}[\p{L}\p{N}-]*\p{N})\.(?:com|net|org|io|co\.[a-z]{2})(?:\.[a-z]{2})?(?![\p{L}\p{N}]|\.[\p{L}\p{N}])/gu;

/** The name (folded to lower case) with each web address read as the word it is made of. */
export function readWebAddresses(s: string): string {
  return s.replace(WEB_ADDRESS, (_m, word: string) => word);
}
