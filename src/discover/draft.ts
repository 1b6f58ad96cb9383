/** A proposal in the making: the link config and evidence of one candidate, before confidence decides where it goes. */
import { linkSchema, type LinkDraft } from '../config/schema.js';
import type { ActiveProposal, Col, Draft, Overlap, ScopeVerdict, Tbl } from './types.js';
import { amountColumn, documentColumn, entityName, isText, reference, singular, sourceActiveFromColumns } from './naming.js';

/** Whether this version's config takes a list of columns as a link's key (a composite primary key). */
export const KEY_LISTS = linkSchema.safeParse({
  entity: 'e',
  table: 't',
  key: ['a', 'b'],
  fk: 'f',
  name: 'n',
  target: { table: 't', key: 'k', name: 'n' },
}).success;

export function draft(a: {
  src: Tbl;
  tgt: Tbl;
  colName: string;
  col: Col;
  sname: string;
  key: string;
  tname: string;
  scope: string[];
  scopeEvidence: ScopeVerdict[];
  active: { active: ActiveProposal | null; evidence: string[] };
  naming: string;
  ov: Overlap;
  keys: Overlap;
  constraint: string | null;
  confidence: number;
  why: string[];
  confirm: string[];
  confident: boolean;
}): Draft {
  const { src, tgt } = a;
  const pk = src.pk!;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list only where this version's config takes one (KEY_LISTS)
  const srcKey: any = pk.length === 1 ? pk[0]! : [...pk];
  const exclude = new Set([...pk, a.colName, a.sname, ...a.scope]);
  const stem = reference(a.colName).stem;
  // a text primary key may be the document's number (SAP's VBELN); an integer one is only an identifier
  const document = documentColumn(src, stem, new Set([...pk.filter((c) => !isText(src.cols.get(c))), a.colName, a.sname, ...a.scope]));
  const amount = amountColumn(src, exclude);
  const tnumber = [`${singular(tgt.table)}_number`, 'number', 'code'].find((n) => n !== a.key && n !== a.tname && tgt.cols.has(n)) ?? null;
  const active = a.active.active;
  const folded = foldedOnly(a.ov, a.sname, a.tname);
  // the documents' own soft delete (deleted_at, is_deleted, voided): such a row is not planned, linked nor counted as work
  const own = src.oid === tgt.oid ? { active: null, evidence: [] } : sourceActiveFromColumns(src);
  const link: LinkDraft = {
    entity: entityName(src.table),
    table: src.ref,
    key: srcKey,
    fk: a.colName,
    name: a.sname,
    ...(document !== null ? { document } : {}),
    ...(amount !== null ? { amount } : {}),
    ...(own.active !== null ? { active: own.active } : {}),
    target: {
      table: tgt.ref,
      key: a.key,
      name: a.tname,
      ...(active !== null ? { active } : {}),
      ...(tnumber !== null ? { number: tnumber } : {}),
    },
    scope: a.scope.slice(0, 8),
    ...(folded !== null ? { match: 'normalized' as const } : {}),
  };
  return {
    entity: link.entity,
    source: `${src.schema}.${src.table}`,
    fk: a.colName,
    fkType: a.col.type,
    name: a.sname,
    target: `${tgt.schema}.${tgt.table}`,
    targetKey: a.key,
    targetName: a.tname,
    scope: a.scope,
    scopeEvidence: a.scopeEvidence,
    active,
    activeEvidence: a.active.evidence,
    ...(own.active !== null ? { sourceActive: own.active, sourceActiveEvidence: own.evidence } : {}),
    ...(folded !== null ? { matchEvidence: folded } : {}),
    document,
    amount,
    evidence: { constraint: a.constraint, naming: a.naming, overlap: a.ov, keys: a.keys },
    confidence: a.confidence,
    why: a.why,
    confirm: a.confirm,
    link,
    confident: a.confident,
  };
}

/**
 * Why the draft proposes `"match": "normalized"`, or null: some of the sampled document names are a master's name only
 * once trimmed and case-folded (`ACME GMBH` for `Acme GmbH`), which the default, `exact` (the seed's case-sensitive
 * equality), would leave unlinked (a trial's discover proposed exact over names 4 % of which differed only so).
 */
function foldedOnly(ov: Overlap, sname: string, tname: string): string | null {
  const s = ov.spellings;
  if (s === undefined || s.all === 0) return null;
  const only = s.folded - s.exact;
  if (only < Math.max(2, s.all * 0.02)) return null;
  const pct = ((100 * only) / s.all).toFixed(1);
  return `${only} of ${s.all} sampled spellings of ${sname} (${pct} %) are a ${tname} only ignoring case and spacing: "match": "normalized" links them (exact would not)`;
}
