/**
 * Counts stay right when rows arrive after the plan (issue #23, a new user's trial): 100 rows added
 * with a planned name and 20 planned rows of a master deactivated since. Apply links the added rows (a
 * plan decides per name), and still reports the 20 as skipped with their reason, and the 100 as linked
 * beyond the plan. Before: "planned 3146, updated 3226, skipped 0", no reason. Both modes, both targets.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { applyText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'invoice',
      table: 'invoices',
      key: 'id',
      fk: 'vendor_id',
      name: 'vendor_name',
      scope: ['org'],
      target: { table: 'vendors', key: 'id', name: 'name', active: 'is_active' },
    },
  ],
};

describeEach('skip counts with rows added after the plan', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());
  /** Ten vendors of org o1 and `n` invoices naming them in turn, none linked, in a fresh database. */
  async function vendorsAndInvoices(n: number): Promise<void> {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE vendors (id int PRIMARY KEY, org text NOT NULL, name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
      CREATE TABLE invoices (id serial PRIMARY KEY, org text NOT NULL, vendor_name text, vendor_id int REFERENCES vendors);
      INSERT INTO vendors SELECT g, 'o1', 'Vendor ' || g FROM generate_series(1, 10) g;
      INSERT INTO invoices (org, vendor_name) SELECT 'o1', 'Vendor ' || (1 + g % 10) FROM generate_series(1, ${n}) g;`);
  }

  for (const singleTransaction of [true, false]) {
    it(`skipped planned rows keep their reason; added rows are counted beyond the plan (${singleTransaction ? 'single transaction' : 'batched'})`, async () => {
      await vendorsAndInvoices(200);
      const p = await plan(t.db, { config, tenantId: 'o1' });
      expect(p.results[0]!.recordsMatched).toBe(200);
      await t.db.exec(`
        INSERT INTO invoices (org, vendor_name) SELECT 'o1', 'Vendor 9' FROM generate_series(1, 100);
        UPDATE vendors SET is_active = false WHERE id = 10;`);
      const a = await apply(t.db, {
        config,
        tenantId: 'o1',
        planRunId: p.runId,
        ...(singleTransaction ? { singleTransaction: true } : { batchSize: 50 }),
      });
      const r = a.results[0]!;
      expect([r.planned, r.updated, r.skipped, r.beyondPlan, r.skipReasons?.masterInactive, r.skipReasons?.changedSincePlan]).toEqual([
        200, 280, 20, 100, 20, 0,
      ]);
      expect(applyText(a)).toContain('invoice: 100 of the updated row(s) were not in the plan');
      const db = await t.db.query<{ left: number; linked: number }>(
        `SELECT count(*) FILTER (WHERE vendor_id IS NULL)::int AS left, count(vendor_id)::int AS linked FROM invoices`,
      );
      expect(db.rows[0]).toEqual({ left: 20, linked: 280 });
    });
  }

  it('a planned name that lost rows while another gained some: counted per name, not netted (a new user trial: "skipped 1", nothing beyond)', async () => {
    await vendorsAndInvoices(100);
    const p = await plan(t.db, { config, tenantId: 'o1' });
    await t.db.exec(`
      UPDATE invoices SET vendor_name = 'Nobody' WHERE id IN (1, 2);
      INSERT INTO invoices (org, vendor_name) VALUES ('o1', 'Vendor 5');`);
    const a = await apply(t.db, { config, tenantId: 'o1', planRunId: p.runId, batchSize: 30 });
    const r = a.results[0]!;
    // ids 1 and 2 were 'Vendor 2' and 'Vendor 3'; the added row is a 'Vendor 5'
    expect([r.planned, r.updated, r.skipped, r.beyondPlan, r.skipReasons?.changedSincePlan]).toEqual([100, 99, 2, 1, 2]);
    expect(r.planned).toBe(r.updated + r.skipped - (r.beyondPlan ?? 0));
  });

  for (const singleTransaction of [true, false]) {
    it(`a row added with the name of a master deactivated since: not a planned row skipped, not linked beyond the plan (${singleTransaction ? 'single transaction' : 'batched'})`, async () => {
      // a second trial: "Updated 1, Skipped 3 (3 master deactivated), 1 not in the plan" where 2 planned rows were skipped
      await vendorsAndInvoices(20);
      const p = await plan(t.db, { config, tenantId: 'o1' });
      await t.db.exec(`
        INSERT INTO invoices (org, vendor_name) VALUES ('o1', 'Vendor 3');
        UPDATE vendors SET is_active = false WHERE id = 3;`);
      const a = await apply(t.db, {
        config,
        tenantId: 'o1',
        planRunId: p.runId,
        ...(singleTransaction ? { singleTransaction: true } : { batchSize: 7 }),
      });
      const r = a.results[0]!;
      expect([r.planned, r.updated, r.skipped, r.beyondPlan ?? 0, r.skipReasons?.masterInactive, r.skipReasons?.changedSincePlan]).toEqual([
        20, 18, 2, 0, 2, 0,
      ]);
      expect(applyText(a)).not.toContain('not in the plan');
    });
  }
});
