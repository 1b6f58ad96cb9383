/**
 * SQL of the write-time guard (issue #20). Pure builders, no database (drift's: sql/drift.ts).
 *
 * The guard is one PL/pgSQL trigger function per link, generated here from the resolved link: every
 * identifier goes through `ident` (always double-quoted, like format('%I')) and the few constants the
 * body needs (link name, table name, run id) through `literal`. The body has no dynamic SQL (no
 * EXECUTE), so PL/pgSQL caches its plans: a handful of index probes per written row.
 */
import { createHash } from 'node:crypto';
import { BackfillError } from '../errors.js';
import { activeAnd, activeExpr } from './active.js';
import { fitsFkSql } from './fk-fit.js';
import { ident, literal } from './quote.js';
import { idCols, type LinkShape, masterScopeJoin, rowKeyText, scopeKeyExpr, type Statement } from './link.js';

/** `<alias's master is active>` as a boolean expression: the link's active predicate (sql/active.ts), or true. */
export function activeCond(alias: string, link: LinkShape): string {
  return activeExpr(alias, link.active);
}

/** What the guard's SQL needs beyond a link shape. */
export interface GuardShape extends LinkShape {
  entity: string;
  /** The source table's oid: the guard tests its CHECK constraints over the FK only while they are still on it. */
  sourceOid?: number;
  /** Source and target as `"schema"."table"`, resolved at install (the function pins its search_path). */
  sourceQualified: string;
  targetQualified: string;
  /** The table name as the config spells it (change log's table_name). */
  tableName: string;
  /**
   * The source is a partitioned table: an UPDATE that changes one of these columns (its partition tree's keys) may move
   * a row to another partition (see movedRow); null: a key is an expression, any UPDATE may. Absent: not partitioned.
   */
  partitionKeys?: string[] | null;
}

/** Names of the objects a guard installs for one link (unquoted; the function lives in schema fk_backfill). */
export interface GuardNames {
  trigger: string;
  fn: string;
}

/** A number of the FK's type (its range, digits, length: read off the catalog) written into the trigger's body. */
function inlineNumber(v: string | number): string {
  const t = String(v);
  if (!/^-?\d+$/.test(t)) throw new BackfillError('INTERNAL', `not an integer: ${t}`);
  return t;
}

/**
 * Stable object names for a link: `zz_fkb_guard_<slug>_<hash>` (BEFORE triggers fire in name order;
 * zz_ makes the guard run after the application's own triggers, which may compute the name or set the
 * FK) and `guard_<slug>_<hash>`; at most 63 bytes whatever the entity name.
 */
export function guardNames(entity: string): GuardNames {
  const slug = entity.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 32);
  const h = createHash('md5').update(entity).digest('hex').slice(0, 8);
  return { trigger: `zz_fkb_guard_${slug}_${h}`, fn: `guard_${slug}_${h}` };
}

/** The master `alias` is of the row `rec`'s scope, or (target.shared) of none: shared by every scope. */
function sameScope(alias: string, link: LinkShape, rec: string): string {
  // the master's own scope columns (targetScope) against the row's
  return masterScopeJoin(alias, rec, link);
}

/**
 * The table's CHECK constraints over the FK, tested on the row as the guard would write it (the last BEFORE trigger:
 * the row the table checks): one it would fail is left NULL, a miss naming the constraint. Before, the guard set the
 * FK and the application's INSERT of a void bill failed on "void bills unlinked", an insert it could always make.
 * Each expression (read at install under the function's search_path, so its types and functions are schema-
 * qualified) runs by EXECUTE over `($1).*`, outside PL/pgSQL's name resolution (a column named like one of its
 * variables, v_reason, stays a column), and only while a constraint of that name is still on the table (dropped
 * since: not tested). A test that fails (a column renamed or dropped since install) leaves the row NULL, a miss
 * saying why: never the application's statement failed. A CHECK's NULL passes, as in the table.
 */
function checksRefusal(g: GuardShape): string {
  const checks = g.fkChecks ?? [];
  if (checks.length === 0 || g.sourceOid === undefined) return '';
  const fk = ident(g.fk);
  const tests = checks
    .map(
      (
        c,
      ) => `IF v_reason IS NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conrelid = ${g.sourceOid}::oid AND c.contype = 'c' AND c.conname = ${literal(c.name)}) THEN
        EXECUTE ${literal(`SELECT (${c.expr}) IS FALSE FROM (SELECT ($1).*) s`)} INTO v_refused USING NEW;
        IF v_refused THEN v_reason := ${literal(`check ${c.name}`)}; END IF;
      END IF;`,
    )
    .join('\n      ');
  return `-- the table's CHECK constraints over the FK, on the row as it would be written
  IF v_key IS NOT NULL THEN
    NEW.${fk} := v_key;
    BEGIN
      ${tests}
    EXCEPTION WHEN OTHERS THEN
      v_reason := 'check not tested: ' || SQLERRM;
    END;
    IF v_reason IS NOT NULL THEN
      NEW.${fk} := NULL;
      v_key := NULL;
    END IF;
  END IF;
  `;
}

/**
 * A partitioned source: an UPDATE moving a row to another partition fires the guard twice, BEFORE UPDATE on the old
 * partition, then at once BEFORE INSERT on the new one (a trial: one miss logged twice). An UPDATE that leaves the FK
 * NULL (a miss, the writer's clear) marks the row (key, scope, name, statement start) in a transaction-local setting;
 * the next call clears it, and if it is that INSERT of the row, returns the row untouched: not resolved, not logged.
 */
function movedRow(g: GuardShape, names: GuardNames, rowKey: string): Record<'decl' | 'check' | 'onClear' | 'onMiss', string> {
  if (g.partitionKeys === undefined) return { decl: '', check: '', onClear: '', onMiss: '' };
  const setting = literal(`fk_backfill.${names.fn}`);
  const mark = `md5(ARRAY[${rowKey}, v_sk::text, v_name, statement_timestamp()::text]::text)`;
  // only an UPDATE that changes a partition key can move the row: any other left a mark a later INSERT of the same row
  // in the same statement time (a DO block deleting and inserting it again) was taken for (a review)
  const moves =
    g.partitionKeys === null || g.partitionKeys.length === 0
      ? ''
      : `IF ${g.partitionKeys.map((c) => `NEW.${ident(c)} IS DISTINCT FROM OLD.${ident(c)}`).join(' OR ')} THEN `;
  const set =
    moves === '' ? `PERFORM set_config(${setting}, ${mark}, true);` : `${moves}PERFORM set_config(${setting}, ${mark}, true); END IF;`;
  return {
    decl: '\n  v_moved text;',
    check: `v_moved := current_setting(${setting}, true);
  IF v_moved <> '' THEN
    -- the mark of this function's last call: a row an UPDATE is moving to another partition (its BEFORE INSERT here)
    PERFORM set_config(${setting}, '', true);
    IF TG_OP = 'INSERT' AND v_moved = ${mark} THEN RETURN NEW; END IF;
  END IF;
  `,
    onClear: `${set}\n      `,
    onMiss: `\n    IF TG_OP = 'UPDATE' THEN ${set} END IF;`,
  };
}

/**
 * The trigger function of one link. Runs only for rows whose FK is NULL and whose name is not (the
 * trigger's WHEN), and resolves the name in this order:
 *   1. a person's latest decision for (scope, name) (alias table, origin 'decision'): its master, or
 *      nothing for 'never' / 'create';
 *   2. exactly one active master of the same scope with exactly this name (two or more: ambiguous,
 *      nothing);
 *   3. the name linked by a finished apply (alias table, origin 'apply'): its master, unless another active master of
 *      the scope has that master's name now (ambiguous, nothing).
 * The master is read FOR SHARE and must be active and of the row's scope at that moment: a concurrent
 * deactivation or delete either waits for the writer's commit or is seen (READ COMMITTED rechecks the
 * locked row), so the guard never links a master deactivated or deleted before the link.
 * Left alone before any lookup: an INSERT whose key exists (ON CONFLICT: filled, EXCLUDED carried the FK into DO
 * UPDATE unlogged; that UPDATE fires the guard, which links and logs it), and an UPDATE clearing the FK (OLD set, NEW
 * NULL) that keeps the name and scope (the writer's decision; another name or scope is a new name, resolved).
 * A link is logged as a row of guard_links (narrow, no index: the cheapest durable audit; `undo --run`
 * moves the run's links into change sets and reverts them); a miss as a row of guard_misses. SECURITY
 * DEFINER: the application's role needs no rights on fk_backfill; the search_path is pinned and every name
 * below is schema-qualified.
 */
export function guardFunctionSql(g: GuardShape, names: GuardNames, runId: string): string {
  if (!/^\d+$/.test(runId)) throw new Error(`bad run id ${runId}`);
  const tk = (a: string): string => `${a}.${ident(g.targetKey)}`;
  const fk = ident(g.fk);
  const sk = scopeKeyExpr('NEW', g);
  const link = literal(g.entity);
  // the row's whole key, as the change log stores it (rowKeyText): undo takes a composite one apart again
  const rowKey = rowKeyText('NEW', g);
  const sameKey = idCols(g)
    .map((c) => `s.${ident(c.col)} = NEW.${ident(c.col)}`)
    .join(' AND ');
  const moved = movedRow(g, names, rowKey);
  // a master's name as the source name column compares it. A citext column calls 'ACME' its master 'Acme', as the plan
  // does (masterNameAsSource); text's equality linked only the spelling the master has and missed the rest as unmatched.
  // Spelled as citext's own equality (lower() of both, under the default collation): under the function's pinned
  // search_path neither the citext type nor its = operator (both in the extension's schema) can be named bare.
  const citext = g.nameCitext === true;
  const folded = (e: string): string => `lower((${e})::text COLLATE "default")`;
  const nameEq = citext
    ? `${folded(`t.${ident(g.targetName)}`)} = ${folded(`NEW.${ident(g.name)}`)}`
    : `t.${ident(g.targetName)} = NEW.${ident(g.name)}`;
  // a person's decision or an applied run's alias is recorded under one spelling of a citext name's group: every
  // spelling of the group finds it, as the plan's grouping does
  const aliasName = citext
    ? `a.scope_key = v_sk AND ${folded('a.source_name')} = ${folded('v_name')}`
    : 'md5(a.source_name) = md5(v_name) AND a.scope_key = v_sk AND a.source_name = v_name';
  const master = (extra: string, as = ''): string =>
    `SELECT ${tk('t')}${as} FROM ${g.targetQualified} t WHERE ${extra}${sameScope('t', g, 'NEW')} AND ${activeCond('t', g)}`;
  // a name only inactive masters of the scope have: missed as 'inactive', not 'unmatched' (one more probe, on a miss only)
  const inactiveMiss =
    activeCond('t', g) === 'true'
      ? ''
      : `
    ELSIF EXISTS (SELECT 1 FROM ${g.targetQualified} t WHERE ${nameEq}${sameScope('t', g, 'NEW')}) THEN
      v_reason := 'inactive';`;
  // the master an apply's alias names, and another active master of the scope with its name (created since): a plan
  // would call the name ambiguous, so the guard does not link it (one more probe, on the alias path only)
  const twin = `SELECT 1 FROM ${g.targetQualified} t JOIN ${g.targetQualified} x ON x.${ident(g.targetName)} = t.${ident(g.targetName)} AND ${tk('x')} <> ${tk('t')}
        WHERE ${tk('t')} = v_key${sameScope('t', g, 'NEW')}${sameScope('x', g, 'NEW')} AND ${activeCond('x', g)}`;
  // an alias's or decision's master that is there but inactive (deactivated since): 'inactive', as for an exact name
  const unavailable = (what: string): string =>
    activeCond('t', g) === 'true'
      ? `'${what} target unavailable'`
      : `CASE WHEN EXISTS (SELECT 1 FROM ${g.targetQualified} t WHERE ${tk('t')} = v_cand${sameScope('t', g, 'NEW')}) THEN 'inactive' ELSE '${what} target unavailable' END`;
  const body = `
DECLARE
  v_sk text[] := ${sk};
  v_name text := NEW.${ident(g.name)}::text;
  v_key ${g.targetQualified}.${ident(g.targetKey)}%TYPE;
  v_cand ${g.targetQualified}.${ident(g.targetKey)}%TYPE;
  v_alias text;
  v_origin text;
  v_n int;
  v_method text;
  v_reason text;${(g.fkChecks ?? []).length > 0 ? '\n  v_refused boolean;' : ''}${moved.decl}
BEGIN
  ${moved.check}IF TG_OP = 'UPDATE' THEN
    -- the writer cleared the FK and kept the name and scope (a form saving the whole row): its decision, left NULL
    IF OLD.${fk} IS NOT NULL AND v_name IS NOT DISTINCT FROM OLD.${ident(g.name)}::text AND v_sk IS NOT DISTINCT FROM ${scopeKeyExpr('OLD', g)} THEN
      ${moved.onClear}RETURN NEW;
    END IF;
  ELSIF EXISTS (SELECT 1 FROM ${g.sourceQualified} s WHERE ${sameKey}) THEN
    -- an INSERT … ON CONFLICT of an existing key, nothing logged: the FK the existing row holds when it has this name
    -- and scope (a sync re-sending the row: DO UPDATE SET fk = EXCLUDED.fk keeps it), else none (EXCLUDED would carry
    -- a link of the new name into the DO UPDATE unlogged; that UPDATE fires this trigger, which links and logs it)
    SELECT s.${fk} INTO NEW.${fk} FROM ${g.sourceQualified} s
     WHERE ${sameKey} AND s.${ident(g.name)}::text IS NOT DISTINCT FROM v_name AND ${scopeKeyExpr('s', g)} IS NOT DISTINCT FROM v_sk;
    RETURN NEW;
  END IF;
  SELECT a.target_key, a.origin INTO v_alias, v_origin
    FROM fk_backfill.aliases a
   WHERE a.link = ${link} AND ${aliasName}
   ORDER BY a.origin DESC
   LIMIT 1;
  IF v_origin = 'decision' THEN
    IF v_alias IS NULL THEN
      v_reason := 'decision';
    ELSE
      v_cand := v_alias;
      ${master(`${tk('t')} = v_cand`)} FOR SHARE OF t INTO v_key;
      IF v_key IS NULL THEN v_reason := ${unavailable('decision')}; ELSE v_method := 'decision'; END IF;
    END IF;
  ELSE
    SELECT count(*), (array_agg(x.k))[1] INTO v_n, v_cand
      FROM (${master(nameEq, ' AS k')} LIMIT 2 FOR SHARE OF t) x;
    IF v_n = 1 THEN
      v_key := v_cand;
      v_method := 'exact';
    ELSIF v_n > 1 THEN
      v_reason := 'ambiguous';
    ELSIF v_origin = 'apply' THEN
      v_cand := v_alias;
      ${master(`${tk('t')} = v_cand`)} FOR SHARE OF t INTO v_key;
      IF v_key IS NULL THEN
        v_reason := ${unavailable('alias')};
      ELSIF EXISTS (${twin}) THEN
        -- another active master of the scope is named as that one now (a duplicate since): the name is ambiguous
        v_key := NULL;
        v_reason := 'ambiguous';
      ELSE
        v_method := 'alias';
      END IF;${inactiveMiss}
    ELSE
      v_reason := 'unmatched';
    END IF;
  END IF;
  ${
    g.selfTable === true
      ? `-- a hierarchy: a row naming itself (parent_name = its own name) is never linked to itself
  IF v_key IS NOT NULL AND v_key = NEW.${ident(g.targetKey)} THEN
    v_key := NULL;
    v_reason := 'self';
  END IF;
  `
      : ''
  }${
    g.fkRange === undefined
      ? ''
      : `-- a master key the FK's type cannot hold: left NULL, a miss (assigning it would fail the application's statement)
  IF v_key IS NOT NULL AND NOT ${fitsFkSql('v_key::text', g.fkRange, inlineNumber)} THEN
    v_key := NULL;
    v_reason := 'key does not fit ${g.fkRange.type.replaceAll("'", "''")}';
  END IF;
  `
  }${checksRefusal(g)}IF v_key IS NULL THEN
    INSERT INTO fk_backfill.guard_misses (run_id, link, scope_key, source_name, row_key, reason)
    VALUES (${runId}, ${link}, v_sk, v_name, ${rowKey}, v_reason);${moved.onMiss}
    RETURN NEW;
  END IF;
  NEW.${fk} := v_key;
  INSERT INTO fk_backfill.guard_links (run_id, link, table_name, column_name, row_key, new_value, method)
  VALUES (${runId}, ${link}, ${literal(g.tableName)}, ${literal(g.fk)}, ${rowKey}, v_key::text, v_method);
  RETURN NEW;
END
`;
  // the body is dollar-quoted: a name holding the tag would end it early (quoting does not protect it there)
  if (body.includes('$fkb_guard$'))
    throw new BackfillError('CONFIG_INVALID', `${g.entity}: a table or column name contains "$fkb_guard$"; the guard cannot be generated`);
  return `CREATE OR REPLACE FUNCTION fk_backfill.${ident(names.fn)}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fkb_guard$${body}$fkb_guard$`;
}

/**
 * The trigger: BEFORE INSERT and BEFORE UPDATE OF the name or scope columns, only while the FK is NULL and, for a link
 * with its own `active`, the row is active: a row written soft-deleted (void, archived) is left alone, neither linked
 * nor a miss, as plan and apply leave it (an UPDATE that only revives it fires nothing: the next apply links it).
 */
export function guardTriggerSql(g: GuardShape, names: GuardNames): string {
  const cols = [g.name, ...g.scope].map(ident).join(', ');
  return `CREATE TRIGGER ${ident(names.trigger)} BEFORE INSERT OR UPDATE OF ${cols} ON ${g.sourceQualified}
  FOR EACH ROW WHEN (NEW.${ident(g.fk)} IS NULL AND NEW.${ident(g.name)} IS NOT NULL${activeAnd('NEW', g.sourceActive)})
  EXECUTE FUNCTION fk_backfill.${ident(names.fn)}()`;
}

/**
 * The columns of a partitioned table's keys, over its whole partition tree (sub-partitions too); null when one is an
 * expression. A table that is not partitioned: no row.
 */
export function partitionKeysStatement(oid: number): Statement<{ cols: string[] | null }> {
  return {
    text: `SELECT CASE WHEN bool_or(k.n = 0) THEN NULL ELSE array_agg(DISTINCT a.attname::text ORDER BY a.attname::text) END AS cols
  FROM pg_partition_tree($1::oid::regclass) pt
  JOIN pg_partitioned_table p ON p.partrelid = pt.relid
  CROSS JOIN LATERAL unnest(p.partattrs::int2[]) k(n)
  LEFT JOIN pg_attribute a ON a.attrelid = pt.relid AND a.attnum = k.n
HAVING count(*) > 0`,
    values: [oid],
  };
}

/** `"schema"."table"` of a relation by oid (the trigger function pins its search_path), and whether it is partitioned. */
export function qualifiedByOidStatement(oid: number): Statement<{ q: string; partitioned: boolean }> {
  return {
    text: `SELECT format('%I.%I', n.nspname, c.relname) AS q, c.relkind = 'p' AS partitioned FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid`,
    values: [oid],
  };
}

/**
 * What `guard install` needs of the role on one source table: TRIGGER on it (its owner has it) and CREATE on schema
 * fk_backfill (where the trigger function goes); who the role and the owner are, for the message.
 */
export function guardRightsStatement(
  oid: number,
): Statement<{ who: string; owner: string; q: string; may_trigger: boolean; may_create: boolean }> {
  return {
    text: `SELECT current_user::text AS who, pg_get_userbyid(c.relowner)::text AS owner, format('%I.%I', n.nspname, c.relname) AS q,
       has_table_privilege(c.oid, 'TRIGGER') AS may_trigger, has_schema_privilege('fk_backfill', 'CREATE') AS may_create
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid`,
    values: [oid],
  };
}

/** Whether a guard's trigger is there and enabled and its function is there. */
export function guardLiveStatement(tableOid: number, trigger: string, fn: string): Statement<{ ok: boolean }> {
  return {
    text: `SELECT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = $1::oid AND t.tgname = $2 AND t.tgenabled <> 'D')
          AND EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = 'fk_backfill'::regnamespace AND p.proname = $3) AS ok`,
    values: [tableOid, trigger, fn],
  };
}

/** What `guard remove` drops of one guard: its trigger on `table` (qualified; null when the table is gone) and its function. */
export function dropGuardSql(table: string | null, trigger: string, fn: string): string[] {
  return [
    ...(table !== null ? [`DROP TRIGGER IF EXISTS ${ident(trigger)} ON ${table}`] : []),
    `DROP FUNCTION IF EXISTS fk_backfill.${ident(fn)}()`,
  ];
}

/** The lock timeout of the install transaction (CREATE TRIGGER waits for running writes). */
export function lockTimeoutStatement(ms: number): Statement<Record<string, unknown>> {
  return { text: `SELECT set_config('lock_timeout', $1, true)`, values: [`${Math.max(1, Math.round(ms))}ms`] };
}
