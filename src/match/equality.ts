/**
 * When a normalised equality is not the claim it looks like: a person's name beside the same name with a generation,
 * and a group's name beside the masters of the group (docs/matching.md, trials T4–T8).
 */
import { containingOthers } from './containment.js';
import type { Entry, MatcherIndex } from './matcher-index.js';
import type { NormalizedName } from './types.js';
import { GENERATIONS } from './vocabulary.js';

/** Words a group's name starts with ("Grupo Bimbo", "Gruppo Campari", "Groupe SEB"). */
const GROUP_WORDS = new Set(['grupo', 'group', 'gruppo', 'groupe', 'gruppe', 'grupa', 'groep']);

/**
 * Masters other than the one hit whose names are the name and a generation ("Erik Olsen" / OLSEN, ERIK beside
 * OLSEN, ERIK JR): the name says which of the two it is no more than the other. Empty when the name has a
 * generation itself (then it equals the one that has it).
 */
export function generationOthers(ix: MatcherIndex, q: NormalizedName, hits: readonly Entry[]): Entry[] {
  if (q.tokens.length < 2 || q.tokens.some((t) => GENERATIONS.has(t))) return [];
  const key = hits[0]?.key;
  if (key === undefined || hits.some((e) => e.key !== key)) return [];
  const others = containingOthers(ix, q.tokens, key) ?? [];
  return others.filter((o) => o.source === 'master' && o.tokens.every((t) => q.tokens.includes(t) || GENERATIONS.has(t)));
}

/**
 * Masters other than the one hit whose names begin with the name, when the name equals the hit's name without its
 * legal form: the group's name as much as that master's. One word ("Mitsubishi" / Mitsubishi Corporation beside
 * Mitsubishi Chemical Corporation), or several words written without the legal form the hit has ("Fiera Milano" /
 * Fiera Milano S.p.A. beside Fiera Milano Congressi S.p.A., "Larsen & Toubro" / … Limited beside Larsen & Toubro
 * Infotech Ltd): a person's name, which has no legal form, is never read so. Empty when the word is too common.
 */
export function groupOthers(ix: MatcherIndex, q: NormalizedName, hits: readonly Entry[]): Entry[] {
  if (q.tokens.length === 0 || !hits.every((e) => e.source === 'master')) return [];
  // the hit's own legal form written ("Mears Ltd" / Mears Limited beside Mears Group PLC): that company's whole name
  if (q.legalForm !== null && hits.every((e) => e.norm.legalForm === q.legalForm)) return [];
  const oneWord = q.tokens.length === 1 && hits.every((e) => e.tokens.length === 1);
  // written without the legal form the hit has, or with its last part only ("CEDAR FALLS BREWING LLC" / Cedar Falls
  // Brewing Company LLC beside Cedar Falls Brewing Holdings LLC: "Company" left out as "Holdings" may be; "Cedar Falls
  // Brewing Company" leaves out only the closing LLC, and names the hit)
  const partOf = (form: string | null): boolean => q.legalForm === null || (form?.endsWith(` ${q.legalForm}`) ?? false);
  const withoutLegal = q.tokens.length > 1 && hits.every((e) => e.norm.legalForm !== null && partOf(e.norm.legalForm));
  if (!oneWord && !withoutLegal) return [];
  const others = containingOthers(ix, q.tokens, hits[0]!.key) ?? [];
  // a group's master may name it so first ("Bimbo" beside Grupo Bimbo)
  const begins = (o: Entry, at: number): boolean => q.tokens.every((t, i) => o.tokens[at + i] === t);
  return others.filter((o) => o.source === 'master' && (begins(o, 0) || (GROUP_WORDS.has(o.tokens[0]!) && begins(o, 1))));
}
