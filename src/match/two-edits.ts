/**
 * A word two edits or more from a master's word that two masters of the scope or more carry (`Molen` beside Van der
 * Meulen Machinehandel and Van der Meulen Techniek, `Atlântida` beside Escola Profissional Atlântico and Banco
 * Atlântico): a word several of the scope's masters carry is a family's, a place's or a group's, and a name two
 * letters from it is another family, place or group more often than that word mistyped twice. Read as two words (a
 * word conflict, review with the master first). Not what typing and romanising do to one word: letters left out or
 * added only (`Kougyou` / Kogyo, `Hlthcare`, `Oullet` / Ouellette), two letters swapped (`Presicion`), a doubled letter
 * moved (`Wimerra` / Wimmera); and one edit stays a typo. Nor a word the name lists know (a person's given name or
 * surname, which several people of a ledger share: `Smith`, and a corrupted copy of it is still a typo there).
 */
import { isKnownName } from './names.js';
import { damerauLevenshtein } from './similarity.js';
import { isAbbreviation } from './tokens.js';

export function twoEditsFromShared(df: ReadonlyMap<string, number>, nameWord: string, masterWord: string): boolean {
  if ((df.get(masterWord) ?? 0) < 2 || nameWord === masterWord || isKnownName(masterWord)) return false;
  if (isAbbreviation(nameWord, masterWord) || isAbbreviation(masterWord, nameWord)) return false;
  if (damerauLevenshtein(nameWord, masterWord) < 2) return false;
  const [s, l] = nameWord.length <= masterWord.length ? [nameWord, masterWord] : [masterWord, nameWord];
  return !subsequence(s, l) && sorted(s) !== sorted(l) && undoubled(s) !== undoubled(l);
}

/** Every letter of `s` in `l`, in order: letters only added or left out. */
function subsequence(s: string, l: string): boolean {
  let i = 0;
  for (const c of l) if (c === s[i]) i++;
  return i === s.length;
}

const sorted = (w: string): string => [...w].sort().join('');
const undoubled = (w: string): string => w.replace(/(.)\1+/gu, '$1');
