/**
 * Legal forms as ledgers and imports write them beside the spellings vocabulary.ts lists (issue #16, lab10): spelling
 * (tokens after normalisation, joined by a space) -> canonical form. Kept apart so vocabulary.ts stays in its size.
 */
// prettier-ignore
export const LEGAL_SPELLINGS: Record<string, string> = {
  // Poland's Sp. z o.o. without its dots or with them moved (an import in capitals: "SP Z OO", "SP.ZO.O."), the word
  // spółka written out, and its partnerships written out (spółka jawna, spółka komandytowa)
  'sp z oo': 'sp zoo', 'sp zo o': 'sp zoo', 'spolka zoo': 'sp zoo', 'spolka z oo': 'sp zoo',
  'spolka jawna': 'sp j', 'spolka komandytowa': 'sp k',
  // Malaysia's Sdn. Bhd. written out
  'sendirian berhad': 'sdn bhd', 'sendirian bhd': 'sdn bhd', 'sdn berhad': 'sdn bhd',
  // Germany's GmbH & Co. KG with "und" cut to "u." ("GmbH u. Co. KG")
  'gmbh u co kg': 'gmbh co kg', 'ag u co kg': 'ag co kg',
  // a limited partnership as a clerk contracts it ("Schuette Family Ltd Ptnrshp"); not a GP, which ends the name of
  // the general partner ("X GP Inc." beside "X LP") as often as a general partnership's
  'ltd ptnrshp': 'lp', 'ltd pship': 'lp', 'limited ptnrshp': 'lp',
  // Kyrgyzstan's LLC (ОсОО), in Cyrillic and Latin script, which its ledgers write first
  осоо: 'llc', osoo: 'llc',
};

/** Those of them written first as often as last ("OsOO Issyk-Kul Trans"), and France's SARL / EURL ("SARL Champagne X"). */
export const LEADING_SPELLINGS: readonly string[] = ['осоо', 'osoo', 'sarl', 'eurl'];
