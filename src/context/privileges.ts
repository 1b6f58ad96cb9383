import type { Queryable } from '../db/port.js';
import { BackfillError, wrapDbError } from '../errors.js';
import { columnRightsStatement, sessionRightsStatement } from '../sql/context.js';
import type { Context } from './context.js';

/**
 * Preflight of a write (apply, undo): the session is read-write and the role may SELECT and UPDATE the
 * FK column (and the touched column) of every source table. Fails before anything is written, with
 * PERMISSION_DENIED (exit 2) naming the table and column, instead of a half-recorded run.
 */
export async function assertCanWrite(ctx: Pick<Context, 'db' | 'links'>, doing: 'apply' | 'undo'): Promise<void> {
  const db: Queryable = ctx.db;
  let res;
  try {
    res = await db.query(sessionRightsStatement());
  } catch (e) {
    throw wrapDbError(e, `checking privileges for ${doing}`);
  }
  const row = res.rows[0];
  if (row?.ro === 'on') {
    throw new BackfillError(
      'PERMISSION_DENIED',
      `${doing} needs a read-write session: this one is read-only (default_transaction_read_only or a standby); nothing written`,
    );
  }
  for (const l of ctx.links) {
    const cols = [l.config.fk, ...(l.touch === null ? [] : [l.touch.column])];
    for (const col of cols) {
      const ok = await db.query(columnRightsStatement(l.sourceOid, col));
      const p = ok.rows[0];
      if (p?.sel !== true || p.upd !== true) {
        throw new BackfillError(
          'PERMISSION_DENIED',
          `${doing}: role ${row?.who ?? '?'} may not ${p?.sel !== true ? 'SELECT from' : 'UPDATE'} ${l.config.table}${p?.sel !== true ? '' : `.${col}`} (see docs/permissions.md); nothing written`,
          { details: { table: l.config.table, column: col } },
        );
      }
    }
  }
}
