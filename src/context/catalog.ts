import { targetScope } from '../sql/link.js';
import { activePredicate, keyColumns, type LinkConfig } from '../config/schema.js';
import { unscopedNotice } from './scope-signals.js';
import { citextMasterNotice } from './case-signals.js';
import { activeSignals, sourceSoftDeleteNotice } from './active-signals.js';
import type { Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import {
  deferrableConstraintsStatement,
  fkChecksStatement,
  fkConstraintsOfColumnStatement,
  updateTriggersStatement,
  type UpdateTrigger,
} from '../sql/context.js';
import { column, type ColumnInfo, tableInfo, type TableInfo } from './table-info.js';
import { checkActive, mismatch } from './active-check.js';
import type { TableKind } from '../sql/citus.js';
import { checkCitusLink, citusKinds } from './citus-link.js';
import { checkSharedMasters } from './shared-masters.js';
import type { FkCheck } from '../sql/checks.js';
import { displayTable, ident, parseTableName, qualified, type TableName } from '../sql/quote.js';
import { type FkRange, fkRangeOf } from '../plan/fk-range.js';
import { baseType, compareAs, INTEGER_TYPES, isAmountType, retypeHint, TEXT_TYPES } from './column-types.js';

/** A compare pair as plan reads it: `as` 'numeric' or a date/time type when the two columns' types differ. */
export interface CompareColumn {
  source: string;
  target: string;
  as?: string;
}

/** A link checked against the catalog: tables exist, columns exist, types line up. */
export interface ResolvedLink {
  config: LinkConfig;
  entity: string;
  source: TableName;
  target: TableName;
  /** Quoted, ready for SQL. */
  sourceSql: string;
  targetSql: string;
  /** The source row's identity (config `key` as a list) and their types. */
  keys: string[];
  keyTypes: string[];
  /**
   * The key column batches walk by (ranges of it cover every row once, unique or not): the first key
   * column that is not a scope column (`id` of `["tenant_id", "id"]`), else the first; on a Citus
   * distributed source, its distribution column.
   */
  walkKey: string;
  /** Types as format_type() spells them (safe to splice as a cast target); keyType is walkKey's. */
  keyType: string;
  /** The walk key's collation when not its type's default (`COLLATE "C"` in an ICU database): see LinkShape. */
  keyCollation?: string;
  fkType: string;
  /** A NOT NULL FK's default (`0`, `''::text`): a value that may stand for "not set", which apply never fills. */
  fkSentinel?: string;
  fkRange?: FkRange /* an integer FK narrower than the key: the values it holds (src/plan/fk-range.ts) */;
  targetKeyType: string;
  /** The master column the FK points at: `target.key`, or the one column of a list that is not a scope column. */
  targetKey: string;
  scopeTypes: string[];
  /** The source name column's type (format_type: char(40), citext, a domain…). */
  nameType: string;
  /** The master name column's type (format_type): a plan's recorded master name is compared as one. */
  targetNameType: string;
  /** The `compare` pairs, each with how its values are read alike (see compareAs); [] without any. */
  compare: CompareColumn[];
  /** Per scope column: its type calls different texts equal (citext, nondeterministic collation) in the source or the target. */
  scopeLoose: boolean[];
  /** The name column of the source or the target calls different texts equal (citext, a nondeterministic collation). */
  nameLoose: boolean;
  /** The master's key is unique alone (not only with the scope): a key found in another scope names the same master there. */
  targetKeyAlone: boolean;
  /** The source's name and scope columns that are generated (stored): a BEFORE trigger (the guard) cannot read them. */
  generatedReads: string[];
  /** The source name column is citext or a domain over it (see LinkShape.nameCitext). */
  nameCitext: boolean;
  /** Column set to now() on update (updated_at when present), with its type. */
  /** The column apply sets to now(); `zoned`: its base type is timestamptz (a domain over one included). */
  touch: { column: string; type: string; zoned: boolean } | null;
  /**
   * The user's row triggers on the source (or a partition) that fire on apply's and undo's UPDATE (of the FK or
   * `touch`): they run their queries inside each batch, and a BEFORE one may set `touch` itself.
   */
  updateTriggers: UpdateTrigger[];
  /** CHECK constraints over the FK or the touched column: apply leaves out the rows they would refuse (sql/apply.ts). */
  fkChecks: FkCheck[];
  /** The source has DEFERRABLE constraints: apply checks them at each statement (SET CONSTRAINTS ALL IMMEDIATE). */
  deferrable: boolean;
  /** The CHECKs over the FK of a source with a BEFORE UPDATE trigger (fkChecks is then empty): where a refused batch's split looks first. */
  fkSuspectChecks: FkCheck[];
  /** A notice: BEFORE UPDATE triggers on the source may set `touch` themselves (undo cannot restore it then); null: none. */
  touchTriggers: string | null;
  /** What the catalog made fk-backfill do differently for this link (e.g. `updated_at` left alone: generated). */
  notices: string[];
  /**
   * Why `key` does not identify one row (no unique index over it, a nullable column), with the key that
   * would; null when it does. Commands that write refuse such a link before anything is written.
   */
  keyProblem: string | null;
  /** The master table's soft-delete or status-like columns when the link has no active predicate, and the warning (also a notice). */
  softDelete: { columns: string[]; warning: string } | null;
  /** Why the link's name column cannot name a master (it is the master's own, on the same table), or null. */
  selfNamed: string | null;
  /**
   * On a Citus coordinator: how each table is held (distributed by a column, reference, local); null on
   * a database without Citus. Statements on a Citus-managed source take the shapes Citus runs (see
   * LinkShape.citus); links Citus could not join co-located are refused here.
   */
  citus: { source: TableKind; target: TableKind } | null;
  /** Source table's oid and target's (for constraint lookups). */
  sourceOid: number;
  targetOid: number;
}

/** Types `SET col = now()` fills with the time of the update (a timestamptz assigned to them). */
const TOUCH_TYPES = new Set(['timestamp with time zone', 'timestamp without time zone', 'date']);

/** Why an UPDATE cannot set this column to a value, or null when it can. */
function unwritable(c: ColumnInfo): string | null {
  if (c.generated !== '') return 'it is a generated column (GENERATED ALWAYS AS … STORED)';
  if (c.identity === 'a') return 'it is an identity column (GENERATED ALWAYS AS IDENTITY)';
  return null;
}

/**
 * Why `keys` does not identify one row of the table, or null when it does: some unique index (not
 * partial, no expression) covers a subset of them and every key column is NOT NULL (a NULL key cannot be
 * found again by `=`, so such a row could be linked but never undone). The message names a key that works.
 */
function keyProblem(info: TableInfo, t: TableName, keys: string[], path: string): string | null {
  const nullable = keys.filter((k) => info.columns.get(k)?.notNull !== true);
  const unique = info.uniques.some((u) => u.every((c) => keys.includes(c)));
  if (unique && nullable.length === 0) return null;
  const usable = info.uniques.find((u) => u.every((c) => info.columns.get(c)?.notNull === true));
  const fix =
    usable === undefined
      ? `; the table has no unique index over NOT NULL columns: add a primary key`
      : `; use "key": ${JSON.stringify(usable.length === 1 ? usable[0] : usable)}`;
  const shown = JSON.stringify(keys.length === 1 ? keys[0] : keys);
  const why = !unique
    ? `no unique index or primary key of ${displayTable(t)} is over ${shown} (${keys.length === 1 ? 'it may repeat' : 'they may repeat'}, e.g. across partitions)`
    : `${displayTable(t)}.${nullable.join(', ')} may be NULL`;
  return `"key": ${shown} does not identify one row: ${why}${fix} (${path})`;
}

/** The same type, two integer types, or varchar and text: what PostgreSQL compares (and an FK constraint allows) as one. */
function comparableTypes(a: string, b: string): boolean {
  const [x, y] = [baseType(a), baseType(b)];
  const texts = (t: string): boolean => t === 'text' || t === 'character varying';
  return x === y || (INTEGER_TYPES.has(x) && INTEGER_TYPES.has(y)) || (texts(x) && texts(y));
}

/** Checks one link against the catalog. `index` is its position in config, for error paths. */
export async function resolveLink(db: Queryable, link: LinkConfig, index: number): Promise<ResolvedLink> {
  const p = `$.links[${index}]`;
  const source = parseTableName(link.table);
  const target = parseTableName(link.target.table);
  const src = await tableInfo(db, source, `${p}.table`);
  const tgt = await tableInfo(db, target, `${p}.target.table`);

  const keys = keyColumns(link.key);
  const keyCols = keys.map((k, i) => column(src, source, k, typeof link.key === 'string' ? `${p}.key` : `${p}.key[${i}]`));
  let walkKey = keys.find((k) => !link.scope.includes(k)) ?? keys[0]!;
  const fk = column(src, source, link.fk, `${p}.fk`);
  const name = column(src, source, link.name, `${p}.name`);
  if (link.document !== undefined) column(src, source, link.document, `${p}.document`);
  if (link.amount !== undefined) {
    // summed by revenue: a text column was accepted here and failed there, exit 1 (a new user's audit)
    const a = column(src, source, link.amount, `${p}.amount`);
    if (!isAmountType(a.baseType))
      throw mismatch(
        `${displayTable(source)}.${link.amount} is ${a.type}: "amount" must be a number column (numeric, integer, real, money)`,
        `${p}.amount`,
      );
  }
  const tkeys = keyColumns(link.target.key);
  tkeys.forEach((k, i) => column(tgt, target, k, typeof link.target.key === 'string' ? `${p}.target.key` : `${p}.target.key[${i}]`));
  // a misspelt scope column is named as such (with its near spelling), not as a target.key that lacks it
  // a scope entry { source, target } names the master's own column (targetScope): the master is read by it
  const tscope = targetScope(link);
  for (const [i, s] of link.scope.entries()) {
    const at = link.targetScope === undefined ? `${p}.scope[${i}]` : `${p}.scope[${i}].source`;
    column(src, source, s, at);
    column(tgt, target, tscope[i]!, link.targetScope === undefined ? at : `${p}.scope[${i}].target`);
  }
  if (link.targetScope !== undefined && src.oid === tgt.oid)
    throw new BackfillError(
      'CONFIG_INVALID',
      `${p}.scope: a link whose documents are its masters (a hierarchy) has one scope column per tenant: name it alike on both sides`,
      { details: { path: `${p}.scope` } },
    );
  const pointed = tkeys.filter((k) => !tscope.includes(k));
  if (pointed.length !== 1) {
    throw new BackfillError(
      'CONFIG_INVALID',
      pointed.length === 0
        ? `target.key ${JSON.stringify(link.target.key)} holds only scope columns (${tkeys.join(', ')}): it must name the column ${link.fk} points at (the master's id), alone or after the scope columns (${p}.target.key)`
        : `target.key ${JSON.stringify(link.target.key)} names ${pointed.length} columns that are not scope columns (${pointed.join(', ')}): ${link.fk} points at one of them; the others belong in "scope" (${p}.target.key)`,
      {
        details: { path: `${p}.target.key` },
      },
    );
  }
  const targetKey = pointed[0]!;
  const tkey = column(tgt, target, targetKey, `${p}.target.key`);
  const tname = column(tgt, target, link.target.name, `${p}.target.name`);
  const compare = (link.compare ?? []).map((c, i) => {
    const sc = column(src, source, c.source, `${p}.compare[${i}].source`);
    const tc = column(tgt, target, c.target, `${p}.compare[${i}].target`);
    const as = compareAs(sc.baseType, tc.baseType);
    if (as === undefined) {
      throw mismatch(
        `${displayTable(source)}.${c.source} is ${sc.type} and ${displayTable(target)}.${c.target} is ${tc.type}: compare columns must be of one kind (text, dates and times, or numbers)`,
        `${p}.compare[${i}]`,
      );
    }
    return as === null ? { source: c.source, target: c.target } : { source: c.source, target: c.target, as };
  });
  if (link.target.number !== undefined) column(tgt, target, link.target.number, `${p}.target.number`);
  const active = activePredicate(link.target.active);
  const statusNotices = [
    ...(await checkActive(db, tgt, target, active, `${p}.target.active`)),
    ...(await checkActive(db, src, source, activePredicate(link.active), `${p}.active`)),
  ];
  // the same type under any domain, two integer types, or varchar and text (an FK constraint allows integer → bigint
  // and varchar → text; a key the FK's type cannot hold is never linked: fkRange)
  if (fk.typeOid !== tkey.typeOid && !comparableTypes(fk.baseType, tkey.baseType)) {
    throw mismatch(
      `${displayTable(source)}.${link.fk} is ${fk.type} but ${displayTable(target)}.${targetKey} is ${tkey.type}${retypeHint(fk.baseType, tkey.type, qualified(source), link.fk)}`,
      `${p}.fk`,
    );
  }
  const fkRange = fkRangeOf(baseType(fk.baseType), baseType(tkey.baseType), fk.baseFull, tkey.baseFull);
  for (const [c, where] of [
    [name, `${p}.name`],
    [tname, `${p}.target.name`],
  ] as const) {
    if (!TEXT_TYPES.has(baseType(c.type)) && !TEXT_TYPES.has(c.baseType))
      throw mismatch(`${c.name} must be a text column, is ${c.type}`, where);
  }
  const scopeTypes: string[] = [];
  const scopeLoose: boolean[] = [];
  link.scope.forEach((s, i) => {
    const a = column(src, source, s, `${p}.scope[${i}]`);
    const b = column(tgt, target, tscope[i]!, `${p}.scope[${i}]`);
    scopeLoose.push(a.loose || b.loose);
    // two integer types, or varchar beside text, are one scope (a tenant int in the documents, bigint in the masters:
    // compared as PostgreSQL compares them; a new user's trial was refused), as for the FK
    if (!comparableTypes(a.type, b.type)) {
      throw mismatch(
        tscope[i] === s
          ? `scope column ${s} is ${a.type} in ${displayTable(source)} but ${b.type} in ${displayTable(target)}`
          : `scope column ${displayTable(source)}.${s} is ${a.type} but ${displayTable(target)}.${tscope[i]!} is ${b.type}`,
        `${p}.scope[${i}]`,
      );
    }
    scopeTypes.push(a.type);
  });
  const fkWhy = unwritable(fk);
  if (fkWhy !== null) {
    throw new BackfillError(
      'SCHEMA_UNWRITABLE_COLUMN',
      `${displayTable(source)}.${link.fk} cannot be written by an UPDATE: ${fkWhy} (${p}.fk)`,
      {
        details: { path: `${p}.fk`, table: displayTable(source), column: link.fk },
      },
    );
  }
  let touch: ResolvedLink['touch'] = null;
  const notices: string[] = statusNotices.map((n) => `${link.entity}: ${n}`);
  // a unique key that may be NULL: its masters without one are never candidates, and their names read as unknown
  if (!tkey.notNull)
    notices.push(
      `${link.entity}: ${displayTable(target)}.${targetKey} may be NULL: a master without a key is never linked (a name only it holds is left unlinked as if no master had it)`,
    );
  if (link.updatedAt !== null) {
    // by default `updated_at`, else `updatedAt` as Prisma, Sequelize and TypeORM name it (a trial's Drizzle schema: its
    // linked rows kept their old "updatedAt", and undo could not tell a row the application wrote since)
    const col = link.updatedAt ?? (src.columns.has('updated_at') || !src.columns.has('updatedAt') ? 'updated_at' : 'updatedAt');
    const c = link.updatedAt !== undefined ? column(src, source, col, `${p}.updatedAt`) : src.columns.get(col);
    if (c !== undefined) {
      const why = unwritable(c) ?? (TOUCH_TYPES.has(c.baseType) ? null : `it is ${c.type}, not a timestamp fk-backfill can set to now()`);
      if (why === null) touch = { column: col, type: c.type, zoned: c.baseType === 'timestamp with time zone' };
      else if (link.updatedAt !== undefined) {
        // named in the config: the user expects it set; say why it cannot be
        throw new BackfillError(
          'SCHEMA_UNWRITABLE_COLUMN',
          `${displayTable(source)}.${col} cannot serve as updatedAt: ${why} (${p}.updatedAt; set "updatedAt": null to leave it alone)`,
          {
            details: { path: `${p}.updatedAt`, table: displayTable(source), column: col },
          },
        );
      } else {
        notices.push(
          `${link.entity}: ${displayTable(source)}.${col} is left alone (${why}); linked rows keep their ${col}. Set "updatedAt" to another column, or null to silence this`,
        );
      }
    }
  }
  // the FK column's own FOREIGN KEY says what its values mean: a link writing another table's keys, or another column's
  // of the target (customers.id where the constraint reads customers.legacy_no), would point every row at the wrong
  // master while verify said OK (a trial)
  for (const c of (await db.query(fkConstraintsOfColumnStatement(src.oid, link.fk, tgt.oid))).rows) {
    if (c.same_table && c.ref_column === targetKey) continue;
    const other = c.same_table ? `${displayTable(target)}.${c.ref_column}` : `${c.ref_table}.${c.ref_column}`;
    throw new BackfillError(
      'SCHEMA_FK_CONFLICT',
      `${displayTable(source)}.${link.fk} already references ${other} (constraint ${c.name}), not ${displayTable(target)}.${targetKey}: its values mean ${other}; point ${p}.target at it${c.same_table ? ` ("key": "${c.ref_column}")` : ''}, or drop the constraint if it is wrong`,
      { details: { path: `${p}.target`, constraint: c.name } },
    );
  }
  const setColumns = [link.fk, ...(touch === null ? [] : [touch.column])];
  const updateTriggers = (await db.query(updateTriggersStatement(src.oid, setColumns, touch?.column ?? null))).rows;
  // a BEFORE UPDATE trigger may change the row before its CHECKs run (set a status with the FK): its rows are then
  // not what a test of the row as apply writes it sees, so those tables keep the split (src/batch/refused.ts)
  // with a BEFORE UPDATE trigger the CHECKs cannot decide before the UPDATE (the trigger may change what they read):
  // they only point the split of a refused batch at the rows they would refuse (fkSuspectChecks, src/batch/refused.ts)
  const checks = (await db.query(fkChecksStatement(src.oid, setColumns))).rows;
  const triggered = updateTriggers.some((g) => g.before);
  const fkChecks = triggered ? [] : checks;
  const deferrable = (await db.query(deferrableConstraintsStatement(src.oid))).rows[0]?.any === true;
  const fkSuspectChecks = triggered ? checks : [];
  let touchTriggers: string | null = null;
  if (touch !== null) {
    // a BEFORE trigger that may set the touched column (one that only refuses posted rows says nothing of it)
    const names = updateTriggers.filter((g) => g.before && g.touches).map((g) => g.name);
    if (names.length > 0) {
      touchTriggers = `${link.entity}: ${displayTable(source)} has BEFORE UPDATE trigger(s) ${names.join(', ')}: one that sets ${touch.column} on every update overrides what apply and undo write there, so after an undo ${touch.column} holds the undo's time, not its old value (every FK is still set back exactly); a trigger that keeps a value the UPDATE sets (IF NEW.${touch.column} IS NOT DISTINCT FROM OLD.${touch.column} THEN …) lets undo restore it`;
      notices.push(touchTriggers);
    }
  }
  const unscoped = unscopedNotice(link, [displayTable(source), src.columns], [displayTable(target), tgt.columns]);
  if (unscoped !== null) notices.push(unscoped);
  const shared = checkSharedMasters(link, tgt, target, targetKey, p);
  if (shared !== null) notices.push(shared);
  const cased = citextMasterNotice(
    link,
    [displayTable(source), link.name, name.baseType],
    [displayTable(target), link.target.name, tname.baseType],
  );
  if (cased !== null) notices.push(cased);
  const signals = activeSignals(link.entity, displayTable(target), tgt.columns, link.target.active, active);
  if (signals.notice !== null) notices.push(signals.notice);
  const own = sourceSoftDeleteNotice(link.entity, displayTable(source), src.columns, link.active);
  if (own !== null && src.oid !== tgt.oid) notices.push(own);
  const softDelete = signals.softDelete;
  for (const c of [...keys, link.fk, link.name]) ident(c);
  const citus = await citusKinds(db, src.oid, tgt.oid);
  // SET CONSTRAINTS ALL IMMEDIATE stays on the coordinator: the shards check a deferred constraint at COMMIT, where a
  // row it refuses fails the whole batch (a review)
  if (deferrable && citus?.source.kind === 'distributed')
    notices.push(
      `${link.entity}: ${displayTable(source)} has DEFERRABLE constraints, which Citus checks on the shards at COMMIT: a row one refuses fails its whole batch and stops the run (resumable) instead of being left out; make them NOT DEFERRABLE, or fix such rows first`,
    );
  if (citus !== null) checkCitusLink(link, source, target, citus, p);
  // a distributed source is walked by its distribution column (whole tenants per batch: see citusTenantBoundStatement)
  if (citus?.source.kind === 'distributed' && keys.includes(citus.source.column)) walkKey = citus.source.column;
  const key = keyCols[keys.indexOf(walkKey)]!;
  return {
    config: link,
    entity: link.entity,
    source,
    target,
    sourceSql: qualified(source),
    targetSql: qualified(target),
    keys,
    keyTypes: keyCols.map((c) => c.type),
    walkKey,
    keyType: key.type,
    ...(key.collation !== null ? { keyCollation: key.collation } : {}),
    fkType: fk.type,
    ...(fk.notNull && fk.default !== null && fk.identity === '' ? { fkSentinel: fk.default } : {}),
    ...(fkRange !== null ? { fkRange } : {}),
    targetKeyType: tkey.type,
    targetKey,
    scopeTypes,
    nameType: name.type,
    targetNameType: tname.type,
    scopeLoose,
    nameLoose: name.loose || tname.loose,
    targetKeyAlone: tgt.uniques.some((u) => u.length === 1 && u[0] === targetKey),
    generatedReads: [link.name, ...link.scope].filter((c) => src.columns.get(c)?.generated !== ''),
    nameCitext: /(^|\.)citext$/.test(name.baseType),
    compare,
    touch,
    updateTriggers,
    fkChecks,
    deferrable,
    fkSuspectChecks,
    touchTriggers,
    notices,
    keyProblem: keyProblem(src, source, keys, `${p}.key`),
    // every row's name is its own master's name: each row would be linked to itself (a parent_id set to the row)
    selfNamed:
      src.oid === tgt.oid && name.name === tname.name
        ? `${link.entity}: ${displayTable(source)}.${link.name} is the master's own name column (the link points at its own table): every row would be linked to itself. A self-reference needs a column naming the other row, e.g. parent_name (${p}.name)`
        : null,
    softDelete,
    citus,
    sourceOid: src.oid,
    targetOid: tgt.oid,
  };
}

/** Resolves the links of `config` (all, or those named in `entities`, in config order). */
export async function resolveLinks(db: Queryable, links: LinkConfig[], entities?: readonly string[]): Promise<ResolvedLink[]> {
  if (entities !== undefined && entities.length > 0) {
    const known = new Set(links.map((l) => l.entity));
    const unknown = entities.filter((e) => !known.has(e));
    if (unknown.length > 0) {
      throw new BackfillError(
        'UNKNOWN_ENTITY',
        `unknown entity ${unknown.map((u) => `"${u}"`).join(', ')}; configured: ${[...known].join(', ')}`,
      );
    }
  }
  const out: ResolvedLink[] = [];
  for (const [i, l] of links.entries()) {
    if (entities !== undefined && entities.length > 0 && !entities.includes(l.entity)) continue;
    out.push(await resolveLink(db, l, i));
  }
  return out;
}
