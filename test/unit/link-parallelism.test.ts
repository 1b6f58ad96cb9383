/**
 * How many connections one link is walked on (src/apply/parallel.ts): given N, N; by default ('auto') two from
 * 100 000 planned rows on one server (a plain table, or a table local to a Citus coordinator), one below that and
 * for a distributed or reference source on Citus.
 */
import { describe, expect, it } from 'vitest';
import { AUTO_PARALLEL, AUTO_PARALLEL_MIN_ROWS, linkParallelism } from '../../src/apply/parallel.js';

const plain = { citus: null };
const local = { citus: { source: { kind: 'local' as const, managed: false }, target: { kind: 'reference' as const } } };
const distributed = {
  citus: { source: { kind: 'distributed' as const, column: 'tenant_id', colocation: 1 }, target: { kind: 'reference' as const } },
};
const reference = { citus: { source: { kind: 'reference' as const }, target: { kind: 'reference' as const } } };

describe('connections per link', () => {
  it('auto: two from the threshold on one server, one below it and on Citus-distributed or reference sources; a given N is kept', () => {
    const big = AUTO_PARALLEL_MIN_ROWS;
    expect([
      linkParallelism('auto', big, plain),
      linkParallelism('auto', big - 1, plain),
      linkParallelism('auto', big, local),
      linkParallelism('auto', big, distributed),
      linkParallelism('auto', big, reference),
      linkParallelism('auto', 0, plain),
      linkParallelism(4, 10, distributed),
      linkParallelism(1, big * 10, plain),
    ]).toEqual([AUTO_PARALLEL, 1, AUTO_PARALLEL, 1, 1, 1, 4, 1]);
    expect(AUTO_PARALLEL).toBe(2);
  });

  it('the option autoParallelMinRows moves the threshold; Citus sources stay at one', () => {
    expect([
      linkParallelism('auto', 4_000, plain, 4_000),
      linkParallelism('auto', 3_999, plain, 4_000),
      linkParallelism('auto', 4_000, distributed, 4_000),
      linkParallelism('auto', 4_000, plain),
    ]).toEqual([AUTO_PARALLEL, 1, 1, 1]);
  });
});
