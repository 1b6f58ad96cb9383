/**
 * `constrain`: from populated FK columns to enforced foreign keys without downtime. Per link, each step
 * in its own short transaction with `SET LOCAL lock_timeout`:
 *   1. orphan scan in key-range batches (abort, nothing changed, when any FK value points nowhere);
 *   2. an index on (scope…, fk) unless one covers the FK (CONCURRENTLY on a server, outside a transaction);
 *   3. `ADD CONSTRAINT … FOREIGN KEY … ON DELETE RESTRICT NOT VALID`, then `VALIDATE CONSTRAINT` separately
 *      (validation holds SHARE UPDATE EXCLUSIVE: inserts and updates keep flowing);
 *   4. `--tenant-safe`: the FK is composite (scope…, fk) → target (scope…, key), on a unique index it adds;
 *   5. `--not-null`: CHECK (fk IS NOT NULL) NOT VALID → VALIDATE → SET NOT NULL (no table scan) → drop the CHECK.
 * Idempotent: what exists is found in the catalog and skipped; a second run does nothing and says so.
 */
import { adapt } from '../db/index.js';
import { withReconnect } from '../batch/reconnect.js';
import type { Database, Queryable } from '../db/port.js';
import { num } from '../db/port.js';
import { BackfillError, wrapDbError } from '../errors.js';
import {
  addForeignKeySql,
  addNotNullCheckSql,
  COLUMN_NOT_NULL_SQL,
  CONSTRAINT_BY_NAME_SQL,
  constrainNames,
  createIndexSql,
  createUniqueIndexSql,
  dropConstraintSql,
  dropIndexSql,
  ATTACHED_INDEXES_SQL,
  attachIndexSql,
  createIndexOnOnlySql,
  FOREIGN_KEYS_SQL,
  INDEXES_SQL,
  indexSql,
  objectName,
  PARTITIONS_SQL,
  RELKIND_SQL,
  lockTimeoutSql,
  nullCountStatement,
  orphanBatchStatement,
  setNotNullSql,
  validateConstraintSql,
  type ConstrainNames,
  type ConstrainShape,
  type OnDeleteAction,
} from '../sql/constrain.js';
import { createRun, finishRun } from '../store/runs.js';
import type { ResolvedLink } from '../context/catalog.js';
import { ident, qualified } from '../sql/quote.js';
import { prepare, type CommonOptions, type Context } from '../context/context.js';

export interface ConstrainOptions extends CommonOptions {
  /** Print the SQL, change nothing (the orphan scan still runs: it only reads). */
  dryRun?: boolean;
  /** Composite FK (scope…, fk) → target (scope…, key): the database refuses cross-tenant links. */
  tenantSafe?: boolean;
  /** SET NOT NULL once no NULL FK remains. */
  notNull?: boolean;
  /** lock_timeout of every step (default 5s). */
  lockTimeout?: string;
  /** Rows per orphan-scan batch (default 50 000). */
  batchSize?: number;
  executedBy?: string;
  /** Called when a step starts (CLI progress, tests measuring what runs when). */
  onStep?: (e: { entityType: string; step: StepName; phase: 'start' | 'end'; at: number }) => void;
}

export type StepName = 'orphan-scan' | 'unique' | 'index' | 'foreign-key' | 'validate' | 'not-null';

export interface ConstrainStep {
  step: StepName;
  status: 'done' | 'skipped' | 'planned';
  detail: string;
  /** The exact statements (run, or to run with --dry-run). */
  sql: string[];
  ms?: number;
}

export interface OrphanSample {
  key: string;
  fk: string;
  scope: string[];
}

export interface LinkConstrain {
  entityType: string;
  table: string;
  fk: string;
  target: string;
  names: ConstrainNames;
  scanned: number;
  orphans: number;
  orphanSample: OrphanSample[];
  steps: ConstrainStep[];
  /** Something was (or, in a dry run, would be) changed for this link. */
  changed: boolean;
}

export interface ConstrainResult {
  dryRun: boolean;
  tenantSafe: boolean;
  runId: string | null;
  /** No link needed anything: everything asked for is already in place. */
  nothingToDo: boolean;
  links: LinkConstrain[];
}

interface IndexRow {
  qualified_name: string;
  name: string;
  valid: boolean;
  is_unique: boolean;
  partial: boolean;
  columns: string[];
  has_expression: boolean;
}

interface FkRow {
  name: string;
  validated: boolean;
  deltype: string;
  columns: string[];
  ref_columns: string[];
}

const DELETE_ACTIONS: Record<string, OnDeleteAction> = { r: 'restrict', a: 'no action', c: 'cascade', n: 'set null', d: 'set default' };

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
    fk: l.config.fk,
    targetKey: l.targetKey,
    scope: l.config.scope,
  };
}

async function indexesOf(db: Queryable, oid: number): Promise<IndexRow[]> {
  return (await db.query<IndexRow>(INDEXES_SQL, [oid])).rows;
}

/**
 * A valid, plain-column index whose leading columns are the FK, optionally after scope columns:
 * (fk…), (tenant_id, fk…). That is what the RESTRICT check on a master delete can use.
 */
export function coversFk(ix: { valid: boolean; partial: boolean; has_expression: boolean; columns: string[] }, fk: string, scope: readonly string[]): boolean {
  if (!ix.valid || ix.partial) return false;
  for (const c of ix.columns) {
    if (c === fk) return true;
    if (!scope.includes(c)) return false;
  }
  return false;
}

/** The index covering a link's FK column, if any. */
export async function findCoveringIndex(db: Queryable, l: ResolvedLink): Promise<{ name: string; columns: string[] } | null> {
  const ix = (await indexesOf(db, l.sourceOid)).find((i) => coversFk(i, l.config.fk, l.config.scope));
  return ix === undefined ? null : { name: ix.name, columns: ix.columns };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Runs `sql` outside any transaction (CONCURRENTLY requires it) on one connection, with a session lock_timeout reset afterwards. */
async function runOutsideTransaction(db: Database, lockTimeout: string, sql: string): Promise<void> {
  // CONCURRENTLY cannot run inside a transaction: one dedicated connection in autocommit mode.
  await db.session(async (conn) => {
    await conn.query(lockTimeoutSql(lockTimeout, false));
    try {
      await conn.query(sql);
    } finally {
      await conn.query('RESET lock_timeout').catch(() => undefined);
    }
  });
}

async function runInTransaction(db: Database, lockTimeout: string, statements: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(lockTimeoutSql(lockTimeout, true));
    for (const s of statements) await tx.query(s);
  });
}

interface Planned {
  step: StepName;
  detail: string;
  sql: string[];
  /** Statements that must run outside a transaction (CONCURRENTLY), each on its own. */
  outside?: boolean;
  /** Each statement in its own short transaction (per-partition VALIDATEs: no lock held across them). */
  each?: boolean;
  skip?: boolean;
}

async function orphanScan(ctx: Context, l: ResolvedLink, s: ConstrainShape, tenantSafe: boolean, batch: number): Promise<{ scanned: number; orphans: number; sample: OrphanSample[]; batches: number }> {
  let after: string | null = null;
  let scanned = 0;
  let orphans = 0;
  let batches = 0;
  const sample: OrphanSample[] = [];
  // a Citus distributed source is walked by whole values of its distribution column, as many as hold `batch` rows on average
  const groups = l.citus?.source.kind === 'distributed' && s.key === l.citus.source.column;
  let limit = batch;
  if (groups) {
    const r = (await ctx.db.query<{ r: unknown }>(`SELECT count(*)::float8 / greatest(count(DISTINCT s.${ident(s.key)}), 1) AS r FROM ${s.sourceSql} s`)).rows[0];
    limit = Math.max(1, Math.floor(batch / Math.max(1, num(r?.r))));
  }
  for (;;) {
    const st = orphanBatchStatement(s, tenantSafe, after, limit, 20, groups);
    let row: { last_key: string | null; scanned: unknown; orphans: unknown; sample: OrphanSample[] | string } | undefined;
    try {
      row = (await ctx.db.query<{ last_key: string | null; scanned: unknown; orphans: unknown; sample: OrphanSample[] | string }>(st.text, st.values)).rows[0];
    } catch (e) {
      throw wrapDbError(e, `scanning ${l.config.table}.${l.config.fk} for orphans`);
    }
    if (row === undefined || row.last_key === null) break;
    batches++;
    scanned += num(row.scanned);
    orphans += num(row.orphans);
    const smp = typeof row.sample === 'string' ? (JSON.parse(row.sample) as OrphanSample[]) : row.sample;
    for (const x of smp) if (sample.length < 20) sample.push(x);
    after = row.last_key;
  }
  return { scanned, orphans, sample, batches };
}

async function planLink(ctx: Context, l: ResolvedLink, o: Required<Pick<ConstrainOptions, 'tenantSafe' | 'notNull'>>, concurrent: boolean): Promise<Planned[]> {
  const s = constrainShape(l);
  const tenantSafe = o.tenantSafe && s.scope.length > 0;
  const names = constrainNames(s, tenantSafe);
  const onDelete: OnDeleteAction = l.config.onDelete ?? 'restrict';
  const out: Planned[] = [];

  // Tenant-safe: the target needs a unique index on exactly (scope…, key).
  if (tenantSafe) {
    const tix = await indexesOf(ctx.db, l.targetOid);
    const have = tix.find((i) => i.valid && i.is_unique && !i.partial && !i.has_expression && sameSet(i.columns, [...s.scope, s.targetKey]));
    if (have !== undefined) out.push({ step: 'unique', detail: `${l.config.target.table} already has unique index ${have.name} on (${have.columns.join(', ')})`, sql: [], skip: true });
    else {
      const leftover = tix.find((i) => i.name === names.unique);
      const sql = [
        ...(leftover !== undefined ? [dropIndexSql(leftover.qualified_name, concurrent)] : []),
        createUniqueIndexSql(s, names.unique, concurrent),
      ];
      out.push({ step: 'unique', detail: `unique index ${names.unique} on ${l.config.target.table} (${[...s.scope, s.targetKey].join(', ')})${leftover !== undefined ? ' (dropping an invalid leftover first)' : ''}`, sql, outside: concurrent });
    }
  }

  const relkind = (await ctx.db.query<{ relkind: string }>(RELKIND_SQL, [l.sourceOid])).rows[0]?.relkind;
  if (relkind === 'p') out.push(...(await planPartitioned(ctx, l, s, names, tenantSafe, onDelete, concurrent)));
  else out.push(...(await planPlain(ctx, l, s, names, tenantSafe, onDelete, concurrent)));
  if (o.notNull) out.push(...(await planNotNull(ctx, l, s, names)));
  return out;
}

/** Index and FK of a plain table: CREATE INDEX CONCURRENTLY, FK NOT VALID, VALIDATE. */
async function planPlain(ctx: Context, l: ResolvedLink, s: ConstrainShape, names: ConstrainNames, tenantSafe: boolean, onDelete: OnDeleteAction, concurrent: boolean): Promise<Planned[]> {
  const out: Planned[] = [];
  const ix = await indexesOf(ctx.db, l.sourceOid);
  const covering = ix.find((i) => coversFk(i, s.fk, s.scope));
  if (covering !== undefined) out.push({ step: 'index', detail: `index ${covering.name} (${covering.columns.join(', ')}) covers ${s.fk}`, sql: [], skip: true });
  else {
    const leftover = ix.find((i) => i.name === names.index);
    const sql = [
      ...(leftover !== undefined ? [dropIndexSql(leftover.qualified_name, concurrent)] : []),
      createIndexSql(s, names.index, concurrent),
    ];
    out.push({ step: 'index', detail: `index ${names.index}${leftover !== undefined ? ' (dropping an invalid leftover from an earlier attempt first)' : ''}`, sql, outside: concurrent });
  }

  const fks = (await ctx.db.query<FkRow>(FOREIGN_KEYS_SQL, [l.sourceOid, l.targetOid])).rows;
  const wanted = tenantSafe ? [...s.scope, s.fk] : [s.fk];
  const existing = fks
    .filter((f) => f.columns.includes(s.fk) && (tenantSafe ? f.columns.join('\0') === wanted.join('\0') : true))
    .sort((a, b) => Number(b.validated) - Number(a.validated) || b.columns.length - a.columns.length)[0];
  if (existing === undefined) {
    out.push({ step: 'foreign-key', detail: `${names.foreignKey} (${wanted.join(', ')}) → ${l.config.target.table} ON DELETE ${onDelete.toUpperCase()}, NOT VALID (brief lock, no scan)`, sql: [addForeignKeySql(s, names.foreignKey, tenantSafe, onDelete)] });
    out.push({ step: 'validate', detail: `validate ${names.foreignKey} (scans, writes keep flowing)`, sql: [validateConstraintSql(s, names.foreignKey)] });
  } else {
    const action = DELETE_ACTIONS[existing.deltype] ?? 'no action';
    const note = action === onDelete || (onDelete === 'restrict' && action === 'no action') ? '' : ` (note: it is ON DELETE ${action.toUpperCase()}, configured ${onDelete.toUpperCase()}; left as is)`;
    out.push({ step: 'foreign-key', detail: `constraint ${existing.name} (${existing.columns.join(', ')}) already exists${note}`, sql: [], skip: true });
    if (existing.validated) out.push({ step: 'validate', detail: `${existing.name} already validated`, sql: [], skip: true });
    else out.push({ step: 'validate', detail: `validate ${existing.name} (left NOT VALID by an earlier run)`, sql: [validateConstraintSql(s, existing.name)] });
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
async function planPartitioned(ctx: Context, l: ResolvedLink, s: ConstrainShape, names: ConstrainNames, tenantSafe: boolean, onDelete: OnDeleteAction, concurrent: boolean): Promise<Planned[]> {
  const out: Planned[] = [];
  const parts = (await ctx.db.query<Partition>(PARTITIONS_SQL, [l.sourceOid])).rows.map((r) => ({ ...r, oid: Number(r.oid) }));
  const partShape = (pt: Partition): ConstrainShape => ({ ...s, sourceSql: qualified({ schema: pt.schema, table: pt.name }), sourceTable: pt.name, sourceSchema: pt.schema });
  const cols = s.scope.length > 0 ? [...s.scope, s.fk] : [s.fk];

  const ix = await indexesOf(ctx.db, l.sourceOid);
  const covering = ix.find((i) => coversFk(i, s.fk, s.scope));
  if (covering !== undefined) out.push({ step: 'index', detail: `index ${covering.name} (${covering.columns.join(', ')}) covers ${s.fk} on every partition`, sql: [], skip: true });
  else {
    const parent = ix.find((i) => i.name === names.index);
    const parentSql = parent?.qualified_name ?? indexSql(s.sourceSchema, names.index);
    if (parent === undefined) out.push({ step: 'index', detail: `index ${names.index} ON ONLY ${l.config.table} (no partition indexed yet, no lock held long)`, sql: [createIndexOnOnlySql(s, names.index)] });
    const attached = new Set(parent === undefined ? [] : (await ctx.db.query<{ table_oid: unknown }>(ATTACHED_INDEXES_SQL, [parentSql])).rows.map((r) => num(r.table_oid)));
    for (const pt of parts) {
      if (attached.has(pt.oid)) continue;
      const ps = partShape(pt);
      const pname = objectName(pt.name, cols, 'idx');
      const leftover = (await indexesOf(ctx.db, pt.oid)).find((i) => i.name === pname);
      const leaf = pt.relkind !== 'p';
      out.push({
        step: 'index',
        detail: `index ${pname} on partition ${pt.name}${leaf && concurrent ? ' (concurrently)' : ''}${leftover !== undefined ? ' (dropping a leftover from an earlier attempt first)' : ''}`,
        sql: [...(leftover !== undefined ? [dropIndexSql(leftover.qualified_name, concurrent && leaf)] : []), createIndexSql(ps, pname, concurrent && leaf)],
        outside: concurrent && leaf,
      });
      out.push({ step: 'index', detail: `attach ${pname} to ${names.index}`, sql: [attachIndexSql(parentSql, indexSql(pt.schema, pname))] });
    }
  }

  const fks = (await ctx.db.query<FkRow>(FOREIGN_KEYS_SQL, [l.sourceOid, l.targetOid])).rows;
  const wanted = tenantSafe ? [...s.scope, s.fk] : [s.fk];
  const existing = fks
    .filter((f) => f.columns.includes(s.fk) && (tenantSafe ? f.columns.join('\0') === wanted.join('\0') : true))
    .sort((a, b) => Number(b.validated) - Number(a.validated) || b.columns.length - a.columns.length)[0];
  if (existing !== undefined) {
    out.push({ step: 'foreign-key', detail: `constraint ${existing.name} (${existing.columns.join(', ')}) already exists on every partition`, sql: [], skip: true });
    if (existing.validated) out.push({ step: 'validate', detail: `${existing.name} already validated`, sql: [], skip: true });
    else out.push({ step: 'validate', detail: `validate ${existing.name}`, sql: [validateConstraintSql(s, existing.name)] });
    return out;
  }
  const deltype = Object.entries(DELETE_ACTIONS).find(([, a]) => a === onDelete)?.[0];
  const adds: string[] = [];
  const validates: string[] = [];
  for (const pt of parts) {
    const ps = partShape(pt);
    if (pt.relkind === 'p') {
      // NOT VALID is refused on a partitioned partition too: one valid ADD (it scans that subtree under its lock)
      const have = (await ctx.db.query<FkRow>(FOREIGN_KEYS_SQL, [pt.oid, l.targetOid])).rows.find((f) => f.columns.join('\0') === wanted.join('\0') && f.deltype === deltype && f.validated);
      if (have === undefined) adds.push(addForeignKeySql(ps, names.foreignKey, tenantSafe, onDelete, false));
      continue;
    }
    const have = (await ctx.db.query<FkRow>(FOREIGN_KEYS_SQL, [pt.oid, l.targetOid])).rows.find((f) => f.columns.join('\0') === wanted.join('\0') && f.deltype === deltype);
    if (have === undefined) {
      adds.push(addForeignKeySql(ps, names.foreignKey, tenantSafe, onDelete));
      validates.push(validateConstraintSql(ps, names.foreignKey));
    } else if (!have.validated) validates.push(validateConstraintSql(ps, have.name));
  }
  if (adds.length > 0) out.push({ step: 'foreign-key', detail: `${names.foreignKey} (${wanted.join(', ')}) → ${l.config.target.table} ON DELETE ${onDelete.toUpperCase()} on ${adds.length} partition(s), NOT VALID (brief locks, no scan)`, sql: adds, each: true });
  if (validates.length > 0) out.push({ step: 'validate', detail: `validate ${names.foreignKey} on ${validates.length} partition(s), one at a time (scans, writes keep flowing)`, sql: validates, each: true });
  out.push({
    step: 'foreign-key',
    detail: `${names.foreignKey} on ${l.config.table}: adopts every partition's validated constraint (no second scan)`,
    sql: [addForeignKeySql(s, names.foreignKey, tenantSafe, onDelete, false)],
  });
  return out;
}

async function planNotNull(ctx: Context, l: ResolvedLink, s: ConstrainShape, names: ConstrainNames): Promise<Planned[]> {
  const out: Planned[] = [];
  const nn = (await ctx.db.query<{ not_null: boolean }>(COLUMN_NOT_NULL_SQL, [l.sourceOid, s.fk])).rows[0];
  if (nn?.not_null === true) out.push({ step: 'not-null', detail: `${s.fk} is already NOT NULL`, sql: [], skip: true });
  else {
    const st = nullCountStatement(s);
    const nulls = num((await ctx.db.query<{ n: unknown }>(st.text, st.values)).rows[0]?.n);
    if (nulls > 0) out.push({ step: 'not-null', detail: `not set: ${nulls} row(s) still have a NULL ${s.fk}`, sql: [], skip: true });
    else {
      const chk = (await ctx.db.query<{ validated: boolean }>(CONSTRAINT_BY_NAME_SQL, [l.sourceOid, names.notNullCheck])).rows[0];
      const sql = [
        ...(chk === undefined ? [addNotNullCheckSql(s, names.notNullCheck)] : []),
        validateConstraintSql(s, names.notNullCheck),
        setNotNullSql(s),
        dropConstraintSql(s, names.notNullCheck),
      ];
      out.push({ step: 'not-null', detail: `CHECK ${names.notNullCheck} NOT VALID → VALIDATE → SET NOT NULL (uses the check, no scan) → drop the check`, sql });
    }
  }
  return out;
}

async function execute(ctx: Context, p: Planned, lockTimeout: string): Promise<void> {
  if (p.outside === true) {
    for (const sql of p.sql) await runOutsideTransaction(ctx.db, lockTimeout, sql);
    return;
  }
  if (p.step === 'not-null' || p.each === true) {
    // Each statement its own short transaction: the validating scan must not hold the SET NOT NULL lock.
    for (const sql of p.sql) await runInTransaction(ctx.db, lockTimeout, [sql]);
    return;
  }
  await runInTransaction(ctx.db, lockTimeout, p.sql);
}

/**
 * A plain FK (fk) → target (key) needs a unique index over the target's key column alone. A master keyed
 * by (tenant_id, id) has none: PostgreSQL would refuse the FK with 42830 after the orphan scan and the
 * index. Checked for every link before anything runs (dry run too): such a link can only be constrained
 * with --tenant-safe, whose composite FK references (scope…, key). A link that already has an FK on its
 * column to the target (plain or composite) adds none and passes.
 */
async function assertReferenceable(ctx: Context, l: ResolvedLink, s: ConstrainShape): Promise<void> {
  const fks = (await ctx.db.query<FkRow>(FOREIGN_KEYS_SQL, [l.sourceOid, l.targetOid])).rows;
  if (fks.some((f) => f.columns.includes(s.fk))) return;
  const uniques = (await indexesOf(ctx.db, l.targetOid)).filter((i) => i.is_unique && i.valid && !i.partial && !i.has_expression);
  if (uniques.some((i) => sameSet(i.columns, [s.targetKey]))) return;
  const target = `${l.config.target.table}.${s.targetKey}`;
  const withScope = uniques.find((i) => i.columns.includes(s.targetKey) && i.columns.every((c) => c === s.targetKey || s.scope.includes(c)));
  if (withScope !== undefined) {
    throw new BackfillError(
      'TARGET_KEY_NOT_UNIQUE',
      `${l.entity}: ${target} is unique only together with ${withScope.columns.filter((c) => c !== s.targetKey).join(', ')} (${withScope.name}), so a plain foreign key on ${l.config.table}.${s.fk} cannot reference it; use --tenant-safe (FK (${[...s.scope, s.fk].join(', ')}) → ${l.config.target.table} (${[...s.scope, s.targetKey].join(', ')})). Nothing was changed.`,
      { details: { entity: l.entity, target: l.config.target.table, key: s.targetKey, uniqueIndex: withScope.name, columns: withScope.columns } },
    );
  }
  const hint = s.scope.length > 0 ? `add one, or use --tenant-safe (it adds a unique index on ${l.config.target.table} (${[...s.scope, s.targetKey].join(', ')}))` : 'add a primary key or unique index on it';
  throw new BackfillError('TARGET_KEY_NOT_UNIQUE', `${l.entity}: ${target} has no primary key or unique index over it alone, so no foreign key can reference it; ${hint}. Nothing was changed.`, {
    details: { entity: l.entity, target: l.config.target.table, key: s.targetKey },
  });
}

export async function constrainIn(ctx: Context, opts: ConstrainOptions = {}): Promise<ConstrainResult> {
  if (ctx.filter.tenant !== null) {
    throw new BackfillError('USAGE', 'constraints cover whole tables: run constrain without --tenant');
  }
  const dryRun = opts.dryRun ?? false;
  const tenantSafe = opts.tenantSafe ?? false;
  const lockTimeout = opts.lockTimeout ?? '5s';
  lockTimeoutSql(lockTimeout, true); // validate early (usage error, nothing done)
  const batch = opts.batchSize ?? 50_000;
  const concurrent = ctx.db.kind === 'postgres';
  const emit = (entityType: string, step: StepName, phase: 'start' | 'end'): void => opts.onStep?.({ entityType, step, phase, at: Date.now() });
  // 0. Every plain FK can be made (its target key is unique alone): else nothing runs, not even the scan.
  for (const l of ctx.links) {
    const s = constrainShape(l);
    if (!(tenantSafe && s.scope.length > 0)) await assertReferenceable(ctx, l, s);
  }

  // 1. Orphans first, for every link: with any orphan, nothing is changed anywhere.
  const links: LinkConstrain[] = [];
  for (const l of ctx.links) {
    const s = constrainShape(l);
    const ts = tenantSafe && s.scope.length > 0;
    emit(l.entity, 'orphan-scan', 'start');
    const t0 = Date.now();
    const scan = await orphanScan(ctx, l, s, ts, batch);
    emit(l.entity, 'orphan-scan', 'end');
    links.push({
      entityType: l.entity,
      table: l.config.table,
      fk: l.config.fk,
      target: l.config.target.table,
      names: constrainNames(s, ts),
      scanned: scan.scanned,
      orphans: scan.orphans,
      orphanSample: scan.sample,
      steps: [
        {
          step: 'orphan-scan',
          status: 'done',
          detail: `${scan.scanned} row(s) in ${scan.batches} batch(es): ${scan.orphans} ${l.config.fk} value(s) point to no ${ts ? 'same-scope ' : ''}${l.config.target.table} row`,
          sql: [orphanBatchStatement(s, ts, null, batch, 20).text],
          ms: Date.now() - t0,
        },
      ],
      changed: false,
    });
  }
  const withOrphans = links.filter((x) => x.orphans > 0);
  if (withOrphans.length > 0) {
    if (dryRun) return { dryRun, tenantSafe, runId: null, nothingToDo: false, links };
    throw new BackfillError(
      'ORPHANS_FOUND',
      `refusing to constrain: ${withOrphans.map((x) => `${x.table}.${x.fk} has ${x.orphans} value(s) pointing to no ${tenantSafe ? 'same-tenant ' : ''}${x.target} row (e.g. ${x.orphanSample
        .slice(0, 3)
        .map((o) => `key ${o.key} → ${o.fk}`)
        .join(', ')})`).join('; ')}. Nothing was changed.`,
      { details: { links: withOrphans.map((x) => ({ entityType: x.entityType, table: x.table, fk: x.fk, orphans: x.orphans, sample: x.orphanSample })) } },
    );
  }

  const runId = dryRun
    ? null
    : await createRun(ctx.db, {
        kind: 'constrain',
        tenant: null,
        entities: ctx.links.map((l) => l.entity),
        executedBy: opts.executedBy ?? null,
        dryRun: false,
        configHash: ctx.configHash,
        config: ctx.config,
        options: { tenantSafe, notNull: opts.notNull ?? false, lockTimeout },
      });
  try {
    for (const [i, l] of ctx.links.entries()) {
      const rec = links[i]!;
      const planned = await planLink(ctx, l, { tenantSafe, notNull: opts.notNull ?? false }, concurrent);
      for (const p of planned) {
        if (p.skip === true) {
          rec.steps.push({ step: p.step, status: 'skipped', detail: p.detail, sql: [] });
          continue;
        }
        rec.changed = true;
        if (dryRun) {
          rec.steps.push({ step: p.step, status: 'planned', detail: p.detail, sql: p.sql });
          continue;
        }
        emit(l.entity, p.step, 'start');
        const t0 = Date.now();
        try {
          await execute(ctx, p, lockTimeout);
        } catch (e) {
          throw wrapDbError(e, `${l.entity}: ${p.step} (${p.sql.join('; ')})`);
        }
        emit(l.entity, p.step, 'end');
        rec.steps.push({ step: p.step, status: 'done', detail: p.detail, sql: p.sql, ms: Date.now() - t0 });
      }
    }
  } catch (e) {
    if (runId !== null) await finishRun(ctx.db, runId, 'failed', { links }, e instanceof Error ? e.message : String(e)).catch(() => undefined);
    throw e;
  }
  const result: ConstrainResult = { dryRun, tenantSafe, runId, nothingToDo: links.every((x) => !x.changed), links };
  if (runId !== null) await finishRun(ctx.db, runId, 'done', { nothingToDo: result.nothingToDo, links: links.map((x) => ({ entityType: x.entityType, changed: x.changed, steps: x.steps.map((s) => [s.step, s.status]) })) });
  return result;
}

/**
 * Orphan scan, covering index, FK NOT VALID + VALIDATE (optionally tenant-safe and NOT NULL), per link.
 * Throws ORPHANS_FOUND (nothing changed) when an FK value points nowhere.
 */
export async function constrain(db: unknown, opts: ConstrainOptions = {}): Promise<ConstrainResult> {
  const d = adapt(db);
  // a lost connection: run again on a new one (every step is idempotent; an index a lost CONCURRENTLY left invalid is rebuilt)
  return withReconnect(d, {}, { kind: 'constrain' }, async () => constrainIn(await prepare(d, opts), opts));
}
