/**
 * `verify` proves ON DELETE RESTRICT / NO ACTION holds by deleting one referenced master in a transaction it always
 * rolls back. A DEFERRABLE INITIALLY DEFERRED FK (an application's, added before fk-backfill) checks at COMMIT, which
 * that transaction never reaches: a trial's verify reported "deleting a referenced crm.vendors row was not refused"
 * (restrictVerified false, exit 3) for an FK that refuses it. The trial now checks constraints at the DELETE.
 */
import { afterEach, expect, it } from 'vitest';
import { verify } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'bill',
      table: 'bills',
      key: 'id',
      fk: 'vendor_id',
      name: 'vendor_label',
      scope: ['workspace'],
      target: { table: 'vendors', key: 'id', name: 'legal_name' },
    },
  ],
};

describeEach('verify with a deferred FK', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  for (const when of ['INITIALLY DEFERRED', 'INITIALLY IMMEDIATE'])
    it(`a DEFERRABLE ${when} FK refuses the trial delete: restrictVerified, no problem, and the master is still there`, async () => {
      t = await freshDb(target);
      await t.db.exec(`
        CREATE TABLE vendors (id bigint PRIMARY KEY, workspace text NOT NULL, legal_name text NOT NULL);
        CREATE TABLE bills (id bigint PRIMARY KEY, workspace text NOT NULL, vendor_label text,
          vendor_id bigint REFERENCES vendors (id) DEFERRABLE ${when});
        CREATE INDEX ON bills (vendor_id);
        INSERT INTO vendors VALUES (1, 'acme-eu', 'Acme Print'), (2, 'bolt-us', 'Bolt Office');
        INSERT INTO bills VALUES (1, 'acme-eu', 'Acme Print', 1), (2, 'bolt-us', 'Bolt Office', 2);`);
      const v = await verify(t.db, { config, allTenants: true });
      expect(v.links[0]!.constraint).toMatchObject({ onDelete: 'no action', validated: true });
      expect(v.links[0]!.restrictVerified).toBe(true);
      expect(v.links[0]!.problems).toEqual([]);
      expect(v.ok).toBe(true);
      expect((await t.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM vendors`)).rows[0]!.n).toBe('2');
    });
});
