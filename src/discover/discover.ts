/**
 * `discover`: proposes links from the catalog of an unknown schema, and says why for every column it
 * looked at. Read-only: writes nothing, not even its own schema.
 *
 * A candidate FK column is a nullable, writable, key-typed column that an FK constraint covers, or whose
 * name reads as a reference to a table: a reference suffix (`_id`, `_no`, `_ref`, `_code`, `_key`, …)
 * after a stem that names a table exactly, by role (`bill_to_customer_id` → customers), by its last word
 * (`order_id` → sales_orders) or abbreviated (`cust_id` → customers, `account_no` ↔ `accounts.acct_no`,
 * `po_id` → purchase_orders). The target key is a column of the same type that is unique alone or
 * together with columns both tables share (those become scope). A text column holding the referenced
 * thing's name must sit next to it, and the target must have a name column.
 *
 * Evidence: an existing FK constraint (strongest), the naming, values already in the FK column found
 * among the target's keys, and the sampled overlap of the two name columns. Only confident proposals go
 * into the config; weak ones are listed with what would confirm them; everything else is rejected with
 * the reason. A column whose name points at no table is never written as a link to another table
 * because names happen to overlap.
 *
 * Scope (tenant) columns are found by what the two tables share, not by a list of names: a key-typed
 * column with the same name and type on both, NOT NULL on the master, few distinct values relative to
 * rows, and structural evidence: a composite FK or unique key that includes it, an index on it, an FK
 * from both tables to the same parent table, or its presence on most tables of the schema. Already-linked
 * rows that disagree on it rule it out.
 *
 * The active predicate comes from the master's columns: a soft-delete timestamp (`deleted_at`,
 * `archived_at`, …) → `{ column, activeWhen: "null" }`, an inverted flag (`is_deleted`, `archived`) →
 * `{ column, activeWhen: false }`, an active flag (`is_active`, `enabled`) → the column name;
 * `status`-like columns are shown as evidence only.
 */
import { parseConfig } from '../config/load.js';
import { linkSchema, type ConfigInput, type LinkInput } from '../config/schema.js';
import { adapt } from '../db/index.js';
import { num } from '../db/port.js';
import type { Queryable } from '../db/port.js';
import { BackfillError, wrapDbError } from '../errors.js';
import {
  cardinalityStatement,
  columnsStatement,
  foreignKeysStatement,
  indexesStatement,
  keyOverlapStatement,
  overlapStatement,
  sampleValuesStatement,
} from '../sql/catalog-discover.js';
import { ident } from '../sql/quote.js';
import { resolveLinks } from '../context/catalog.js';

export interface DiscoverOptions {
  /** Only these schemas (default: every non-system schema except fk_backfill). */
  schemas?: readonly string[];
  /** Source rows sampled per overlap check (default 2000). */
  sample?: number;
  /** Proposals below this confidence are listed as weak, never written (default 0.6). */
  minConfidence?: number;
}

/** `target.active`: a boolean column (true = active) or a predicate on a column. */
export type ActiveProposal = string | { column: string; activeWhen: boolean | 'null' | 'notNull' };

export interface Overlap {
  sampled: number;
  found: number;
  ratio: number | null;
}

export interface Evidence {
  /** Name of an FK constraint already linking the columns. */
  constraint: string | null;
  /** How the column and table names line up. */
  naming: string;
  /** Sampled distinct source names (case/space-folded) found among the target's names. */
  overlap: Overlap;
  /** Sampled values already in the FK column that are keys of the target. */
  keys: Overlap;
}

/** Why a shared column is, or is not, a scope column of a link. */
export interface ScopeVerdict {
  column: string;
  scope: boolean;
  reason: string;
}

export interface Proposal {
  entity: string;
  source: string;
  fk: string;
  fkType: string;
  name: string;
  target: string;
  /** The column the FK points at (with the scope, unique in the target). */
  targetKey: string;
  targetName: string;
  scope: string[];
  /** Every column both tables share that was considered for scope, with the verdict. */
  scopeEvidence: ScopeVerdict[];
  active: ActiveProposal | null;
  /** Why that predicate (and the other active/soft-delete/status columns seen on the target). */
  activeEvidence: string[];
  document: string | null;
  amount: string | null;
  evidence: Evidence;
  confidence: number;
  link: LinkInput;
}

/** Plausible but not confident: listed, never written into the config. */
export interface Weak extends Omit<Proposal, 'link'> {
  /** Why it is not confident. */
  why: string[];
  /** What would confirm it. */
  confirm: string[];
  link: LinkInput;
}

export interface Rejected {
  source: string;
  column: string;
  reason: string;
}

export interface DiscoverResult {
  schemas: string[];
  /** Confident links: exactly what the written config holds. */
  proposals: Proposal[];
  weak: Weak[];
  rejected: Rejected[];
  /** A config `plan` accepts unchanged (validated through parseConfig); null when nothing was found. */
  config: ConfigInput | null;
}

interface Col {
  name: string;
  type: string;
  base: string;
  category: string;
  notNull: boolean;
  identity: string;
  generated: string;
}

interface Index {
  columns: string[];
  primary: boolean;
  unique: boolean;
  partial: boolean;
  expr: boolean;
}

interface Tbl {
  schema: string;
  table: string;
  oid: number;
  cols: Map<string, Col>;
  order: string[];
  /** Primary key columns (or a unique index over NOT NULL columns), null when neither. */
  pk: string[] | null;
  indexes: Index[];
  sql: string;
  ref: string;
}

interface Fk {
  oid: number;
  refOid: number;
  name: string;
  columns: string[];
  refColumns: string[];
}

/** Types a key (and a scope column) can have. */
const KEY_BASES = new Set(['uuid', 'int2', 'int4', 'int8', 'numeric', 'text', 'varchar', 'bpchar', 'citext']);
const TEXT_BASES = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);
const TIME_BASES = new Set(['timestamp', 'timestamptz', 'date']);
/** Last words that make a column read as a reference to something (`account_no`, `supplier_ref`). */
const REF_SUFFIXES = new Set(['id', 'no', 'nr', 'nbr', 'num', 'number', 'ref', 'reference', 'code', 'cd', 'key', 'fk', 'uuid', 'guid']);
/** Last words of a column holding a name. */
const NAME_SUFFIXES = new Set(['name', 'title', 'label', 'nm']);
/** Words saying a row is gone or switched off (a timestamp of it, or a flag that is true for it). */
const OFF_WORDS = new Set(['deleted', 'delete', 'del', 'archived', 'archive', 'removed', 'disabled', 'deactivated', 'inactivated', 'inactive', 'voided', 'retired', 'trashed', 'discarded', 'obsolete', 'purged', 'closed', 'terminated', 'blocked', 'suspended']);
/** Words saying a row is live (a flag that is true for it). */
const ON_WORDS = new Set(['active', 'enabled', 'live']);
/** Filler words around those (`is_deleted`, `deleted_flag`, `deleted_at`). */
const FLAG_WORDS = new Set(['is', 'flag', 'flg', 'ind', 'yn', 'at', 'on', 'date', 'time', 'ts', 'dt', 'when']);
const AMOUNT_COLUMNS = ['total_amount', 'amount', 'grand_total', 'total', 'amount_total', 'net_amount', 'gross_amount'];
const GENERIC_NAMES = new Set(['name', 'title', 'label', 'display_name', 'full_name', 'description']);

export function singular(word: string): string {
  if (/ies$/.test(word)) return word.slice(0, -3) + 'y';
  if (/(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (/s$/.test(word) && !/ss$/.test(word)) return word.slice(0, -1);
  return word;
}

/** Lower-case words of an identifier: `bill_to_customerID` → bill, to, customer, id. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])/)
    .filter((w) => w.length > 0);
}

const VOWELS = /[aeiou]/;

/** `a` abbreviates `w`: `cust`/customer, `acct`/account, `supp`/supplier, `mgr`/manager (not `cat`/contract). */
export function abbreviates(a: string, w: string): boolean {
  if (a.length < 3 || a.length >= w.length || a[0] !== w[0]) return false;
  let j = 0;
  for (const ch of w) if (ch === a[j]) j++;
  if (j < a.length) return false;
  return w.startsWith(a) || a.slice(0, 2) === w.slice(0, 2) || !VOWELS.test(a.slice(1));
}

/** A column's stem and reference suffix: `account_no` → [account] + no; `custid` → [cust] + id. */
function reference(col: string): { stem: string[]; suffix: string | null } {
  const w = words(col);
  const last = w[w.length - 1];
  if (w.length > 1 && last !== undefined && REF_SUFFIXES.has(last)) return { stem: w.slice(0, -1), suffix: last };
  if (w.length === 1 && last !== undefined && /^[a-z]{3,}id$/.test(last)) return { stem: [last.slice(0, -2)], suffix: 'id' };
  return { stem: w, suffix: null };
}

type Level = 'exact' | 'role' | 'tail' | 'abbreviated' | 'initials';
const LEVEL_SCORE: Record<Level, number> = { exact: 1, role: 0.9, tail: 0.7, abbreviated: 0.6, initials: 0.45 };

const same = (a: string, b: string): boolean => a === b || singular(a) === singular(b);
const sameOrAbbr = (a: string, b: string): boolean => same(a, b) || abbreviates(a, singular(b)) || abbreviates(a, b);

/** How a column stem names a table, or null: exact, by role (`bill_to_customer`), last word, abbreviated, initials. */
export function namesTable(stem: readonly string[], table: string): Level | null {
  if (stem.length === 0) return null;
  const tw = words(table);
  if (tw.length === 0) return null;
  const tws = [...tw.slice(0, -1), singular(tw[tw.length - 1]!)];
  const eq = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => same(x, b[i]!));
  if (eq(stem, tws)) return 'exact';
  if (stem.length > tws.length && eq(stem.slice(stem.length - tws.length), tws)) return 'role';
  const last = stem[stem.length - 1]!;
  const tlast = tws[tws.length - 1]!;
  if (stem.length === 1 && same(last, tlast)) return 'tail';
  if (stem.length > 1 && same(last, tlast) && tws.length > 1) return 'tail';
  if (stem.length === tws.length && stem.every((x, i) => sameOrAbbr(x, tws[i]!)) && stem.some((x, i) => !same(x, tws[i]!))) return 'abbreviated';
  if (stem.length >= 1 && abbreviates(last, tlast) && (stem.length === 1 || tws.length === 1)) return 'abbreviated';
  if (stem.length === 1 && tws.length >= 2 && last === tws.map((x) => x[0]).join('')) return 'initials';
  return null;
}

function isText(c: Col | undefined): c is Col {
  return c !== undefined && TEXT_BASES.has(c.base);
}

/** How a config names a table: bare when in the current schema, else schema.table (quoted only when needed). */
function tableRef(schema: string, table: string, current: string | null): string {
  const part = (s: string): string => (/[."]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return schema === current ? part(table) : `${part(schema)}.${part(table)}`;
}

/** The column naming a master row: `<singular>_name`, `name`, `<table>_name`, `<abbr>_name`, `display_name`, …, any text `*_name`. */
function targetNameColumn(t: Tbl, exclude: ReadonlySet<string>): string | null {
  const s = singular(t.table);
  const ok = (c: string): boolean => !exclude.has(c) && isText(t.cols.get(c));
  for (const c of [`${s}_name`, 'name', `${t.table}_name`, 'display_name', 'full_name', 'company_name', 'title', 'label']) if (ok(c)) return c;
  const named = t.order.filter((c) => ok(c) && NAME_SUFFIXES.has(words(c).at(-1) ?? ''));
  const own = named.find((c) => namesTable(words(c).slice(0, -1), t.table) !== null);
  return own ?? named[0] ?? (ok('description') ? 'description' : null);
}

function documentColumn(src: Tbl, stem: readonly string[], exclude: ReadonlySet<string>): string | null {
  const s = singular(src.table);
  const ok = (c: string): boolean => src.cols.has(c) && !exclude.has(c) && namesTable(reference(c).stem, stem.join('_')) === null;
  const ranked: ((c: string) => boolean)[] = [
    (c) => c === `${s}_number` || c === `${s.split('_').pop()}_number`,
    (c) => /_number$/.test(c),
    (c) => /_no$/.test(c),
    (c) => ['number', 'doc_no', 'document_no', 'reference', 'code'].includes(c),
    (c) => /_ref$/.test(c) || /_code$/.test(c),
  ];
  for (const notNull of [true, false]) {
    for (const test of ranked) {
      const hit = src.order.find((c) => ok(c) && test(c) && (!notNull || src.cols.get(c)?.notNull === true));
      if (hit !== undefined) return hit;
    }
  }
  return null;
}

function amountColumn(src: Tbl, exclude: ReadonlySet<string>): string | null {
  const numeric = (c: string): boolean => {
    const col = src.cols.get(c);
    return col !== undefined && !exclude.has(c) && (col.base === 'numeric' || col.base === 'money' || col.base === 'float8' || col.base === 'float4');
  };
  return AMOUNT_COLUMNS.find(numeric) ?? src.order.find((c) => /_amount$/.test(c) && numeric(c)) ?? null;
}

/**
 * The active predicate for a master, from its columns: a soft-delete timestamp first (a deleted master
 * must never be linked), then an inverted flag, then an active flag. The others seen are evidence.
 */
export function activeFromColumns(t: { cols: Map<string, Col>; order: string[] }): { active: ActiveProposal | null; evidence: string[]; status: string[] } {
  const found: { rank: number; active: ActiveProposal; why: string }[] = [];
  const status: string[] = [];
  const evidence: string[] = [];
  for (const c of t.order) {
    const col = t.cols.get(c)!;
    const w = words(c);
    const core = w.filter((x) => !FLAG_WORDS.has(x));
    if (core.length === 1 && (core[0] === 'status' || core[0] === 'state')) {
      status.push(c);
      continue;
    }
    if (core.length !== 1) continue;
    const word = core[0]!;
    if (OFF_WORDS.has(word)) {
      if (TIME_BASES.has(col.base)) found.push({ rank: 0, active: { column: c, activeWhen: 'null' }, why: `${c} is ${col.type}: a row is active while it is NULL` });
      else if (col.base === 'bool') found.push({ rank: 1, active: { column: c, activeWhen: false }, why: `${c} is boolean: a row is active while it is false` });
      else evidence.push(`${c} (${col.type}) reads as a soft-delete marker but is neither boolean nor a timestamp: not used`);
    } else if (ON_WORDS.has(word)) {
      if (col.base === 'bool') found.push({ rank: 2, active: c, why: `${c} is boolean: a row is active while it is true` });
      else evidence.push(`${c} (${col.type}) reads as an active flag but is not boolean: not used`);
    }
  }
  found.sort((a, b) => a.rank - b.rank);
  const chosen = found[0];
  if (chosen !== undefined) evidence.unshift(chosen.why);
  for (const f of found.slice(1)) {
    const col = typeof f.active === 'string' ? f.active : f.active.column;
    evidence.push(`also ${col}: not combined (one active predicate per link; a row ${typeof f.active === 'string' || f.active.activeWhen === true ? 'with it false' : 'with it set'} would still be linked)`);
  }
  return { active: chosen?.active ?? null, evidence, status };
}

interface Catalog {
  tables: Tbl[];
  current: string | null;
  fks: Fk[];
}

async function loadCatalog(db: Queryable, schemas: readonly string[] | null): Promise<Catalog> {
  const cur = (await db.query<{ s: string | null }>('SELECT current_schema()::text AS s')).rows[0]?.s ?? null;
  const cs = columnsStatement(schemas);
  const rows = (
    await db.query<{ schema: string; table_name: string; oid: unknown; column_name: string; type: string; base: string; category: string; not_null: boolean; identity: string; generated: string }>(cs.text, cs.values)
  ).rows;
  const byOid = new Map<number, Tbl>();
  for (const r of rows) {
    const oid = num(r.oid);
    let t = byOid.get(oid);
    if (t === undefined) {
      t = { schema: r.schema, table: r.table_name, oid, cols: new Map(), order: [], pk: null, indexes: [], sql: `${ident(r.schema)}.${ident(r.table_name)}`, ref: tableRef(r.schema, r.table_name, cur) };
      byOid.set(oid, t);
    }
    t.cols.set(r.column_name, { name: r.column_name, type: r.type, base: r.base, category: r.category, notNull: r.not_null, identity: r.identity ?? '', generated: r.generated ?? '' });
    t.order.push(r.column_name);
  }
  const oids = [...byOid.keys()];
  const is = indexesStatement(oids);
  for (const r of (await db.query<{ oid: unknown; is_primary: boolean; is_unique: boolean; partial: boolean; has_expr: boolean; columns: string[] }>(is.text, is.values)).rows) {
    const t = byOid.get(num(r.oid));
    if (t === undefined || r.columns.length === 0) continue;
    t.indexes.push({ columns: r.columns, primary: r.is_primary, unique: r.is_unique, partial: r.partial, expr: r.has_expr });
  }
  for (const t of byOid.values()) {
    const pk = t.indexes.find((i) => i.primary);
    // Without a primary key: the narrowest full unique index over NOT NULL columns.
    const alt = t.indexes
      .filter((i) => i.unique && !i.partial && !i.expr && i.columns.every((c) => t.cols.get(c)?.notNull === true))
      .sort((a, b) => a.columns.length - b.columns.length)[0];
    t.pk = pk?.columns ?? alt?.columns ?? null;
  }
  const fs = foreignKeysStatement(oids);
  const fks = (await db.query<{ oid: unknown; ref_oid: unknown; name: string; columns: string[]; ref_columns: string[] }>(fs.text, fs.values)).rows.map((f) => ({
    oid: num(f.oid),
    refOid: num(f.ref_oid),
    name: f.name,
    columns: f.columns,
    refColumns: f.ref_columns,
  }));
  return { tables: [...byOid.values()], current: cur, fks };
}

function sanitize(e: string): string {
  const out = e.replace(/[^A-Za-z0-9_.:-]+/g, '_');
  return out.length > 0 ? out : 'link';
}

function entityName(table: string): string {
  return sanitize(singular(table));
}

const ratioText = (o: Overlap): string => `${o.found}/${o.sampled}`;

interface Candidate {
  tgt: Tbl;
  /** The target column the FK points at. */
  key: string;
  /** Columns the key is unique together with (they must be scope columns). */
  with: string[];
  constraint: Fk | null;
  level: Level | null;
}

/** A proposal in the making (before confidence decides where it goes). */
interface Draft extends Omit<Weak, 'entity'> {
  entity: string;
  confident: boolean;
}

export async function discover(handle: unknown, opts: DiscoverOptions = {}): Promise<DiscoverResult> {
  const db = adapt(handle);
  const schemas = opts.schemas !== undefined && opts.schemas.length > 0 ? [...opts.schemas] : null;
  const minConfidence = opts.minConfidence ?? 0.6;
  const sample = opts.sample ?? 2000;
  let cat: Catalog;
  try {
    cat = await loadCatalog(db, schemas);
  } catch (e) {
    throw wrapDbError(e, 'reading the catalog');
  }
  try {
    return await run(db, cat, schemas, minConfidence, sample);
  } catch (e) {
    throw wrapDbError(e, 'sampling evidence for discover');
  }
}

async function run(db: Queryable, cat: Catalog, schemas: string[] | null, minConfidence: number, sample: number): Promise<DiscoverResult> {
  const byOid = new Map(cat.tables.map((t) => [t.oid, t]));
  const rejected: Rejected[] = [];
  const drafts: Draft[] = [];

  // How many tables of each schema carry a column of a given name and base type (prevalence: scope evidence).
  const perSchema = new Map<string, number>();
  const carriers = new Map<string, number>();
  for (const t of cat.tables) {
    perSchema.set(t.schema, (perSchema.get(t.schema) ?? 0) + 1);
    for (const c of t.cols.values()) carriers.set(`${t.schema}\u0000${c.name}\u0000${c.base}`, (carriers.get(`${t.schema}\u0000${c.name}\u0000${c.base}`) ?? 0) + 1);
  }

  const cardinality = new Map<number, Promise<Map<string, { n: number; d: number }>>>();
  const cardinalityOf = (t: Tbl): Promise<Map<string, { n: number; d: number }>> => {
    let p = cardinality.get(t.oid);
    if (p === undefined) {
      const cols = t.order.filter((c) => KEY_BASES.has(t.cols.get(c)!.base) && (carriers.get(`${t.schema}\u0000${c}\u0000${t.cols.get(c)!.base}`) ?? 0) > 1).slice(0, 40);
      const st = cardinalityStatement(t.sql, cols, sample);
      p = db.query<Record<string, unknown>>(st.text, st.values).then((r) => {
        const row = r.rows[0] ?? {};
        const n = num(row['n']);
        return new Map(cols.map((c, i) => [c, { n, d: num(row[`d${i}`]) }]));
      });
      cardinality.set(t.oid, p);
    }
    return p;
  };

  const nameOverlap = async (src: Tbl, name: string, tgt: Tbl, tname: string): Promise<Overlap> => {
    const st = overlapStatement({ sourceSql: src.sql, name, targetSql: tgt.sql, targetName: tname }, sample);
    const r = (await db.query<{ sampled: unknown; found: unknown }>(st.text, st.values)).rows[0];
    const sampled = num(r?.sampled);
    const found = num(r?.found);
    return { sampled, found, ratio: sampled === 0 ? null : found / sampled };
  };

  const keyOverlap = async (src: Tbl, fk: string, tgt: Tbl, key: string, shared: string[]): Promise<{ keys: Overlap; agree: Map<string, number> }> => {
    const st = keyOverlapStatement({ sourceSql: src.sql, fk, targetSql: tgt.sql, targetKey: key, shared }, sample);
    const r = (await db.query<Record<string, unknown>>(st.text, st.values)).rows[0] ?? {};
    const sampled = num(r['sampled']);
    const found = num(r['found']);
    return { keys: { sampled, found, ratio: sampled === 0 ? null : found / sampled }, agree: new Map(shared.map((c, i) => [c, num(r[`a${i}`])])) };
  };

  const statusValues = async (t: Tbl, c: string): Promise<string[]> => {
    const st = sampleValuesStatement(t.sql, c, sample);
    return (await db.query<{ v: string }>(st.text, st.values)).rows.map((r) => r.v);
  };

  const indexed = (t: Tbl, c: string): Index | undefined => t.indexes.find((i) => i.columns.includes(c));
  const parentOf = (t: Tbl, c: string): number | null => cat.fks.find((f) => f.oid === t.oid && f.columns.length === 1 && f.columns[0] === c)?.refOid ?? null;

  /**
   * Which columns shared by both tables scope the link. `paired`: columns a composite FK constraint pairs
   * (decisive); `agree`: already-linked rows agreeing on the column (of `linked`).
   */
  const scopeFor = async (src: Tbl, tgt: Tbl, fk: string, key: string, exclude: ReadonlySet<string>, paired: ReadonlySet<string>, linked: number, agree: Map<string, number>): Promise<ScopeVerdict[]> => {
    const verdicts: ScopeVerdict[] = [];
    const shared = tgt.order.filter((c) => c !== fk && c !== key && !exclude.has(c) && src.cols.has(c) && KEY_BASES.has(tgt.cols.get(c)!.base));
    if (shared.length === 0) return verdicts;
    const [cs, ct] = await Promise.all([cardinalityOf(src), cardinalityOf(tgt)]);
    for (const c of shared) {
      const a = src.cols.get(c)!;
      const b = tgt.cols.get(c)!;
      const no = (reason: string): void => void verdicts.push({ column: c, scope: false, reason });
      const yes = (reason: string): void => void verdicts.push({ column: c, scope: true, reason });
      if (a.base !== b.base) {
        no(`${a.type} on ${src.table}, ${b.type} on ${tgt.table}`);
        continue;
      }
      if (paired.has(c)) {
        yes('paired by the FK constraint');
        continue;
      }
      const ok = agree.get(c);
      if (linked >= 3 && ok !== undefined && ok < linked * 0.9) {
        no(`already-linked rows disagree on it (${ok} of ${linked} agree)`);
        continue;
      }
      if (!b.notNull) {
        no(`nullable on ${tgt.table}: a tenant column is always set`);
        continue;
      }
      const unique = tgt.indexes.find((i) => i.unique && i.columns.length === 1 && i.columns[0] === c);
      if (unique !== undefined) {
        no(`unique on ${tgt.table}: one value per row`);
        continue;
      }
      const tooMany = (s: { n: number; d: number } | undefined): boolean => s !== undefined && s.n >= 4 && s.d > s.n / 2;
      const st = ct.get(c);
      const ss = cs.get(c);
      const strong = tgt.indexes.some((i) => i.unique && i.columns.length > 1 && i.columns.includes(c)) || (parentOf(src, c) !== null && parentOf(src, c) === parentOf(tgt, c));
      if (!strong && (tooMany(st) || tooMany(ss))) {
        const s = tooMany(st) ? st! : ss!;
        no(`${s.d} distinct values in ${s.n} sampled rows of ${tooMany(st) ? tgt.table : src.table}: not a partition`);
        continue;
      }
      const why: string[] = [];
      const keyWith = tgt.indexes.find((i) => i.unique && i.columns.length > 1 && i.columns.includes(c));
      if (keyWith !== undefined) why.push(`${tgt.table} is unique on (${keyWith.columns.join(', ')})`);
      const idx = indexed(tgt, c) ?? indexed(src, c);
      if (keyWith === undefined && idx !== undefined) why.push(`indexed (${idx.columns.join(', ')})`);
      const pa = parentOf(src, c);
      if (pa !== null && pa === parentOf(tgt, c)) why.push(`both reference ${byOid.get(pa)?.table ?? 'the same table'}`);
      const total = perSchema.get(src.schema) ?? 0;
      const carry = carriers.get(`${src.schema}\u0000${c}\u0000${a.base}`) ?? 0;
      if (carry >= 3 && carry / total > 0.5) why.push(`on ${carry} of ${total} tables of ${src.schema}`);
      if (why.length === 0) {
        no(`only on some tables (${carry} of ${total}), in no key or index, referencing no common table`);
        continue;
      }
      if (!a.notNull && keyWith === undefined && pa === null) {
        no(`nullable on ${src.table} and nothing but ${why.join(', ')} says it is a tenant column`);
        continue;
      }
      if (st !== undefined && st.n > 0) why.push(`${st.d} value(s) in ${st.n} sampled master rows`);
      if (linked >= 3 && ok !== undefined) why.push(`${ok} of ${linked} linked rows agree`);
      yes(why.join('; '));
    }
    return verdicts;
  };

  /** Target keys an FK of `col`'s type can point at: unique alone, or with columns the source also has. */
  const keysOf = (tgt: Tbl, src: Tbl, col: Col): { key: string; with: string[] }[] => {
    const out: { key: string; with: string[] }[] = [];
    const indexes = tgt.indexes.filter((i) => i.unique && !i.partial && !i.expr).sort((a, b) => a.columns.length - b.columns.length);
    for (const i of indexes) {
      for (const k of i.columns.filter((c) => tgt.cols.get(c)?.base === col.base)) {
        const others = i.columns.filter((c) => c !== k);
        if (others.every((c) => src.cols.has(c) && src.cols.get(c)!.base === tgt.cols.get(c)!.base) && !out.some((o) => o.key === k)) out.push({ key: k, with: others });
      }
    }
    return out;
  };

  /** How well a target key's name fits the FK column: `acct_no` for `account_no`, `id` for `*_id`. */
  const keyFit = (fk: string, key: string, tgt: Tbl): number => {
    const f = reference(fk);
    const k = reference(key);
    if (key === 'id' && f.suffix === 'id') return 1;
    if (f.suffix !== null && k.suffix === f.suffix && (k.stem.length === 0 || namesTable(k.stem, f.stem.join('_')) !== null || namesTable(f.stem, k.stem.join('_')) !== null || namesTable(k.stem, tgt.table) !== null)) return 1;
    if (key === fk) return 1;
    if (k.suffix !== null && k.suffix === f.suffix) return 0.5;
    return 0;
  };

  const activeCache = new Map<number, Promise<{ active: ActiveProposal | null; evidence: string[] }>>();
  const activeOf = (t: Tbl): Promise<{ active: ActiveProposal | null; evidence: string[] }> => {
    let p = activeCache.get(t.oid);
    if (p === undefined) {
      p = (async () => {
        const a = activeFromColumns(t);
        for (const s of a.status) {
          const vals = await statusValues(t, s);
          a.evidence.push(`${s} (${t.cols.get(s)!.type}) looks like a status${vals.length > 0 ? ` (values: ${vals.join(', ')})` : ''}: not used; the config takes a boolean flag or a NULL test`);
        }
        return { active: a.active, evidence: a.evidence };
      })();
      activeCache.set(t.oid, p);
    }
    return p;
  };

  for (const src of cat.tables) {
    const where = `${src.schema}.${src.table}`;
    const srcKey = src.pk;
    for (const colName of src.order) {
      const col = src.cols.get(colName)!;
      if (srcKey !== null && srcKey.length === 1 && srcKey[0] === colName) continue;
      const constraints = cat.fks.filter((f) => f.oid === src.oid && f.columns.includes(colName));
      const ref = reference(colName);
      const w = words(colName);
      const nameLike = NAME_SUFFIXES.has(w[w.length - 1] ?? '');
      // Tables the name points at (never the table itself without a constraint: that is the row's own number).
      const named = nameLike ? [] : cat.tables.map((t) => ({ t, level: namesTable(ref.stem, t.table) })).filter((x): x is { t: Tbl; level: Level } => x.level !== null);
      // A column whose first word(s) name a table but which does not read as a reference (`account_memo`).
      const prefixOnly =
        !nameLike && ref.suffix === null && named.length === 0 && constraints.length === 0 && KEY_BASES.has(col.base)
          ? cat.tables.find((t) => t !== src && w.length > 1 && ['exact', 'tail'].includes(namesTable(w.slice(0, 1), t.table) ?? '') && namesTable(w.slice(0, 1), src.table) === null)
          : undefined;
      if (constraints.length === 0 && ref.suffix === null && named.length === 0 && prefixOnly === undefined) continue; // not a reference by any reading
      if (constraints.length === 0 && ref.suffix === null && !KEY_BASES.has(col.base)) continue;
      const reject = (reason: string): void => void rejected.push({ source: where, column: colName, reason });
      if (prefixOnly !== undefined) {
        reject(`shares "${w[0]}" with ${prefixOnly.table} but is not named as a reference (no id/no/code/ref… suffix) and no FK constraint covers it`);
        continue;
      }
      const tenantPart = constraints.find((f) => f.columns.length > 1 && f.refColumns[f.columns.indexOf(colName)] === colName);
      if (tenantPart !== undefined) {
        reject(`scope part of the composite FK ${tenantPart.name} (same column on both sides)`);
        continue;
      }
      if (col.notNull) {
        reject(constraints.length > 0 ? `NOT NULL: nothing to backfill (FK ${constraints[0]!.name})` : 'NOT NULL: nothing to backfill');
        continue;
      }
      if (!KEY_BASES.has(col.base)) {
        reject(`type ${col.type} is not a key type`);
        continue;
      }
      if (col.generated !== '') {
        reject('generated column: an UPDATE cannot set it');
        continue;
      }
      if (col.identity === 'a') {
        reject('identity column (GENERATED ALWAYS): an UPDATE cannot set it');
        continue;
      }
      if (srcKey === null) {
        reject(`${src.table} has no primary key or unique NOT NULL columns to identify its rows`);
        continue;
      }
      if (srcKey.length > 1 && !KEY_LISTS) {
        reject(`${src.table}'s primary key has ${srcKey.length} columns (${srcKey.join(', ')}); a link's key is one column in this version`);
        continue;
      }

      // Candidate targets: the FK constraint's, else the tables the name points at (same schema first).
      const cands: Candidate[] = [];
      const reasons: string[] = [];
      for (const f of constraints) {
        const tgt = byOid.get(f.refOid);
        const i = f.columns.indexOf(colName);
        const key = f.refColumns[i];
        if (tgt === undefined || key === undefined) {
          reasons.push(`FK ${f.name} points outside the searched schemas`);
          continue;
        }
        cands.push({ tgt, key, with: [], constraint: f, level: namesTable(ref.stem, tgt.table) });
      }
      if (cands.length === 0 && reasons.length === 0) {
        const others = named.filter((x) => x.t !== src);
        if (others.length === 0) {
          if (named.length > 0) {
            reject(`names its own table ${src.table} (the row's own identifier, not a reference) and no FK constraint covers it`);
            continue;
          }
          const nothing = `no table named like "${ref.stem.join('_')}" and no FK constraint`;
          // Never written; but if a name column overlaps some master strongly, say so (weak).
          const sname = [`${ref.stem.join('_')}_name`, `${ref.stem.join('_')}name`].find((c) => isText(src.cols.get(c)));
          const before = drafts.length;
          if (sname === undefined) {
            reject(nothing);
            continue;
          }
          for (const tgt of cat.tables) {
            if (tgt === src) continue;
            for (const { key } of keysOf(tgt, src, col)) {
              const tname = targetNameColumn(tgt, new Set([key]));
              if (tname === null) continue;
              const ov = await nameOverlap(src, sname, tgt, tname);
              if (ov.ratio !== null && ov.ratio >= 0.6 && ov.found >= 2) {
                const active = await activeOf(tgt);
                drafts.push(
                  draft({
                    src,
                    tgt,
                    colName,
                    col,
                    sname,
                    key,
                    tname,
                    scope: [],
                    scopeEvidence: [],
                    active,
                    naming: `nothing is named like "${ref.stem.join('_')}"; ${sname} ↔ ${tgt.table}.${tname}`,
                    ov,
                    keys: { sampled: 0, found: 0, ratio: null },
                    constraint: null,
                    confidence: 0.3,
                    why: [`${nothing}; ${sname} overlaps ${tgt.table}.${tname} (${ratioText(ov)}) only by its values`],
                    confirm: [`an FK constraint from ${colName} to ${tgt.table}.${key}, or a config link you write yourself`],
                    confident: false,
                  }),
                );
              }
            }
          }
          if (drafts.length === before) reject(`${nothing} (${sname} matches no master's names either)`);
          continue;
        }
        const sameSchema = others.filter((x) => x.t.schema === src.schema);
        for (const x of sameSchema.length > 0 ? sameSchema : others) {
          const keys = keysOf(x.t, src, col);
          if (keys.length === 0) {
            const ks = x.t.indexes.filter((i) => i.unique && !i.partial).map((i) => i.columns.map((c) => `${c} ${x.t.cols.get(c)?.type ?? ''}`).join('+'));
            reasons.push(`${x.t.table} has no unique key of type ${col.type}${ks.length > 0 ? ` (keys: ${ks.join(', ')})` : ''}`);
            continue;
          }
          const best = [...keys].sort((a, b) => keyFit(colName, b.key, x.t) - keyFit(colName, a.key, x.t))[0]!;
          cands.push({ tgt: x.t, key: best.key, with: best.with, constraint: null, level: x.level });
        }
      }
      if (cands.length === 0) {
        reject(reasons.join('; ') || 'no matching target');
        continue;
      }

      const mine: Draft[] = [];
      for (const c of cands.slice(0, 12)) {
        const tgt = c.tgt;
        const tkeyCol = tgt.cols.get(c.key);
        if (tkeyCol === undefined) continue;
        if (tkeyCol.base !== col.base) {
          reasons.push(`${colName} is ${col.type} but ${tgt.table}.${c.key} is ${tkeyCol.type}`);
          continue;
        }
        if (tgt === src && c.constraint === null) {
          reasons.push('self-reference without a constraint');
          continue;
        }
        const paired = new Set<string>();
        if (c.constraint !== null) c.constraint.columns.forEach((s, i) => s !== colName && s === c.constraint!.refColumns[i] && paired.add(s));
        const tname = targetNameColumn(tgt, new Set([c.key, ...paired]));
        if (tname === null) {
          reasons.push(`${tgt.table} has no name column`);
          continue;
        }
        // The source's name column: named after the stem, the target or the target's name column.
        const stem = ref.stem.join('_');
        const tsing = singular(tgt.table);
        const namedAs = [`${stem}_name`, `${stem}name`, `${tsing}_name`, ...(GENERIC_NAMES.has(tname) ? [] : [tname]), stem, tsing].filter(
          (n, i, a) => a.indexOf(n) === i && n !== colName && isText(src.cols.get(n)) && !paired.has(n),
        );
        const byRole = src.order.filter(
          (n) => !namedAs.includes(n) && n !== colName && isText(src.cols.get(n)) && NAME_SUFFIXES.has(words(n).at(-1) ?? '') && (namesTable(words(n).slice(0, -1), tgt.table) !== null || namesTable(words(n).slice(0, -1), stem) !== null),
        );
        const names = [...namedAs, ...byRole];
        let sname: string;
        let ov: Overlap;
        let byValues = false;
        if (names.length > 0) {
          sname = names[0]!;
          ov = await nameOverlap(src, sname, tgt, tname);
          for (const n of names.slice(1, 4)) {
            const o = await nameOverlap(src, n, tgt, tname);
            if ((o.ratio ?? -1) > (ov.ratio ?? -1)) [sname, ov] = [n, o];
          }
        } else {
          // No column is named for it (`vendor_text` beside `sup_ref`): the text column whose values are the
          // target's names. Sampled like any overlap; at least half of its distinct names must be master names.
          const looked = [...new Set([`${stem}_name`, `${tsing}_name`, ...(GENERIC_NAMES.has(tname) ? [] : [tname]), stem, tsing])];
          const texts = src.order.filter((n) => n !== colName && !paired.has(n) && isText(src.cols.get(n))).slice(0, 8);
          let best: { n: string; o: Overlap } | null = null;
          for (const n of texts) {
            const o = await nameOverlap(src, n, tgt, tname);
            if (best === null || (o.ratio ?? -1) > (best.o.ratio ?? -1)) best = { n, o };
          }
          if (best === null || (best.o.ratio ?? 0) < 0.5 || best.o.found < 2) {
            const closest = best === null ? 'it has no text column' : `the closest by values is ${best.n}: ${ratioText(best.o)} of its sampled names are ${tgt.table}.${tname} values`;
            reasons.push(`no name column for ${stem} in ${src.table} (looked for ${looked.join(', ')}, or a *_name column naming ${tgt.table}; ${closest})`);
            continue;
          }
          sname = best.n;
          ov = best.o;
          byValues = true;
        }
        const shared = tgt.order.filter((s) => s !== colName && s !== c.key && src.cols.has(s) && KEY_BASES.has(tgt.cols.get(s)!.base) && src.cols.get(s)!.base === tgt.cols.get(s)!.base);
        const ko = await keyOverlap(src, colName, tgt, c.key, shared);
        if (c.constraint === null && ko.keys.sampled >= 3 && (ko.keys.ratio ?? 0) < 0.5) {
          reasons.push(`only ${ratioText(ko.keys)} values of ${colName} are ${tgt.table}.${c.key} values: not a reference to it`);
          continue;
        }
        const verdicts = await scopeFor(src, tgt, colName, c.key, new Set([sname, tname]), paired, ko.keys.found, ko.agree);
        const scope = verdicts.filter((v) => v.scope).map((v) => v.column);
        const active = await activeOf(tgt);
        const fit = keyFit(colName, c.key, tgt);
        const levelScore = c.level === null ? 0 : LEVEL_SCORE[c.level];
        const naming = [
          c.level !== null ? `${colName} → table ${tgt.table} (${c.level})` : null,
          `${tgt.table}.${c.key} is ${tkeyCol.type}${fit >= 1 ? ', named alike' : ''}`,
          `${sname} ↔ ${tgt.table}.${tname}${byValues ? ` (by its values: ${ratioText(ov)})` : ''}`,
        ]
          .filter((x) => x !== null)
          .join('; ');
        let confidence =
          0.2 + (c.constraint !== null ? 0.4 : 0) + 0.25 * levelScore + 0.05 * fit + (ov.ratio === null ? 0 : 0.3 * ov.ratio) + (ko.keys.ratio === null || ko.keys.found < 2 ? 0 : 0.1 * ko.keys.ratio);
        confidence = Math.min(1, Math.round(confidence * 100) / 100);
        const why: string[] = [];
        const confirm: string[] = [];
        const namesAgree = ov.ratio !== null && ov.ratio >= 0.5 && ov.found >= 2;
        const keysAgree = ko.keys.ratio !== null && ko.keys.ratio >= 0.9 && ko.keys.found >= 2 && (ov.ratio === null || ov.ratio >= 0.2);
        if (c.constraint === null) {
          if (!namesAgree && !keysAgree) {
            if (ov.sampled === 0) why.push(`no names in ${src.table}.${sname} to compare`);
            else if (ov.found < 2 && ov.ratio !== null && ov.ratio >= 0.5) why.push(`too few names to compare (${ratioText(ov)} sampled names of ${sname} exist in ${tgt.table}.${tname})`);
            else why.push(`only ${ratioText(ov)} sampled names of ${sname} exist in ${tgt.table}.${tname}`);
            confirm.push(`names in ${sname} that exist in ${tgt.table}.${tname}, some ${colName} values already set, or an FK constraint`);
          }
          if (c.level === 'initials') {
            why.push(`${colName} matches ${tgt.table} only by initials`);
            confirm.push(`an FK constraint from ${colName} to ${tgt.table}.${c.key}`);
          }
        }
        const unscoped = c.with.filter((x) => !scope.includes(x));
        if (unscoped.length > 0) {
          why.push(`${tgt.table}.${c.key} is unique only together with ${unscoped.join(', ')}, which is not a scope column (${unscoped.map((x) => verdicts.find((v) => v.column === x)?.reason ?? 'not shared').join('; ')})`);
          confirm.push(`${unscoped.join(', ')} as scope, or a key of ${tgt.table} unique on its own`);
        }
        if (confidence < minConfidence) why.push(`confidence ${confidence} below ${minConfidence}`);
        mine.push(
          draft({
            src,
            tgt,
            colName,
            col,
            sname,
            key: c.key,
            tname,
            scope,
            scopeEvidence: verdicts,
            active,
            naming,
            ov,
            keys: ko.keys,
            constraint: c.constraint?.name ?? null,
            confidence,
            why,
            confirm,
            confident: why.length === 0,
          }),
        );
      }
      if (mine.length === 0) {
        reject(reasons.join('; ') || 'no matching target');
        continue;
      }
      mine.sort((a, b) => Number(b.confident) - Number(a.confident) || b.confidence - a.confidence);
      const [top, next] = mine;
      if (top!.confident && next !== undefined && next.confident && top!.evidence.constraint === null && top!.confidence - next.confidence < 0.1) {
        for (const d of [top!, next]) {
          d.confident = false;
          d.why.push(`ambiguous: ${colName} fits ${top!.target} and ${next.target} about equally (${top!.confidence} vs ${next.confidence})`);
          d.confirm.push(`an FK constraint naming the right one`);
        }
        drafts.push(top!, next);
      } else drafts.push(top!);
    }
  }

  // Two FK columns of one table claiming the same name column and target: keep the clearly better one.
  const claims = new Map<string, Draft[]>();
  for (const d of drafts.filter((x) => x.confident)) {
    const k = `${d.source}\u0000${d.name}\u0000${d.target}`;
    claims.set(k, [...(claims.get(k) ?? []), d]);
  }
  for (const group of claims.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => b.confidence - a.confidence);
    const [first, second] = group;
    const clear = first!.evidence.constraint !== null && second!.evidence.constraint === null ? true : first!.confidence - second!.confidence >= 0.1;
    for (const d of clear ? group.slice(1) : group) {
      d.confident = false;
      d.why.push(`${group.map((g) => g.fk).join(' and ')} both read ${d.name} as names of ${d.target}`);
      d.confirm.push(`an FK constraint on the right column, or values in it that are ${d.target}.${d.targetKey} keys`);
    }
  }

  // A column a confident link uses (its name, scope, document, amount) is not itself a rejected or weak FK.
  const used = new Map<string, string>();
  for (const d of drafts) {
    if (!d.confident) continue;
    for (const c of [d.name, ...d.scope, d.document, d.amount]) if (c !== null) used.set(`${d.source}\u0000${c}`, d.fk);
  }
  const usedBy = (source: string, column: string): string | undefined => used.get(`${source}\u0000${column}`);
  for (let i = rejected.length - 1; i >= 0; i--) if (usedBy(rejected[i]!.source, rejected[i]!.column) !== undefined) rejected.splice(i, 1);
  // A NOT NULL column that scopes confident links of its schema is that schema's tenant column: say so.
  for (const r of rejected) {
    if (!r.reason.startsWith('NOT NULL')) continue;
    const schema = r.source.slice(0, r.source.indexOf('.'));
    const scoped = drafts.filter((d) => d.confident && d.source.startsWith(`${schema}.`) && d.scope.includes(r.column));
    if (scoped.length > 0) r.reason = `scope (tenant) column of ${scoped.length} link(s) here; ${r.reason}`;
  }
  for (let i = drafts.length - 1; i >= 0; i--) {
    const d = drafts[i]!;
    const by = usedBy(d.source, d.fk);
    if (by !== undefined && by !== d.fk) {
      drafts.splice(i, 1);
      if (!rejected.some((r) => r.source === d.source && r.column === d.fk)) rejected.push({ source: d.source, column: d.fk, reason: `used by the ${by} link` });
    }
  }

  const proposals: Proposal[] = [];
  const weak: Weak[] = [];
  for (const d of drafts) {
    const { confident, ...rest } = d;
    // what plan would refuse is not written (on Citus: tables it cannot join co-located, a local source…)
    const refused = confident ? await refusal(db, d.link) : null;
    if (refused !== null) {
      rejected.push({ source: d.source, column: d.fk, reason: `a link ${d.target}.${d.targetKey} ← ${d.name} that plan refuses: ${refused}` });
      continue;
    }
    if (confident) {
      const { why: _w, confirm: _c, ...p } = rest;
      proposals.push(p);
    } else weak.push(rest);
  }

  // Entity names: the singular table name; disambiguated by column, then by schema, when they collide.
  const count = (key: (p: Proposal) => string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const p of proposals) m.set(key(p), (m.get(key(p)) ?? 0) + 1);
    return m;
  };
  const perTable = count((p) => p.source);
  for (const p of proposals) if ((perTable.get(p.source) ?? 0) > 1) p.entity = sanitize(`${p.entity}_${reference(p.fk).stem.join('_') || p.fk}`);
  const perEntity = count((p) => p.entity);
  for (const p of proposals) if ((perEntity.get(p.entity) ?? 0) > 1) p.entity = sanitize(`${p.source.split('.')[0]}.${p.entity}`);
  for (const p of [...proposals, ...weak]) p.link.entity = p.entity;
  const order = (a: { source: string; fk: string }, b: { source: string; fk: string }): number => a.source.localeCompare(b.source) || a.fk.localeCompare(b.fk);
  proposals.sort(order);
  weak.sort(order);
  rejected.sort((a, b) => a.source.localeCompare(b.source) || a.column.localeCompare(b.column));

  const config: ConfigInput | null = proposals.length === 0 ? null : { links: proposals.map((p) => p.link) };
  if (config !== null) parseConfig(config, 'discovered config');
  const searched = schemas ?? [...new Set(cat.tables.map((t) => t.schema))].sort();
  return { schemas: searched, proposals, weak, rejected, config };
}

/**
 * Why plan would refuse a link discover found (the catalog checks every statement relies on, Citus's
 * included: tables not co-located on a scope column, a local source with a distributed or reference
 * master), or null. A Citus trial: four such links were written as confident and plan refused the file.
 */
async function refusal(db: Queryable, link: LinkInput): Promise<string | null> {
  try {
    await resolveLinks(db, parseConfig({ links: [link] }, 'discovered link').links);
    return null;
  } catch (e) {
    if (e instanceof BackfillError) return e.message;
    throw e;
  }
}

/** Whether this version's config takes a list of columns as a link's key (a composite primary key). */
const KEY_LISTS = linkSchema.safeParse({ entity: 'e', table: 't', key: ['a', 'b'], fk: 'f', name: 'n', target: { table: 't', key: 'k', name: 'n' } }).success;

function draft(a: {
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
  const document = documentColumn(src, stem, exclude);
  const amount = amountColumn(src, exclude);
  const tnumber = [`${singular(tgt.table)}_number`, 'number', 'code'].find((n) => n !== a.key && n !== a.tname && tgt.cols.has(n)) ?? null;
  const active = a.active.active;
  const link: LinkInput = {
    entity: entityName(src.table),
    table: src.ref,
    key: srcKey,
    fk: a.colName,
    name: a.sname,
    ...(document !== null ? { document } : {}),
    ...(amount !== null ? { amount } : {}),
    target: {
      table: tgt.ref,
      key: a.key,
      name: a.tname,
      ...(active !== null ? { active } : {}),
      ...(tnumber !== null ? { number: tnumber } : {}),
    },
    scope: a.scope.slice(0, 8),
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
