/**
 * `discover`: proposes links from the catalog of an unknown schema. A proposal needs a nullable key-typed
 * column (`*_id`, or one an FK constraint already covers) next to a name column that talks about the same
 * thing (`customer_id` + `customer_name`), and a target table whose single-column key has the same type and
 * which has a name column. Evidence: an existing FK constraint, table naming (customer → customers), and
 * the sampled overlap of the two name columns. Read-only: writes nothing, not even its own schema.
 */
import { parseConfig } from '../config/load.js';
import type { ConfigInput, LinkInput } from '../config/schema.js';
import { adapt } from '../db/index.js';
import { num } from '../db/port.js';
import type { Queryable } from '../db/port.js';
import { wrapDbError } from '../errors.js';
import { columnsStatement, foreignKeysStatement, keysStatement, overlapStatement } from '../sql/catalog-discover.js';
import { ident } from '../sql/quote.js';

export interface DiscoverOptions {
  /** Only these schemas (default: every non-system schema except fk_backfill). */
  schemas?: readonly string[];
  /** Source rows sampled per overlap check (default 2000). */
  sample?: number;
  /** Proposals below this confidence are listed under `rejected` (default 0.45). */
  minConfidence?: number;
}

export interface Evidence {
  /** Name of an FK constraint already linking the columns. */
  constraint: string | null;
  /** How the column and table names line up. */
  naming: string;
  /** Sampled distinct source names (case/space-folded) found among the target's names. */
  overlap: { sampled: number; found: number; ratio: number | null };
}

export interface Proposal {
  entity: string;
  source: string;
  fk: string;
  fkType: string;
  name: string;
  target: string;
  targetKey: string;
  targetName: string;
  scope: string[];
  active: string | null;
  document: string | null;
  amount: string | null;
  /** Soft-delete columns seen on the target; the config has no field for them, so they are only reported. */
  deletedFlags: string[];
  evidence: Evidence;
  confidence: number;
  link: LinkInput;
}

export interface Rejected {
  source: string;
  column: string;
  reason: string;
}

export interface DiscoverResult {
  schemas: string[];
  proposals: Proposal[];
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
}

interface Tbl {
  schema: string;
  table: string;
  oid: number;
  cols: Map<string, Col>;
  order: string[];
  pk: string | null;
  sql: string;
  ref: string;
}

const KEY_BASES = new Set(['uuid', 'int2', 'int4', 'int8', 'text', 'varchar', 'bpchar']);
const TEXT_BASES = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);
export const SCOPE_COLUMNS = ['tenant_id', 'company_id', 'organization_id', 'org_id', 'account_id', 'workspace_id', 'team_id', 'business_id'];
const ACTIVE_COLUMNS = ['is_active', 'active', 'enabled', 'is_enabled'];
const DELETED_COLUMNS = ['deleted_at', 'is_deleted', 'deleted', 'archived_at', 'is_archived'];
const AMOUNT_COLUMNS = ['total_amount', 'amount', 'grand_total', 'total', 'amount_total', 'net_amount', 'gross_amount'];
const GENERIC_NAMES = new Set(['name', 'title', 'label', 'display_name', 'full_name']);

export function singular(word: string): string {
  if (/ies$/.test(word)) return word.slice(0, -3) + 'y';
  if (/(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (/s$/.test(word) && !/ss$/.test(word)) return word.slice(0, -1);
  return word;
}

function plurals(p: string): string[] {
  return [...new Set([p, `${p}s`, `${p}es`, p.replace(/y$/, 'ies')])];
}

function isText(c: Col | undefined): c is Col {
  return c !== undefined && TEXT_BASES.has(c.base);
}

/** How a config names a table: bare when in the current schema, else schema.table (quoted only when needed). */
function tableRef(schema: string, table: string, current: string | null): string {
  const part = (s: string): string => (/[."]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return schema === current ? part(table) : `${part(schema)}.${part(table)}`;
}

/** The column naming a master row: `<singular>_name`, `name`, `<table>_name`, `display_name`, …, any text `*_name`. */
function targetNameColumn(t: Tbl): string | null {
  const s = singular(t.table);
  for (const c of [`${s}_name`, 'name', `${t.table}_name`, 'display_name', 'full_name', 'company_name', 'title', 'label']) {
    if (isText(t.cols.get(c))) return c;
  }
  for (const c of t.order) if (/_name$/.test(c) && isText(t.cols.get(c))) return c;
  return null;
}

/** The source column holding the referenced thing's name: `<prefix>_name`, `<prefix>name`, `<prefix>` (text). */
function sourceNameColumn(src: Tbl, fk: string, prefix: string, targetName: string | null): string | null {
  for (const c of [`${prefix}_name`, `${prefix}name`, prefix]) {
    if (c !== fk && isText(src.cols.get(c))) return c;
  }
  if (targetName !== null && !GENERIC_NAMES.has(targetName) && isText(src.cols.get(targetName))) return targetName;
  return null;
}

function documentColumn(src: Tbl, prefix: string, exclude: ReadonlySet<string>): string | null {
  const s = singular(src.table);
  const ok = (c: string): boolean => src.cols.has(c) && !exclude.has(c) && !c.startsWith(`${prefix}_`);
  const ranked: ((c: string) => boolean)[] = [
    (c) => c === `${s}_number` || c === `${s.split('_').pop()}_number`,
    (c) => /_number$/.test(c),
    (c) => /_no$/.test(c),
    (c) => ['number', 'doc_no', 'document_no', 'reference', 'code'].includes(c),
    (c) => /_ref$/.test(c) || /_code$/.test(c),
  ];
  for (const test of ranked) {
    const hit = src.order.find((c) => ok(c) && test(c));
    if (hit !== undefined) return hit;
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

async function loadCatalog(db: Queryable, schemas: readonly string[] | null): Promise<{ tables: Tbl[]; current: string | null; fks: { oid: number; refOid: number; name: string; columns: string[]; refColumns: string[] }[] }> {
  const cur = (await db.query<{ s: string | null }>('SELECT current_schema()::text AS s')).rows[0]?.s ?? null;
  const cs = columnsStatement(schemas);
  const rows = (await db.query<{ schema: string; table_name: string; oid: unknown; column_name: string; type: string; base: string; category: string; not_null: boolean }>(cs.text, cs.values)).rows;
  const byOid = new Map<number, Tbl>();
  for (const r of rows) {
    const oid = num(r.oid);
    let t = byOid.get(oid);
    if (t === undefined) {
      t = { schema: r.schema, table: r.table_name, oid, cols: new Map(), order: [], pk: null, sql: `${ident(r.schema)}.${ident(r.table_name)}`, ref: tableRef(r.schema, r.table_name, cur) };
      byOid.set(oid, t);
    }
    t.cols.set(r.column_name, { name: r.column_name, type: r.type, base: r.base, category: r.category, notNull: r.not_null });
    t.order.push(r.column_name);
  }
  const oids = [...byOid.keys()];
  const ks = keysStatement(oids);
  const keys = (await db.query<{ oid: unknown; type: string; column_name: string }>(ks.text, ks.values)).rows;
  for (const k of keys) {
    const t = byOid.get(num(k.oid));
    if (t === undefined) continue;
    if (k.type === 'p') t.pk = k.column_name;
  }
  // Tables without a primary key but with a single-column unique key on a NOT NULL column use that.
  for (const k of keys) {
    const t = byOid.get(num(k.oid));
    if (t !== undefined && t.pk === null && k.type === 'u' && t.cols.get(k.column_name)?.notNull === true) t.pk = k.column_name;
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

export async function discover(handle: unknown, opts: DiscoverOptions = {}): Promise<DiscoverResult> {
  const db = adapt(handle);
  const schemas = opts.schemas !== undefined && opts.schemas.length > 0 ? [...opts.schemas] : null;
  const minConfidence = opts.minConfidence ?? 0.45;
  let cat;
  try {
    cat = await loadCatalog(db, schemas);
  } catch (e) {
    throw wrapDbError(e, 'reading the catalog');
  }
  const byOid = new Map(cat.tables.map((t) => [t.oid, t]));
  const proposals: Proposal[] = [];
  const rejected: Rejected[] = [];

  const overlap = async (src: Tbl, name: string, tgt: Tbl, tname: string): Promise<Evidence['overlap']> => {
    const st = overlapStatement({ sourceSql: src.sql, name, targetSql: tgt.sql, targetName: tname }, opts.sample ?? 2000);
    const r = (await db.query<{ sampled: unknown; found: unknown }>(st.text, st.values)).rows[0];
    const sampled = num(r?.sampled);
    const found = num(r?.found);
    return { sampled, found, ratio: sampled === 0 ? null : found / sampled };
  };

  for (const src of cat.tables) {
    if (src.pk === null) continue;
    for (const colName of src.order) {
      const col = src.cols.get(colName)!;
      const fk = cat.fks.find((f) => f.oid === src.oid && f.columns.length === 1 && f.columns[0] === colName);
      const idLike = /_id$/i.test(colName);
      if (!idLike && fk === undefined) continue;
      if (colName === src.pk || SCOPE_COLUMNS.includes(colName)) continue;
      const where = `${src.schema}.${src.table}`;
      if (col.notNull) {
        rejected.push({ source: where, column: colName, reason: 'NOT NULL: nothing to backfill' });
        continue;
      }
      if (!KEY_BASES.has(col.base)) {
        rejected.push({ source: where, column: colName, reason: `type ${col.type} is not a key type` });
        continue;
      }
      const prefix = idLike ? colName.replace(/_id$/i, '') : colName;

      // Candidate targets: the FK constraint's, and tables named after the prefix (same schema first).
      type Cand = { tgt: Tbl; constraint: string | null; named: boolean };
      const cands: Cand[] = [];
      if (fk !== undefined) {
        const tgt = byOid.get(fk.refOid);
        if (tgt !== undefined && tgt.pk === fk.refColumns[0]) cands.push({ tgt, constraint: fk.name, named: plurals(prefix).includes(tgt.table) });
      }
      if (cands.length === 0) {
        const named = cat.tables.filter((t) => plurals(prefix).includes(t.table));
        const same = named.filter((t) => t.schema === src.schema);
        for (const t of same.length > 0 ? same : named) cands.push({ tgt: t, constraint: null, named: true });
      }
      if (cands.length === 0) {
        // Neither a constraint nor a table named after the column: only a `<prefix>_name` column plus a
        // strong sampled overlap may point to a master (e.g. buyer_id + buyer_name → customers).
        if (isText(src.cols.get(`${prefix}_name`))) {
          for (const t of cat.tables) if (t !== src && t.pk !== null && t.cols.get(t.pk)?.base === col.base && targetNameColumn(t) !== null) cands.push({ tgt: t, constraint: null, named: false });
        }
        if (cands.length === 0) {
          rejected.push({ source: where, column: colName, reason: `no table named like "${prefix}" and no FK constraint` });
          continue;
        }
      }

      let best: Proposal | null = null;
      const reasons: string[] = [];
      for (const c of cands.slice(0, 20)) {
        const tgt = c.tgt;
        const tkey = tgt.pk;
        const tkeyCol = tkey === null ? undefined : tgt.cols.get(tkey);
        if (tkey === null || tkeyCol === undefined) {
          reasons.push(`${tgt.table} has no single-column key`);
          continue;
        }
        if (tkeyCol.type !== col.type) {
          reasons.push(`${colName} is ${col.type} but ${tgt.table}.${tkey} is ${tkeyCol.type}`);
          continue;
        }
        const tname = targetNameColumn(tgt);
        if (tname === null) {
          reasons.push(`${tgt.table} has no name column`);
          continue;
        }
        const sname = sourceNameColumn(src, colName, prefix, tname);
        if (sname === null) {
          reasons.push(`no name column for ${prefix} in ${src.table} (looked for ${prefix}_name, ${prefix})`);
          continue;
        }
        if (tgt === src && c.constraint === null) {
          reasons.push('self-reference without a constraint');
          continue;
        }
        const ov = await overlap(src, sname, tgt, tname);
        if (!c.named && c.constraint === null && !(ov.ratio !== null && ov.ratio >= 0.6 && ov.found >= 2)) {
          reasons.push(`${tgt.table}: weak name overlap (${ov.found}/${ov.sampled})`);
          continue;
        }
        const scope = SCOPE_COLUMNS.filter((s) => s !== colName && s !== tkey && src.cols.has(s) && tgt.cols.has(s) && src.cols.get(s)!.type === tgt.cols.get(s)!.type);
        const active = ACTIVE_COLUMNS.find((a) => tgt.cols.get(a)?.base === 'bool') ?? null;
        const deletedFlags = DELETED_COLUMNS.filter((d) => tgt.cols.has(d));
        const exclude = new Set([src.pk, colName, sname, ...scope]);
        const document = documentColumn(src, prefix, exclude);
        const amount = amountColumn(src, exclude);
        const tnumber = [`${singular(tgt.table)}_number`, 'number', 'code'].find((n) => n !== tkey && tgt.cols.has(n)) ?? null;
        const naming = [
          c.named ? `${colName} → table ${tgt.table}` : null,
          `${sname} ↔ ${tgt.table}.${tname}`,
          `key types ${col.type}`,
        ]
          .filter((x) => x !== null)
          .join('; ');
        let confidence = 0.3 + (c.constraint !== null ? 0.35 : 0) + (c.named ? 0.15 : 0) + (ov.ratio === null ? 0 : 0.35 * ov.ratio);
        confidence = Math.min(1, Math.round(confidence * 100) / 100);
        const link: LinkInput = {
          entity: entityName(src.table),
          table: src.ref,
          key: src.pk,
          fk: colName,
          name: sname,
          ...(document !== null ? { document } : {}),
          ...(amount !== null ? { amount } : {}),
          target: { table: tgt.ref, key: tkey, name: tname, ...(active !== null ? { active } : {}), ...(tnumber !== null ? { number: tnumber } : {}) },
          scope,
        };
        const p: Proposal = {
          entity: link.entity,
          source: `${src.schema}.${src.table}`,
          fk: colName,
          fkType: col.type,
          name: sname,
          target: `${tgt.schema}.${tgt.table}`,
          targetKey: tkey,
          targetName: tname,
          scope,
          active,
          document,
          amount,
          deletedFlags,
          evidence: { constraint: c.constraint, naming, overlap: ov },
          confidence,
          link,
        };
        if (best === null || p.confidence > best.confidence) best = p;
      }
      if (best === null) rejected.push({ source: where, column: colName, reason: reasons.join('; ') || 'no matching target' });
      else if (best.confidence < minConfidence) rejected.push({ source: where, column: colName, reason: `confidence ${best.confidence} below ${minConfidence} (→ ${best.target})` });
      else proposals.push(best);
    }
  }

  // Entity names: the singular table name; disambiguated by column, then by schema, when they collide.
  const count = (key: (p: Proposal) => string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const p of proposals) m.set(key(p), (m.get(key(p)) ?? 0) + 1);
    return m;
  };
  const perTable = count((p) => p.source);
  for (const p of proposals) if ((perTable.get(p.source) ?? 0) > 1) p.entity = `${p.entity}_${p.fk.replace(/_id$/i, '')}`;
  const perEntity = count((p) => p.entity);
  for (const p of proposals) if ((perEntity.get(p.entity) ?? 0) > 1) p.entity = sanitize(`${p.source.split('.')[0]}.${p.entity}`);
  for (const p of proposals) p.link.entity = p.entity;
  proposals.sort((a, b) => a.source.localeCompare(b.source) || a.fk.localeCompare(b.fk));

  const config: ConfigInput | null = proposals.length === 0 ? null : { links: proposals.map((p) => p.link) };
  if (config !== null) parseConfig(config, 'discovered config');
  const searched = schemas ?? [...new Set(cat.tables.map((t) => t.schema))].sort();
  return { schemas: searched, proposals, rejected, config };
}
