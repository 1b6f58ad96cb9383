import { describe, expect, it } from 'vitest';
import { cmp } from '../../../src/review/queue.js';

describe('facet values in order', () => {
  it('whole numbers by value, other values as text', () => {
    expect(['10', '2', '1', '11', '-3'].sort(cmp)).toEqual(['-3', '1', '2', '10', '11']);
    expect(['t10', 't2', 't1'].sort(cmp)).toEqual(['t1', 't10', 't2']);
    expect(['2', 'b', '10', 'a'].sort(cmp)).toEqual(['2', '10', 'a', 'b']);
  });
});
