/**
 * A statement with the type of the rows it returns: builders in src/sql and src/store declare the row type
 * beside their SELECT list, and `db.query(statement)` (src/db/port.ts) hands back rows of that type, so a
 * call site needs no cast and no row type of its own. `__row` is never set: it only carries the type.
 */
export type Row = Record<string, unknown>;

export interface Statement<R = Row> {
  text: string;
  values: unknown[];
  /** Phantom: the row type (never present at run time). */
  readonly __row?: R;
}
