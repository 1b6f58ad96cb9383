/**
 * chooseWalk (issue #15: the walk policy was pure but unexported, so untested): what `--walk auto`
 * picks for a source, and what `--walk ctid` refuses.
 */
import { describe, expect, it } from 'vitest';
import { BackfillError } from '../../src/errors.js';
import { chooseWalk, type Layout } from '../../src/apply/walk.js';

const GB = 1024 ** 3;
// a 1 GB heap table of 10 M rows (100 per 8 kB block) on a server with max_wal_size 1 GB and 4 GB of cache
const big: Layout = { noCtid: null, blocks: 131_072, bytes: GB, density: 100, maxWal: GB, cache: 4 * GB };

describe('chooseWalk', () => {
  it('auto: ctid for a big run over most of a table, whose WAL outgrows half of max_wal_size', () => {
    expect(chooseWalk('auto', big, 9_000_000, 't')).toBe('ctid');
    expect(chooseWalk(undefined, big, 9_000_000, 't')).toBe('ctid');
  });
  it('auto: key for a run over a small part of the table (fewer planned rows than a quarter of its blocks)', () => {
    expect(chooseWalk('auto', big, 30_000, 't')).toBe('key');
  });
  it('auto: key for a small run whose WAL and table fit (no checkpoint to repeat full-page writes)', () => {
    const small: Layout = { ...big, blocks: 2_000, bytes: 2_000 * 8192 };
    expect(chooseWalk('auto', small, 150_000, 't')).toBe('key');
    // the same rows on a server with a tiny max_wal_size: ctid
    expect(chooseWalk('auto', { ...small, maxWal: 64 * 1024 * 1024 }, 150_000, 't')).toBe('ctid');
  });
  it('auto: key wherever ctid cannot walk (partitioned, Citus, before PostgreSQL 14, another access method)', () => {
    expect(chooseWalk('auto', { ...big, noCtid: 'it is a partitioned table' }, 9_000_000, 't')).toBe('key');
  });
  it('asked: key is always key; ctid is refused where it cannot walk, naming the table and why (USAGE, exit 2)', () => {
    expect(chooseWalk('key', big, 9_000_000, 't')).toBe('key');
    expect(chooseWalk('ctid', big, 10, 't')).toBe('ctid');
    const e = (() => {
      try {
        chooseWalk('ctid', { ...big, noCtid: 'it is a partitioned table (its partitions have a ctid space each)' }, 10, 'orders');
      } catch (x) {
        return x;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(BackfillError);
    expect([(e as BackfillError).code, (e as BackfillError).exitCode]).toEqual(['USAGE', 2]);
    expect((e as BackfillError).message).toBe(
      '--walk ctid cannot walk orders: it is a partitioned table (its partitions have a ctid space each); use --walk key or auto',
    );
  });
});
