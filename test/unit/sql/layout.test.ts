import { describe, expect, it } from 'vitest';
import { firstBlocksRowsStatement, sourceLayoutStatement } from '../../../src/sql/layout.js';

describe("a source's layout (whole text)", () => {
  it('the catalog and settings of one table, by oid', () => {
    expect(sourceLayoutStatement(16384)).toEqual({
      text: `SELECT current_setting('server_version_num')::int AS v, c.relkind::text AS relkind, c.relhassubclass AS sub, am.amname::text AS am,
              (pg_relation_size(c.oid) / current_setting('block_size')::int8)::int8 AS blocks, pg_relation_size(c.oid)::float8 AS bytes, c.reltuples::float8 AS tuples, c.relpages::int8 AS pages,
              pg_size_bytes(current_setting('max_wal_size'))::float8 AS max_wal, pg_size_bytes(current_setting('effective_cache_size'))::float8 AS cache
         FROM pg_class c LEFT JOIN pg_am am ON am.oid = c.relam
        WHERE c.oid = $1::oid`,
      values: [16384],
    });
  });
  it('rows in the first blocks, a TID range', () => {
    expect(firstBlocksRowsStatement('"erp"."Sales Orders"', 1000)).toEqual({
      text: `SELECT count(*)::int8 AS n FROM "erp"."Sales Orders" WHERE ctid < format('(%s,0)', $1::int8)::tid`,
      values: [1000],
    });
  });
});
