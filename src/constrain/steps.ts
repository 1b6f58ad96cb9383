/**
 * The steps of one link, planned before any runs: the orphan scan, the index, the foreign key (plain,
 * tenant-safe, or per partition of a partitioned source) and NOT NULL, each skipped when it exists.
 */
import { targetScope } from '../sql/link.js';
import { num } from '../db/port.js';
import { wrapDbError } from '../errors.js';
import { type FkRow, rowsPerKeyStatement, setsColumns } from '../sql/constrain.js';
import {
  addForeignKeySql,
  addNotNullCheckSql,
  constrainNames,
  createIndexSql,
  fkIndexColumns,
  createUniqueIndexSql,
  dropConstraintSql,
  dropIndexSql,
  attachIndexSql,
  createIndexOnOnlySql,
  indexSql,
  objectName,
  nullCountStatement,
  orphanBatchStatement,
  setNotNullSql,
  validateConstraintSql,
  type ConstrainNames,
  type ConstrainShape,
  type OnDeleteAction,
  attachedIndexesStatement,
  columnNotNullStatement,
  constraintByNameStatement,
  foreignKeysStatement,
  partitionsStatement,
  relkindStatement,
  type OrphanBatchRow,
} from '../sql/constrain.js';
import type { ResolvedLink } from '../context/catalog.js';
import { qualified } from '../sql/quote.js';
import type { Context } from '../context/context.js';
import type { ConstrainOptions, OrphanSample, StepName } from './types.js';
import {
  constrainShape,
  coversFk,
  DELETE_ACTIONS,
  existingForeignKey,
  indexesOf,
  sameSet,
  setsMoreNote,
  setsMoreThanFk,
} from './existing.js';

export interface Planned {
  step: StepName;
  detail: string;
  sql: string[];
  /** Statements that must run outside a transaction (CONCURRENTLY), each on its own. */
  outside?: boolean;
  /** Each statement in its own short transaction (per-partition VALIDATEs: no lock held across them). */
  each?: boolean;
  skip?: boolean;
  /** Skipped though asked for (NOT NULL with NULL rows left): the command exits 1. */
  unmet?: boolean;
}

/** How many distinct missing masters constrain counts exactly; past it, "more than" (memory stays bounded). */
export const MISSING_COUNTED = 10_000;

export async function orphanScan(
  ctx: Context,
  l: ResolvedLink,
  s: ConstrainShape,
  tenantSafe: boolean,
  batch: number,
): Promise<{
  scanned: number;
  orphans: number;
  missing: number;
  missingCapped: boolean;
  sample: OrphanSample[];
  batches: number;
}> {
  let after: string | null = null;
  let scanned = 0;
  let orphans = 0;
  // the distinct masters the orphans point to, across batches (rows of one deleted master are one missing master),
  // counted up to MISSING_COUNTED: past it the count says "more than" instead of holding every value in memory
  const missing = new Set<string>();
  let missingCapped = false;
  let batches = 0;
  const sample: OrphanSample[] = [];
  // a Citus distributed source is walked by whole values of its distribution column, as many as hold `batch` rows on average
  const groups = l.citus?.source.kind === 'distributed' && s.key === l.citus.source.column;
  let limit = batch;
  if (groups) {
    const r = (await ctx.db.query(rowsPerKeyStatement(s.sourceSql, s.key))).rows[0];
    limit = Math.max(1, Math.floor(batch / Math.max(1, num(r?.r))));
  }
  for (;;) {
    let row: OrphanBatchRow | undefined;
    try {
      row = (await ctx.db.query(orphanBatchStatement(s, tenantSafe, after, limit, 20, groups))).rows[0];
    } catch (e) {
      throw wrapDbError(e, `scanning ${l.config.table}.${l.config.fk} for orphans`);
    }
    if (row === undefined || row.last_key === null) break;
    batches++;
    scanned += num(row.scanned);
    orphans += num(row.orphans);
    for (const m of row.missing ?? []) {
      if (missing.size < MISSING_COUNTED) missing.add(m);
      else if (!missing.has(m)) missingCapped = true;
    }
    const smp = typeof row.sample === 'string' ? (JSON.parse(row.sample) as OrphanSample[]) : row.sample;
    for (const x of smp) if (sample.length < 20) sample.push(x);
    after = row.last_key;
  }
  return { scanned, orphans, missing: missing.size, missingCapped, sample, batches };
}

export async function planLink(
  ctx: Context,
  l: ResolvedLink,
  o: Required<Pick<ConstrainOptions, 'tenantSafe' | 'notNull'>>,
  concurrent: boolean,
): Promise<Planned[]> {
  const s = constrainShape(l);
  const tenantSafe = o.tenantSafe && s.scope.length > 0;
  // the FK's index follows the FK the link has or gets: a composite one already there (an earlier --tenant-safe) is
  // served by (scope…, fk), a plain one by (fk)
  const had = await existingForeignKey(ctx, l, s, tenantSafe);
  const indexComposite = tenantSafe || (had !== undefined && had.columns.length > 1);
  const names = { ...constrainNames(s, tenantSafe), index: constrainNames(s, indexComposite).index };
  const onDelete: OnDeleteAction = l.config.onDelete ?? 'restrict';
  const out: Planned[] = [];

  // Tenant-safe: the target needs a unique index on exactly (scope…, key).
  if (tenantSafe) {
    const tix = await indexesOf(ctx.db, l.targetOid);
    const have = tix.find(
      (i) => i.valid && i.is_unique && !i.partial && !i.has_expression && sameSet(i.columns, [...targetScope(s), s.targetKey]),
    );
    if (have !== undefined)
      out.push({
        step: 'unique',
        detail: `${l.config.target.table} already has unique index ${have.name} on (${have.columns.join(', ')})`,
        sql: [],
        skip: true,
      });
    else {
      const leftover = tix.find((i) => i.name === names.unique);
      const sql = [
        ...(leftover !== undefined ? [dropIndexSql(leftover.qualified_name, concurrent)] : []),
        createUniqueIndexSql(s, names.unique, concurrent),
      ];
      out.push({
        step: 'unique',
        detail: `unique index ${names.unique} on ${l.config.target.table} (${[...targetScope(s), s.targetKey].join(', ')})${leftover !== undefined ? ' (dropping an invalid leftover first)' : ''}`,
        sql,
        outside: concurrent,
      });
    }
  }

  const relkind = (await ctx.db.query(relkindStatement(l.sourceOid))).rows[0]?.relkind;
  const fk = { tenantSafe, indexComposite, existing: had };
  if (relkind === 'p') out.push(...(await planPartitioned(ctx, l, s, names, fk, onDelete, concurrent)));
  else out.push(...(await planPlain(ctx, l, s, names, fk, onDelete, concurrent)));
  if (o.notNull) out.push(...(await planNotNull(ctx, l, s, names)));
  return out;
}

/** The FK a link gets (tenant-safe or not), the one it has already (read once by planLink), and its index's kind. */
interface LinkFk {
  tenantSafe: boolean;
  indexComposite: boolean;
  existing: FkRow | undefined;
}

/** Index and FK of a plain table: CREATE INDEX CONCURRENTLY, FK NOT VALID, VALIDATE. */
async function planPlain(
  ctx: Context,
  l: ResolvedLink,
  s: ConstrainShape,
  names: ConstrainNames,
  { tenantSafe, indexComposite, existing }: LinkFk,
  onDelete: OnDeleteAction,
  concurrent: boolean,
): Promise<Planned[]> {
  const out: Planned[] = [];
  const ix = await indexesOf(ctx.db, l.sourceOid);
  const covering = ix.find((i) => coversFk(i, s.fk, s.scope, indexComposite));
  if (covering !== undefined)
    out.push({ step: 'index', detail: `index ${covering.name} (${covering.columns.join(', ')}) covers ${s.fk}`, sql: [], skip: true });
  else {
    const leftover = ix.find((i) => i.name === names.index);
    const sql = [
      ...(leftover !== undefined ? [dropIndexSql(leftover.qualified_name, concurrent)] : []),
      createIndexSql(s, names.index, concurrent, indexComposite),
    ];
    out.push({
      step: 'index',
      detail: `index ${names.index}${leftover !== undefined ? ' (dropping an invalid leftover from an earlier attempt first)' : ''}`,
      sql,
      outside: concurrent,
    });
  }

  const wanted = tenantSafe ? [...s.scope, s.fk] : [s.fk];
  if (existing === undefined) {
    out.push({
      step: 'foreign-key',
      detail: `${names.foreignKey} (${wanted.join(', ')}) → ${l.config.target.table} ON DELETE ${onDelete.toUpperCase()}${setsColumns(tenantSafe, onDelete) ? ` (${s.fk})` : ''}, NOT VALID (brief lock, no scan)`,
      sql: [addForeignKeySql(s, names.foreignKey, tenantSafe, onDelete)],
    });
    out.push({
      step: 'validate',
      detail: `validate ${names.foreignKey} (scans, writes keep flowing)`,
      sql: [validateConstraintSql(s, names.foreignKey)],
    });
  } else {
    const action = DELETE_ACTIONS[existing.deltype] ?? 'no action';
    const note =
      action === onDelete || (onDelete === 'restrict' && action === 'no action')
        ? ''
        : ` (note: it is ON DELETE ${action.toUpperCase()}, configured ${onDelete.toUpperCase()}; left as is)`;
    out.push({
      step: 'foreign-key',
      detail: `constraint ${existing.name} (${existing.columns.join(', ')}) already exists${note}${setsMoreNote(existing, s.fk)}`,
      sql: [],
      skip: true,
    });
    if (existing.validated) out.push({ step: 'validate', detail: `${existing.name} already validated`, sql: [], skip: true });
    else
      out.push({
        step: 'validate',
        detail: `validate ${existing.name} (it is NOT VALID: made so by an earlier run, or by hand)`,
        sql: [validateConstraintSql(s, existing.name)],
      });
  }
  return out;
}

interface Partition {
  oid: number;
  relkind: string;
  schema: string;
  name: string;
}

/**
 * Index and FK of a partitioned table, the way PostgreSQL 15 allows without a long lock (it refuses
 * CREATE INDEX CONCURRENTLY and a NOT VALID FK on the parent):
 * - index: `CREATE INDEX … ON ONLY` the parent (invalid, indexes nothing), per partition `CREATE INDEX
 *   CONCURRENTLY` and `ALTER INDEX parent ATTACH PARTITION`; the parent's index is valid once all are;
 * - FK: per partition `ADD … NOT VALID` then `VALIDATE` (each scan under a lock that lets writes
 *   through), then the parent's FK, valid at once: PostgreSQL adopts each partition's equal validated
 *   constraint instead of scanning again (100 000 rows: 1.4 ms) and gives new partitions their own.
 * Re-runs continue where an earlier one stopped (attached indexes and partition FKs are found again).
 * A partition that is itself partitioned gets its index and FK in one plain statement each (locks it).
 */
async function planPartitioned(
  ctx: Context,
  l: ResolvedLink,
  s: ConstrainShape,
  names: ConstrainNames,
  { tenantSafe, indexComposite, existing }: LinkFk,
  onDelete: OnDeleteAction,
  concurrent: boolean,
): Promise<Planned[]> {
  const out: Planned[] = [];
  const parts = (await ctx.db.query(partitionsStatement(l.sourceOid))).rows.map((r) => ({ ...r, oid: Number(r.oid) }));
  const partShape = (pt: Partition): ConstrainShape => ({
    ...s,
    sourceSql: qualified({ schema: pt.schema, table: pt.name }),
    sourceTable: pt.name,
    sourceSchema: pt.schema,
  });
  const cols = fkIndexColumns(s, indexComposite);

  const ix = await indexesOf(ctx.db, l.sourceOid);
  const covering = ix.find((i) => coversFk(i, s.fk, s.scope, indexComposite));
  if (covering !== undefined)
    out.push({
      step: 'index',
      detail: `index ${covering.name} (${covering.columns.join(', ')}) covers ${s.fk} on every partition`,
      sql: [],
      skip: true,
    });
  else {
    const parent = ix.find((i) => i.name === names.index);
    const parentSql = parent?.qualified_name ?? indexSql(s.sourceSchema, names.index);
    if (parent === undefined)
      out.push({
        step: 'index',
        detail: `index ${names.index} ON ONLY ${l.config.table} (no partition indexed yet, no lock held long)`,
        sql: [createIndexOnOnlySql(s, names.index, indexComposite)],
      });
    const attached = new Set(
      parent === undefined ? [] : (await ctx.db.query(attachedIndexesStatement(parentSql))).rows.map((r) => num(r.table_oid)),
    );
    for (const pt of parts) {
      if (attached.has(pt.oid)) continue;
      const ps = partShape(pt);
      const pname = objectName(pt.name, cols, 'idx');
      const leftover = (await indexesOf(ctx.db, pt.oid)).find((i) => i.name === pname);
      const leaf = pt.relkind !== 'p';
      out.push({
        step: 'index',
        detail: `index ${pname} on partition ${pt.name}${leaf && concurrent ? ' (concurrently)' : ''}${leftover !== undefined ? ' (dropping a leftover from an earlier attempt first)' : ''}`,
        sql: [
          ...(leftover !== undefined ? [dropIndexSql(leftover.qualified_name, concurrent && leaf)] : []),
          createIndexSql(ps, pname, concurrent && leaf, indexComposite),
        ],
        outside: concurrent && leaf,
      });
      out.push({
        step: 'index',
        detail: `attach ${pname} to ${names.index}`,
        sql: [attachIndexSql(parentSql, indexSql(pt.schema, pname))],
      });
    }
  }

  const wanted = tenantSafe ? [...s.scope, s.fk] : [s.fk];
  if (existing !== undefined) {
    out.push({
      step: 'foreign-key',
      detail: `constraint ${existing.name} (${existing.columns.join(', ')}) already exists on every partition${setsMoreNote(existing, s.fk)}`,
      sql: [],
      skip: true,
    });
    if (existing.validated) out.push({ step: 'validate', detail: `${existing.name} already validated`, sql: [], skip: true });
    else out.push({ step: 'validate', detail: `validate ${existing.name}`, sql: [validateConstraintSql(s, existing.name)] });
    return out;
  }
  const deltype = Object.entries(DELETE_ACTIONS).find(([, a]) => a === onDelete)?.[0];
  // a partition's FK that is the one wanted: same columns and action, setting no more than the FK column
  const isWanted = (f: FkRow): boolean =>
    f.columns.join('\0') === wanted.join('\0') && f.deltype === deltype && setsMoreThanFk(f, s.fk) === null;
  const adds: string[] = [];
  const validates: string[] = [];
  for (const pt of parts) {
    const ps = partShape(pt);
    if (pt.relkind === 'p') {
      // NOT VALID is refused on a partitioned partition too: one valid ADD (it scans that subtree under its lock)
      const have = (await ctx.db.query(foreignKeysStatement(pt.oid, l.targetOid))).rows.find((f) => isWanted(f) && f.validated);
      if (have === undefined) adds.push(addForeignKeySql(ps, names.foreignKey, tenantSafe, onDelete, false));
      continue;
    }
    const have = (await ctx.db.query(foreignKeysStatement(pt.oid, l.targetOid))).rows.find(isWanted);
    if (have === undefined) {
      adds.push(addForeignKeySql(ps, names.foreignKey, tenantSafe, onDelete));
      validates.push(validateConstraintSql(ps, names.foreignKey));
    } else if (!have.validated) validates.push(validateConstraintSql(ps, have.name));
  }
  if (adds.length > 0)
    out.push({
      step: 'foreign-key',
      detail: `${names.foreignKey} (${wanted.join(', ')}) → ${l.config.target.table} ON DELETE ${onDelete.toUpperCase()}${setsColumns(tenantSafe, onDelete) ? ` (${s.fk})` : ''} on ${adds.length} partition(s), NOT VALID (brief locks, no scan)`,
      sql: adds,
      each: true,
    });
  if (validates.length > 0)
    out.push({
      step: 'validate',
      detail: `validate ${names.foreignKey} on ${validates.length} partition(s), one at a time (scans, writes keep flowing)`,
      sql: validates,
      each: true,
    });
  out.push({
    step: 'foreign-key',
    detail: `${names.foreignKey} on ${l.config.table}: adopts every partition's validated constraint (no second scan)`,
    sql: [addForeignKeySql(s, names.foreignKey, tenantSafe, onDelete, false)],
  });
  return out;
}

async function planNotNull(ctx: Context, l: ResolvedLink, s: ConstrainShape, names: ConstrainNames): Promise<Planned[]> {
  const out: Planned[] = [];
  const nn = (await ctx.db.query(columnNotNullStatement(l.sourceOid, s.fk))).rows[0];
  if (nn?.not_null === true) out.push({ step: 'not-null', detail: `${s.fk} is already NOT NULL`, sql: [], skip: true });
  else {
    const nulls = num((await ctx.db.query(nullCountStatement(s))).rows[0]?.n);
    if (nulls > 0)
      out.push({ step: 'not-null', detail: `not set: ${nulls} row(s) still have a NULL ${s.fk}`, sql: [], skip: true, unmet: true });
    else {
      const chk = (await ctx.db.query(constraintByNameStatement(l.sourceOid, names.notNullCheck))).rows[0];
      const sql = [
        ...(chk === undefined ? [addNotNullCheckSql(s, names.notNullCheck)] : []),
        validateConstraintSql(s, names.notNullCheck),
        setNotNullSql(s),
        dropConstraintSql(s, names.notNullCheck),
      ];
      out.push({
        step: 'not-null',
        detail: `CHECK ${names.notNullCheck} NOT VALID → VALIDATE → SET NOT NULL (uses the check, no scan) → drop the check`,
        sql,
      });
    }
  }
  return out;
}
