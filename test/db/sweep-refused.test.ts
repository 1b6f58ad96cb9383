/**
 * The final sweep of a batched apply (planned rows the walk passed by) leaves out the rows the table already refused in
 * this run. A new user's trial: a CHECK refusing 3,000 rows on a table with a BEFORE UPDATE trigger (so each batch
 * found them by splitting, well under its limit), and one row the walk passed by: the sweep tried all 3,000 again in
 * one statement, went over the limit, and the run failed with ROWS_REFUSED after the whole walk, as did every resume.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, type ConfigInput } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'bill',
      table: 'bills',
      key: 'id',
      fk: 'vendor_id',
      name: 'vendor',
      scope: ['org'],
      target: { table: 'vendors', key: 'id', name: 'name' },
    },
  ],
};

describeEach('the final sweep and refused rows', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('rows refused during the walk are not tried again by the sweep: the run ends done, the passed-by row linked', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE vendors (id int PRIMARY KEY, org text NOT NULL, name text NOT NULL);
      INSERT INTO vendors SELECT g, 'o1', 'Vendor ' || g FROM generate_series(1, 20) g;
      CREATE TABLE bills (id int PRIMARY KEY, org text NOT NULL, vendor text, vendor_id int, status text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT void_no_vendor CHECK (status <> 'void' OR vendor_id IS NULL));
      INSERT INTO bills (id, org, vendor, status)
        SELECT g, 'o1', 'Vendor ' || (g % 20 + 1), CASE WHEN g % 5 = 0 THEN 'void' ELSE 'open' END FROM generate_series(1, 1500) g;
      CREATE TABLE flag (id int);
      -- sets updated_at, and cancels row 12 once: the walk passes it by, so the sweep runs
      CREATE FUNCTION touch_and_cancel_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = 12 AND NOT EXISTS (SELECT 1 FROM flag) THEN INSERT INTO flag VALUES (12); RETURN NULL; END IF;
        NEW.updated_at := now(); RETURN NEW;
      END $$;
      CREATE TRIGGER touch BEFORE UPDATE ON bills FOR EACH ROW EXECUTE FUNCTION touch_and_cancel_once();`);
    const a = await apply(t.db, { config, allTenants: true, batchSize: 100 });
    expect(a.status).toBe('done');
    const r = a.results[0]!;
    expect([r.planned, r.updated, r.skipped]).toEqual([1500, 1200, 300]);
    expect(r.skipReasons).toMatchObject({ refusedByTable: 300 });
    const row12 = await t.db.query<{ v: number | null }>(`SELECT vendor_id AS v FROM bills WHERE id = 12`);
    expect(row12.rows[0]!.v).toBe(13);
  });
});
