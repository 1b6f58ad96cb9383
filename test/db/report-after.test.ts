/**
 * An apply run's report says what the run did (a new user's trial): "Populated after" counts the rows
 * it updated, not the rows its plan matched (before: 100.0% while status and SQL said 96.0%), and a
 * report of an apply undone since says so. Both targets.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, plan, runReport, status, undo } from '../../src/index.js';
import { reportHtml, reportText } from '../../src/render/report.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'invoice',
      table: 'invoices',
      key: 'id',
      fk: 'vendor_id',
      name: 'vendor_name',
      target: { table: 'vendors', key: 'id', name: 'name', active: 'is_active' },
    },
  ],
};

describeEach('report of an apply run', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('"Populated after" counts what the apply updated; an undone apply says it was undone', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE vendors (id int PRIMARY KEY, name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
      CREATE TABLE invoices (id int PRIMARY KEY, vendor_name text, vendor_id int REFERENCES vendors);
      INSERT INTO vendors SELECT g, 'Vendor ' || g FROM generate_series(1, 10) g;
      INSERT INTO invoices SELECT g, 'Vendor ' || (1 + g % 10), CASE WHEN g <= 50 THEN 1 + g % 10 END FROM generate_series(1, 250) g;`);
    const p = await plan(t.db, { config, allTenants: true });
    await t.db.exec(`UPDATE vendors SET is_active = false WHERE id = 10`);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    expect([a.results[0]!.updated, a.results[0]!.skipped]).toEqual([180, 20]);
    const before = await runReport(t.db, { runId: a.runId });
    // 50 linked before + 180 now, of 250 (the plan alone would say 100.0%)
    expect([before.links[0]!.populationAfter, before.undoneBy]).toEqual(['92.0%', null]);
    const u = await undo(t.db, { runId: a.runId });
    const after = await runReport(t.db, { runId: a.runId });
    expect(after.undoneBy).toBe(u.runId);
    expect(reportText(after)).toContain(`Undone by run ${u.runId}: the rows below were set back since`);
  });

  it('"Populated after" leaves out the NULL-FK rows the link\'s own active leaves out, as status rates them (a trial: voided invoices counted as linked)', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE vendors (id int PRIMARY KEY, name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
      CREATE TABLE invoices (id int PRIMARY KEY, vendor_name text, vendor_id int REFERENCES vendors, voided boolean NOT NULL DEFAULT false);
      INSERT INTO vendors SELECT g, 'Vendor ' || g FROM generate_series(1, 10) g;
      INSERT INTO invoices SELECT g, CASE WHEN g % 5 = 0 THEN 'Stranger' ELSE 'Vendor ' || (1 + g % 10) END, NULL, g > 180 FROM generate_series(1, 200) g;`);
    const voidable: ConfigInput = { links: [{ ...config.links[0]!, active: { column: 'voided', activeWhen: false } }] };
    const a = await apply(t.db, { config: voidable, allTenants: true });
    expect(a.results[0]!.updated).toBe(144); // 180 active rows, 36 of them 'Stranger'
    const r = await runReport(t.db, { runId: a.runId });
    // 144 of the 180 rows that count: 80.0% (before: (20 voided + 144) / 200 = 82.0%)
    expect(r.links[0]!.populationAfter).toBe('80.0%');
    const s = await status(t.db, { config: voidable, allTenants: true });
    expect(s.links[0]!.populationRate).toBe('80.0%');
  });

  it('a name only an inactive master has: its candidate is marked inactive in the text and the HTML, as plan prints it', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE vendors (id int PRIMARY KEY, name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
      CREATE TABLE invoices (id int PRIMARY KEY, vendor_name text, vendor_id int REFERENCES vendors);
      INSERT INTO vendors VALUES (1, 'Live Co', true), (2, 'Gone Co', false);
      INSERT INTO invoices VALUES (1, 'Live Co', NULL), (2, 'Gone Co', NULL);`);
    const p = await plan(t.db, { config, allTenants: true });
    const r = await runReport(t.db, { runId: p.runId });
    expect(r.entries.find((e) => e.name === 'Gone Co')?.candidates).toEqual([{ key: '2', name: 'Gone Co', score: 1, active: false }]);
    expect(reportText(r)).toContain('Gone Co (inactive) (1.000)');
    expect(reportHtml(r)).toContain('Gone Co (inactive) (1.000)');
  });

  it('a cut list of names left for people says how many there are in all, and how many rows, as counted in the table', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE vendors (id int PRIMARY KEY, name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
      CREATE TABLE invoices (id int PRIMARY KEY, vendor_name text, vendor_id int REFERENCES vendors);
      INSERT INTO vendors SELECT g, 'Vendor ' || g FROM generate_series(1, 10) g;
      INSERT INTO invoices SELECT g, CASE WHEN g % 3 = 0 THEN 'Stranger ' || (g % 7) WHEN g % 11 = 0 THEN NULL ELSE 'Vendor ' || (1 + g % 10) END, NULL
        FROM generate_series(1, 200) g;`);
    const p = await plan(t.db, { config, allTenants: true });
    const expected = (
      await t.db.query<{ names: string; rows: string }>(
        `SELECT count(DISTINCT coalesce(vendor_name, '')) AS names, count(*) AS rows FROM invoices WHERE vendor_name IS NULL OR vendor_name NOT LIKE 'Vendor %'`,
      )
    ).rows[0]!;
    const cut = await runReport(t.db, { runId: p.runId, maxEntries: 2 });
    expect(cut.entriesTotal).toEqual({ names: Number(expected.names), rows: Number(expected.rows) });
    expect([cut.entries.length, cut.entriesTruncated]).toEqual([2, true]);
    const said = `the 2 with most rows of ${expected.names} names (${expected.rows} rows)`;
    expect(reportText(cut)).toContain(`Not linked: ${said}:`);
    expect(reportHtml(cut)).toContain(`<p>${said}.</p>`);
    const whole = await runReport(t.db, { runId: p.runId });
    expect([whole.entries.length, whole.entriesTruncated, whole.entriesTotal]).toEqual([Number(expected.names), false, cut.entriesTotal]);
    expect(reportText(whole)).toContain(`Not linked: ${expected.names} names (${expected.rows} rows):`);
  });
});
