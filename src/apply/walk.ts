/**
 * How a batched apply walks a link's source: what the catalog says about its heap (sourceLayout), the
 * choice between a key walk and a ctid walk (chooseWalk, pure), and the ctid walk's batch bounds.
 */
import type { Queryable } from '../db/port.js';
import { num } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { citusShape } from '../sql/citus.js';
import { firstBlocksRowsStatement, sourceLayoutStatement } from '../sql/layout.js';
import type { Statement } from '../sql/link.js';
import { blockBoundStatement, type BoundRow, type Walk } from '../sql/walk.js';
import type { BatchOptions, LinkCheckpoint } from '../batch/batch.js';
import type { ResolvedLink } from '../context/catalog.js';

/** What the catalog says about walking a source in physical order. */
export interface Layout {
  /** Why the ctid walk cannot be used here (null: it can). */
  noCtid: string | null;
  /** Heap blocks now, and bytes. */
  blocks: number;
  bytes: number;
  /** Rows per block (statistics, else counted over the first blocks). */
  density: number;
  /** The server's max_wal_size and effective_cache_size, in bytes. */
  maxWal: number;
  cache: number;
}

export async function sourceLayout(db: Queryable, l: ResolvedLink): Promise<Layout> {
  const r = (await db.query(sourceLayoutStatement(l.sourceOid))).rows[0];
  if (r === undefined) throw new BackfillError('SCHEMA_MISSING_TABLE', `table ${l.config.table} vanished`);
  const blocks = num(r.blocks);
  const noCtid =
    r.v < 140000
      ? 'PostgreSQL before 14 has no TID Range Scan'
      : r.relkind === 'p'
        ? 'it is a partitioned table (its partitions have a ctid space each)'
        : r.relkind !== 'r'
          ? 'it is not a plain table'
          : r.sub
            ? 'it has partitions or child tables'
            : r.am !== 'heap'
              ? `its access method is ${r.am ?? 'unknown'}`
              : citusShape(l.citus) !== undefined
                ? `it is a Citus ${l.citus?.source.kind ?? ''} table (fk-backfill walks Citus tables by key)`
                : null;
  let density = num(r.pages) > 0 && r.tuples > 0 ? r.tuples / num(r.pages) : 0;
  if (density <= 0 && noCtid === null && blocks > 0) {
    // never analyzed: count the first blocks (a TID Range Scan, cheap whatever the table's size)
    const sample = Math.min(blocks, 1000);
    const c = await db.query(firstBlocksRowsStatement(l.sourceSql, sample));
    density = num(c.rows[0]?.n) / sample;
  }
  return { noCtid, blocks, density: density > 0 ? density : 50, bytes: Number(r.bytes), maxWal: Number(r.max_wal), cache: Number(r.cache) };
}

/** WAL a batched apply writes per changed row, roughly (bench:apply at 1 M rows: 410–470 bytes). */
const WAL_PER_ROW = 500;

/**
 * The walk of one link ('auto'). ctid (physical order) for big runs: every heap page is read and
 * written once, in order, like the bare UPDATE's sequential scan. A key walk over a table whose heap
 * order is unrelated to the key (uuid v4 keys) touches nearly every page in every batch, and after each
 * checkpoint every page touched again is written to the WAL whole (full-page writes): at 10 M rows
 * 52.7 GB of WAL and 496 s against the ctid walk's 14.7 GB and 391 s (docs/design.md).
 * The key walk stays for
 * - a run whose rows are a small part of the table (one tenant of many): reading every block would
 *   cost more than visiting its rows by key;
 * - a small run: its WAL fits in half of max_wal_size (no checkpoint to repeat full-page writes) and
 *   the table in half the cache. There later batches update rows on pages earlier ones pruned, in
 *   place (HOT, no index entry), and write less WAL than the ctid walk (1 M rows: 368 MB against 473).
 */
export function chooseWalk(asked: BatchOptions['walk'], layout: Layout, planned: number, table: string): Walk {
  if (asked === 'key') return 'key';
  if (asked === 'ctid') {
    if (layout.noCtid !== null)
      throw new BackfillError('USAGE', `--walk ctid cannot walk ${table}: ${layout.noCtid}; use --walk key or auto`);
    return 'ctid';
  }
  if (layout.noCtid !== null || planned * 4 < layout.blocks) return 'key';
  const small = planned * WAL_PER_ROW < layout.maxWal / 2 && layout.bytes < layout.cache / 2;
  return small ? 'key' : 'ctid';
}

/** The ctid walk's next bound: `n` rows' worth of blocks, up to the pass's end. */

export function blockBound(lc: LinkCheckpoint, layout: Layout): (after: string | null, limit: number) => Statement<BoundRow> {
  const end = lc.end ?? layout.blocks;
  return (from, n) => blockBoundStatement(from, n / layout.density, end, layout.density);
}
