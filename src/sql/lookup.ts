/**
 * What apply builds around its batches (see apply/lookup.ts): the names of the lookup table and key
 * ladder of a run's link, the privileges that decide where a lookup table may live, the ANALYZE of a
 * source whose statistics are far behind, and the DROP of what a walk built.
 */
import type { Statement } from './statement.js';

/** A run's lookup table of one link (its index in the run): a temporary table, or an UNLOGGED one in fk_backfill. */
export function lookupTableName(runId: string, index: number, temp: boolean): string {
  return `${temp ? 'pg_temp.fkb_' : 'fk_backfill.'}apply_map_${Number(runId)}_${index}`;
}

/** A run's key ladder of one link (its index in the run), in fk_backfill. */
export function ladderTableName(runId: string, index: number): string {
  return `fk_backfill.apply_ladder_${Number(runId)}_${index}`;
}

/** The role may create temporary tables in this database. */
export function mayCreateTempStatement(): Statement<{ ok: boolean }> {
  return { text: `SELECT has_database_privilege(current_database(), 'TEMPORARY') AS ok`, values: [] };
}

/** The role may build a lookup table somewhere: CREATE on schema fk_backfill, or TEMPORARY on the database. */
export function mayBuildLookupStatement(): Statement<{ ok: boolean }> {
  return {
    text: `SELECT has_schema_privilege('fk_backfill', 'CREATE') OR has_database_privilege(current_database(), 'TEMPORARY') AS ok`,
    values: [],
  };
}

/**
 * Whether a table (by oid), or any leaf partition of it, was never analysed (no ANALYZE nor autoanalyze in the
 * statistics views, which every role may read; pg_stats hides a table under row-level security) while it was never
 * counted (row count -1) or holds pages (restored from a dump: its index builds set the row count, not the
 * statistics): the planner then guesses a master table's active filter at a handful of rows. An empty table once
 * analysed is neither, so it is not analysed again on every run.
 */
export function neverAnalyzedStatement(oid: number): Statement<{ never: boolean | null }> {
  return {
    text: `SELECT bool_or(s.last_analyze IS NULL AND s.last_autoanalyze IS NULL) AS never
  FROM pg_class c JOIN pg_stat_all_tables s ON s.relid = c.oid
 WHERE c.oid IN (SELECT $1::oid UNION ALL SELECT p.relid FROM pg_partition_tree($1::oid::regclass) p WHERE p.isleaf)
   AND c.relkind IN ('r', 'm') AND (c.reltuples < 0 OR c.relpages > 0)`,
    values: [oid],
  };
}

/**
 * Whether this role may ANALYZE a table (by oid) and each of its partitions: it owns them (or is a member of the
 * owner) or is a superuser. Else the server skips them with a WARNING in its log on every run (a DBA's trial).
 */
export function mayAnalyzeStatement(oid: number): Statement<{ may: boolean | null }> {
  return {
    text: `SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS may
  FROM pg_class c
 WHERE c.oid IN (SELECT $1::oid UNION ALL SELECT p.relid FROM pg_partition_tree($1::oid::regclass) p)`,
    values: [oid],
  };
}

/** ANALYZE of a source (`sourceSql`: its qualified, quoted name). */
export function analyzeStatement(sourceSql: string): Statement<Record<string, never>> {
  return { text: `ANALYZE ${sourceSql}`, values: [] };
}

/** Drops a table apply built (`table`: a name from lookupTableName or ladderTableName). */
export function dropTableStatement(table: string): Statement<Record<string, never>> {
  return { text: `DROP TABLE IF EXISTS ${table}`, values: [] };
}
