/**
 * A firm's whole registered name, legal form included, then more: `Trianel GmbH, Aachen`, `Komatsu Australia Pty Ltd -
 * Karratha Branch`, `Mitsui & Co., Ltd. (Tokyo HQ)`, `Aer Lingus Ltd - Ground Ops`, `Boryszew S.A. Oddział Maflow w
 * Tychach`. The legal form closes the company's name as its registry writes it; what a ledger writes after it is a
 * site, unit, department, contract or reference of that company, not another company's name. Read by containment
 * (docs/matching.md, "A firm's full legal name, then a site or unit").
 */
import type { Entry, MatcherIndex } from './matcher-index.js';
import { valuesOf } from './multimap.js';
import { legalAgreement, normalizeName } from './normalize.js';
import { ENTITY_WORDS, isCity, isCountry, isGenericToken, isLegalWord, LEADING_LEGAL } from './vocabulary.js';
import type { NormalizedName } from './types.js';

/** Words after the firm's name at most: a site and its address, a department, a contract or invoice reference. */
const MAX_REST_WORDS = 6;

/** Where the name may be cut: at a separator that sets a segment off (a comma, a bracket, a spaced dash). */
const CUT = /\s*(?:[,;(]|\s[-–—]\s)/gu;

/** Separators and brackets around the rest ("- Karratha Branch", "(Tokyo HQ)", ", Aachen"). */
const EDGE = /^[\s,;:()\-–—/]+|[\s,;:()\-–—/]+$/gu;

/**
 * The name is `e`'s whole name ending in `e`'s legal form (the same or of its family), then a rest set off by a comma, a
 * bracket or a spaced dash (without one, siteAfterLegal's narrower reading): at most six words, not a word and a
 * number alone (`Intuit Inc - Line 2`, one of several units), no legal form of its own (`Acme Ltd & Beta Corp` names two firms), no country (`Acme Ltd
 * (Canada)` may be the national company), no body of its own (`Acme Ltd Pension Trust`: ENTITY_WORDS), not joined by "and" or "&" (two payees), and no other master of the scope
 * held by the name's words with one of the rest's, nor one the rest begins with its first word (`Gate Gourmet
 * London Ltd - Northgate` may name Northgate Catering) (`Trianel GmbH - Gaskraftwerk Hamm` names Trianel Gaskraftwerk Hamm
 * GmbH & Co. KG, a master of its own). A legal form written before the name (`PT Sinar Jaya Abadi`) closes nothing:
 * `PT Sinar Jaya Abadi Makmur` is another company.
 */
export function legalNameThenMore(ix: MatcherIndex, q: NormalizedName, e: Entry): boolean {
  if (e.source !== 'master' || e.norm.legalForm === null) return false;
  const text = q.original;
  for (const m of text.matchAll(CUT)) {
    const prefix = text.slice(0, m.index).replace(EDGE, '');
    const rest = text.slice(m.index).replace(EDGE, '');
    if (prefix === '' || rest === '') continue;
    if (!closesWithLegalForm(prefix, e)) continue;
    if (restIsSiteOf(ix, q, e, rest)) return true;
  }
  return false;
}

/** `prefix` is `e`'s name with its legal form at the end (the last word a legal form's word, not a leading `PT`). */
function closesWithLegalForm(prefix: string, e: Entry): boolean {
  const p = normalizeName(prefix);
  if (p.legalForm === null) return false;
  // without a leading legal form (`PT`, `OOO`) the name must still end in one
  const first = prefix.split(/\s+/u)[0]!;
  if (LEADING_LEGAL.has(first.toLowerCase().replace(/[^\p{L}]/gu, '')) && normalizeName(prefix.slice(first.length)).legalForm === null)
    return false;
  const agree = legalAgreement(p.legalForm, e.norm.legalForm);
  // a form of the same family only where it is part of the master's own ("Cedar Falls Brewing Co" of Cedar Falls Brewing
  // Company LLC): "Al Noor … Trading Co. (Sharjah)" is no site of Al Noor … Trading LLC but a firm of that name
  const own = (e.norm.legalForm ?? '').split(' ');
  const part = agree === 'compatible' && p.legalForm.split(' ').every((w) => own.includes(w));
  return (agree === 'agree' || part) && p.keys.some((k) => e.norm.keys.includes(k));
}

/** The rest names a site, unit or reference of `e`, not another firm nor another master of the scope. */
function restIsSiteOf(ix: MatcherIndex, q: NormalizedName, e: Entry, rest: string): boolean {
  if (/^(?:&|\+|and\b|und\b|et\b|y\b|c\/o\b)/iu.test(rest)) return false;
  const r = normalizeName(rest);
  const words = (r.qualifiedKey ?? r.key).split(' ').filter((t) => t !== '');
  if (words.length === 0 || words.length > MAX_REST_WORDS || r.legalForm !== null) return false;
  if (
    words.some((t) => isLegalWord(t) || isCountry(t) || ENTITY_WORDS.has(t)) ||
    words.some((t, i) => isCountry(`${t} ${words[i + 1] ?? ''}`))
  )
    return false;
  // a word and a number alone name one of several units ("Line 2", "Team 2"), which may be accounts of their own
  if (words.length === 2 && /^\p{N}+$/u.test(words[1]!)) return false;
  const held = new Set([...q.tokens, ...words, ...e.tokens]);
  for (const t of words) {
    for (const id of valuesOf(ix.postings, t)) {
      const o = ix.entries[id]!;
      if (o.key === e.key || o.tokens.length === 0) continue;
      // another master's whole name, or its first word (its short name: "Northgate" for Northgate Catering)
      if (o.tokens.every((w) => held.has(w)) || (o.tokens[0] === t && !isGenericToken(t) && !isCity(t) && t === words[0])) return false;
    }
  }
  return true;
}
