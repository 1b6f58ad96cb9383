/**
 * Context: the preflight reads every command runs before it touches a link (the catalog of a link's
 * tables, the session's and role's rights, whether a tenant exists).
 */
import { activeSql, type ActivePredicate } from './active.js';
import { ident } from './quote.js';
import type { Statement } from './statement.js';
import type { FkCheck } from './checks.js';

export interface TableColumnRow {
  oid: number;
  relkind: string;
  attname: string | null;
  type: string | null;
  typeoid: number | null;
  generated: string | null;
  identity: string | null;
  base_type: string | null;
  /** The type under any domain with its modifier (a domain over varchar(4): character varying(4)). */
  base_full: string | null;
  nondeterministic: boolean | null;
  not_null: boolean | null;
  /** The column's default expression as pg_get_expr prints it (`0`, `''::text`), or null. */
  default_expr: string | null;
  /** The column's collation (schema-qualified, quoted) when it is not its type's default; else null. */
  collation: string | null;
  /** Tables that inherit from this plain table (`CREATE TABLE … INHERITS`, not partitions), by name; null when none. */
  children: string[] | null;
}

/** A table's kind and columns (one row per column; one row with NULL columns for a table without any; none when it does not exist). */
export function tableColumnsStatement(qualifiedName: string): Statement<TableColumnRow> {
  const text = `SELECT c.oid::int8 AS oid, c.relkind::text AS relkind, a.attname::text AS attname,
              format_type(a.atttypid, a.atttypmod) AS type, a.atttypid::int8 AS typeoid,
              a.attgenerated::text AS generated, a.attidentity::text AS identity, a.attnotnull AS not_null,
              (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid = c.oid AND d.adnum = a.attnum) AS default_expr,
              format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL) AS base_type,
              CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE format_type(a.atttypid, a.atttypmod) END AS base_full,
              (SELECT NOT co.collisdeterministic FROM pg_collation co WHERE co.oid = a.attcollation) AS nondeterministic,
              (SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
                WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation) AS collation,
              (SELECT array_agg(i.inhrelid::regclass::text ORDER BY i.inhrelid::regclass::text) FROM pg_inherits i
                WHERE i.inhparent = c.oid AND c.relkind = 'r') AS children
         FROM pg_class c
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         LEFT JOIN pg_type t ON t.oid = a.atttypid
        WHERE c.oid = to_regclass($1)`;
  return { text, values: [qualifiedName] };
}

/**
 * Tables (or views) a config's table name means apart from case: in the named schema (its name apart from case too), or,
 * unqualified, on the search_path. For the did-you-mean of a table that does not exist (`ref.payers` for "Ref"."Payers").
 */
export function tableSpellingsStatement(schema: string | null, table: string): Statement<{ schema: string; name: string }> {
  const text = `SELECT n.nspname::text AS schema, c.relname::text AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE lower(c.relname) = lower($2) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND (CASE WHEN $1::text IS NULL THEN pg_table_is_visible(c.oid) ELSE lower(n.nspname) = lower($1::text) END)
        ORDER BY n.nspname, c.relname LIMIT 3`;
  return { text, values: [schema, table] };
}

/** The column lists of a table's valid, total, plain unique indexes: the primary key first, then the narrowest. */
export function uniqueKeysStatement(oid: number): Statement<{ cols: string[] }> {
  const text = `SELECT array_agg(a.attname::text ORDER BY k.ord) AS cols
         FROM pg_index i
        CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
          AND k.ord <= i.indnkeyatts
        GROUP BY i.indexrelid, i.indisprimary
        ORDER BY i.indisprimary DESC, count(*), i.indexrelid`;
  return { text, values: [oid] };
}

/** A user's row trigger that fires on apply's and undo's UPDATE (updateTriggersStatement). */
export interface UpdateTrigger {
  name: string;
  before: boolean;
  touches: boolean;
  raises: boolean;
  assigns: string[];
  writes_tables: boolean;
}

/**
 * The enabled row triggers of the user's (not a constraint's) on a table and its partitions that fire on an UPDATE of
 * `setColumns` (no column list, or one naming any of them), by name, and whether each runs BEFORE the row is written.
 * (The guard's trigger, UPDATE OF the name and scope columns, does not fire on apply's or undo's UPDATE.)
 */
export function updateTriggersStatement(
  oid: number,
  setColumns: readonly string[],
  touched: string | null = null,
): Statement<UpdateTrigger> {
  // `touches`: the trigger may set the touched column (updated_at): its function's source or its arguments name it
  // (moddatetime(updated_at)), or its function is not written in SQL or PL/pgSQL, whose source tells nothing.
  // `raises`: it may refuse a row: its PL/pgSQL function RAISEs at a level that is an error (no level, EXCEPTION, a
  // condition, USING), or its function is written in another language but SQL (which raises nothing by itself).
  // `assigns`: the columns but `setColumns` a BEFORE trigger's PL/pgSQL sets in NEW (a statement `NEW.version := …`);
  // `writes_tables`: a statement of its body writes a table (INSERT, UPDATE, DELETE, MERGE, a dynamic EXECUTE), or it
  // is written in another language: what both do, apply's UPDATE and undo's both cause, and undo sets back neither
  const text = `SELECT g.tgname::text AS name, bool_or(g.tgtype & 2 = 2) AS before,
              bool_or($3::text IS NOT NULL AND (l.lanname NOT IN ('plpgsql', 'sql') OR strpos(lower(f.prosrc), lower($3::text)) > 0
                                                OR strpos(lower(encode(g.tgargs, 'escape')), lower($3::text)) > 0)) AS touches,
              bool_or(l.lanname NOT IN ('plpgsql', 'sql')
                      OR (l.lanname = 'plpgsql' AND f.prosrc ~* '\\mraise\\M(?!\\s+(debug|log|info|notice|warning)\\M)')) AS raises,
              coalesce(max(w.assigns), '{}') AS assigns,
              bool_or(l.lanname NOT IN ('plpgsql', 'sql')
                      OR f.prosrc ~* '(^|;|\\mthen\\M|\\melse\\M|\\mbegin\\M|\\mloop\\M)\\s*(insert|update|delete|merge|execute)\\M') AS writes_tables
         FROM pg_trigger g
         JOIN pg_proc f ON f.oid = g.tgfoid
         JOIN pg_language l ON l.oid = f.prolang
         LEFT JOIN LATERAL (
              SELECT array_agg(DISTINCT x.col ORDER BY x.col) AS assigns
                FROM (SELECT btrim(m[1], '"') AS col
                        FROM regexp_matches(f.prosrc, '(?:;|\\mthen\\M|\\melse\\M|\\mbegin\\M|\\mloop\\M)\\s*new\\s*\\.\\s*("[^"]+"|\\w+)\\s*:?=', 'gi') m) x
               WHERE g.tgtype & 2 = 2 AND l.lanname = 'plpgsql' AND lower(x.col) <> ALL (SELECT lower(c) FROM unnest($2::text[]) c)) w ON true
        WHERE (g.tgrelid = $1::oid OR g.tgrelid IN (SELECT x.relid FROM pg_partition_tree($1::oid) x))
          AND NOT g.tgisinternal AND g.tgenabled <> 'D' AND g.tgtype & 1 = 1 AND g.tgtype & 16 = 16
          AND (cardinality(g.tgattr::int2[]) = 0
               OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = g.tgrelid AND a.attnum = ANY (g.tgattr::int2[]) AND a.attname = ANY ($2::text[])))
        GROUP BY 1
        ORDER BY 1`;
  return { text, values: [oid, [...setColumns], touched] };
}

/**
 * The CHECK constraints of a table (by oid) over any of `columns` (the FK, the touched column): their names and
 * expressions as the database prints them, so apply can leave out, before its UPDATE, the rows whose new FK value
 * one of them refuses (sql/apply.ts) instead of finding each by splitting the batch (src/batch/refused.ts). A
 * constraint over a system column (tableoid) or a generated one is left to the split: the row as it would be
 * written has no system columns, and its generated ones would still hold their old values. `columns`: those it reads
 * (plan's count builds the row of them, sql/checks.ts).
 */
export function fkChecksStatement(oid: number, columns: readonly string[]): Statement<FkCheck> {
  const text = `SELECT c.conname::text AS name, pg_get_expr(c.conbin, c.conrelid) AS expr,
       ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) ORDER BY a.attnum) AS columns
  FROM pg_constraint c
 WHERE c.conrelid = $1::oid AND c.contype = 'c'
   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) AND a.attname = ANY ($2::text[]))
   AND NOT EXISTS (SELECT 1 FROM unnest(c.conkey) k WHERE k < 0)
   AND NOT EXISTS (SELECT 1 FROM pg_attribute g WHERE g.attrelid = c.conrelid AND g.attnum = ANY (c.conkey) AND g.attgenerated <> '')
 ORDER BY c.conname`;
  return { text, values: [oid, [...columns]] };
}

/**
 * The FOREIGN KEY constraints of a table (by oid, its own) over column `fk`: each one's name, the table it references
 * (its name, and whether it is the link's target `targetOid` or a partition or parent of it) and the column there that
 * `fk` is paired with.
 */
export function fkConstraintsOfColumnStatement(
  oid: number,
  fk: string,
  targetOid: number,
): Statement<{ name: string; same_table: boolean; ref_table: string; ref_column: string }> {
  // not the copies PostgreSQL makes of an FK to a partitioned table for each of its partitions (same table, a parent
  // constraint); `same_table`: the referenced table is the target, or a partition or a partitioned parent of it
  const text = `SELECT c.conname::text AS name, c.confrelid::regclass::text AS ref_table, r.attname::text AS ref_column,
       (c.confrelid = $3::oid OR c.confrelid IN (SELECT x.relid FROM pg_partition_ancestors($3::oid) x)
        OR $3::oid IN (SELECT x.relid FROM pg_partition_ancestors(c.confrelid) x)) AS same_table
  FROM pg_constraint c
  JOIN unnest(c.conkey, c.confkey) AS k(src, ref) ON true
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.src
  JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = k.ref
 WHERE c.conrelid = $1::oid AND c.contype = 'f' AND a.attname = $2
   AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.oid = c.conparentid AND p.conrelid = c.conrelid)
 ORDER BY c.conname`;
  return { text, values: [oid, fk, targetOid] };
}

/**
 * Whether a table (by oid) has DEFERRABLE constraints (a unique key, a constraint trigger): checked at COMMIT when
 * deferred, where apply cannot tell the rows they refuse from the rest (sql/session.ts constraintsImmediateStatement).
 */
export function deferrableConstraintsStatement(oid: number): Statement<{ any: boolean }> {
  return { text: `SELECT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = $1::oid AND c.condeferrable) AS any`, values: [oid] };
}

/** Whether the session is read-only, and who it runs as. */
export function sessionRightsStatement(): Statement<{ ro: string; who: string }> {
  return { text: `SELECT current_setting('transaction_read_only') AS ro, current_user::text AS who`, values: [] };
}

/**
 * The table and its partitions (any depth) stored by Citus's columnar access method, which cannot UPDATE a row
 * ("UPDATE and CTID scans not supported for ColumnarScan"): an archive partition converted by
 * alter_old_partitions_set_access_method, say. By name, in order.
 */
export function columnarPartsStatement(tableOid: number): Statement<{ name: string }> {
  return {
    text: `WITH RECURSIVE t(oid) AS (SELECT $1::oid UNION ALL SELECT i.inhrelid FROM pg_inherits i JOIN t ON i.inhparent = t.oid)
SELECT c.oid::regclass::text AS name FROM t JOIN pg_class c ON c.oid = t.oid JOIN pg_am am ON am.oid = c.relam
 WHERE am.amname = 'columnar' ORDER BY 1`,
    values: [tableOid],
  };
}

/** Whether the role may read a table and update one of its columns. */
export function columnRightsStatement(tableOid: number, column: string): Statement<{ sel: boolean; upd: boolean }> {
  return {
    text: `SELECT has_table_privilege($1::oid, 'SELECT') AS sel, has_column_privilege($1::oid, $2::text, 'UPDATE') AS upd`,
    values: [tableOid, column],
  };
}

/** Whether this role owns a table (by oid: directly or through a role it has), and who does. */
export function tableOwnerStatement(tableOid: number): Statement<{ own: boolean; owner: string; me: string }> {
  return {
    text: `SELECT pg_has_role(c.relowner, 'USAGE') AS own, c.relowner::regrole::text AS owner, current_user::text AS me FROM pg_class c WHERE c.oid = $1::oid`,
    values: [tableOid],
  };
}

/** Of `columns` of a table (by oid), the ones this role may not SELECT. */
export function unreadableColumnsStatement(tableOid: number, columns: readonly string[]): Statement<{ col: string }> {
  return {
    text: `SELECT c AS col FROM unnest($2::text[]) WITH ORDINALITY AS x(c, i) WHERE NOT has_column_privilege($1::oid, c, 'SELECT') ORDER BY i`,
    values: [tableOid, [...columns]],
  };
}

/** Whether row-level security filters what this role reads from a table (a policy applies to it, no BYPASSRLS). */
export function rowSecurityStatement(tableOid: number): Statement<{ rls: boolean }> {
  return { text: `SELECT row_security_active($1::oid) AS rls`, values: [tableOid] };
}

/**
 * Row-level security on a table for this role: active, and whether the table forces it on its owner (FORCE ROW LEVEL
 * SECURITY) and this role owns it (then running as the owner is no way round it).
 */
export function rowSecurityOfStatement(tableOid: number): Statement<{ rls: boolean; forced: boolean; owner: boolean }> {
  return {
    text: `SELECT row_security_active(c.oid) AS rls, c.relforcerowsecurity AS forced, pg_has_role(c.relowner, 'USAGE') AS owner FROM pg_class c WHERE c.oid = $1::oid`,
    values: [tableOid],
  };
}

/**
 * What row-level security leaves this role of a table: `seen`, whether it sees any row (of the tenant, with `scope`);
 * `estimate` and `bytes`, what the catalog holds (rows by the planner's count, bytes on disk, of the table or its leaf
 * partitions: readable whatever the policies); `unset`, the settings its policies read by `current_setting('…')` that this session
 * has not set (a Supabase/PostgREST policy over `app.tenant_id`: unset, it shows no row).
 */
export function rowSecurityHidesStatement(
  tableOid: number,
  tableSql: string,
  scope?: { column: string; tenant: string },
): Statement<{ seen: boolean; estimate: string; bytes: string; unset: string[] }> {
  const where = scope === undefined ? '' : ` WHERE t.${ident(scope.column)} = $2`;
  const text = `SELECT EXISTS (SELECT 1 FROM ${tableSql} t${where}) AS seen, l.estimate::text AS estimate, l.bytes::text AS bytes,
       ARRAY(SELECT DISTINCT m[1] FROM pg_policy y
               CROSS JOIN LATERAL regexp_matches(concat_ws(' ', pg_get_expr(y.polqual, y.polrelid), pg_get_expr(y.polwithcheck, y.polrelid)), 'current_setting\\(''([A-Za-z0-9_.]+)''', 'g') m
              WHERE y.polrelid = $1::oid AND coalesce(current_setting(m[1], true), '') = ''
              ORDER BY 1) AS unset
  FROM (SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::int8 AS estimate, coalesce(sum(pg_relation_size(c.oid)), 0)::int8 AS bytes
          FROM pg_class c
         WHERE c.oid IN (SELECT p.relid FROM pg_partition_tree($1::regclass) p WHERE p.isleaf) OR (c.oid = $1::oid AND c.relkind <> 'p')) l`;
  return { text, values: scope === undefined ? [tableOid] : [tableOid, scope.tenant] };
}

/**
 * The table's leaf partitions (or the table) that a publication publishing UPDATEs covers (through the table, an
 * ancestor, its schema or FOR ALL TABLES) while they have no replica identity: no primary key under REPLICA IDENTITY
 * DEFAULT, NOTHING, or an index since dropped. PostgreSQL refuses every UPDATE of such a table (55000), so apply or
 * undo failed at its first batch there, after other links' batches were written (trial14). `index`: a unique index
 * of NOT NULL columns, immediate, without predicate or expression, that REPLICA IDENTITY USING INDEX takes.
 */
export function replicaIdentityMissingStatement(tableOid: number): Statement<{ part: string; pubs: string[]; index: string | null }> {
  const text = `SELECT format('%I.%I', n.nspname, c.relname) AS part, array_agg(DISTINCT p.pubname::text ORDER BY p.pubname::text) AS pubs,
       (SELECT ic.relname::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid AND i.indisunique AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
           AND NOT EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid AND t.attnum = ANY (i.indkey) AND NOT t.attnotnull)
         ORDER BY ic.relname LIMIT 1) AS index
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (SELECT a.relid FROM pg_partition_ancestors(c.oid) a UNION SELECT c.oid) a
  JOIN pg_class ac ON ac.oid = a.relid
  JOIN pg_namespace an ON an.oid = ac.relnamespace
  JOIN pg_publication_tables pt ON pt.schemaname = an.nspname AND pt.tablename = ac.relname
  JOIN pg_publication p ON p.pubname = pt.pubname AND p.pubupdate
 WHERE (c.oid IN (SELECT t.relid FROM pg_partition_tree($1::regclass) t WHERE t.isleaf) OR (c.oid = $1::oid AND c.relkind <> 'p'))
   AND CASE c.relreplident
         WHEN 'n' THEN true
         WHEN 'd' THEN NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
         WHEN 'i' THEN NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)
         ELSE false END
 GROUP BY c.oid, n.nspname, c.relname
 ORDER BY 1`;
  return { text, values: [tableOid] };
}

/** Whether a row of the source or of the target has this scope value (`sourceSql`, `targetSql`: quoted names). */
export function tenantFoundStatement(
  sourceSql: string,
  targetSql: string,
  scopeColumn: string,
  tenant: string,
  targetScopeColumn = scopeColumn,
): Statement<{ found: boolean }> {
  const col = ident(scopeColumn);
  return {
    text: `SELECT EXISTS (SELECT 1 FROM ${sourceSql} WHERE ${col} = $1) OR EXISTS (SELECT 1 FROM ${targetSql} WHERE ${ident(targetScopeColumn)} = $1) AS found`,
    values: [tenant],
  };
}

/** Up to 10 scope values of the target (read from a bounded sample), the one equal to `tenant` but for case first. */
export function tenantHintStatement(targetSql: string, scopeColumn: string, tenant: string): Statement<{ v: string; same_ci: boolean }> {
  const col = ident(scopeColumn);
  const text = `SELECT x.v, lower(x.v) = lower($1) AS same_ci
         FROM (SELECT DISTINCT y.v FROM (SELECT t.${col}::text AS v FROM ${targetSql} t WHERE t.${col} IS NOT NULL LIMIT 100000) y) x
        ORDER BY lower(x.v) = lower($1) DESC, x.v LIMIT 10`;
  return { text, values: [tenant] };
}

/**
 * The link's active predicate parsed against the master table and never run (`AND false`: no row read, on Citus no
 * shard reached): a status value the column's type cannot hold (an enum label that does not exist, text for a
 * number) fails here, when the context is built, instead of in the middle of a plan or inside the guard.
 */
export function activeParseStatement(targetSql: string, active: ActivePredicate): Statement {
  return { text: `SELECT 1 FROM ${targetSql} t WHERE ${activeSql('t', active)} AND false`, values: [] };
}

/** Which of a status predicate's values no master holds (compared as text, the column's own spelling), bound as a parameter. */
export function statusValuesMissingStatement(targetSql: string, column: string, values: readonly string[]): Statement<{ v: string }> {
  const col = ident(column);
  return {
    // a join, not a correlated NOT EXISTS: Citus refuses one over a distributed master beside unnest()
    text: `SELECT x.v FROM unnest($1::text[]) WITH ORDINALITY AS x(v, i)
  LEFT JOIN (SELECT DISTINCT t.${col}::text AS v FROM ${targetSql} t WHERE t.${col}::text = ANY($1::text[])) h ON h.v = x.v
 WHERE h.v IS NULL
 ORDER BY x.i`,
    values: [values],
  };
}

/** A tenant as the scope column's type spells it (`01` and ` 1` are `1`; a uuid in lower case): `type` as the catalog gave it. */
export function canonicalTenantStatement(type: string, tenant: string): Statement<{ v: string }> {
  return { text: `SELECT ($1::${type})::text AS v`, values: [tenant] };
}

/**
 * Tables by oid, each named by its partitioned table's root when it is a partition (a link to `customers_1` and one to
 * `customers` hold keys of one table), schema-qualified and quoted (`public.customers`, `"Sales"."Kunden"`) whatever
 * the search_path.
 */
export function linkTableNamesStatement(oids: readonly number[]): Statement<{ oid: number; name: string }> {
  const text = `SELECT o.oid::int8 AS oid, quote_ident(n.nspname) || '.' || quote_ident(r.relname) AS name
  FROM unnest($1::oid[]) o(oid)
  JOIN pg_class r ON r.oid = coalesce(pg_partition_root(o.oid), o.oid)
  JOIN pg_namespace n ON n.oid = r.relnamespace`;
  return { text, values: [oids] };
}
