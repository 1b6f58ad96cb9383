/**
 * A master key that may be NULL (a UNIQUE column, not the primary key): a master without one is never a candidate.
 * A new user's trial: plan said "no active master with this exact name" of a name a master held, with nothing saying
 * why. Now plan (and every command reading the config) says so in a notice; the name stays unlinked.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { plan, type ConfigInput } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config = (key: string): ConfigInput => ({
  links: [
    {
      entity: 'bill',
      table: 'bills',
      key: 'id',
      fk: 'vendor_ref',
      name: 'vendor',
      target: { table: 'vendors', key, name: 'name' },
      scope: [],
    },
  ],
});

describeEach('a nullable target key', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE vendors (id int PRIMARY KEY, ext_ref text UNIQUE, name text NOT NULL);
      INSERT INTO vendors VALUES (1, 'R1', 'Has Ref'), (2, NULL, 'No Ref');
      CREATE TABLE bills (id int PRIMARY KEY, vendor text, vendor_ref text);
      INSERT INTO bills VALUES (1, 'Has Ref', NULL), (2, 'No Ref', NULL);`);
  });
  afterEach(async () => t.dispose());

  it('is said in a notice; the master without a key is never linked', async () => {
    const p = await plan(t.db, { config: config('ext_ref'), allTenants: true });
    expect(p.notices).toContain(
      'bill: vendors.ext_ref may be NULL: a master without a key is never linked (a name only it holds is left unlinked as if no master had it)',
    );
    expect(p.results[0]).toMatchObject({ recordsMatched: 1, recordsUnmatched: 1 });
    await t.db.exec(`DELETE FROM vendors WHERE ext_ref IS NULL; ALTER TABLE vendors ALTER COLUMN ext_ref SET NOT NULL`);
    const q = await plan(t.db, { config: config('ext_ref'), allTenants: true });
    expect(q.notices ?? []).not.toContainEqual(expect.stringContaining('may be NULL'));
  });
});
