/** The catalog discover reads once: tables with their columns (base types), indexes and primary keys, and FK constraints; and what an FK says of a column. */
import { num } from '../db/port.js';
import type { Queryable } from '../db/port.js';
import { currentSchemaStatement, columnsStatement, foreignKeysStatement, indexesStatement } from '../sql/catalog-discover.js';
import { ident } from '../sql/quote.js';
import type { Fk, Tbl } from './types.js';
import { tableRef } from './naming.js';
import { hiddenByPolicies, hiddenRemedy, hiddenWhat } from '../context/row-security.js';

export interface Catalog {
  tables: Tbl[];
  current: string | null;
  fks: Fk[];
}

export async function loadCatalog(db: Queryable, schemas: readonly string[] | null): Promise<Catalog> {
  const cur = (await db.query(currentSchemaStatement())).rows[0]?.s ?? null;
  const rows = (await db.query(columnsStatement(schemas))).rows;
  const byOid = new Map<number, Tbl>();
  for (const r of rows) {
    const oid = num(r.oid);
    let t = byOid.get(oid);
    if (t === undefined) {
      t = {
        schema: r.schema,
        table: r.table_name,
        oid,
        cols: new Map(),
        order: [],
        pk: null,
        indexes: [],
        sql: `${ident(r.schema)}.${ident(r.table_name)}`,
        ref: tableRef(r.schema, r.table_name, cur),
      };
      byOid.set(oid, t);
    }
    t.cols.set(r.column_name, {
      name: r.column_name,
      type: r.type,
      base: r.base,
      category: r.category,
      notNull: r.not_null,
      identity: r.identity ?? '',
      generated: r.generated ?? '',
      readable: r.readable,
    });
    t.order.push(r.column_name);
  }
  const oids = [...byOid.keys()];
  for (const r of (await db.query(indexesStatement(oids))).rows) {
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
  const fks = (await db.query(foreignKeysStatement(oids))).rows.map((f) => ({
    oid: num(f.oid),
    refOid: num(f.ref_oid),
    name: f.name,
    columns: f.columns,
    refColumns: f.ref_columns,
  }));
  return { tables: [...byOid.values()], current: cur, fks };
}

/**
 * Whether `col` is a scope part of the composite FK `f` (the tenant column both sides share), not its reference. A
 * column named as its referenced column is a scope part when another column of the FK is named otherwise (that one is
 * the reference: (tenant_id, customer_id) → (tenant_id, id)). Where every column keeps its name ((company_id,
 * supplier_no) → suppliers (company_id, supplier_no), what `constrain --tenant-safe` makes of a same-named FK), the
 * reference is the last column the documents may leave NULL; the others are the scope. A new user's trial: such a link
 * was rejected as a scope part, both its columns, and discover found no link (after constrain, none any more).
 */
export function scopePartOf(f: Pick<Fk, 'columns' | 'refColumns'>, col: string, src: Pick<Tbl, 'cols'>): boolean {
  const i = f.columns.indexOf(col);
  if (f.columns.length < 2 || i < 0 || f.refColumns[i] !== col) return false;
  if (f.columns.some((c, j) => f.refColumns[j] !== c)) return true;
  const nullable = f.columns.filter((c) => src.cols.get(c)?.notNull !== true);
  return nullable[nullable.length - 1] !== col;
}

/**
 * Why discover cannot sample these tables, or null: columns the role may not SELECT (a least-privilege role; a trial's
 * bot could not read billing.projects and the whole discover failed with PERMISSION_DENIED). The candidate is rejected
 * with the GRANT that lets discover read it; the other tables are still searched.
 */
export function unreadable(tables: readonly Tbl[]): string | null {
  const denied = [...new Set(tables)].filter((t) => [...t.cols.values()].some((c) => !c.readable));
  if (denied.length === 0) return null;
  const cols = denied.flatMap((t) => [...t.cols.values()].filter((c) => !c.readable).map((c) => `${t.ref}.${c.name}`));
  return `this role may not SELECT ${cols.length > 6 ? `${cols.slice(0, 6).join(', ')} and ${cols.length - 6} more column(s)` : cols.join(', ')}, which discover samples: GRANT SELECT ON ${denied.map((t) => t.ref).join(', ')} to it (or run discover as their owner)`;
}

/**
 * The tables of the catalog row-level security shows this role no row of: their samples are empty, so every judgement
 * by values on them fails (trial14, the application's role without its policy's setting: "0/2000 values of
 * vendor_ulid are Vendor Master.vendor_ulid values: not a reference to it", and no link proposed).
 */
export async function hiddenSampleNotices(
  db: Queryable,
  tables: readonly { oid: number; sql: string; schema: string; table: string }[],
): Promise<{ notices?: string[] }> {
  const out: string[] = [];
  for (const t of tables) {
    const name = `${t.schema}.${t.table}`;
    const h = await hiddenByPolicies(db, { oid: t.oid, sql: t.sql, name });
    if (h !== null)
      out.push(
        `${hiddenWhat(name, h, null)}: its sample is empty, so links to or from it are judged without its values; ${hiddenRemedy(h, 'T')}`,
      );
  }
  return out.length > 0 ? { notices: out } : {};
}
