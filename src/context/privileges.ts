import { targetScope } from '../sql/link.js';
import type { Queryable } from '../db/port.js';
import { BackfillError, wrapDbError } from '../errors.js';
import {
  columnarPartsStatement,
  columnRightsStatement,
  replicaIdentityMissingStatement,
  rowSecurityStatement,
  sessionRightsStatement,
  unreadableColumnsStatement,
} from '../sql/context.js';
import { activePredicate, keyColumns } from '../config/schema.js';
import { activeParts } from '../sql/active.js';
import type { Context } from './context.js';
import type { ResolvedLink } from './catalog.js';
import { ident } from '../sql/quote.js';
import { hiddenByPolicies, hiddenRemedy, hiddenWhat } from './row-security.js';

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
    // a columnar table (or partition) fails every batch's UPDATE, after the run was recorded: refused here instead
    const columnar = (await db.query(columnarPartsStatement(l.sourceOid))).rows.map((r) => r.name);
    if (columnar.length > 0) {
      throw new BackfillError(
        'CITUS_UNSUPPORTED',
        `${doing}: ${l.config.table} ${columnar.length === 1 && columnar[0] === l.config.table ? 'is' : `has ${columnar.join(', ')}`} stored as columnar, which cannot UPDATE rows: set ${columnar.length === 1 ? 'it' : 'them'} back to heap first (Citus: alter_table_set_access_method('${columnar[0]}', 'heap')); nothing written`,
        { details: { table: l.config.table, columnar } },
      );
    }
    const unpublishable = await replicaIdentityProblem(db, l);
    if (unpublishable !== null)
      throw new BackfillError('SCHEMA_NO_REPLICA_IDENTITY', `${doing}: ${unpublishable}; nothing written`, {
        details: { table: l.config.table },
      });
    const cols = [l.config.fk, ...(l.touch === null ? [] : [l.touch.column])];
    for (const col of cols) {
      const ok = await db.query(columnRightsStatement(l.sourceOid, col));
      const p = ok.rows[0];
      if (p?.sel !== true || p.upd !== true) {
        // a column-level GRANT of the FK alone (trial15): the GRANT that lets it, and for updated_at the way to leave it
        const grant =
          p?.sel !== true
            ? ''
            : `: GRANT UPDATE (${ident(col)}) ON ${l.sourceSql} TO ${ident(row?.who ?? '?')}${col === l.config.fk ? '' : `, or set "updatedAt": null on link ${l.entity} to leave ${col} alone`}`;
        throw new BackfillError(
          'PERMISSION_DENIED',
          `${doing}: role ${row?.who ?? '?'} may not ${p?.sel !== true ? 'SELECT from' : 'UPDATE'} ${l.config.table}${p?.sel !== true ? '' : `.${col}`}${grant} (see docs/permissions.md); nothing written`,
          { details: { table: l.config.table, column: col } },
        );
      }
    }
  }
}

/**
 * Before names are matched (plan, and apply that plans): the role sees every master. Row-level security that hides
 * some makes a name look unique that is not (two masters named Acme, one hidden: Acme linked to the visible one).
 * Over every tenant (or a link without a scope) PERMISSION_DENIED (exit 2) names the table, nothing recorded; for one
 * tenant a notice (the common policy shows a role its own tenant's rows, all the masters such a run compares with).
 */
export async function assertSeesAllMasters(ctx: Pick<Context, 'db' | 'links' | 'filter' | 'notices'>, doing: string): Promise<void> {
  const seen = new Set<number>();
  for (const l of ctx.links) {
    if (seen.has(l.targetOid)) continue;
    seen.add(l.targetOid);
    let rls: boolean | undefined;
    try {
      rls = (await ctx.db.query(rowSecurityStatement(l.targetOid))).rows[0]?.rls;
    } catch (e) {
      throw wrapDbError(e, `checking row-level security on ${l.config.target.table}`);
    }
    if (rls !== true) continue;
    const tenant = l.config.scope[0] !== undefined ? ctx.filter.tenant : null;
    const none = await hiddenByPolicies(
      ctx.db,
      { oid: l.targetOid, sql: l.targetSql, name: l.config.target.table },
      tenant === null ? undefined : { column: targetScope(l.config)[0]!, tenant },
    );
    if (none !== null)
      throw new BackfillError(
        'PERMISSION_DENIED',
        `${doing}: ${hiddenWhat(l.config.target.table, none, tenant)}, so every name would be planned unmatched; ${hiddenRemedy(none, tenant)}; nothing written`,
        { details: { table: l.config.target.table, unset: none.unset } },
      );
    const hidden = `row-level security on ${l.config.target.table} applies to this role`;
    if (ctx.filter.tenant !== null && l.config.scope.length > 0)
      ctx.notices.push(
        `${hidden}: if its policy hides masters of tenant ${ctx.filter.tenant}, a name could look unique that is not and be linked to the one master the role sees; plan as a role that sees every master (the table's owner, or one with BYPASSRLS) to be sure`,
      );
    else
      throw new BackfillError(
        'PERMISSION_DENIED',
        `${doing}: ${hidden} and may hide masters from it, so a name could look unique that is not (and be linked to the one master it sees); run as a role that sees every master (the table's owner, or one with BYPASSRLS), or plan one tenant at a time under a policy that shows it all of that tenant's masters; nothing written`,
        { details: { table: l.config.target.table } },
      );
  }
}

/**
 * Before names are read (plan, verify): the role may SELECT every column the command reads, of the documents and of the
 * masters (their active columns too). PERMISSION_DENIED (exit 2) names the table and columns and what to grant, not
 * the server's "permission denied for table customers" midway (a trial: no column SELECT on deleted_at). Only what
 * that command reads: plan never reads `amount` nor the masters' number, verify neither the document column nor the
 * names beyond the FK's (a review: a role that had run before was refused).
 */
export async function assertCanRead(ctx: Pick<Context, 'db' | 'links'>, doing: 'plan' | 'verify'): Promise<void> {
  for (const l of ctx.links) {
    const c = l.config;
    const t = c.target;
    const active = activePredicate(t.active);
    const plan = doing === 'plan';
    const reads: [number, string, string[]][] = [
      [
        l.sourceOid,
        c.table,
        [
          ...keyColumns(c.key),
          c.fk,
          c.name,
          ...c.scope,
          ...(plan && c.document !== undefined ? [c.document] : []),
          ...(plan ? (c.compare ?? []).map((x) => x.source) : []),
        ],
      ],
      [
        l.targetOid,
        t.table,
        [
          ...keyColumns(t.key),
          ...(plan ? [t.name] : []),
          ...targetScope(c),
          ...(active === undefined ? [] : activeParts(active).map((x) => x.column)),
          ...(plan ? (c.compare ?? []).map((x) => x.target) : []),
        ],
      ],
    ];
    for (const [oid, table, cols] of reads) {
      let missing: string[];
      try {
        missing = (await ctx.db.query(unreadableColumnsStatement(oid, [...new Set(cols)]))).rows.map((r) => r.col);
      } catch (e) {
        throw wrapDbError(e, `checking privileges on ${table}`);
      }
      if (missing.length > 0)
        throw new BackfillError(
          'PERMISSION_DENIED',
          `${doing}: this role may not SELECT ${missing.map((m) => `${table}.${m}`).join(', ')}, which link ${c.entity} reads: GRANT SELECT ON ${table} (or GRANT SELECT (${missing.join(', ')}) ON ${table}) to it (see docs/permissions.md); nothing written`,
          { details: { table, columns: missing } },
        );
    }
  }
}

/**
 * Why PostgreSQL refuses every UPDATE of the link's source (a publication publishing UPDATEs covers a part of it that
 * has no replica identity), with the statement that gives it one; null when it does not.
 */
export async function replicaIdentityProblem(db: Queryable, l: ResolvedLink): Promise<string | null> {
  const parts = (await db.query(replicaIdentityMissingStatement(l.sourceOid))).rows;
  const p = parts[0];
  if (p === undefined) return null;
  const what = parts.length === 1 ? p.part : `${parts.length} of its partitions (${parts.map((x) => x.part).join(', ')})`;
  const fix =
    p.index === null
      ? `ALTER TABLE ${p.part} REPLICA IDENTITY FULL (or add a primary key)`
      : `ALTER TABLE ${p.part} REPLICA IDENTITY USING INDEX ${p.index} (or FULL)`;
  return `${l.config.table}: ${what} ${parts.length === 1 ? 'is' : 'are'} in publication ${p.pubs.join(', ')}, which publishes UPDATEs, and ${parts.length === 1 ? 'has' : 'have'} no replica identity (no primary key), so PostgreSQL refuses every UPDATE of ${parts.length === 1 ? 'it' : 'them'}: give ${parts.length === 1 ? 'it' : 'each'} one first, ${fix}`;
}

/**
 * Before a plan: the role may read what it reads and sees every master (assertCanRead, assertSeesAllMasters); a source
 * PostgreSQL refuses every UPDATE of (replicaIdentityProblem) is said in a notice: apply would be refused.
 */
export async function assertCanPlan(ctx: Context): Promise<void> {
  await assertCanRead(ctx, 'plan');
  await assertSeesAllMasters(ctx, 'plan');
  for (const l of ctx.links) {
    const why = await replicaIdentityProblem(ctx.db, l);
    if (why !== null) ctx.notices.push(`${why}; apply refuses it until then`);
  }
}
