import { num, type Queryable } from '../db/port.js';
import { BackfillError, sqlState } from '../errors.js';
import {
  constraintStatement,
  crossScopeStatement,
  CYCLE_DEPTH,
  cyclesStatement,
  deleteReferencedStatement,
  integrityStatement,
} from '../sql/verify.js';
import { trialDeleteSettingsStatements } from '../sql/session.js';
import type { OnDeleteAction } from '../sql/constrain.js';
import type { ResolvedLink } from '../context/catalog.js';
import { findCoveringIndex } from '../constrain/existing.js';
import { type CommonOptions, type Context, noticesOf, prepare, shape, softDeleteWarnings } from '../context/context.js';
import { activePredicate } from '../config/schema.js';
import { describeActive } from '../sql/active.js';
import { assertCanRead } from '../context/privileges.js';
import { assertNotActiveAddsUp } from '../status/not-active.js';

export interface ConstraintInfo {
  name: string;
  onDelete: OnDeleteAction;
  validated: boolean;
  /** Columns on the referencing side, in order (more than one for a tenant-safe composite FK). */
  columns: string[];
}

export interface LinkVerify {
  entityType: string;
  table: string;
  totalRecords: number;
  nullFks: number;
  /**
   * With the link's own `active` (documents that count): NULL-FK rows left out as not active (soft-deleted, void), not
   * in nullFks nor work left; `linked` the rows with an FK (totalRecords = linked + nullFks + notActive). Absent: none.
   */
  notActive?: number;
  linked?: number;
  /**
   * Of the NULL FKs, those of rows without a name (NULL or blank): nothing to link them by (a root of a hierarchy,
   * an optional reference left empty). A warning, not a problem: no backfill can fill them.
   */
  nullFksWithoutName: number;
  /** Of the NULL FKs, on a hierarchy, those of rows naming themselves (never linked to themselves): a warning too. */
  nullFksSelf: number;
  /** Of the NULL FKs, those of named rows of no scope (a scope column NULL): no master to link them to, a warning too. */
  nullFksWithoutScope: number;
  /** FK values that point to no master. */
  orphans: number;
  /** FK values that point to a master of another scope (tenant). */
  crossScope: number;
  /** FK values that point to a master the link's active predicate excludes (soft-deleted, archived…). */
  inactiveTargets: number;
  constraint: ConstraintInfo | null;
  /** A referenced master could not be deleted (tried in a transaction that is always rolled back). null: nothing referenced to try. */
  restrictVerified: boolean | null;
  /** ON DELETE behaviour the config asks for (link `onDelete`, default restrict). */
  expectedOnDelete: OnDeleteAction;
  /** An index whose leading columns are the FK (optionally after scope columns): deletes of masters stay cheap. */
  index: { name: string; columns: string[] } | null;
  problems: string[];
  /** Worth fixing, not a failure (e.g. no index on the FK column: `fk-backfill constrain` adds one). */
  warnings: string[];
}

export interface VerifyReport {
  ok: boolean;
  tenantId: string | null;
  links: LinkVerify[];
  /** E.g. a link left out under --tenant (it has no scope column): not verified. */
  notices?: string[];
}

const DELETE_ACTIONS: Record<string, OnDeleteAction> = { r: 'restrict', a: 'no action', c: 'cascade', n: 'set null', d: 'set default' };

/** The FK constraint from the link's fk column to the target, if any (composite ones included). */
export async function findConstraint(db: Queryable, l: ResolvedLink): Promise<ConstraintInfo | null> {
  const res = await db.query(constraintStatement(l.sourceOid, l.targetOid, l.config.fk));
  const r = res.rows[0];
  if (r === undefined) return null;
  return { name: r.name, onDelete: DELETE_ACTIONS[r.deltype] ?? 'no action', validated: r.validated, columns: r.columns };
}

class Rollback extends Error {}

/**
 * Tries to delete one master this link references, inside a transaction that is always rolled back:
 * true when the database refuses (23503). Only tried when the catalog says deletes are restricted, so a
 * CASCADE is never set off. One statement picks a row of the scope with a master of its own scope and
 * deletes that master by its whole key, scope included (masters keyed by (tenant_id, id) repeat ids).
 */
async function tryDeleteReferenced(ctx: Context, l: ResolvedLink): Promise<boolean | null> {
  const del = deleteReferencedStatement(shape(l), ctx.filter);
  let refused: boolean | null = false;
  try {
    await ctx.db.transaction(async (tx) => {
      // Citus: a master table with foreign keys into it from reference or local tables is modified over one connection per node
      for (const st of trialDeleteSettingsStatements(l.citus !== null)) await tx.query(st);
      try {
        // nothing referenced (in the scope): nothing to try
        if ((await tx.query(del)).rowCount === 0) refused = null;
      } catch (e) {
        if (sqlState(e) === '23503') refused = true;
        // no DELETE privilege, read-only session, or the row is busy: could not try (not a failure)
        else if (['42501', '25006', '55P03'].includes(sqlState(e) ?? '')) refused = null;
        // Citus cannot run this delete (a tenant schema's table beside a reference master: 0A000): not tried either
        else if (l.citus !== null && sqlState(e) === '0A000') refused = null;
        else throw e;
      }
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return refused;
}

export async function verifyIn(ctx: Context): Promise<VerifyReport> {
  await assertCanRead(ctx, 'verify');
  const links: LinkVerify[] = [];
  for (const l of ctx.links) {
    const row = (await ctx.db.query(integrityStatement(shape(l), ctx.filter))).rows[0];
    // under --tenant, the masters of other tenants are read only for FKs no master of the tenant has (usually none)
    const cross =
      row !== undefined && row.cross_scope === null
        ? num(row.unresolved) === 0
          ? { orphans: 0, cross_scope: 0 }
          : (await ctx.db.query(crossScopeStatement(shape(l), ctx.filter))).rows[0]
        : row;
    const constraint = await findConstraint(ctx.db, l);
    const restricts = constraint !== null && (constraint.onDelete === 'restrict' || constraint.onDelete === 'no action');
    const expectedOnDelete: OnDeleteAction = l.config.onDelete ?? 'restrict';
    const expectRestrict = expectedOnDelete === 'restrict' || expectedOnDelete === 'no action';
    // a composite (tenant-safe) FK's check looks rows up by (scope…, fk); a plain FK's by fk alone
    const index = await findCoveringIndex(ctx.db, l, constraint !== null && constraint.columns.length > 1);
    const restrictVerified = restricts ? await tryDeleteReferenced(ctx, l) : false;
    const v: LinkVerify = {
      entityType: l.entity,
      table: l.config.table,
      totalRecords: num(row?.total),
      nullFks: num(row?.null_fks),
      ...(row?.not_active !== undefined ? { notActive: num(row.not_active), linked: num(row.linked) } : {}),
      nullFksWithoutName: num(row?.null_fks_no_name),
      nullFksSelf: num(row?.null_fks_self),
      nullFksWithoutScope: num(row?.null_fks_no_scope),
      orphans: num(cross?.orphans),
      crossScope: num(cross?.cross_scope),
      inactiveTargets: num(row?.inactive_targets),
      constraint,
      restrictVerified,
      expectedOnDelete,
      index,
      problems: [],
      warnings: [],
    };
    // with the link's own active: linked + unlinked + not active = total, checked as the JSON is built, not only as printed
    if (v.notActive !== undefined && v.linked !== undefined)
      assertNotActiveAddsUp({
        entityType: l.entity,
        total: v.totalRecords,
        populated: v.linked,
        nullFks: v.nullFks,
        notActive: v.notActive,
      });
    // the three kinds are counted apart (a row in one is in no other): what is left is work a backfill can still do
    const named = v.nullFks - v.nullFksWithoutName - v.nullFksSelf - v.nullFksWithoutScope;
    if (named < 0)
      throw new BackfillError(
        'INTEGRITY',
        `verify ${l.entity}: ${v.nullFks} NULL ${l.config.fk} counted, fewer than those without a name, scope or naming themselves`,
      );
    if (v.nullFksSelf > 0)
      v.warnings.push(
        `${v.nullFksSelf} row(s) name themselves in ${l.config.name}: never linked to themselves, their ${l.config.fk} stays NULL`,
      );
    if (named > 0) v.problems.push(`${named} row(s) with a ${l.config.name} still have a NULL ${l.config.fk}`);
    if (v.nullFksWithoutScope > 0)
      v.warnings.push(
        `${v.nullFksWithoutScope} row(s) with a ${l.config.name} have no ${l.config.scope.join('/')} (NULL), so no master to link them to: their ${l.config.fk} stays NULL (constrain --not-null would refuse them)`,
      );
    if (v.nullFksWithoutName > 0)
      v.warnings.push(
        `${v.nullFksWithoutName} row(s) have no ${l.config.name} (NULL or blank), so nothing to link: their ${l.config.fk} stays NULL (constrain --not-null would refuse them)`,
      );
    if (v.orphans > 0)
      v.problems.push(
        `${v.orphans} row(s) whose ${l.config.fk} points to no ${l.config.target.table} row${
          // a validated one-column FK cannot hold them: they were written with its triggers off (a trial: a master deleted
          // under session_replication_role = replica, and verify said "RESTRICT holds" beside 83 orphans, unexplained)
          constraint !== null && constraint.validated && constraint.columns.length === 1
            ? `, though constraint ${constraint.name} is validated: written with its triggers off (session_replication_role = replica, ALTER TABLE … DISABLE TRIGGER ALL, a restore with --disable-triggers), which skips its check; point them at a master or set them NULL`
            : ''
        }`,
      );
    if (v.crossScope > 0)
      v.problems.push(`${v.crossScope} row(s) whose ${l.config.fk} points to a master of another ${l.config.scope.join('/')}`);
    if (constraint === null) v.problems.push(`no foreign key constraint on ${l.config.table}.${l.config.fk}`);
    else {
      if (!constraint.validated) v.problems.push(`constraint ${constraint.name} is NOT VALID (not yet validated)`);
      if (expectRestrict && !restricts)
        v.problems.push(`constraint ${constraint.name} is ON DELETE ${constraint.onDelete.toUpperCase()}, not RESTRICT`);
      else if (!expectRestrict && constraint.onDelete !== expectedOnDelete) {
        v.problems.push(
          `constraint ${constraint.name} is ON DELETE ${constraint.onDelete.toUpperCase()}, configured ${expectedOnDelete.toUpperCase()}`,
        );
      } else if (restricts && restrictVerified === false)
        v.problems.push(`deleting a referenced ${l.config.target.table} row was not refused`);
    }
    if (v.inactiveTargets > 0)
      v.warnings.push(
        `${v.inactiveTargets} row(s) whose ${l.config.fk} points to an inactive ${l.config.target.table} row (${describeActive(activePredicate(l.config.target.active)!)} does not hold)`,
      );
    v.warnings.push(...softDeleteWarnings(l));
    // a hierarchy: a cycle of parents (not over a Citus distributed or reference table: no recursive query there)
    if (l.sourceOid === l.targetOid && (l.citus === null || l.citus.source.kind === 'local')) {
      const cycles = num((await ctx.db.query(cyclesStatement(shape(l), ctx.filter))).rows[0]?.rows);
      if (cycles > 0)
        v.warnings.push(
          `${cycles} row(s) are in a cycle of ${l.config.fk} (following it from them comes back to them within ${CYCLE_DEPTH} steps): a recursive query over ${l.config.table} must guard against it`,
        );
    }
    if (index === null)
      v.warnings.push(
        `no index on ${l.config.table}.${l.config.fk}: every delete of a ${l.config.target.table} row scans it (fk-backfill constrain adds one)`,
      );
    links.push(v);
  }
  return { ok: links.every((l) => l.problems.length === 0), tenantId: ctx.filter.tenant, links, ...noticesOf(ctx) };
}

/** Remaining NULL FKs, dangling and cross-tenant FK values, and whether RESTRICT really holds. */
export async function verify(db: unknown, opts: CommonOptions = {}): Promise<VerifyReport> {
  return verifyIn(await prepare(db, opts, { store: false }));
}
