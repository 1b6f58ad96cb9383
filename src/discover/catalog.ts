/** The catalog discover reads once: tables with their columns (base types), indexes and primary keys, and FK constraints. */
import { num } from '../db/port.js';
import type { Queryable } from '../db/port.js';
import { currentSchemaStatement, columnsStatement, foreignKeysStatement, indexesStatement } from '../sql/catalog-discover.js';
import { ident } from '../sql/quote.js';
import type { Fk, Tbl } from './types.js';
import { tableRef } from './naming.js';

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
