/**
 * What the catalog already holds for a link: its indexes (and whether one covers the FK), its foreign
 * keys, and whether the target key can be referenced at all; constrain skips what exists.
 */
import { targetScope } from '../sql/link.js';
import type { Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import {
  type ConstrainShape,
  type FkRow,
  foreignKeysStatement,
  type IndexRow,
  indexesStatement,
  type OnDeleteAction,
  SET_ACTION_COLUMNS_VERSION,
  setsColumns,
} from '../sql/constrain.js';
import type { ResolvedLink } from '../context/catalog.js';
import type { Context } from '../context/context.js';

export const DELETE_ACTIONS: Record<string, OnDeleteAction> = {
  r: 'restrict',
  a: 'no action',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

export function constrainShape(l: ResolvedLink): ConstrainShape {
  return {
    sourceSql: l.sourceSql,
    targetSql: l.targetSql,
    sourceTable: l.source.table,
    targetTable: l.target.table,
    sourceSchema: l.source.schema,
    targetSchema: l.target.schema,
    key: l.walkKey,
    keyType: l.keyType,
    keys: l.keys,
    fk: l.config.fk,
    targetKey: l.targetKey,
    scope: l.config.scope,
    ...(l.config.targetScope !== undefined ? { targetScope: l.config.targetScope } : {}),
  };
}

export async function indexesOf(db: Queryable, oid: number): Promise<IndexRow[]> {
  return (await db.query(indexesStatement(oid))).rows;
}

/**
 * A valid, plain-column index the FK's check on a master delete can look rows up by: one whose first column is the FK
 * (fk…), or, for a composite (tenant-safe) FK, whose leading columns are scope columns and then the FK (tenant_id,
 * fk…). A plain FK's check (`WHERE fk = $1`) reads an index led by the tenant from end to end.
 */
export function coversFk(
  ix: { valid: boolean; partial: boolean; has_expression: boolean; columns: string[] },
  fk: string,
  scope: readonly string[],
  composite: boolean,
): boolean {
  if (!ix.valid || ix.partial) return false;
  if (!composite) return ix.columns[0] === fk;
  for (const c of ix.columns) {
    if (c === fk) return true;
    if (!scope.includes(c)) return false;
  }
  return false;
}

/** The index covering a link's FK column (for a composite FK when `composite`), if any. */
export async function findCoveringIndex(
  db: Queryable,
  l: ResolvedLink,
  composite: boolean,
): Promise<{ name: string; columns: string[] } | null> {
  const ix = (await indexesOf(db, l.sourceOid)).find((i) => coversFk(i, l.config.fk, l.config.scope, composite));
  return ix === undefined ? null : { name: ix.name, columns: ix.columns };
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * A plain FK (fk) → target (key) needs a unique index over the target's key column alone. A master keyed
 * by (tenant_id, id) has none: PostgreSQL would refuse the FK with 42830 after the orphan scan and the
 * index. Checked for every link before anything runs (dry run too): such a link can only be constrained
 * with --tenant-safe, whose composite FK references (scope…, key). A link that already has an FK on its
 * column to the target (plain or composite) adds none and passes.
 */
export async function assertReferenceable(ctx: Context, l: ResolvedLink, s: ConstrainShape): Promise<void> {
  const fks = (await ctx.db.query(foreignKeysStatement(l.sourceOid, l.targetOid))).rows;
  if (fks.some((f) => f.columns.includes(s.fk))) return;
  const uniques = (await indexesOf(ctx.db, l.targetOid)).filter((i) => i.is_unique && i.valid && !i.partial && !i.has_expression);
  if (uniques.some((i) => sameSet(i.columns, [s.targetKey]))) return;
  const target = `${l.config.target.table}.${s.targetKey}`;
  const withScope = uniques.find(
    (i) => i.columns.includes(s.targetKey) && i.columns.every((c) => c === s.targetKey || targetScope(s).includes(c)),
  );
  if (withScope !== undefined) {
    throw new BackfillError(
      'TARGET_KEY_NOT_UNIQUE',
      `${l.entity}: ${target} is unique only together with ${withScope.columns.filter((c) => c !== s.targetKey).join(', ')} (${withScope.name}), so a plain foreign key on ${l.config.table}.${s.fk} cannot reference it; use --tenant-safe (FK (${[...s.scope, s.fk].join(', ')}) → ${l.config.target.table} (${[...targetScope(s), s.targetKey].join(', ')})). Nothing was changed.`,
      {
        details: {
          entity: l.entity,
          target: l.config.target.table,
          key: s.targetKey,
          uniqueIndex: withScope.name,
          columns: withScope.columns,
        },
      },
    );
  }
  const hint =
    s.scope.length > 0
      ? `add one, or use --tenant-safe (it adds a unique index on ${l.config.target.table} (${[...targetScope(s), s.targetKey].join(', ')}))`
      : 'add a primary key or unique index on it';
  throw new BackfillError(
    'TARGET_KEY_NOT_UNIQUE',
    `${l.entity}: ${target} has no primary key or unique index over it alone, so no foreign key can reference it; ${hint}. Nothing was changed.`,
    {
      details: { entity: l.entity, target: l.config.target.table, key: s.targetKey },
    },
  );
}

/**
 * On Citus a foreign key from a distributed table may only reference a distributed (co-located) or a reference table:
 * a master local to the coordinator is refused before anything is scanned or written (a new user's trial: constrain
 * built the index, then the FK failed with Citus's error and the index stayed).
 */
export function refuseCitusLocalMaster(l: ResolvedLink): void {
  if (l.citus === null || l.citus.source.kind !== 'distributed' || l.citus.target.kind !== 'local') return;
  const master = l.config.target.table;
  // eslint-disable-next-line no-restricted-syntax -- the statement a person runs to fix it, quoted in the message
  const fix = `SELECT create_reference_table('${master}')`;
  throw new BackfillError(
    'CITUS_UNSUPPORTED',
    `${l.entity}: ${l.config.table} is distributed and its master ${master} is local to the Citus coordinator: Citus allows a foreign key from a distributed table only to a distributed (co-located) or a reference table; make ${master} a reference table (${fix}) or distribute it co-located. Nothing was changed.`,
    { details: { entity: l.entity, target: master } },
  );
}

/**
 * A tenant-safe FK with ON DELETE SET NULL / SET DEFAULT must name its FK column alone (`SET NULL (fk)`),
 * else a master's delete would set the tenant column too; PostgreSQL before 15 has no column list:
 * refused (DB_UNSUPPORTED, exit 2) before anything is scanned or written. `version`: server_version_num.
 */
export function refuseSetColumnsBefore15(
  version: number,
  links: readonly { entity: string; fk: string; tenantSafe: boolean; onDelete: OnDeleteAction }[],
): void {
  if (version >= SET_ACTION_COLUMNS_VERSION) return;
  const bad = links.filter((l) => setsColumns(l.tenantSafe, l.onDelete));
  if (bad.length === 0) return;
  const what = bad.map((l) => `${l.entity} (ON DELETE ${l.onDelete.toUpperCase()})`).join(', ');
  throw new BackfillError(
    'DB_UNSUPPORTED',
    `constrain --tenant-safe: ${what} needs PostgreSQL 15 or later (this server is ${Math.floor(version / 10000)}), where ON DELETE ${bad[0]!.onDelete.toUpperCase()} (${bad[0]!.fk}) sets the FK column alone; without that column list a deleted master would set the tenant column too. Use onDelete restrict, no action or cascade, or constrain without --tenant-safe. Nothing was changed.`,
    { details: { serverVersion: version, links: bad.map((l) => l.entity) } },
  );
}

/**
 * The columns besides the FK column that an FK's ON DELETE SET NULL / SET DEFAULT sets when a master is
 * deleted (a composite FK without a column list sets all its columns: the tenant column too), or null.
 */
export function setsMoreThanFk(f: FkRow, fk: string): string[] | null {
  if (f.deltype !== 'n' && f.deltype !== 'd') return null;
  const others = (f.set_columns.length > 0 ? f.set_columns : f.columns).filter((c) => c !== fk);
  return others.length > 0 ? others : null;
}

/** What to say of an existing FK that sets more than its FK column on a master's delete ('' when it does not). */
export function setsMoreNote(f: FkRow, fk: string): string {
  const others = setsMoreThanFk(f, fk);
  if (others === null) return '';
  const action = f.deltype === 'n' ? 'SET NULL' : 'SET DEFAULT';
  return ` (warning: deleting a master sets ${others.join(', ')} too, not only ${fk}; re-create it as ON DELETE ${action} (${fk}), PostgreSQL 15 or later)`;
}

/**
 * The FK on a link's column that constrain takes as already there: with --tenant-safe only one over exactly
 * (scope…, fk), else any that includes fk; validated ones first, then the widest.
 */
export async function existingForeignKey(
  ctx: Context,
  l: ResolvedLink,
  s: ConstrainShape,
  tenantSafe: boolean,
): Promise<FkRow | undefined> {
  const fks = (await ctx.db.query(foreignKeysStatement(l.sourceOid, l.targetOid))).rows;
  const wanted = [...s.scope, s.fk].join('\0');
  return fks
    .filter((f) => f.columns.includes(s.fk) && (!tenantSafe || f.columns.join('\0') === wanted))
    .sort((a, b) => Number(b.validated) - Number(a.validated) || b.columns.length - a.columns.length)[0];
}
