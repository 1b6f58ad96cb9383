/**
 * Masters: the catalog statement `masters create` checks first (which columns an INSERT of a new master
 * must fill, whether the key fills itself), and the reads and writes of master rows it and review need
 * (by key, their numbers, new masters, reactivation).
 */
import {
  type LinkShape,
  Params,
  type ScopeFilter,
  scopeKeyExpr,
  scopeWhere,
  type Statement,
  masterScopeWhere,
  onMaster,
  targetScope,
} from './link.js';
import { BackfillError } from '../errors.js';
import { activeExpr, activeValueSql, activeValues, describeActive } from './active.js';
import { ident } from './quote.js';

/**
 * A master row's fingerprint: the hash of all its columns as jsonb (key order and spacing fixed by jsonb), read
 * when `masters create` inserts it and again when `undo --run` would delete it: a master edited since in any
 * column (a phone number, an address) is left. A column added since changes it too (the master is left).
 */
const FINGERPRINT = 'md5(to_jsonb(t)::text)';

/**
 * Every column of the master table (by oid): NOT NULL, has a default, identity, generated. One
 * statement, read before anything is written.
 */
/** The master table's greatest key (text), where an identity added for `masters create` must start after. */
export function maxKeyStatement(targetSql: string, key: string): Statement<{ max: string | null }> {
  return { text: `SELECT max(${ident(key)})::text AS max FROM ${targetSql}`, values: [] };
}

export function masterColumnsStatement(
  targetOid: number,
): Statement<{ name: string; not_null: boolean; has_default: boolean; identity: string; generated: string; type: string }> {
  return {
    text: `SELECT a.attname::text AS name, a.attnotnull AS not_null, a.atthasdef AS has_default,
       a.attidentity::text AS identity, a.attgenerated::text AS generated, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a
 WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum`,
    values: [targetOid],
  };
}

/** Of the columns `masters create` writes into the master table, those this role may not INSERT; who it is, who owns the table. */
export function insertRightsStatement(
  targetOid: number,
  columns: readonly string[],
): Statement<{ who: string; owner: string; q: string; missing: string[] }> {
  return {
    text: `SELECT current_user::text AS who, pg_get_userbyid(c.relowner)::text AS owner, format('%I.%I', n.nspname, c.relname) AS q,
       ARRAY(SELECT x FROM unnest($2::text[]) x WHERE NOT has_column_privilege(c.oid, x, 'INSERT')) AS missing
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid`,
    values: [targetOid, [...columns]],
  };
}

/**
 * Masters by key (any activity), with their scope, name, number and active flag (review pages, decisions). Within the
 * tenant of `f` when given (a queue of one tenant: on Citus a router query); without, in every scope (a decision's key
 * found only in another tenant is said to be so).
 */
export function mastersByKeyStatement(
  link: LinkShape & { targetKeyType: string; number?: string | undefined },
  keys: string[],
  f: ScopeFilter = { tenant: null },
): Statement<{ key: string; scope_key: (string | null)[]; name: string; number: string | null; active: boolean }> {
  const p = new Params();
  const number = link.number === undefined ? 'NULL::text' : `t.${ident(link.number)}::text`;
  const active = activeExpr('t', link.active);
  const text = `SELECT t.${ident(link.targetKey)}::text AS key, ${scopeKeyExpr('t', onMaster(link))} AS scope_key, t.${ident(link.targetName)} AS name,
       ${number} AS number, ${active} AS active
  FROM ${link.targetSql} t
 WHERE t.${ident(link.targetKey)} = ANY(${p.add(keys)}::${link.targetKeyType}[])${masterScopeWhere('t', link, f, p)}`;
  return { text, values: p.values };
}

/** Keys as the database writes them in their type (a uuid given in capitals, with braces): no table is read. */
export function canonicalKeysStatement(type: string, keys: string[]): Statement<{ asked: string; key: string }> {
  return { text: `SELECT k.asked, k.asked::${type}::text AS key FROM unnest($1::text[]) AS k(asked)`, values: [keys] };
}

/** Numbers like CUST-004 per scope and prefix: the widest digits and the highest value (to continue numbering). */
export function masterNumbersStatement(
  link: LinkShape & { number: string },
  f: ScopeFilter,
  across = false,
): Statement<{ scope_key: (string | null)[]; prefix: string | null; width: number; max_number: string; n: unknown }> {
  const p = new Params();
  const n = `t.${ident(link.number)}::text`;
  // across: the number is unique across scopes (numberUniqueIndexesStatement), so every scope's numbers count, read
  // without the scope filter (numbers only, no names), as one group
  const text = `SELECT ${across ? `'{}'::text[]` : scopeKeyExpr('t', onMaster(link))} AS scope_key, substring(${n} from '^(.*?)[0-9]+$') AS prefix,
       max(length(substring(${n} from '([0-9]+)$')))::int AS width, max(substring(${n} from '([0-9]+)$')::numeric)::text AS max_number, count(*)::int8 AS n
  FROM ${link.targetSql} t
 WHERE ${n} ~ '[0-9]+$'${across ? '' : scopeWhere('t', onMaster(link), f, p)}
 GROUP BY 1, 2`;
  return { text, values: p.values };
}

/**
 * The column lists of the master table's unique indexes (partial ones too: a new master is in them) that hold the
 * number column: the numbers a new one must differ from are those of rows sharing its other columns' values.
 */
export function numberUniqueIndexesStatement(targetOid: number, numberColumn: string): Statement<{ cols: string[] }> {
  const text = `SELECT array_agg(a.attname::text ORDER BY k.ord) AS cols
  FROM pg_index i
 CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
 WHERE i.indrelid = $1::oid AND i.indisunique AND k.ord <= i.indnkeyatts
 GROUP BY i.indexrelid
HAVING bool_or(a.attname = $2::name)`;
  return { text, values: [targetOid, numberColumn] };
}

/** Inserts new active masters (scope values, name, optional number) from a JSON array; returns their keys. */
export function insertMastersStatement(
  link: LinkShape & { number?: string | undefined },
  scopeTypes: string[],
  rows: { scope: (string | null)[]; name: string; number: string | null }[],
): Statement<{ key: string; scope_key: (string | null)[]; name: string; active: boolean }> {
  const p = new Params();
  const cols = [...targetScope(link).map((c) => ident(c)), ident(link.targetName)];
  const sel = [...link.scope.map((_, i) => `x.s${i}::${scopeTypes[i] ?? 'text'}`), 'x.name'];
  if (link.number !== undefined) {
    cols.push(ident(link.number));
    sel.push('x.number');
  }
  if (link.active !== undefined) {
    // parts with no value to write (notIn, notNull) take the column's default; RETURNING says whether it is active
    for (const v of activeValues(link.active)) {
      cols.push(ident(v.column));
      sel.push(v.value);
    }
  }
  const payload = rows.map((r, ord) => ({
    ord,
    name: r.name,
    number: r.number,
    ...Object.fromEntries(r.scope.map((v, i) => [`s${i}`, v])),
  }));
  const recCols = ['ord int', 'name text', 'number text', ...link.scope.map((_, i) => `s${i} text`)].join(', ');
  const text = `INSERT INTO ${link.targetSql} AS t (${cols.join(', ')})
SELECT ${sel.join(', ')} FROM jsonb_to_recordset(${p.add(JSON.stringify(payload))}::jsonb) AS x(${recCols}) ORDER BY x.ord
RETURNING t.${ident(link.targetKey)}::text AS key, ${scopeKeyExpr('t', onMaster(link))} AS scope_key, t.${ident(link.targetName)}::text AS name, ${activeExpr('t', link.active)} AS active`;
  return { text, values: p.values };
}

/**
 * Sets the active flag of masters (by key) within the scope: reactivation instead of a duplicate. `was`: the
 * column's value before, as text, dates and times in jsonb's ISO 8601 (what undoing the run puts back, read the
 * same in any session's DateStyle).
 */
export function reactivateMastersStatement(
  link: LinkShape & { targetKeyType: string },
  masters: { key: string; scope: (string | null)[] }[],
  f: ScopeFilter,
): Statement<{ key: string; scope_key: (string | null)[]; name: string; was: string | null }> {
  const p = new Params();
  if (link.active === undefined) throw new BackfillError('CONFIG_INVALID', 'no active column configured: masters cannot be reactivated');
  // one column to set and to put back (undo): a predicate of several columns does not say which of them made it inactive
  if (link.active.also !== undefined && link.active.also.length > 0)
    throw new BackfillError(
      'CONFIG_INVALID',
      `masters are reactivated on one active column only; the predicate is ${describeActive(link.active)}: reactivate by hand`,
    );
  const v = activeValueSql(link.active);
  if (v === null) throw new BackfillError('CONFIG_INVALID', `no value makes ${link.active.column} active (${describeActive(link.active)})`);
  const k = ident(link.targetKey);
  const a = ident(link.active.column);
  // each master by its key AND scope (a key may repeat across tenants), its old value read from that same row
  const text = `UPDATE ${link.targetSql} t SET ${a} = ${v}
  FROM (SELECT o.${k} AS k, ${scopeKeyExpr('o', onMaster(link))} AS scope, (to_jsonb(o.${a}) #>> '{}') AS was
          FROM ${link.targetSql} o
          JOIN jsonb_to_recordset(${p.add(JSON.stringify(masters))}::jsonb) AS x(key text, scope text[])
            ON o.${k} = x.key::${link.targetKeyType} AND ${scopeKeyExpr('o', onMaster(link))} = x.scope) o
 WHERE t.${k} = o.k AND ${scopeKeyExpr('t', onMaster(link))} = o.scope${scopeWhere('t', onMaster(link), f, p)}
RETURNING t.${k}::text AS key, ${scopeKeyExpr('t', onMaster(link))} AS scope_key, t.${ident(link.targetName)} AS name, o.was`;
  return { text, values: p.values };
}

/**
 * Locks masters by key (within the scope) until the transaction ends, as an UPDATE would: a row being linked to one
 * meanwhile waits (its FK check), so "no row links to it" stays true until the master is deleted.
 */
export function lockMastersStatement(link: LinkShape & { targetKeyType: string }, keys: string[], f: ScopeFilter): Statement {
  const p = new Params();
  const text = `SELECT 1 FROM ${link.targetSql} t WHERE t.${ident(link.targetKey)} = ANY(${p.add(keys)}::${link.targetKeyType}[])${scopeWhere('t', onMaster(link), f, p)} FOR UPDATE`;
  return { text, values: p.values };
}

/** Of `keys`, the masters some row of the link's source links to (within the scope): a master in use is not deleted. */
export function mastersInUseStatement(link: LinkShape, keys: string[], f: ScopeFilter): Statement<{ key: string }> {
  const p = new Params();
  const fk = ident(link.fk);
  const text = `SELECT DISTINCT s.${fk}::text AS key FROM ${link.sourceSql} s WHERE s.${fk} = ANY(${p.add(keys)}::${link.fkType}[])${scopeWhere('s', link, f, p)}`;
  return { text, values: p.values };
}

/**
 * The fingerprints of masters (by key and scope): read by `masters create` right after it inserts them, and by undo
 * to keep those edited since, in any column. Read under renderingFixedStatement (a timestamptz's or an interval's
 * text form in jsonb follows the session's TimeZone and IntervalStyle).
 */
export function masterFingerprintsStatement(
  link: LinkShape & { targetKeyType: string },
  masters: { key: string; scope: (string | null)[] }[],
  f: ScopeFilter,
): Statement<{ key: string; scope_key: (string | null)[]; fp: string }> {
  const p = new Params();
  const k = ident(link.targetKey);
  const text = `SELECT t.${k}::text AS key, ${scopeKeyExpr('t', onMaster(link))} AS scope_key, ${FINGERPRINT} AS fp
  FROM ${link.targetSql} t
  JOIN jsonb_to_recordset(${p.add(JSON.stringify(masters.map((m) => ({ key: m.key, scope: m.scope }))))}::jsonb) AS x(key text, scope text[])
    ON t.${k} = x.key::${link.targetKeyType} AND ${scopeKeyExpr('t', onMaster(link))} = x.scope
 WHERE true${scopeWhere('t', onMaster(link), f, p)}`;
  return { text, values: p.values };
}

/**
 * Deletes masters a `masters create` run inserted, each by key and scope, only while it still has the name it was
 * created with and is active (renamed or deactivated since: left); returns the keys deleted. The caller keeps out
 * those whose fingerprint changed (unchangedMastersStatement: Citus runs no STABLE function such as to_jsonb in a
 * DELETE).
 */
export function deleteCreatedMastersStatement(
  link: LinkShape & { targetKeyType: string },
  masters: { key: string; scope: (string | null)[]; name: string }[],
  f: ScopeFilter,
): Statement<{ key: string; scope_key: (string | null)[] }> {
  const p = new Params();
  const k = ident(link.targetKey);
  const text = `DELETE FROM ${link.targetSql} t
 USING jsonb_to_recordset(${p.add(JSON.stringify(masters))}::jsonb) AS x(key text, scope text[], name text)
 WHERE t.${k} = x.key::${link.targetKeyType} AND ${scopeKeyExpr('t', onMaster(link))} = x.scope AND t.${ident(link.targetName)}::text = x.name${link.active === undefined ? '' : ` AND ${activeExpr('t', link.active)}`}${scopeWhere('t', onMaster(link), f, p)}
RETURNING t.${k}::text AS key, ${scopeKeyExpr('t', onMaster(link))} AS scope_key`;
  return { text, values: p.values };
}

/**
 * Puts back the active column's old value (`was`, text as `::text` wrote it, a parameter of the column's type
 * `activeType`; a boolean as a boolean: PGlite refuses the text 'false' for a boolean parameter) of masters a
 * `masters create` run reactivated, each only while it still holds the value the run wrote; returns the keys set back. Each value is a
 * parameter of a CASE over the keys: Citus refuses a STABLE cast (text to timestamptz) of a column in an UPDATE, and
 * casts parameters on the coordinator.
 */
export function deactivateMastersStatement(
  link: LinkShape & { targetKeyType: string },
  activeType: string,
  masters: { key: string; scope: (string | null)[]; was: string | null }[],
  f: ScopeFilter,
): Statement<{ key: string; scope_key: (string | null)[] }> {
  const p = new Params();
  if (link.active === undefined) throw new BackfillError('CONFIG_INVALID', 'no active column configured: masters cannot be deactivated');
  const k = ident(link.targetKey);
  const conds = masters.map(
    (m) => `t.${k} = ${p.add(m.key)}::${link.targetKeyType} AND ${scopeKeyExpr('t', onMaster(link))} = ${p.add(m.scope)}::text[]`,
  );
  const whens = masters
    .map((m, i) => `WHEN ${conds[i]!} THEN ${p.add(activeType === 'boolean' && m.was !== null ? m.was === 'true' : m.was)}::${activeType}`)
    .join(' ');
  const text = `UPDATE ${link.targetSql} t
   SET ${ident(link.active.column)} = CASE ${whens} END
 WHERE (${conds.map((c) => `(${c})`).join(' OR ')}) AND t.${ident(link.active.column)} IS NOT DISTINCT FROM ${activeValueSql(link.active) ?? 'NULL'}${scopeWhere('t', onMaster(link), f, p)}
RETURNING t.${k}::text AS key, ${scopeKeyExpr('t', onMaster(link))} AS scope_key`;
  return { text, values: p.values };
}

/**
 * Serializes master creation and its undo per target table until the transaction ends (two runs never number the
 * same masters; an apply batch waits, mastersSharedLockStatement).
 */
export function mastersLockStatement(targetOid: number): Statement {
  return { text: `SELECT pg_advisory_xact_lock(hashtext($1))`, values: [mastersLockKey(targetOid)] };
}

/**
 * An apply batch's share of that lock, until its transaction ends: a `masters` undo deleting masters no row links to
 * waits for the batch, and a batch waits for the undo, then reads the masters after it (without an FK constraint a
 * row could be linked to a master the undo was deleting). Batches share it with each other.
 */
export function mastersSharedLockStatement(targetOid: number): Statement {
  return { text: `SELECT pg_advisory_xact_lock_shared(hashtext($1))`, values: [mastersLockKey(targetOid)] };
}

/** The lock's key: the master table by oid (a config may spell it `customers` or `public.customers`). */
const mastersLockKey = (targetOid: number): string => `fk_backfill.masters:${targetOid}`;

/** Every FK constraint that references the master table (by oid): the referencing table and the column pairs. */
export function foreignKeysToStatement(
  targetOid: number,
): Statement<{ name: string; schema: string; table: string; columns: string[]; ref_columns: string[]; readable: boolean }> {
  return {
    text: `SELECT c.conname::text AS name, n.nspname::text AS schema, r.relname::text AS "table", has_table_privilege(c.conrelid, 'SELECT') AS readable,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_columns
  FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
 WHERE c.contype = 'f' AND c.confrelid = $1::oid AND c.conparentid = 0
 ORDER BY c.conname`,
    values: [targetOid],
  };
}

/**
 * Which of the masters `keys` (within the scope) rows of a table reference through one FK constraint: joined on
 * the constraint's column pairs (on Citus, an FK between distributed tables holds the distribution column, so the
 * join stays on one shard group).
 */
export function mastersReferencedStatement(
  link: LinkShape & { targetKeyType: string },
  fk: { schema: string; table: string; columns: string[]; refColumns: string[] },
  keys: string[],
  f: ScopeFilter,
): Statement<{ key: string; scope_key: (string | null)[] }> {
  const p = new Params();
  const k = ident(link.targetKey);
  const on = fk.columns.map((c, i) => `r.${ident(c)} = t.${ident(fk.refColumns[i]!)}`).join(' AND ');
  const text = `SELECT DISTINCT t.${k}::text AS key, ${scopeKeyExpr('t', onMaster(link))} AS scope_key
  FROM ${link.targetSql} t JOIN ${ident(fk.schema)}.${ident(fk.table)} r ON ${on}
 WHERE t.${k} = ANY(${p.add(keys)}::${link.targetKeyType}[])${scopeWhere('t', onMaster(link), f, p)}`;
  return { text, values: p.values };
}
