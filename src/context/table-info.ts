/**
 * One table as the catalog holds it, read for a link: its kind, its columns (types, generated, NOT NULL, collation)
 * and its unique keys; a table fk-backfill cannot work on (a view, a parent of inherited tables) refused with the
 * reason, and a column looked up by name with a did-you-mean.
 */
import type { Queryable } from '../db/port.js';
import { BackfillError, wrapDbError } from '../errors.js';
import { tableColumnsStatement, tableSpellingsStatement, uniqueKeysStatement } from '../sql/context.js';
import { displayTable, qualified, type TableName } from '../sql/quote.js';

export interface ColumnInfo {
  name: string;
  type: string;
  typeOid: number;
  /** pg_attribute.attgenerated ('s' stored generated, '' not) and attidentity ('a' always, 'd' by default, ''). */
  generated: string;
  identity: string;
  /** The type under any domain, as format_type spells it without modifier ('timestamp with time zone'). */
  baseType: string;
  /** The same with its modifier, the domain's own for a domain (`numeric(5,0)`, `character varying(4)`). */
  baseFull: string;
  /** Equality may call different texts equal: citext, or a nondeterministic collation. */
  loose: boolean;
  notNull: boolean;
  /** Its default expression (pg_get_expr), or null. */
  default: string | null;
  /** Its collation when not its type's default (`pg_catalog."C"`), else null. */
  collation: string | null;
}

export interface TableInfo {
  oid: number;
  relkind: string;
  columns: Map<string, ColumnInfo>;
  /** Column lists of its valid, non-partial unique indexes without expressions; the primary key first. */
  uniques: string[][];
}

export async function tableInfo(db: Queryable, t: TableName, path: string): Promise<TableInfo> {
  let res;
  try {
    res = await db.query(tableColumnsStatement(qualified(t)));
  } catch (e) {
    throw wrapDbError(e, `looking up table ${displayTable(t)} (${path})`);
  }
  const first = res.rows[0];
  if (first === undefined) {
    // the same table in another case (a trial's mixed-case schemas: `ref.payers` for "Ref"."Payers")
    const near = await db.query(tableSpellingsStatement(t.schema, t.table)).catch(() => ({ rows: [] }));
    const spelled = near.rows.map((r) => displayTable({ schema: t.schema === null ? null : r.schema, table: r.name }));
    const hint = spelled.length > 0 ? ` (did you mean "${spelled[0]}"? names are case-sensitive)` : '';
    throw new BackfillError('SCHEMA_MISSING_TABLE', `table ${displayTable(t)} does not exist (${path})${hint}`, {
      details: { path, table: displayTable(t) },
    });
  }
  if (!['r', 'p'].includes(first.relkind)) {
    const what =
      { v: 'a view', m: 'a materialized view', f: 'a foreign table', S: 'a sequence', i: 'an index' }[first.relkind] ??
      `relkind ${first.relkind}`;
    throw new BackfillError('SCHEMA_NOT_A_TABLE', `${displayTable(t)} is ${what}, not a table (${path})`, { details: { path } });
  }
  const children = first.children ?? [];
  if (children.length > 0) {
    // every statement on the parent reads and writes its children's rows, which its key, FKs and triggers do not cover
    throw new BackfillError(
      'SCHEMA_NOT_A_TABLE',
      `${displayTable(t)} has tables that inherit from it (${children.join(', ')}): a statement on it reads and writes their rows too, but its primary key, constraints and triggers do not cover them (a key repeats across them, an FK on it does not guard them). Not supported: link each inheriting table on its own (${path})`,
      { details: { path, children } },
    );
  }
  const columns = new Map<string, ColumnInfo>();
  for (const r of res.rows) {
    if (r.attname !== null && r.type !== null) {
      columns.set(r.attname, {
        name: r.attname,
        type: r.type,
        typeOid: Number(r.typeoid),
        generated: r.generated ?? '',
        identity: r.identity ?? '',
        baseType: r.base_type ?? r.type,
        baseFull: r.base_full ?? r.type,
        loose: r.nondeterministic === true || /(^|\.)citext$/.test(r.base_type ?? r.type),
        notNull: r.not_null === true,
        default: r.default_expr ?? null,
        collation: r.collation ?? null,
      });
    }
  }
  let uniques: string[][];
  try {
    const u = await db.query(uniqueKeysStatement(Number(first.oid)));
    uniques = u.rows.map((r) => r.cols);
  } catch (e) {
    throw wrapDbError(e, `looking up the unique indexes of ${displayTable(t)} (${path})`);
  }
  return { oid: Number(first.oid), relkind: first.relkind, columns, uniques };
}

export function column(info: TableInfo, t: TableName, col: string, path: string): ColumnInfo {
  const c = info.columns.get(col);
  if (c === undefined) {
    const near = [...info.columns.keys()].filter((k) => k.toLowerCase() === col.toLowerCase());
    const hint = near.length > 0 ? ` (did you mean "${near[0]}"? names are case-sensitive)` : '';
    throw new BackfillError('SCHEMA_MISSING_COLUMN', `column ${displayTable(t)}.${col} does not exist (${path})${hint}`, {
      details: { path, table: displayTable(t), column: col },
    });
  }
  return c;
}
