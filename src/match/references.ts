/**
 * A reference written after a party's name by an ERP or a bank: an account, customer, client, matter, order or
 * policy number ("TELSTRA CORPORATION LTD - ACC 3000 1234 567", "BOC Limited (Acct 441190)", "Okafor Chinedu (client
 * 20417)", "CARGILL INC PO 4500871223", "Schwartz, Deborah K. (1187-001)"). It names a document or an account of the
 * party, not the party: the name is read without it too (matcher.ts), and links when that reading does.
 * Only a reference with a digit: a word after the name without one ("- Energy", "(Europe)") may name another party.
 */

/** Words that introduce a reference: what the number after them is the number of. */
const KEYWORDS = [
  'acct',
  'account',
  'acc',
  'a/c',
  'cust',
  'customer',
  'client',
  'matter',
  'p\\.?o',
  'ref',
  'reference',
  'inv',
  'invoice',
  'plan',
  'fleet',
  'dlr',
  'dealer',
  'br',
  'branch',
  'loc',
  'location',
  'site',
  'iata',
  'nit',
  'vat',
  'abn',
  'ein',
  'tin',
  'policy',
  'pol',
  'claim',
  'contract',
  'order',
  'job',
  'project',
  'proj',
  'patron',
  'member',
  'mbr',
  'warranty',
  'property',
  'file',
  'id',
  // customer and supplier numbers as Nordic, German and Dutch ledgers write them ("kundnr", "KDNR", "lev.nr",
  // "DEBNR", "crediteur"), tax and registry ids ("RUT", "CNPJ", "RFC", "NIF", "SIRET", "KvK", "NPI"), a carrier's
  // authority number ("MC#", "DOT"), a bank's biller code ("BPAY"), a dairy's supply number, a delivery ("zending")
  'kund',
  'kd',
  'lev',
  'deb',
  'debiteur',
  'crediteur',
  'kred',
  'rut',
  'cnpj',
  'cpf',
  'rfc',
  'nif',
  'cif',
  'siret',
  'siren',
  'kvk',
  'npi',
  'gstin',
  'mc',
  'dot',
  'usdot',
  'bpay',
  'supply',
  'prov',
  'proveedor',
  'lieferant',
  'fornecedor',
  'zending',
  // an invoice, a store or a lease in French, Polish, German and Dutch ledgers ('FACT 2023-0412', 'FV/E/2024/…', 'MAG 1187')
  'fact',
  'fac',
  'facture',
  'fv',
  'faktura',
  'rechnung',
  'factuur',
  'contrat',
  'mag',
  'magasin',
  'loyer',
].join('|');

/** A code with a digit: "441190", "3000 1234 567", "1043-002", "C-20551", "EF40213", "13-4K82-991". */
const CODE = String.raw`#?\s*[a-z]{0,3}-?\d[\w\-/.]*(?:\s+\d[\w\-/.]*)*`;
/** The keyword's own marks: "Acct #", "A/C No.", "Cust #", "Fleet#", "Matter:". */
const KEYED = String.raw`(?:${KEYWORDS})\.?\s*(?:#|no\.?|nr\.?|number|:)?\s*${CODE}`;

/** A reference at the end of a name, after a separator or in brackets. */
const REFERENCE = new RegExp(String.raw`(?:\s*[-–—/,:]\s*|\s+)(?:${KEYED})\s*$|\s*[-–—/,]?\s*\(\s*(?:${KEYED}|${CODE})\s*\)\s*$`, 'iu');

/** The name without a reference after it, and the reference; null when it has none or nothing is left with a letter. */
export function withoutReference(name: string): { bare: string; ref: string } | null {
  const m = REFERENCE.exec(name);
  if (m === null) return null;
  const bare = name.slice(0, m.index).replace(/[\s\-–—/,:]+$/u, '');
  if (!/\p{L}{2}/u.test(bare)) return null;
  return { bare, ref: m[0].replace(/^[\s\-–—/,:(]+|[\s)]+$/gu, '') };
}
