/**
 * How discover reads names: reference suffixes and the table a column's stem names (exactly, by role,
 * by its last word, abbreviated, by initials), and which columns of a table hold a name, a document
 * number, an amount or an active flag. Pure: no database.
 */
import type { ActiveOne, ActiveProposal, Col, Level, Overlap, Tbl } from './types.js';
import { validityOf } from '../sql/active.js';

/** Types a key (and a scope column) can have. */
export const KEY_BASES = new Set(['uuid', 'int2', 'int4', 'int8', 'numeric', 'text', 'varchar', 'bpchar', 'citext']);
/** A column a scope (tenant) can be: a key type, or an enum (`tenant tenant_t`: a fixed list of tenants). */
export function scopeTyped(c: Col): boolean {
  return KEY_BASES.has(c.base) || c.category === 'E';
}
const TEXT_BASES = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);
const TIME_BASES = new Set(['timestamp', 'timestamptz', 'date']);
const INT_BASES = new Set(['int2', 'int4', 'int8']);
/** The kind a base type is compared as: the integer types are one, varchar is text; any other base only itself. */
export function baseKind(base: string): string {
  return INT_BASES.has(base) ? 'int' : base === 'varchar' ? 'text' : base;
}
/**
 * Whether columns of bases `a` and `b` compare as one, as plan and apply take an FK beside its key or a scope column
 * in both tables (src/context/catalog.ts) and as PostgreSQL's FK constraints do: the same base, two integer types (an
 * integer FK beside a bigint id), or varchar and text.
 */
export function comparableBases(a: string, b: string): boolean {
  return baseKind(a) === baseKind(b);
}
/** Last words that make a column read as a reference to something (`account_no`, `supplier_ref`). */
const REF_SUFFIXES = new Set(['id', 'no', 'nr', 'nbr', 'num', 'number', 'ref', 'reference', 'code', 'cd', 'key', 'fk', 'uuid', 'guid']);
/** Last words of a column holding a name. */
export const NAME_SUFFIXES = new Set(['name', 'title', 'label', 'nm']);
/** Words saying a row is gone or switched off (a timestamp of it, or a flag that is true for it). */
const OFF_WORDS = new Set([
  'deleted',
  'delete',
  'del',
  'archived',
  'archive',
  'removed',
  'disabled',
  'deactivated',
  'inactivated',
  'inactive',
  'voided',
  'retired',
  'trashed',
  'discarded',
  'obsolete',
  'purged',
  'closed',
  'terminated',
  'blocked',
  'suspended',
]);
/** Words saying a row is live (a flag that is true for it). */
const ON_WORDS = new Set(['active', 'enabled', 'live']);
/** Filler words around those (`is_deleted`, `deleted_flag`, `deleted_at`). */
const FLAG_WORDS = new Set(['is', 'flag', 'flg', 'ind', 'yn', 'at', 'on', 'date', 'time', 'ts', 'dt', 'when']);
const AMOUNT_COLUMNS = ['total_amount', 'amount', 'grand_total', 'total', 'amount_total', 'net_amount', 'gross_amount'];
export const GENERIC_NAMES = new Set(['name', 'title', 'label', 'display_name', 'full_name', 'description']);

/** Plurals no suffix rule makes (a `people` table of `person_id` columns: a trial). */
const IRREGULAR: Record<string, string> = {
  people: 'person',
  persons: 'person',
  children: 'child',
  men: 'man',
  women: 'woman',
  indices: 'index',
  statuses: 'status',
  analyses: 'analysis',
};

export function singular(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular !== undefined) return irregular;
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
export function reference(col: string): { stem: string[]; suffix: string | null } {
  const w = words(col);
  const last = w[w.length - 1];
  if (w.length > 1 && last !== undefined && REF_SUFFIXES.has(last)) return { stem: w.slice(0, -1), suffix: last };
  if (w.length === 1 && last !== undefined && /^[a-z]{3,}id$/.test(last)) return { stem: [last.slice(0, -2)], suffix: 'id' };
  return { stem: w, suffix: null };
}
export const LEVEL_SCORE: Record<Level, number> = { exact: 1, role: 0.9, tail: 0.7, abbreviated: 0.6, initials: 0.45 };

const same = (a: string, b: string): boolean => a === b || singular(a) === singular(b);
const sameOrAbbr = (a: string, b: string): boolean => same(a, b) || abbreviates(a, singular(b)) || abbreviates(a, b);

/** Words a table's name wraps its entity in (`vendor_master`, `tbl_customer`, `m_customer`, `dim_supplier`, `cust_mstr`). */
const TABLE_PREFIXES = new Set(['tbl', 't', 'm', 'mst', 'md', 'dim']);
const TABLE_SUFFIXES = new Set([
  'master',
  'masters',
  'mst',
  'mstr',
  'md',
  'data',
  'list',
  'table',
  'tbl',
  'info',
  'dim',
  'register',
  'registry',
  'directory',
]);

/**
 * How a column stem names a table, or null: exact, by role (`bill_to_customer`), last word, abbreviated, initials;
 * or any of these once the table's name is read without the words it wraps its entity in (`vendorRef` →
 * `vendor_master`: a new user's trial), at most 'role' (the table's own name said more than the column's).
 */
export function namesTable(stem: readonly string[], table: string): Level | null {
  const level = namesTableAsWritten(stem, table);
  if (level !== null) return level;
  let tw = words(table);
  while (tw.length > 1 && TABLE_PREFIXES.has(tw[0]!)) tw = tw.slice(1);
  while (tw.length > 1 && TABLE_SUFFIXES.has(tw[tw.length - 1]!)) tw = tw.slice(0, -1);
  if (tw.join('_') === words(table).join('_')) return null;
  const bare = namesTableAsWritten(stem, tw.join('_'));
  return bare === 'exact' ? 'role' : bare;
}

function namesTableAsWritten(stem: readonly string[], table: string): Level | null {
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
  if (stem.length === tws.length && stem.every((x, i) => sameOrAbbr(x, tws[i]!)) && stem.some((x, i) => !same(x, tws[i]!)))
    return 'abbreviated';
  if (stem.length >= 1 && abbreviates(last, tlast) && (stem.length === 1 || tws.length === 1)) return 'abbreviated';
  if (stem.length === 1 && tws.length >= 2 && last === tws.map((x) => x[0]).join('')) return 'initials';
  return null;
}

export function isText(c: Col | undefined): c is Col {
  return c !== undefined && TEXT_BASES.has(c.base);
}

/** How a config names a table: bare when in the current schema, else schema.table (quoted only when needed). */
export function tableRef(schema: string, table: string, current: string | null): string {
  const part = (s: string): string => (/[."]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return schema === current ? part(table) : `${part(schema)}.${part(table)}`;
}

/** The column naming a master row: `<singular>_name`, `name`, `<table>_name`, `<abbr>_name`, `display_name`, …, any text `*_name`. */
export function targetNameColumn(t: Tbl, exclude: ReadonlySet<string>): string | null {
  const s = singular(t.table);
  const ok = (c: string): boolean => !exclude.has(c) && isText(t.cols.get(c));
  for (const c of [`${s}_name`, 'name', `${t.table}_name`, 'display_name', 'full_name', 'company_name', 'title', 'label'])
    if (ok(c)) return c;
  const named = t.order.filter((c) => ok(c) && NAME_SUFFIXES.has(words(c).at(-1) ?? ''));
  const own = named.find((c) => namesTable(words(c).slice(0, -1), t.table) !== null);
  // numbered name lines (SAP's NAME1, NAME2): the first
  const numbered = t.order.find((c) => ok(c) && /^(name|title|label)_?1$/.test(words(c).join('_')));
  return own ?? named[0] ?? numbered ?? (ok('description') ? 'description' : null);
}

export function documentColumn(src: Tbl, stem: readonly string[], exclude: ReadonlySet<string>): string | null {
  const s = singular(src.table);
  const ok = (c: string): boolean => src.cols.has(c) && !exclude.has(c) && namesTable(reference(c).stem, stem.join('_')) === null;
  const ranked: ((c: string) => boolean)[] = [
    (c) => c === `${s}_number` || c === `${s.split('_').pop()}_number`,
    (c) => /_number$/.test(c),
    (c) => /_no$/.test(c),
    (c) => ['number', 'doc_no', 'document_no', 'reference', 'code'].includes(c),
    (c) => /_ref$/.test(c) || /_code$/.test(c),
    // a document's own name or title (Odoo's account_move.name holds "INV/2024/0001"), when it is not the link's
    (c) => ['name', 'title', 'subject'].includes(c) && isText(src.cols.get(c)),
  ];
  for (const notNull of [true, false]) {
    for (const test of ranked) {
      // tested on the name's words in snake case: "Order No", "DeliveryNo" and "order_no" alike
      const hit = src.order.find((c) => ok(c) && test(words(c).join('_')) && (!notNull || src.cols.get(c)?.notNull === true));
      if (hit !== undefined) return hit;
    }
  }
  // a text primary key, or its one text column beside the scope, is the document's number (SAP's VBAK.VBELN)
  const pk = (src.pk ?? []).filter((c) => ok(c) && isText(src.cols.get(c)));
  return pk.length === 1 ? pk[0]! : null;
}

export function amountColumn(src: Tbl, exclude: ReadonlySet<string>): string | null {
  const numeric = (c: string): boolean => {
    const col = src.cols.get(c);
    return (
      col !== undefined &&
      !exclude.has(c) &&
      (col.base === 'numeric' || col.base === 'money' || col.base === 'float8' || col.base === 'float4')
    );
  };
  const snake = (c: string): string => words(c).join('_');
  for (const a of AMOUNT_COLUMNS) {
    const hit = src.order.find((c) => snake(c) === a && numeric(c));
    if (hit !== undefined) return hit;
  }
  return src.order.find((c) => /_amount$/.test(snake(c)) && numeric(c)) ?? null;
}

/**
 * The active predicate for a master, from its columns: a soft-delete timestamp first (a deleted master
 * must never be linked), then an inverted flag, then an active flag. The others seen are evidence.
 */
export function activeFromColumns(t: { cols: Map<string, Col>; order: string[] }): {
  active: ActiveProposal | null;
  evidence: string[];
  status: string[];
} {
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
    const validity = validityOf(c);
    if (validity !== null && TIME_BASES.has(col.base)) {
      // a validity date: an expired master (or one not yet valid) is never linked, its successor of the same name is
      found.push({
        rank: validity === 'notPast' ? 3 : 4,
        active: { column: c, activeWhen: validity },
        why: `${c} is ${col.type} and reads as the ${validity === 'notPast' ? 'end' : 'start'} of a validity: a row is active while it is NULL or ${validity === 'notPast' ? 'not yet past' : 'reached'}`,
      });
      continue;
    }
    if (core.length !== 1) continue;
    const word = core[0]!;
    if (OFF_WORDS.has(word)) {
      if (TIME_BASES.has(col.base))
        found.push({ rank: 0, active: { column: c, activeWhen: 'null' }, why: `${c} is ${col.type}: a row is active while it is NULL` });
      else if (col.base === 'bool')
        found.push({ rank: 1, active: { column: c, activeWhen: false }, why: `${c} is boolean: a row is active while it is false` });
      else evidence.push(`${c} (${col.type}) reads as a soft-delete marker but is neither boolean nor a timestamp: not used`);
    } else if (ON_WORDS.has(word)) {
      if (col.base === 'bool') found.push({ rank: 2, active: c, why: `${c} is boolean: a row is active while it is true` });
      else evidence.push(`${c} (${col.type}) reads as an active flag but is not boolean: not used`);
    }
  }
  found.sort((a, b) => a.rank - b.rank);
  // several signals (deleted_at and is_active): all must hold, or a master only one of them switched off is linked;
  // at most MAX_ACTIVE_PARTS (what target.active takes), the strongest first
  const kept = found.slice(0, MAX_ACTIVE_PARTS);
  evidence.unshift(
    ...found.map((f, i) =>
      i === 0
        ? f.why
        : i < MAX_ACTIVE_PARTS
          ? `${f.why}; combined with the others (all must hold)`
          : `${f.why}; not combined (at most ${MAX_ACTIVE_PARTS})`,
    ),
  );
  const active = kept.length === 0 ? null : kept.length === 1 ? kept[0]!.active : kept.map((f) => f.active as ActiveOne);
  return { active, evidence, status };
}

/** Of OFF_WORDS, those that say a document (a source row) is gone, not done: a closed order or a blocked invoice still counts. */
const DOCUMENT_GONE_WORDS = new Set([
  'deleted',
  'delete',
  'del',
  'archived',
  'archive',
  'removed',
  'voided',
  'trashed',
  'discarded',
  'purged',
]);

/**
 * The link's own `active` for its source table (documents), by the same detection as a master's (activeFromColumns),
 * kept to the columns that read as a soft delete (`deleted_at`, `is_deleted`, `voided`, `archived`): an active flag,
 * a `closed_at` or a status of a document says how far it got, not that it is gone, so none of those is proposed.
 */
export function sourceActiveFromColumns(t: { cols: Map<string, Col>; order: string[] }): {
  active: ActiveProposal | null;
  evidence: string[];
} {
  const gone = (a: ActiveOne): boolean => {
    const core = words(typeof a === 'string' ? a : a.column).filter((x) => !FLAG_WORDS.has(x));
    return typeof a !== 'string' && core.length === 1 && DOCUMENT_GONE_WORDS.has(core[0]!);
  };
  const kept = activeList(activeFromColumns(t).active).filter(gone);
  const active = kept.length === 0 ? null : kept.length === 1 ? kept[0]! : kept;
  const evidence = kept.map(
    (a) => `${typeof a === 'string' ? a : a.column} reads as a soft delete of the document: a row not active is neither planned nor linked`,
  );
  return { active, evidence };
}

/** The most parts `target.active` takes (config/schema.ts). */
export const MAX_ACTIVE_PARTS = 4;

/** A proposal's predicates as a list (`target.active` takes one or a list that must all hold). */
export function activeList(a: ActiveProposal | null): ActiveOne[] {
  return a === null ? [] : Array.isArray(a) ? a : [a];
}

/**
 * Status values that say a row is gone or switched off, beyond the column words (`cancelled`, `dormant`); `merged` and
 * `superseded`: a master folded into another, whose documents belong to the survivor (a trial: a payer's enum
 * `Active, Suspended, Merged` proposed `notIn ['Suspended']`, and plan offered the merged payer's name to link).
 */
const OFF_STATUS_WORDS = new Set(['cancelled', 'canceled', 'dissolved', 'dormant', 'expired', 'defunct', 'banned', 'merged', 'superseded']);

/**
 * The active predicate a status column's sampled values suggest: `notIn` the values that read as gone or switched
 * off (`deleted`, `Inactive`, `closed`, `account_suspended`), so a status it does not know (`prospect`, `on_hold`),
 * or none (NULL), stays linkable; null when none of them does (then the evidence shows the values and the form to
 * write).
 */
export function activeFromStatus(
  column: string,
  type: string,
  values: string[],
  nullable = false,
  /** `values` are every label of the column's enum type, not a sample. */
  fromType = false,
): { active: ActiveProposal | null; why: string } {
  const off = values.filter((v) => words(v).some((w) => OFF_WORDS.has(w) || OFF_STATUS_WORDS.has(w)));
  const seen =
    values.length === 0 ? '' : fromType ? ` (its type's values: ${values.join(', ')})` : ` (values seen in a sample: ${values.join(', ')})`;
  if (off.length === 0)
    return {
      active: null,
      why: `${column} (${type}) looks like a status${seen}: not used; to link only masters in some states, set "active": { "column": "${column}", "activeWhen": { "in": [...] } } (or "notIn")`,
    };
  return {
    active: { column, activeWhen: { notIn: off } },
    why: `${column} (${type}) is a status${seen}: a master is active unless it is ${off.join(', ')}${nullable ? ' (a NULL status is active)' : ''}${fromType ? '' : ' (check the list: a rarer state may not be in the sample)'}`,
  };
}

export function sanitize(e: string): string {
  const out = e.replace(/[^A-Za-z0-9_.:-]+/g, '_');
  return out.length > 0 ? out : 'link';
}

export function entityName(table: string): string {
  return sanitize(singular(table));
}

export const ratioText = (o: Overlap): string => `${o.found}/${o.sampled}`;
