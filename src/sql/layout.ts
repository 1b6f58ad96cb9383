/**
 * What the catalog says about walking a source in physical order (apply/walk.ts's sourceLayout): the
 * server's version and settings, the table's kind, access method and size, and a count of the rows in
 * its first blocks when it was never analysed.
 */
import type { Statement } from './statement.js';

export interface SourceLayoutRow {
  v: number;
  relkind: string;
  sub: boolean;
  am: string | null;
  blocks: unknown;
  bytes: number;
  tuples: number;
  pages: unknown;
  max_wal: number;
  cache: number;
}

/** One row for the table of oid `sourceOid` (none: it vanished). */
export function sourceLayoutStatement(sourceOid: number): Statement<SourceLayoutRow> {
  return {
    text: `SELECT current_setting('server_version_num')::int AS v, c.relkind::text AS relkind, c.relhassubclass AS sub, am.amname::text AS am,
              (pg_relation_size(c.oid) / current_setting('block_size')::int8)::int8 AS blocks, pg_relation_size(c.oid)::float8 AS bytes, c.reltuples::float8 AS tuples, c.relpages::int8 AS pages,
              pg_size_bytes(current_setting('max_wal_size'))::float8 AS max_wal, pg_size_bytes(current_setting('effective_cache_size'))::float8 AS cache
         FROM pg_class c LEFT JOIN pg_am am ON am.oid = c.relam
        WHERE c.oid = $1::oid`,
    values: [sourceOid],
  };
}

/** The rows in the first `blocks` heap blocks of a source (a TID Range Scan, cheap whatever its size). */
export function firstBlocksRowsStatement(sourceSql: string, blocks: number): Statement<{ n: unknown }> {
  return { text: `SELECT count(*)::int8 AS n FROM ${sourceSql} WHERE ctid < format('(%s,0)', $1::int8)::tid`, values: [blocks] };
}
