/**
 * Pure builders for `constrain`: deterministic object names (≤ 63 bytes) and the exact DDL/SQL each
 * step runs. No database here, so `--dry-run` prints exactly what a live run executes.
 */
import { BackfillError } from '../errors.js';
import { createHash } from 'node:crypto';
import { ident } from './quote.js';
import { Params, type Statement, targetScope } from './link.js';

/** PostgreSQL truncates identifiers at 63 bytes (NAMEDATALEN - 1). */
export const MAX_IDENT_BYTES = 63;

export type OnDeleteAction = 'restrict' | 'no action' | 'cascade' | 'set null' | 'set default';

/**
 * `table_col1_col2_suffix`, shortened with a stable hash when longer than 63 bytes, so the same link
 * always gets the same name (re-runs find what an earlier run created) and two long names never collide.
 */
export function objectName(table: string, columns: readonly string[], suffix: string): string {
  const full = [table, ...columns, suffix].join('_');
  if (Buffer.byteLength(full, 'utf8') <= MAX_IDENT_BYTES) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  const tail = `_${hash}_${suffix}`;
  let head = [table, ...columns].join('_');
  // Cut by characters until the UTF-8 byte length fits (never split a multi-byte character).
  while (Buffer.byteLength(head + tail, 'utf8') > MAX_IDENT_BYTES) head = Array.from(head).slice(0, -1).join('');
  return head + tail;
}

/** What a constrain statement needs to know about a link (a subset of the resolved link). */
export interface ConstrainShape {
  sourceSql: string;
  targetSql: string;
  /** Unqualified table names, for object names. */
  sourceTable: string;
  targetTable: string;
  /** Schema of the source/target when the config names one (indexes live in their table's schema). */
  sourceSchema: string | null;
  targetSchema: string | null;
  key: string;
  keyType: string;
  /** The row identity (`key` of the config, one column or several), for the orphan sample; absent: `key`. */
  keys?: string[];
  fk: string;
  targetKey: string;
  scope: string[];
  /** The master's scope columns when it names one otherwise (LinkShape.targetScope); absent: `scope`. */
  targetScope?: string[] | undefined;
}

export interface ConstrainNames {
  foreignKey: string;
  index: string;
  unique: string;
  notNullCheck: string;
}

/**
 * The columns of the FK's index, those the FK's check on a master's delete or key change looks rows up by: the
 * tenant-safe FK's (scope…, fk), a plain FK's (fk) alone (an index on (tenant_id, fk) serves a plain FK's
 * `WHERE fk = $1` only by reading all of it: a new user measured 269 of 271 pages per delete at 300 k rows).
 */
export function fkIndexColumns(s: Pick<ConstrainShape, 'scope' | 'fk'>, tenantSafe: boolean): string[] {
  return tenantSafe && s.scope.length > 0 ? [...s.scope, s.fk] : [s.fk];
}

export function constrainNames(s: ConstrainShape, tenantSafe: boolean): ConstrainNames {
  const fkCols = tenantSafe ? [...s.scope, s.fk] : [s.fk];
  return {
    foreignKey: objectName(s.sourceTable, fkCols, 'fkey'),
    index: objectName(s.sourceTable, fkIndexColumns(s, tenantSafe), 'idx'),
    unique: objectName(s.targetTable, [...targetScope(s), s.targetKey], 'key'),
    notNullCheck: objectName(s.sourceTable, [s.fk], 'not_null'),
  };
}

/** `"schema"."name"` for an index living next to its table. */
export function indexSql(schema: string | null, name: string): string {
  return schema === null ? ident(name) : `${ident(schema)}.${ident(name)}`;
}

/**
 * A partitioned source's index, PostgreSQL's recipe for building it without a long lock: the parent's
 * index `ON ONLY` (no partition indexed, the index invalid), then each partition's own index
 * (CONCURRENTLY) attached to it; the parent's index turns valid when every partition's is attached.
 */
export function createIndexOnOnlySql(s: ConstrainShape, name: string, tenantSafe: boolean): string {
  const cols = fkIndexColumns(s, tenantSafe).map(ident).join(', ');
  return `CREATE INDEX IF NOT EXISTS ${ident(name)} ON ONLY ${s.sourceSql} (${cols})`;
}

export function attachIndexSql(parentIndex: string, childIndex: string): string {
  return `ALTER INDEX ${parentIndex} ATTACH PARTITION ${childIndex}`;
}

/** One batch of the orphan scan: no row, or `last_key` null, when the walk is done; `sample` is json (text on some drivers). */
export interface OrphanBatchRow {
  last_key: string | null;
  scanned: unknown;
  orphans: unknown;
  sample: { key: string; fk: string; scope: string[] }[] | string;
  /** The missing masters the batch's orphans point to, per orphan row: its (scope, FK value), or FK value (NULL: none). */
  missing: string[] | null;
}

/**
 * One batch of the orphan scan: FK values in a range of the walk key that point to no (same-scope)
 * master. The range is (after, the `batch`-th key after it]: every row with a key in it is read, ties
 * included (the walk key need not be unique: `id` of a (tenant_id, id) key, a tenant column), so no row
 * is passed over between batches. `groups` (a Citus distributed source walked by its distribution
 * column): the bound counts `batch` distinct key values instead of rows, a GROUP BY … ORDER BY … LIMIT
 * Citus pushes down whole. One aggregate over a join, no correlated subquery, so Citus runs it on the
 * shards too. Masters are read grouped by what they are joined on, so masters sharing a key (before
 * --tenant-safe's unique index exists) never count a row twice. A row with a NULL scope value belongs to no
 * tenant: under --tenant-safe its FK is an orphan only when no master has the key, as verify counts it
 * (the composite FK, MATCH SIMPLE, checks nothing for such a row). The sample names a row by its whole key
 * (`keys`), as the change log does. `missing`: the master each orphan points to (the FK value, with the scope under
 * --tenant-safe), which the scan counts distinct across batches: seven rows holding one deleted master's key are one
 * missing master, not seven (no DISTINCT aggregate: Citus computes one only grouped by the distribution column).
 */
export function orphanBatchStatement(
  s: ConstrainShape,
  tenantSafe: boolean,
  after: string | null,
  batch: number,
  sampleLimit: number,
  groups = false,
): Statement<OrphanBatchRow> {
  const p = new Params();
  const k = ident(s.key);
  const fk = ident(s.fk);
  const scoped = tenantSafe && s.scope.length > 0;
  const scope = scoped ? s.scope.map(ident) : [];
  // the masters' own scope columns (named otherwise than the documents' where the config maps them)
  const tscope = scoped ? targetScope(s).map(ident) : [];
  const join = scope.map((c, i) => ` AND t.${tscope[i]!} = s.${c}`).join('');
  const scopeCols = s.scope.map((c) => `s.${ident(c)}::text`).join(', ');
  const afterWhere = after === null ? '' : ` AND s.${k} > ${p.add(after)}::${s.keyType}`;
  const orphan = scoped
    ? `s.${fk} IS NOT NULL AND CASE WHEN ${scope.map((c) => `s.${c} IS NULL`).join(' OR ')} THEN o.k IS NULL ELSE t.k IS NULL END`
    : `s.${fk} IS NOT NULL AND t.k IS NULL`;
  const keys = s.keys ?? [s.key];
  const rowKey = keys.length === 1 ? `s.${ident(keys[0]!)}::text` : `ARRAY[${keys.map((c) => `s.${ident(c)}::text`).join(', ')}]::text`;
  const sample = `jsonb_build_object('key', ${rowKey}, 'fk', s.${fk}::text, 'scope', to_jsonb(ARRAY[${scopeCols}]::text[]))`;
  const target = scoped ? `ARRAY[${[...scope.map((c) => `s.${c}::text`), `s.${fk}::text`].join(', ')}]::text` : `s.${fk}::text`;
  const tk = ident(s.targetKey);
  const masters = `(SELECT t.${tk} AS k${tscope.map((c) => `, t.${c}`).join('')} FROM ${s.targetSql} t GROUP BY ${['1', ...scope.map((_, i) => String(i + 2))].join(', ')}) t`;
  // the bound by ORDER BY … DESC LIMIT 1, not max(): uuid has no max() before PostgreSQL 16
  const text = `WITH u AS (
  SELECT x.k AS up
    FROM (SELECT s.${k} AS k
            FROM ${s.sourceSql} s
           WHERE true${afterWhere}${
             groups
               ? `
           GROUP BY s.${k}`
               : ''
           }
           ORDER BY s.${k}
           LIMIT ${p.add(batch)}) x
   ORDER BY x.k DESC
   LIMIT 1
)
SELECT u.up::text AS last_key,
       count(*)::int8 AS scanned,
       count(*) FILTER (WHERE ${orphan})::int8 AS orphans,
       coalesce(to_jsonb((array_agg(${sample}) FILTER (WHERE ${orphan}))[1:${p.add(sampleLimit)}::int]), '[]'::jsonb) AS sample,
       array_agg(${target}) FILTER (WHERE ${orphan}) AS missing
  FROM u
  JOIN ${s.sourceSql} s ON s.${k} <= u.up${afterWhere}
  LEFT JOIN ${masters} ON t.k = s.${fk}${join}${
    scoped
      ? `
  LEFT JOIN (SELECT DISTINCT t.${tk} AS k FROM ${s.targetSql} t) o ON o.k = s.${fk}`
      : ''
  }
 GROUP BY u.up`;
  return { text, values: p.values };
}

/** NULL FKs left (for --not-null). */
export function nullCountStatement(s: ConstrainShape): Statement<{ n: unknown }> {
  return { text: `SELECT count(*)::int8 AS n FROM ${s.sourceSql} WHERE ${ident(s.fk)} IS NULL`, values: [] };
}

export function createIndexSql(s: ConstrainShape, name: string, concurrently: boolean, tenantSafe: boolean): string {
  const cols = fkIndexColumns(s, tenantSafe).map(ident).join(', ');
  return `CREATE INDEX${concurrently ? ' CONCURRENTLY' : ''} ${ident(name)} ON ${s.sourceSql} (${cols})`;
}

/** Drops an index named by the catalog (`indexrelid::regclass::text`, already quoted and qualified as needed). */
export function dropIndexSql(regclassText: string, concurrently: boolean): string {
  return `DROP INDEX${concurrently ? ' CONCURRENTLY' : ''} IF EXISTS ${regclassText}`;
}

export function createUniqueIndexSql(s: ConstrainShape, name: string, concurrently: boolean): string {
  const cols = [...targetScope(s), s.targetKey].map(ident).join(', ');
  return `CREATE UNIQUE INDEX${concurrently ? ' CONCURRENTLY' : ''} ${ident(name)} ON ${s.targetSql} (${cols})`;
}

/** The first server version (server_version_num) whose ON DELETE SET NULL / SET DEFAULT takes a column list. */
export const SET_ACTION_COLUMNS_VERSION = 150000;

/**
 * A tenant-safe (composite) FK whose ON DELETE sets columns: without a column list, deleting a master
 * would set the scope columns too (NULL, or their default: the document would leave its tenant, or the
 * delete fails on a NOT NULL tenant column). It names the FK column alone, which needs PostgreSQL 15.
 */
export function setsColumns(tenantSafe: boolean, onDelete: OnDeleteAction): boolean {
  return tenantSafe && (onDelete === 'set null' || onDelete === 'set default');
}

/**
 * The FK, NOT VALID by default (brief lock, no scan; VALIDATE scans later under a weaker lock).
 * `notValid: false` on a partitioned parent whose partitions all hold a validated copy: PostgreSQL 15
 * refuses NOT VALID there, and adopts the partitions' constraints instead of scanning them again.
 * Tenant-safe with SET NULL / SET DEFAULT: `ON DELETE SET NULL (fk)`, only the FK column is set
 * (PostgreSQL 15+; constrain refuses an older server first, see setsColumns).
 */
export function addForeignKeySql(s: ConstrainShape, name: string, tenantSafe: boolean, onDelete: OnDeleteAction, notValid = true): string {
  const from = (tenantSafe ? [...s.scope, s.fk] : [s.fk]).map(ident).join(', ');
  const to = (tenantSafe ? [...targetScope(s), s.targetKey] : [s.targetKey]).map(ident).join(', ');
  const only = setsColumns(tenantSafe, onDelete) ? ` (${ident(s.fk)})` : '';
  return `ALTER TABLE ${s.sourceSql} ADD CONSTRAINT ${ident(name)} FOREIGN KEY (${from}) REFERENCES ${s.targetSql} (${to}) ON DELETE ${onDelete.toUpperCase()}${only}${notValid ? ' NOT VALID' : ''}`;
}

/** The server's version as a number (150004 for 15.4). */
export function serverVersionStatement(): Statement<{ v: number }> {
  return { text: `SELECT current_setting('server_version_num')::int AS v`, values: [] };
}

export function validateConstraintSql(s: ConstrainShape, name: string): string {
  return `ALTER TABLE ${s.sourceSql} VALIDATE CONSTRAINT ${ident(name)}`;
}

export function addNotNullCheckSql(s: ConstrainShape, name: string): string {
  return `ALTER TABLE ${s.sourceSql} ADD CONSTRAINT ${ident(name)} CHECK (${ident(s.fk)} IS NOT NULL) NOT VALID`;
}

export function setNotNullSql(s: ConstrainShape): string {
  return `ALTER TABLE ${s.sourceSql} ALTER COLUMN ${ident(s.fk)} SET NOT NULL`;
}

/** What `undo` tells the user to run first when `constrain --not-null` made the FK NOT NULL (undo writes NULLs back). */
export function dropNotNullSql(s: Pick<ConstrainShape, 'sourceSql' | 'fk'>): string {
  return `ALTER TABLE ${s.sourceSql} ALTER COLUMN ${ident(s.fk)} DROP NOT NULL`;
}

/**
 * What plan and status tell the user to run where a NOT NULL FK's default (`0`, `''`) stands in for "not set":
 * apply fills NULL FKs only, so those rows are never linked until they hold NULL (`value`: the default as the catalog
 * prints it, an expression of the user's own schema).
 */
export function sentinelToNullSql(s: Pick<ConstrainShape, 'sourceSql' | 'fk'>, value: string): string {
  const fk = ident(s.fk);
  return `ALTER TABLE ${s.sourceSql} ALTER COLUMN ${fk} DROP NOT NULL, ALTER COLUMN ${fk} DROP DEFAULT; UPDATE ${s.sourceSql} SET ${fk} = NULL WHERE ${fk} = ${value}`;
}

export function dropConstraintSql(s: ConstrainShape, name: string): string {
  return `ALTER TABLE ${s.sourceSql} DROP CONSTRAINT IF EXISTS ${ident(name)}`;
}

/** A lock_timeout value in milliseconds, as PostgreSQL reads it (a bare number: ms). USAGE for a malformed one. */
export function durationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|min)?$/.exec(value);
  if (m === null) throw new BackfillError('USAGE', `--lock-timeout must look like 5s, 500ms or 1min (got ${JSON.stringify(value)})`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'min' ? 60_000 : 1);
}

/** `SET LOCAL lock_timeout` takes no parameters; the value is checked to be a plain duration first (durationMs). */
export function lockTimeoutSql(value: string, local: boolean): string {
  durationMs(value);
  return `SET${local ? ' LOCAL' : ''} lock_timeout = '${value.replace(/\s+/g, '')}'`;
}

/** Catalog: indexes of a table with their key columns (in order), validity, uniqueness, partiality. */
export const INDEXES_SQL = `SELECT i.indexrelid::regclass::text AS qualified_name, c.relname::text AS name, i.indisvalid AS valid, i.indisunique AS is_unique,
       i.indpred IS NOT NULL AS partial,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
              WHERE k.o <= i.indnkeyatts ORDER BY k.o) AS columns,
       0 = ANY (i.indkey::int2[]) AS has_expression
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = $1::oid
 ORDER BY c.relname`;

export interface IndexRow {
  qualified_name: string;
  name: string;
  valid: boolean;
  is_unique: boolean;
  partial: boolean;
  columns: string[];
  has_expression: boolean;
}

export function indexesStatement(tableOid: number): Statement<IndexRow> {
  return { text: INDEXES_SQL, values: [tableOid] };
}

/**
 * Catalog: FK constraints from one table to another, with columns on both sides. `set_columns` reads confdelsetcols through to_jsonb, so the
 * same text runs on PostgreSQL before 15, which has no such column (no columns: an empty array).
 */
export const FOREIGN_KEYS_SQL = `SELECT c.conname::text AS name, c.convalidated AS validated, c.confdeltype::text AS deltype,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_columns,
       ARRAY(SELECT a.attname::text FROM jsonb_path_query(to_jsonb(c), '$.confdelsetcols[*] ? (@.type() == "number")') WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n::int2 ORDER BY k.o) AS set_columns
  FROM pg_constraint c
 WHERE c.contype = 'f' AND c.conrelid = $1::oid AND c.confrelid = $2::oid
 ORDER BY c.conname`;

export interface FkRow {
  name: string;
  validated: boolean;
  deltype: string;
  columns: string[];
  ref_columns: string[];
  /** ON DELETE SET NULL / SET DEFAULT (col, …): the columns it sets; empty: all of `columns` (or another action). */
  set_columns: string[];
}

export function foreignKeysStatement(sourceOid: number, targetOid: number): Statement<FkRow> {
  return { text: FOREIGN_KEYS_SQL, values: [sourceOid, targetOid] };
}

/** Catalog: a table's relkind, and its direct partitions (none for a plain table). */
export const PARTITIONS_SQL = `SELECT c.oid::int8 AS oid, c.relkind::text AS relkind, n.nspname::text AS schema, c.relname::text AS name
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE i.inhparent = $1::oid
 ORDER BY c.relname`;

export function partitionsStatement(tableOid: number): Statement<{ oid: unknown; relkind: string; schema: string; name: string }> {
  return { text: PARTITIONS_SQL, values: [tableOid] };
}

export const RELKIND_SQL = `SELECT c.relkind::text AS relkind FROM pg_class c WHERE c.oid = $1::oid`;

export function relkindStatement(tableOid: number): Statement<{ relkind: string }> {
  return { text: RELKIND_SQL, values: [tableOid] };
}

/** Catalog: the tables (oids) whose index is attached to a partitioned index (given by name, regclass text). */
export const ATTACHED_INDEXES_SQL = `SELECT x.indrelid::int8 AS table_oid FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid WHERE i.inhparent = to_regclass($1)`;

export function attachedIndexesStatement(parentIndex: string): Statement<{ table_oid: unknown }> {
  return { text: ATTACHED_INDEXES_SQL, values: [parentIndex] };
}

/** Catalog: a named constraint of a table (CHECK or otherwise). */
export const CONSTRAINT_BY_NAME_SQL = `SELECT c.conname::text AS name, c.contype::text AS type, c.convalidated AS validated
  FROM pg_constraint c WHERE c.conrelid = $1::oid AND c.conname = $2`;

export function constraintByNameStatement(tableOid: number, name: string): Statement<{ name: string; type: string; validated: boolean }> {
  return { text: CONSTRAINT_BY_NAME_SQL, values: [tableOid, name] };
}

/** Catalog: is the column NOT NULL already. */
export const COLUMN_NOT_NULL_SQL = `SELECT a.attnotnull AS not_null FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attname = $2 AND NOT a.attisdropped`;

export function columnNotNullStatement(tableOid: number, column: string): Statement<{ not_null: boolean }> {
  return { text: COLUMN_NOT_NULL_SQL, values: [tableOid, column] };
}

/** Rows per distinct walk key of a source (a Citus distributed source is walked by whole distribution values). */
export function rowsPerKeyStatement(sourceSql: string, key: string): Statement<{ r: unknown }> {
  return { text: `SELECT count(*)::float8 / greatest(count(DISTINCT s.${ident(key)}), 1) AS r FROM ${sourceSql} s`, values: [] };
}

/**
 * Rows of a link with shared masters (target.shared) whose FK names a master of no scope: a composite FK (scope, fk) →
 * master (scope, key) cannot hold for them (their scope is set, the master's is NULL), so `--tenant-safe` is refused.
 */
export function sharedLinkedStatement(s: {
  sourceSql: string;
  targetSql: string;
  fk: string;
  targetKey: string;
  scope: readonly string[];
  targetScope?: readonly string[] | undefined;
}): Statement<{ n: unknown }> {
  const shared = targetScope(s)
    .map((c) => `t.${ident(c)} IS NULL`)
    .join(' AND ');
  return {
    text: `SELECT count(*)::int8 AS n
  FROM ${s.sourceSql} s
  JOIN ${s.targetSql} t ON t.${ident(s.targetKey)} = s.${ident(s.fk)}
 WHERE ${shared}`,
    values: [],
  };
}
