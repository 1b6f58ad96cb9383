import { describe, expect, it } from 'vitest';
import { type Context, noticesOf } from '../../src/context/context.js';

describe('the notices a result carries', () => {
  it('each said once, in the order first said (a schema per tenant repeated one notice per schema)', () => {
    const ctx = { notices: ['a: walked by one connection', 'b', 'a: walked by one connection'], links: [{ notices: ['b', 'c'] }] };
    expect(noticesOf(ctx as unknown as Context)).toEqual({ notices: ['a: walked by one connection', 'b', 'c'] });
    expect(noticesOf({ notices: [], links: [] } as unknown as Context)).toEqual({});
  });
});
