/**
 * The seed's call as a library caller uses it (a new user's library trial): it returns the notices `plan` and `apply`
 * return (it dropped them: a soft-delete column the active predicate leaves out went unsaid), and a `dryRun` that is
 * not a boolean (an empty query-string value, 0) is refused instead of running live.
 */
import { afterEach, expect, it } from 'vitest';
import { backfillForeignKeys, plan } from '../../src/index.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';

describeEach('backfillForeignKeys as a library call', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('returns the notices plan returns, dry and live', async () => {
    t = await freshDb(target);
    await createAxis(t.db);
    await t.db.query(`ALTER TABLE customers ADD COLUMN deleted_at timestamptz`);
    const p = await plan(t.db, { tenantId: DEMO_TENANT });
    expect(p.notices?.some((n) => n.includes('customers also has deleted_at'))).toBe(true);
    const dry = await backfillForeignKeys(t.db, { tenantId: DEMO_TENANT });
    expect(dry.notices).toEqual(p.notices);
    const live = await backfillForeignKeys(t.db, { tenantId: DEMO_TENANT, dryRun: false });
    expect(live.totalRecordsUpdated).toBe(7);
    expect(live.notices).toEqual(p.notices);
  });

  it('a dryRun that is not true or false is USAGE, nothing written', async () => {
    t = await freshDb(target);
    await createAxis(t.db);
    const before = await snapshot(t.db, ['public']);
    for (const bad of ['', 0, 'false', 'no'])
      await refused(
        backfillForeignKeys(t.db, { tenantId: DEMO_TENANT, dryRun: bad as unknown as boolean }),
        'USAGE',
        /^dryRun must be true or false \(got .*\); nothing was run$/,
      );
    expect(await snapshot(t.db, ['public'])).toEqual(before);
    // null and undefined keep the default: a dry run
    const r = await backfillForeignKeys(t.db, { tenantId: DEMO_TENANT, dryRun: null as unknown as boolean });
    expect(r).toMatchObject({ dryRun: true, totalRecordsProcessed: 7, totalRecordsUpdated: 0 });
    expect(await snapshot(t.db, ['public'])).toEqual(before);
  });
});
