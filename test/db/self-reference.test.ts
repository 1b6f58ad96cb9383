/**
 * A link from a table to itself (partners.parent_id → partners.id): its name column must name the other row. With
 * the master's own name column every row would match itself (a trial's discover wrote that link and apply made 729
 * partners their own parent): refused before anything is written, while parent_name links children to parents.
 */
import { afterEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { apply, installGuard, plan, undo, verify } from '../../src/index.js';
import { applyText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config = (name: string): ConfigInput => ({
  links: [
    {
      entity: 'parent',
      table: 'partners',
      key: 'id',
      fk: 'parent_id',
      name,
      scope: ['company_id'],
      target: { table: 'partners', key: 'id', name: 'name' },
    },
  ],
});

describeEach('a link from a table to itself', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it("refuses the master's own name column; links children to their parents by a parent name column", async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE partners (id int PRIMARY KEY, company_id int NOT NULL, name text NOT NULL, parent_name text, parent_id int REFERENCES partners);
      INSERT INTO partners VALUES (1, 1, 'Acme Group', NULL, NULL), (2, 1, 'Acme Shipping', 'Acme Group', NULL), (3, 1, 'Acme Retail', 'Acme Group', NULL);`);
    await expect(plan(t.db, { config: config('name'), allTenants: true })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/partners\.name is the master's own name column .* every row would be linked to itself/),
    });
    await expect(installGuard(t.db, { config: config('name') })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const p = await plan(t.db, { config: config('parent_name'), allTenants: true });
    const a = await apply(t.db, { config: config('parent_name'), allTenants: true, planRunId: p.runId });
    expect(a.totalUpdated).toBe(2);
    const r = await t.db.query<{ id: number; parent_id: number | null }>(`SELECT id, parent_id FROM partners ORDER BY id`);
    expect(r.rows).toEqual([
      { id: 1, parent_id: null },
      { id: 2, parent_id: 1 },
      { id: 3, parent_id: 1 },
    ]);
  });

  for (const singleTransaction of [true, false]) {
    it(`a hierarchy: a row naming itself is never its own parent (skipped, said why), roots without a parent name are no problem for verify, undo exact (${singleTransaction ? 'single transaction' : 'batched'})`, async () => {
      t = await freshDb(target);
      await t.db.exec(`
        CREATE TABLE partners (id int PRIMARY KEY, company_id int NOT NULL, name text NOT NULL, parent_name text, parent_id int);
        INSERT INTO partners VALUES (1, 1, 'Acme Group', NULL, NULL), (2, 1, 'Acme Shipping', 'Acme Group', NULL),
          (3, 1, 'Loner', 'Loner', NULL), (4, 1, 'Blank', '  ', NULL), (5, 2, 'Acme Group', NULL, NULL), (6, 2, 'Acme Retail', 'Acme Group', NULL);`);
      const snap = async (): Promise<unknown[]> => (await t.db.query(`SELECT * FROM partners ORDER BY id`)).rows;
      const before = await snap();
      const cfg = config('parent_name');
      const a = await apply(t.db, { config: cfg, allTenants: true, singleTransaction, ...(singleTransaction ? {} : { batchSize: 2 }) });
      expect([a.results[0]!.planned, a.totalUpdated, a.results[0]!.skipped]).toEqual([3, 2, 1]);
      expect(a.results[0]!.skipReasons?.selfReference).toBe(1);
      expect(applyText(a)).toContain('1 names itself (never linked to itself)');
      const r = await t.db.query<{ id: number; parent_id: number | null }>(`SELECT id, parent_id FROM partners ORDER BY id`);
      expect(r.rows.map((x) => [x.id, x.parent_id])).toEqual([
        [1, null],
        [2, 1],
        [3, null],
        [4, null],
        [5, null],
        [6, 5],
      ]);
      // the three rows without a parent name (two roots, one blank) and the row naming itself are warnings, not problems
      const v = (await verify(t.db, { config: cfg, allTenants: true })).links[0]!;
      expect([v.nullFks, v.nullFksWithoutName, v.nullFksSelf]).toEqual([4, 3, 1]);
      expect(v.problems.filter((x) => x.includes('NULL'))).toEqual([]);
      expect(v.warnings).toContain('1 row(s) name themselves in parent_name: never linked to themselves, their parent_id stays NULL');
      expect(v.warnings.join('\n')).toContain('3 row(s) have no parent_name (NULL or blank), so nothing to link');
      const u = await undo(t.db, { runId: a.runId, singleTransaction });
      expect([u.totalReverted, u.totalSkipped]).toEqual([2, 0]);
      expect(await snap()).toEqual(before);
    });
  }

  it('the guard never makes a row its own parent (an update naming itself is a miss)', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE partners (id int PRIMARY KEY, company_id int NOT NULL, name text NOT NULL, parent_name text, parent_id int);
      INSERT INTO partners VALUES (1, 1, 'Acme Group', NULL, NULL), (2, 1, 'Acme Shipping', NULL, NULL);`);
    await installGuard(t.db, { config: config('parent_name') });
    await t.db.exec(`UPDATE partners SET parent_name = 'Acme Group' WHERE id IN (1, 2)`);
    const r = await t.db.query<{ id: number; parent_id: number | null }>(`SELECT id, parent_id FROM partners ORDER BY id`);
    expect(r.rows.map((x) => [x.id, x.parent_id])).toEqual([
      [1, null],
      [2, 1],
    ]);
    const m = await t.db.query<{ reason: string }>(`SELECT reason FROM fk_backfill.guard_misses`);
    expect(m.rows).toEqual([{ reason: 'self' }]);
  });

  it('verify warns of rows in a cycle of parents (A under B under A), per tenant: keys repeat across tenants', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE partners (id int NOT NULL, company_id int NOT NULL, name text NOT NULL, parent_name text, parent_id int, PRIMARY KEY (company_id, id));
      INSERT INTO partners VALUES (1, 1, 'A', 'B', NULL), (2, 1, 'B', 'A', NULL), (3, 1, 'C', 'A', NULL),
        (1, 2, 'A', NULL, NULL), (2, 2, 'B', 'A', NULL);`);
    const cfg: ConfigInput = { links: [{ ...config('parent_name').links[0]!, key: ['company_id', 'id'] }] };
    const a = await apply(t.db, { config: cfg, allTenants: true });
    expect(a.totalUpdated).toBe(4);
    const v = (await verify(t.db, { config: cfg, allTenants: true })).links[0]!;
    expect(v.warnings.filter((w) => w.includes('cycle'))).toEqual([
      '2 row(s) are in a cycle of parent_id (following it from them comes back to them within 64 steps): a recursive query over partners must guard against it',
    ]);
    const one = (await verify(t.db, { config: cfg, tenantId: '2' })).links[0]!;
    expect(one.warnings.filter((w) => w.includes('cycle'))).toEqual([]);
  });
});
