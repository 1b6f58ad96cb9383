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
  /**
   * What to run next in the same transaction, built from this statement's first row (null: nothing): a follow-up
   * that only the statement's own result can say, e.g. the rows an apply's UPDATE wrote but a trigger kept unlinked,
   * whose updated_at it sets back (sql/kept.ts). Run by whoever runs the statement for its change count
   * (src/batch/change.ts).
   */
  readonly followUp?: (row: Row | undefined) => Statement | null;
}
