/**
 * Commands that only read, or were given a run this database cannot have, create nothing on a database fk-backfill
 * never touched: not even schema fk_backfill. A new user's trial found undo and report of an unknown run and
 * constrain --dry-run creating the schema and every table of it (status, verify, drift and bad input did not).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAxis } from '../../src/demo/axis.js';
import { constrain, resumeApply, resumeUndo, revenueReport, runReport, undo } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

describeEach('a database fk-backfill never touched', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target, { migrated: false });
    await createAxis(t.db);
  });
  afterEach(async () => t.dispose());

  const ownSchema = async (): Promise<boolean> =>
    (await t.db.query<{ ok: boolean }>(`SELECT to_regnamespace('fk_backfill') IS NOT NULL AS ok`)).rows[0]!.ok;

  it('undo, report and apply --resume of a run it cannot have say so and create nothing; revenue creates nothing; constrain --dry-run creates nothing', async () => {
    await expect(undo(t.db, { runId: '1' })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND', exitCode: 2 });
    await expect(runReport(t.db, { runId: '5' })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND', exitCode: 2 });
    await expect(resumeApply(t.db, { runId: '99' })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND', exitCode: 2 });
    await expect(resumeUndo(t.db, { runId: '99' })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND', exitCode: 2 });
    // a report of the data alone
    expect((await revenueReport(t.db, { allTenants: true })).links.length).toBeGreaterThan(0);
    const dry = await constrain(t.db, { dryRun: true, allTenants: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.links.length).toBeGreaterThan(0);
    expect(await ownSchema()).toBe(false);
    // a live run still creates it (its run is recorded)
    await constrain(t.db, { allTenants: true, entities: ['sales_order'] });
    expect(await ownSchema()).toBe(true);
  });
});
