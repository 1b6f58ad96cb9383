/**
 * A link from a table to itself (partners.parent_id → partners.id): its name column must name the other row. With
 * the master's own name column every row would match itself (a trial's discover wrote that link and apply made 729
 * partners their own parent): refused before anything is written, while parent_name links children to parents.
 */
import { afterEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { apply, installGuard, plan } from '../../src/index.js';
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
});
