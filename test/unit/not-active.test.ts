import { describe, expect, it } from 'vitest';
import { assertNotActiveAddsUp, notActiveText } from '../../src/status/not-active.js';
import { BackfillError } from '../../src/errors.js';

describe("rows a link's own active leaves out, as printed", () => {
  it('linked + unlinked + not active = total, or nothing is printed (INTERNAL)', () => {
    const ok = { entityType: 'invoice', total: 5, populated: 1, nullFks: 2, notActive: 2 };
    expect(() => assertNotActiveAddsUp(ok)).not.toThrow();
    expect(notActiveText({ ...ok, activeWhen: 'deleted_at IS NULL' }, 'account_no')).toBe(
      'invoice: 2 row(s) with a NULL account_no left out as not active (deleted_at IS NULL does not hold): neither planned nor linked, not counted as unlinked',
    );
    for (const bad of [
      { ...ok, total: 6 },
      { ...ok, populated: -1, total: 3 },
      { ...ok, notActive: 1.5, total: 4.5 },
    ]) {
      const e = (() => {
        try {
          assertNotActiveAddsUp(bad);
        } catch (x) {
          return x;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(BackfillError);
      expect((e as BackfillError).code).toBe('INTERNAL');
    }
    expect(() => assertNotActiveAddsUp({ ...ok, total: 6 })).toThrow(
      'invoice: linked 1 + unlinked 2 + not active 2 is not the 6 row(s) counted',
    );
  });
});
