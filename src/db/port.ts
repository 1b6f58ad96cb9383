/**
 * The small interface every other layer talks to. Two adapters implement it (`postgres/` over `pg`,
 * `pglite/` over embedded PGlite); `adapt()` wraps whatever handle an application already holds.
 */
export interface QueryResult<R> {
  rows: R[];
  /** Rows affected (DML) or returned (SELECT). */
  rowCount: number;
}

import type { Row, Statement } from '../sql/statement.js';
export type { Row, Statement };

export interface Queryable {
  /** A built statement: its rows come back typed as the builder declared them. */
  query<R>(statement: Statement<R>): Promise<QueryResult<R>>;
  query<R = Row>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
}

/** What every adapter's query takes: a statement, or text and values. */
export type QueryArgs<R> = [statement: Statement<R>] | [text: string, values?: readonly unknown[] | undefined];

/** The text and values of either form (adapters call this first). */
export function statementOf<R>(...args: QueryArgs<R>): { text: string; values: readonly unknown[] | undefined } {
  const [q, values] = args;
  return typeof q === 'string' ? { text: q, values } : { text: q.text, values: q.values };
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Runs `fn` in one transaction on one connection; commits if it resolves, rolls back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one dedicated connection in autocommit mode (no transaction around it): for statements
   * that cannot run in a transaction (CREATE INDEX CONCURRENTLY) and session settings. The caller resets
   * any session setting it changes.
   */
  session<T>(fn: (conn: Queryable) => Promise<T>): Promise<T>;
  /** Multi-statement SQL without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Closes what this adapter opened; a handle passed in by the application is left open. */
  close(): Promise<void>;
  /**
   * How many transactions may run at once on their own connections (a pool's size; 1: one connection,
   * e.g. PGlite or a single client). Absent: not known. Parallel apply uses at most this many.
   */
  readonly connections?: number;
  /**
   * The driver object of a one-connection handle (a pg Client, a PGlite instance): two adapters of one client share
   * its one session, where advisory locks never conflict, so runs of this process on it are told apart by it.
   */
  readonly driver?: object;
  /** Where this points, password hidden (for messages and run records). */
  readonly description: string;
}

/** Number from a driver value (int8 arrives as string from pg, bigint or number elsewhere). */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return Number(v);
  if (v === null || v === undefined) return 0;
  throw new TypeError(`not a number: ${String(v)}`);
}

/**
 * A Database whose every call runs inside an already open transaction `tx` (nested transaction() and
 * session() run inline): lets library functions that take a Database join a caller's transaction.
 */
export function withinTransaction(db: Pick<Database, 'kind' | 'description'>, tx: Queryable): Database {
  return {
    kind: db.kind,
    description: db.description,
    connections: 1,
    query<R>(...args: QueryArgs<R>): Promise<QueryResult<R>> {
      const { text, values } = statementOf(...args);
      return tx.query<R>(text, values);
    },
    transaction: (fn) => fn(tx),
    session: (fn) => fn(tx),
    exec: async (sql) => void (await tx.query(sql)),
    close: async () => undefined,
  };
}
