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

/** ANALYZE of a source (`sourceSql`: its qualified, quoted name). */
export function analyzeStatement(sourceSql: string): Statement<Record<string, never>> {
  return { text: `ANALYZE ${sourceSql}`, values: [] };
}

/** Drops a table apply built (`table`: a name from lookupTableName or ladderTableName). */
export function dropTableStatement(table: string): Statement<Record<string, never>> {
  return { text: `DROP TABLE IF EXISTS ${table}`, values: [] };
}
