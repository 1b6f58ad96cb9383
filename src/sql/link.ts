/**
 * The shared vocabulary of every statement builder: the link shape a statement needs, scope filters,
 * parameters, and the SQL fragments that name a row, a scope or an entry the same way everywhere.
 * Pure: builders return `{ text, values }` and touch no database, so the exact SQL is unit-tested and the
 * same statement runs on every adapter; identifiers are quoted with `ident`, values are always parameters.
 */
import { activeAnd, activeExpr, type ActivePredicate } from './active.js';
import { ident } from './quote.js';
import type { FkRange } from '../plan/fk-range.js';

export type { Statement } from './statement.js';

/** The columns of a link a statement needs (a subset of ResolvedLink, so this layer stays pure). */
export interface LinkShape {
  sourceSql: string;
  targetSql: string;
  /** The key column batches walk by (one column of `keys`; its ranges cover every row once). */
  key: string;
  /**
   * The row identity: the columns of the link's `key` (unique together, NOT NULL; checked by the
   * catalog). Absent: `[key]`. The change log stores it as text (see rowKeyText).
   */
  keys?: string[] | undefined;
  /** Types of `keys` (format_type), in order. */
  keyTypes?: string[] | undefined;
  fk: string;
  name: string;
  /**
   * On a Citus database, how Citus holds the source: statements on it take shapes Citus plans and
   * pushes down to the shards (no ctid, no OFFSET fences, no correlated subqueries, only immutable
   * expressions in RETURNING; see citusApplyBatchStatement). Absent: a database without Citus.
   */
  citus?: 'distributed' | 'reference' | 'local' | undefined;
  document?: string | undefined;
  amount?: string | undefined;
  /** Columns weighed beside the name by the fuzzy matcher: source column, master column (config `compare`). */
  compare?: { source: string; target: string; as?: string }[] | undefined;
  targetKey: string;
  /**
   * The master's key is unique alone: a planned master's key found in another scope only is that master moved there.
   * False or absent: keys repeat across scopes ((tenant_id, id)), and a master not found in its scope is deleted.
   */
  targetKeyAlone?: boolean | undefined;
  targetName: string;
  /**
   * The source is the master table itself (a hierarchy: parent_id from parent_name): a row is never linked to
   * itself (a row naming itself as its parent is skipped, reason `selfReference`). Absent: false.
   */
  selfTable?: boolean | undefined;
  /** Which masters may be linked (see sql/active.ts); absent: all. */
  active?: ActivePredicate | undefined;
  /**
   * Which source rows count (config `active` of the link: the same predicate, on the documents): a row not active is
   * neither planned nor linked (apply rechecks it at write time) and is counted apart. Absent: every row.
   */
  sourceActive?: ActivePredicate | undefined;
  scope: string[];
  /**
   * The master's scope columns, in the order of `scope`, when the master names one otherwise (config `scope` entry
   * `{ "source": "org_id", "target": "organization_id" }`). Absent: the same names as `scope`. Fragments on a master
   * alias name these (onMaster, masterScopeJoin and their kin); the scope values themselves are the documents'.
   */
  targetScope?: string[] | undefined;
  /**
   * `target.shared` is "null-scope": a master whose scope columns are all NULL is shared by every scope, a candidate for
   * the documents of each (masterScopeJoin and its kin). Absent: such a master belongs to no scope and is never linked.
   */
  sharedMasters?: boolean | undefined;
  fkType: string;
  /** An integer FK narrower than the master's key: the values it holds (keys outside are never written). */
  fkRange?: FkRange | undefined;
  keyType: string;
  /**
   * The walk key's collation when it is not its type's default (a text key `COLLATE "C"` in an ICU database): the key
   * ladder and any list of keys ordered outside the source take it, or their order is not the source's (walk.ts).
   */
  keyCollation?: string | undefined;
  /** `zoned`: a timestamptz (or a domain over one); a type without a zone took now() in the writing session's TimeZone. */
  /** `byTrigger`: a BEFORE UPDATE trigger of the table may set the column itself (undo cannot tell an edit by it). */
  touch: { column: string; type: string; zoned?: boolean; byTrigger?: boolean } | null;
  /** CHECK constraints of the source over the FK or the touched column (name, expression as printed): see applyBatchStatement. */
  fkChecks?: { name: string; expr: string }[] | undefined;
  /**
   * A source with a BEFORE UPDATE trigger: its CHECKs over the FK, not read before the UPDATE (the trigger may change
   * what they read) but used to order a refused batch's rows, those they would refuse last (batchRowsStatement).
   */
  fkSuspectChecks?: { name: string; expr: string }[] | undefined;
  /**
   * The source name column's type as format_type spells it (char(40), citext, a domain…). Plan entries
   * store names as text; every comparison of an entry with a row casts the entry back to this type, so
   * it compares as the plan's GROUP BY on the column did (char padding, citext, collations). Absent: text.
   */
  nameType?: string | undefined;
  /**
   * Per scope column: true when its type calls different texts equal (citext, a nondeterministic
   * collation). Such scope values are compared by their text form under "C" everywhere (textForm,
   * scopeEq: plan's grouping and scope keys, its match against masters, apply, verify, the tenant
   * filter), as the normalised and fuzzy plans compare them in memory: never a link across scope values
   * that are spelled differently. Absent: none.
   */
  scopeLoose?: boolean[] | undefined;
  /** The name column (source or target) calls different texts equal (citext, nondeterministic collation). Absent: unknown. */
  nameLoose?: boolean | undefined;
  /**
   * The source name column is citext (or a domain over it). Its GROUP BY calls 'ACME' and 'Acme' one name, but
   * citext = text is text's equality: a master name of another type is cast to the source name type wherever the
   * two are compared (masterNameAsSource), so a name matches a master as its own column would. Absent: false.
   */
  nameCitext?: boolean | undefined;
  /**
   * The master name column's type (format_type). A plan records each linked entry's master name as
   * text (`target_name`); apply compares it cast back to this type with the master's name, so a master
   * renamed since the plan is skipped, and char padding or citext read back compare as the column does.
   * Absent: text.
   */
  targetNameType?: string | undefined;
}

/**
 * True while the master `t` still has the name the plan recorded in `entry`.target_name (its decision
 * rested on it); an entry without one (a plan made before names were recorded) is not checked. `typed`:
 * the entry's column is already of the master name's type (the apply lookup table).
 *
 * A CASE, not `=`: the planner estimates an equality of the two names as one more independent join
 * condition (1 / distinct names) on top of the key's, so the entries that meet their masters looked
 * like one row and it looped over the source once per entry. A CASE is estimated at one half at most.
 */
export function sameMasterName(link: LinkShape, t: string, entry: string, typed = false): string {
  const rec =
    typed || link.targetNameType === undefined || link.targetNameType === 'text'
      ? `${entry}.target_name`
      : `${entry}.target_name::${link.targetNameType}`;
  return `CASE WHEN ${entry}.target_name IS NULL THEN true ELSE ${t}.${ident(link.targetName)} = ${rec} END`;
}

export function idCols(link: LinkShape): { col: string; type: string }[] {
  const keys = link.keys ?? [link.key];
  return keys.map((col, i) => ({ col, type: link.keyTypes?.[i] ?? (col === link.key ? link.keyType : 'text') }));
}

/**
 * A row's identity as the change log stores it: the key's text form, or for a composite key the text
 * form of the array of its columns' text forms (`{7,2026-01-31}`), which rowKeyMatch takes apart again.
 */
export function rowKeyText(alias: string, link: LinkShape): string {
  const cols = idCols(link);
  if (cols.length === 1) return keyPartText(`${alias}.${ident(cols[0]!.col)}`, cols[0]!.type);
  return `ARRAY[${cols.map((c) => keyPartText(`${alias}.${ident(c.col)}`, c.type)).join(', ')}]::text`;
}

/** Key column types whose `::text` follows the session's DateStyle (a partitioned table's (id, bill_date) key). */
const DATESTYLED = /^(date|time|timestamp)\b/;

/**
 * One key column's text form in the change log: `::text`, but ISO 8601 (jsonb's form) for a date or time, which
 * `::text` writes in the session's DateStyle: written under `SQL, DMY` as 05/03/2024, it was read back by an undo
 * under `ISO, MDY` as 3 May (or refused, for a day above 12), and the row was skipped as no longer found.
 */
function keyPartText(expr: string, type: string): string {
  return DATESTYLED.test(type) ? touchedText(expr) : `${expr}::text`;
}

/** `alias` is the row whose identity is the text `expr` (a change log row_key): typed equalities, index-usable. */
export function rowKeyMatch(alias: string, link: LinkShape, expr: string): string {
  const cols = idCols(link);
  if (cols.length === 1) return `${alias}.${ident(cols[0]!.col)} = ${expr}::${cols[0]!.type}`;
  return cols.map((c, i) => `${alias}.${ident(c.col)} = (${expr}::text[])[${i + 1}]::${c.type}`).join(' AND ');
}

export function loose(link: LinkShape, i: number): boolean {
  return link.scopeLoose?.[i] === true;
}

/**
 * A value's text form under a deterministic collation. `::text` alone keeps a column's collation, and under
 * a nondeterministic one ('und-u-ks-level2') 't1'::text = 'T1'::text is still true: a loose scope value is
 * compared, grouped and stored by this form (test/db/collation-scope.test.ts).
 */
export function textForm(expr: string): string {
  return `${expr}::text COLLATE "C"`;
}

/**
 * `a = b` for scope column i: a loose column by its text form alone, which implies its own equality (equal
 * bytes are equal in citext and in every collation) and, unlike the typed `=`, needs no common collation
 * of the two sides (a grouped text form, a stored scope key, a column of another collation).
 */
export function scopeEq(link: LinkShape, i: number, a: string, b: string): string {
  return loose(link, i) ? `${textForm(a)} = ${textForm(b)}` : `${a} = ${b}`;
}

/** A master's name expression compared with a document name as the source name column compares (see LinkShape.nameCitext). */
export function masterNameAsSource(link: LinkShape, expr: string): string {
  return link.nameCitext === true && link.nameType !== undefined ? `${expr}::${link.nameType}` : expr;
}

/**
 * The spelling a plan records for a group of names its GROUP BY on a loose name column made one (citext: 'ACME' and
 * 'Acme'): the least text under "C", so the same rows give the same entry whatever order they are read in.
 */
export function groupSpelling(link: LinkShape, expr: string): string {
  return link.nameLoose === true ? `min(${textForm(expr)})` : expr;
}

/**
 * A name folded to its letters and digits, lower-cased: how a normalised or fuzzy link's namesakes are told (`ACME
 * Industries` = `Acme Industries`), by apply's check of a stored plan and by drift. A name of no letter or digit is
 * compared as written (it folded to nothing: `&` and `%` were namesakes, and a plan linking `&` was refused as stale;
 * the property test found it). Under the database's default collation: a nondeterministic one (case-insensitive ICU)
 * takes no regular expression. The pattern is bound once per statement (`foldPattern`).
 */
export function foldedName(expr: string, pattern: string): string {
  const text = `${expr}::text COLLATE "default"`;
  return `coalesce(nullif(lower(regexp_replace(${text}, ${pattern}, '', 'g')), ''), ${text})`;
}

/** What foldedName removes: every run of characters that are neither letters nor digits. */
export const FOLD_PATTERN = '[^[:alnum:]]+';

/** `e.source_name` as a value of the source name column's type (see LinkShape.nameType). */
export function entryName(link: LinkShape, entry: string): string {
  return link.nameType === undefined || link.nameType === 'text' ? `${entry}.source_name` : `${entry}.source_name::${link.nameType}`;
}

/** The master's scope columns (`targetScope`, else the documents' names) of a link's shape or config. */
export function targetScope(link: { scope: readonly string[]; targetScope?: readonly string[] | undefined }): string[] {
  return [...(link.targetScope ?? link.scope)];
}

/**
 * The link as seen from its master table: `scope` names the master's columns. Every fragment that takes one alias
 * (scopeWhere, scopeKeyExpr, entryScopeJoin…) is given this when its alias is a master, so a master whose tenant column
 * is named otherwise (`organization_id` beside the documents' `org_id`) is read by its own column. Idempotent.
 */
export function onMaster<L extends LinkShape>(link: L): L {
  return link.targetScope === undefined ? link : { ...link, scope: link.targetScope };
}

/** Which scope values a statement may touch: one tenant (first scope column) or all. */
export interface ScopeFilter {
  tenant: string | null;
}

export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export const OWN = 'fk_backfill';

/**
 * `AND s."tenant_id" = $n` when a tenant is chosen and the link is scoped; else nothing. A loose scope
 * column selects the tenant's own spelling only (`--tenant t1` is not 'T1', another scope everywhere
 * else): its text form too, the typed `=` kept for an index on the column.
 */
export function scopeWhere(alias: string, link: LinkShape, f: ScopeFilter, p: Params): string {
  const first = link.scope[0];
  if (f.tenant === null || first === undefined) return '';
  const v = p.add(f.tenant);
  return ` AND ${alias}.${ident(first)} = ${v}${loose(link, 0) ? ` AND ${textForm(`${alias}.${ident(first)}`)} = ${v}::text` : ''}`;
}

/**
 * `ARRAY[s."a"::text, s."b"::text]::text[]`: the scope values of a row, as stored in plan_entries; a loose
 * column's by its text form (`COLLATE "C"`), so grouping by or comparing the array keeps its spellings apart.
 */
export function scopeKeyExpr(alias: string, link: LinkShape): string {
  return `ARRAY[${link.scope.map((c, i) => (loose(link, i) ? textForm(`${alias}.${ident(c)}`) : `${alias}.${ident(c)}::text`)).join(', ')}]::text[]`;
}

/**
 * Same-scope join condition between two aliases (a loose scope column by its text form: scopeEq). `master`: which of
 * the two is a master (or a derived table of its columns), named by the master's scope columns (targetScope); the
 * other by the documents'. Absent: both named as the documents' (or pass onMaster(link) when both are masters).
 */
export function scopeJoin(a: string, b: string, link: LinkShape, master?: 'a' | 'b'): string {
  const ac = master === 'a' ? targetScope(link) : link.scope;
  const bc = master === 'b' ? targetScope(link) : link.scope;
  return link.scope.map((_, i) => ` AND ${scopeEq(link, i, `${a}.${ident(ac[i]!)}`, `${b}.${ident(bc[i]!)}`)}`).join('');
}

/** `t`'s scope columns all NULL: a master shared by every scope (only meaningful with `sharedMasters`). */
export function sharedMaster(t: string, link: LinkShape): string {
  return targetScope(link)
    .map((c) => `${t}.${ident(c)} IS NULL`)
    .join(' AND ');
}

/**
 * ` AND (<same> OR <t shared>)` with shared masters, else ` AND <same>` (same: conditions each led by ` AND `). `row`:
 * the scope columns of the row the master is for (`alias.col`, or an entry's `fkb_scope_N`), which must all be set: a
 * row of no tenant is never linked, a shared master neither.
 */
export function orShared(t: string, link: LinkShape, same: string, row?: (c: string, i: number) => string): string {
  if (link.sharedMasters !== true || link.scope.length === 0 || same === '') return same;
  const set = row === undefined ? '' : link.scope.map((c, i) => ` AND ${row(c, i)} IS NOT NULL`).join('');
  return ` AND ((${same.replace(/^ AND /, '')}) OR (${sharedMaster(t, link)}${set}))`;
}

/** The master `t` is in the scope of row `b`: scopeJoin, or with shared masters also a master of no scope (sharedMasters). */
export function masterScopeJoin(t: string, b: string, link: LinkShape): string {
  return orShared(t, link, scopeJoin(t, b, link, 'a'), (c) => `${b}.${ident(c)}`);
}

/** The master `t` is in the scope of a lookup entry (entryScopeJoin), or shared (sharedMasters). */
export function masterEntryScopeJoin(t: string, link: LinkShape, entry: string): string {
  return orShared(t, link, entryScopeJoin(t, onMaster(link), entry), (_, i) => `${entry}.fkb_scope_${i + 1}`);
}

/** `--tenant`'s filter on masters (scopeWhere on the master's column), which lets shared masters through (sharedMasters). */
export function masterScopeWhere(t: string, link: LinkShape, f: ScopeFilter, p: Params): string {
  return orShared(t, link, scopeWhere(t, onMaster(link), f, p));
}

/** `<t's scope key> = key` (a text[] of scope values, as plan entries store it), or `t` shared (sharedMasters). */
export function masterScopeKeyEq(t: string, link: LinkShape, key: string, keyFirst = false): string {
  const tk = scopeKeyExpr(t, onMaster(link));
  const eq = keyFirst ? `${key} = ${tk}` : `${tk} = ${key}`;
  return link.sharedMasters === true && link.scope.length > 0 ? `(${eq} OR ${sharedMaster(t, link)})` : eq;
}

/** ` AND <alias's master is active>` (the link's active predicate), or nothing. */
export function activeWhere(alias: string, link: LinkShape): string {
  return activeAnd(alias, link.active);
}

/** ` AND <alias's source row is active>` (the link's own `active`: soft-deleted documents left out), or nothing. */
export function sourceActiveWhere(alias: string, link: LinkShape): string {
  return activeAnd(alias, link.sourceActive);
}

/**
 * `, count(…) AS not_active, count(fk) AS linked`: NULL-FK source rows the link's own `active` leaves out, and the rows
 * linked, each counted by its own filter (so linked + NULL FKs of active rows + not active = total is a check of the
 * predicate, never NULL itself, not an identity); nothing without one.
 */
export function notActiveCount(alias: string, link: LinkShape): string {
  if (link.sourceActive === undefined) return '';
  const fk = `${alias}.${ident(link.fk)}`;
  return `,\n       count(*) FILTER (WHERE ${fk} IS NULL AND NOT ${activeExpr(alias, link.sourceActive)})::int8 AS not_active, count(${fk})::int8 AS linked`;
}

/**
 * Types whose values compare with `=` as the same value (so `IS NOT DISTINCT FROM` on the typed column is
 * a safe "unchanged" test); any other touched column is compared by its text form.
 */
const PLAIN_EQ = /^(timestamp|date|time|smallint|integer|bigint|numeric|real|double precision|text|character varying|uuid|boolean)\b/;

/** The column a read row's i-th key part is read as (rowRead): fkb_key, fkb_key_2, … */
export const readKey = (i: number): string => `fkb_key${i === 0 ? '' : `_${i + 1}`}`;

/** The link with its key named as a read row holds it (rowRead's columns), for rowKeyText over that row. */
export function readKeyShape<L extends LinkShape>(link: L): L {
  return { ...link, keys: idCols(link).map((_, i) => readKey(i)) };
}

/**
 * What an apply statement reads of each row it is about to change, under the aliases `rowRecheck`
 * compares: its ctid, key, name, scope values and touched value (updated_at, for the change log).
 */
export function rowRead(alias: string, link: LinkShape, withTid = true): string {
  return [
    ...(withTid ? [`${alias}.ctid AS fkb_tid`] : []),
    ...idCols(link).map((c, i) => `${alias}.${ident(c.col)} AS ${readKey(i)}`),
    `${alias}.${ident(link.name)} AS fkb_name`,
    ...link.scope.map((c, i) => `${alias}.${ident(c)} AS fkb_scope_${i + 1}`),
    ...(link.touch === null ? [] : [`${alias}.${ident(link.touch.column)} AS fkb_touched`]),
  ].join(', ');
}

/**
 * The UPDATE's join back to the row `rowRead` read (alias `x`): by ctid (a Tid Scan, one buffer lookup
 * per row) and key, and every value the plan and the change log rely on compared again: FK still NULL,
 * name, scope, touched value. A row updated concurrently is re-evaluated by PostgreSQL on its newest
 * version (EvalPlanQual), where a new ctid already fails the join; these comparisons do not depend on
 * how a given server version and plan re-test the ctid there (a Tid Scan's recheck, a hash join's
 * clauses): a concurrent rename, re-scoping or updated_at is never overwritten or logged stale, and a row the
 * application soft-deleted (the link's own `active`) is not linked.
 */
export function rowRecheck(link: LinkShape, x: string, byTid = true): string {
  const touch = link.touch;
  const tc = touch === null ? '' : ident(touch.column);
  const touched =
    touch === null
      ? ''
      : PLAIN_EQ.test(touch.type)
        ? ` AND s.${tc} IS NOT DISTINCT FROM ${x}.fkb_touched`
        : ` AND s.${tc}::text IS NOT DISTINCT FROM ${x}.fkb_touched::text`;
  const conds = [
    ...(byTid ? [`s.ctid = ${x}.fkb_tid`] : []),
    ...idCols(link).map((c, i) => `s.${ident(c.col)} = ${x}.${readKey(i)}`),
    `s.${ident(link.fk)} IS NULL`,
    `s.${ident(link.name)} = ${x}.fkb_name`,
  ];
  // the document still active when written (soft-deleted by the application since the plan or the read: left NULL)
  return `${conds.join(' AND ')}${entryScopeJoin('s', link, x)}${touched}${sourceActiveWhere('s', link)}`;
}

/** ` AND alias."scope col" = entry.fkb_scope_N` for every scope column: a row or master against a lookup-table entry (or a row read as one). */
export function entryScopeJoin(alias: string, link: LinkShape, entry: string): string {
  return link.scope.map((c, i) => ` AND ${scopeEq(link, i, `${alias}.${ident(c)}`, `${entry}.fkb_scope_${i + 1}`)}`).join('');
}

/** The change log's old touched value of a row read by `rowRead`. */
export function touchedOld(link: LinkShape, x: string): string {
  return link.touch === null ? 'NULL::text' : touchedText(`${x}.fkb_touched`);
}

/**
 * A touched value (updated_at) as the change log stores it: ISO 8601 as jsonb writes dates and times whatever the
 * session's DateStyle, so an undo in a session with another DateStyle (SQL, DMY) reads it back as the same instant.
 */
export function touchedText(expr: string): string {
  return `(to_jsonb(${expr}) #>> '{}')`;
}

/**
 * An apply / undo statement's change-set INSERT as a second data-modifying CTE, and its result: one row,
 * \`changed\`, the rows of \`upd\` (counted from the CTE, not by \`cardinality()\` of the stored array, which
 * read back and decompressed the whole array of every batch).
 */
export function withChangedCount(insert: string, kept?: { written: string; row?: string }): string {
  const head = `, ins AS (
${insert}
RETURNING 1
)
`;
  if (kept === undefined) return `${head}SELECT (SELECT count(*) FROM upd)::int8 AS changed`;
  // only the rows of \`upd\` that are \`written\` count; the others (a row whose FK a trigger kept as it was) are returned
  // as \`kept\`, one \`row\` each, where asked (sql/kept.ts)
  const changed = `SELECT (SELECT count(*) FROM upd WHERE ${kept.written})::int8 AS changed`;
  return kept.row === undefined
    ? `${head}${changed}`
    : `${head}${changed},
       (SELECT json_agg(${kept.row}) FROM upd WHERE NOT (${kept.written})) AS kept`;
}

/** Rows changed by an apply / undo statement: its \`changed\` column (change set statements), else its row count. */
export function changedCount(res: { rowCount: number; rows: unknown[] }): number {
  const r = res.rows[0] as { changed?: unknown } | undefined;
  return r?.changed === undefined ? res.rowCount : Number(r.changed);
}

/** A link shape plus the types of its scope columns (for the typed per-run lookup table). */
export interface TypedLinkShape extends LinkShape {
  scopeTypes: string[];
}
