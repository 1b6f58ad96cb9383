import { describe, expect, it } from 'vitest';
import {
  analyzeStatement,
  dropTableStatement,
  ladderTableName,
  lookupTableName,
  mayBuildLookupStatement,
  mayCreateTempStatement,
  mayAnalyzeStatement,
  neverAnalyzedStatement,
} from '../../../src/sql/lookup.js';

describe("apply's lookup tables (whole text)", () => {
  it('names per run and link index: temporary, or in fk_backfill', () => {
    expect(lookupTableName('0042', 3, true)).toBe('pg_temp.fkb_apply_map_42_3');
    expect(lookupTableName('42', 0, false)).toBe('fk_backfill.apply_map_42_0');
    expect(ladderTableName('0042', 1)).toBe('fk_backfill.apply_ladder_42_1');
  });
  it('may the role create temporary tables', () => {
    expect(mayCreateTempStatement()).toEqual({ text: `SELECT has_database_privilege(current_database(), 'TEMPORARY') AS ok`, values: [] });
  });
  it('may the role build a lookup table anywhere', () => {
    expect(mayBuildLookupStatement()).toEqual({
      text: `SELECT has_schema_privilege('fk_backfill', 'CREATE') OR has_database_privilege(current_database(), 'TEMPORARY') AS ok`,
      values: [],
    });
  });
  it('ANALYZE of a source, DROP of a built table', () => {
    expect(analyzeStatement('"erp"."Sales Orders"')).toEqual({ text: 'ANALYZE "erp"."Sales Orders"', values: [] });
    // a table (or a leaf partition) never analysed (the statistics views every role may read) that was never counted,
    // or holds pages (a restored dump)
    expect(neverAnalyzedStatement(16384)).toEqual({
      text: `SELECT bool_or(s.last_analyze IS NULL AND s.last_autoanalyze IS NULL) AS never
  FROM pg_class c JOIN pg_stat_all_tables s ON s.relid = c.oid
 WHERE c.oid IN (SELECT $1::oid UNION ALL SELECT p.relid FROM pg_partition_tree($1::oid::regclass) p WHERE p.isleaf)
   AND c.relkind IN ('r', 'm') AND (c.reltuples < 0 OR c.relpages > 0)`,
      values: [16384],
    });
    // analysed only by a role the server lets analyze it (owner, a member of the owner, a superuser), every partition too
    expect(mayAnalyzeStatement(16384)).toEqual({
      text: `SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS may
  FROM pg_class c
 WHERE c.oid IN (SELECT $1::oid UNION ALL SELECT p.relid FROM pg_partition_tree($1::oid::regclass) p)`,
      values: [16384],
    });
    expect(dropTableStatement('fk_backfill.apply_ladder_42_1')).toEqual({
      text: 'DROP TABLE IF EXISTS fk_backfill.apply_ladder_42_1',
      values: [],
    });
  });
});
