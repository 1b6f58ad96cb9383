/**
 * Issue #17, items 5 and 6: the seed's summary fields in plan, apply and the seed call alike; a second
 * apply / undo of the same plan / run says which run already did it (and prints no undo command for a
 * run that changed nothing); runs sorted by id as a number; no silent fallback to the built-in Axis
 * links; JSON syntax errors with line and column; unknown tenants listed with a case hint;
 * openDatabase(undefined) is a BackfillError.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AXIS_CONFIG, apply, backfillForeignKeys, BackfillError, listRuns, openDatabase, plan, status, undo } from '../../src/index.js';
import { applyText, undoText } from '../../src/cli/format.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describeEach('seed summary, repeated runs, runs order, config and tenant errors', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('plan, apply and backfillForeignKeys carry the seed summary; a second apply / undo names the run that already did it', async () => {
    t = await freshDb(target);
    await createAxis(t.db);
    const p = await plan(t.db, { config: AXIS_CONFIG, tenantId: DEMO_TENANT, executedBy: 'ana' });
    expect(p).toMatchObject({
      dryRun: true,
      executedBy: 'ana',
      totalRecordsProcessed: 7,
      totalRecordsUpdated: 0,
      overallMatchRate: '100.0%',
    });
    expect(p.executedAt).toMatch(ISO);
    const a = await apply(t.db, { config: AXIS_CONFIG, tenantId: DEMO_TENANT, planRunId: p.runId, executedBy: 'bo' });
    expect(a).toMatchObject({
      dryRun: false,
      executedBy: 'bo',
      totalRecordsProcessed: 7,
      totalRecordsUpdated: 7,
      totalUpdated: 7,
      overallMatchRate: '100.0%',
    });
    expect(a.executedAt).toMatch(ISO);
    expect(a.alreadyAppliedBy).toBeUndefined();
    expect(applyText(a)).toContain(`Undo: fk-backfill undo --run ${a.runId} --yes`);
    for (const singleTransaction of [false, true]) {
      const again = await apply(t.db, { config: AXIS_CONFIG, tenantId: DEMO_TENANT, planRunId: p.runId, singleTransaction });
      expect(again.totalUpdated).toBe(0);
      expect(again.alreadyAppliedBy).toBe(a.runId);
      expect(applyText(again)).toBe(
        `Nothing to do: plan ${p.runId} was already applied by run ${a.runId} (run ${again.runId} changed no row).`,
      );
      expect(applyText(again)).not.toContain('Undo:');
    }
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(7);
    expect(u.alreadyUndoneBy).toBeUndefined();
    const u2 = await undo(t.db, { runId: a.runId, singleTransaction: false });
    expect(u2.alreadyUndoneBy).toBe(u.runId);
    expect(undoText(u2)).toBe(`Nothing to revert: run ${a.runId} was already undone by run ${u.runId} (run ${u2.runId} changed no row).`);
    // the seed call, without config (its four Axis links), dry run then live
    const dry = await backfillForeignKeys(t.db, { tenantId: DEMO_TENANT, userId: 'u1' });
    expect(dry).toMatchObject({
      dryRun: true,
      executedBy: 'u1',
      totalRecordsProcessed: 7,
      totalRecordsUpdated: 0,
      overallMatchRate: '100.0%',
    });
    const live = await backfillForeignKeys(t.db, { tenantId: DEMO_TENANT, dryRun: false, userId: 'u1' });
    expect(live).toMatchObject({ dryRun: false, totalRecordsProcessed: 7, totalRecordsUpdated: 7 });
    // the newest runs first, ids compared as numbers (run 10 after run 9)
    for (let i = 0; i < 4; i++) await plan(t.db, { config: AXIS_CONFIG, tenantId: DEMO_TENANT });
    const ids = (await listRuns(t.db, 3)).map((r) => Number(r.id));
    expect(ids[0]).toBeGreaterThanOrEqual(10);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
  });

  it('no config on a database without the Axis tables: CONFIG_NOT_FOUND, not "table does not exist"; unknown tenants listed with a case hint', async () => {
    t = await freshDb(target);
    await t.db.exec(`CREATE TABLE accounts (id int PRIMARY KEY, org text NOT NULL, name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, org text NOT NULL, account_name text, account_id int);
      INSERT INTO accounts VALUES (1, 'Acme', 'A'), (2, 'Beta', 'B');`);
    await expect(status(t.db, {})).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: expect.stringContaining('no config given, and this database is not shaped like the built-in Axis links'),
    });
    await expect(backfillForeignKeys(t.db, { tenantId: 'Acme' })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
    const config = {
      links: [
        {
          entity: 'order',
          table: 'orders',
          key: 'id',
          fk: 'account_id',
          name: 'account_name',
          scope: ['org'],
          target: { table: 'accounts', key: 'id', name: 'name' },
        },
      ],
    };
    const err = await plan(t.db, { config, tenantId: 'acme' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackfillError);
    expect((err as BackfillError).code).toBe('UNKNOWN_TENANT');
    expect((err as BackfillError).message).toBe(
      'tenant "acme" not found: no row of orders, accounts has it; did you mean "Acme"? tenant values are case-sensitive; some org values of accounts: "Acme", "Beta"',
    );
    // an enum scope column: a label the type lacks gets the same hint (a new user's trial)
    await t.db.exec(`CREATE TYPE org_t AS ENUM ('Acme', 'Beta'); ALTER TABLE accounts ALTER COLUMN org TYPE org_t USING org::org_t;
      ALTER TABLE orders ALTER COLUMN org TYPE org_t USING org::org_t;`);
    await expect(plan(t.db, { config, tenantId: 'acme' })).rejects.toMatchObject({
      code: 'UNKNOWN_TENANT',
      message:
        'tenant "acme" is not a valid org_t for orders.org; did you mean "Acme"? tenant values are case-sensitive; some org values of accounts: "Acme", "Beta"',
    });
    await expect(openDatabase(undefined as unknown as string)).rejects.toBeInstanceOf(BackfillError);
    await expect(openDatabase(undefined as unknown as string)).rejects.toMatchObject({ code: 'DB_URL_INVALID' });
  });

  it(
    'CLI: plan --json carries the seed summary and says the built-in links are used; no config found is exit 2',
    { timeout: 240_000 },
    async () => {
      t = await freshDb(target, { onDisk: true });
      await createAxis(t.db);
      await t.db.exec(`CREATE SCHEMA other; CREATE TABLE other.x (id int)`);
      await t.release();
      const dir = mkdtempSync(join(tmpdir(), 'fkb-cfg-'));
      const p = await runCli(['plan', '--db', t.url, '--tenant', DEMO_TENANT, '--json'], { cwd: dir });
      expect(p.code, p.stderr).toBe(0);
      const pj = p.json<Record<string, unknown>>();
      expect(pj).toMatchObject({ dryRun: true, totalRecordsProcessed: 7, totalRecordsUpdated: 0, overallMatchRate: '100.0%' });
      expect(pj['executedAt']).toMatch(ISO);
      expect(pj['notices']).toEqual([expect.stringContaining('no config given: using the built-in Axis links')]);
      if (t.target !== 'pglite') {
        // the same server database seen through a search_path without the Axis tables
        const other = await runCli(['status', '--db', `${t.url}?options=-csearch_path%3Dother`], { cwd: dir });
        expect(other.code, other.stderr).toBe(2);
        expect(other.stderr).toContain('no config given, and this database is not shaped like the built-in Axis links');
      }
    },
  );
});
