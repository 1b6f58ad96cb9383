import { describe, expect, it } from 'vitest';
import { assertNotActiveAddsUp, notActiveText } from '../../src/status/not-active.js';
import { BackfillError } from '../../src/errors.js';
import { linkStatus, statusTotal } from '../../src/status/status.js';

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

describe("status's report, checked as it is built (what status --json prints)", () => {
  const active = { column: 'deleted_at', activeWhen: 'null' as const };
  const row = { total: '5', null_fks: '2', not_active: '2', linked: '1' };

  it('a link and the total add up, or the report is refused (INTERNAL), not only the printed table', () => {
    const l = linkStatus('invoice', 'invoices', row, active);
    expect(l).toEqual({
      entityType: 'invoice',
      table: 'invoices',
      totalRecords: 5,
      nullFks: 2,
      populatedFks: 1,
      populationRate: '33.3%',
      notActive: 2,
      activeWhen: 'deleted_at IS NULL',
    });
    expect(statusTotal([l, l])).toEqual({ totalRecords: 10, nullFks: 4, populatedFks: 2, populationRate: '33.3%', notActive: 4 });
    expect(() => linkStatus('invoice', 'invoices', { ...row, linked: '2' }, active)).toThrow(
      'invoice: linked 2 + unlinked 2 + not active 2 is not the 5 row(s) counted',
    );
    expect(() => statusTotal([l, { ...l, populatedFks: 0 }])).toThrow(
      'TOTAL: linked 1 + unlinked 4 + not active 4 is not the 10 row(s) counted',
    );
    // without the link's own active there is nothing to check: linked is the total less the NULL FKs
    expect(linkStatus('order', 'orders', { total: 4, null_fks: 1 }, undefined)).toMatchObject({ populatedFks: 3, nullFks: 1 });
  });
});
