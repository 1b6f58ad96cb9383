/**
 * plan's list of rows not linked, on a citext name column: the plan records a group of spellings ('ACME 40',
 * 'Acme 40') under its least one, and each listed row is looked up in the entries for its outcome, reason and
 * candidates. The lines' union made the row's name text, and citext = text is text's case-sensitive equality: a row
 * spelled 'Acme 40' found no entry and was listed with no reason and no candidates (a new user's trial: a citext
 * documents table beside a char(40) master, rows whose only master is archived listed as "unmatched" with no why).
 */
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { plan } from '../../src/index.js';
import type { Database } from '../../src/db/port.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { citextDb, closeCitextPglite } from '../helpers/citext.js';
import { describeEach } from '../helpers/db.js';

afterAll(closeCitextPglite);

const config: ConfigInput = {
  links: [
    {
      entity: 'doc',
      table: 'docs',
      key: 'id',
      fk: 'customer_no',
      name: 'cust_name',
      scope: ['tenant_id'],
      target: { table: 'customer', key: 'customer_no', name: 'cust_name', active: { column: 'status', activeWhen: { in: ['active'] } } },
    },
  ],
};

describeEach('plan lists citext rows not linked with their entry, whatever their spelling', (target) => {
  let h: { db: Database; dispose(): Promise<void> };
  beforeEach(async () => {
    h = await citextDb(target);
    await h.db.exec(`CREATE EXTENSION IF NOT EXISTS citext;
      CREATE TABLE customer (customer_no bigint PRIMARY KEY, tenant_id int NOT NULL, cust_name char(40) NOT NULL, status text NOT NULL);
      INSERT INTO customer VALUES (1, 1, 'Acme 1', 'active'), (40, 1, 'Acme 40', 'archived'), (2, 1, 'Twin', 'active'), (3, 1, 'Twin', 'active');
      CREATE TABLE docs (id int PRIMARY KEY, tenant_id int NOT NULL, cust_name citext, customer_no bigint);
      INSERT INTO docs VALUES (1, 1, 'Acme 1', NULL), (2, 1, 'Acme 40', NULL), (3, 1, 'ACME 40', NULL), (4, 1, 'acme 40', NULL),
                              (5, 1, 'twin', NULL), (6, 1, 'TWIN', NULL), (7, 1, 'Nobody', NULL), (8, 1, 'NOBODY', NULL);`);
  });
  afterEach(async () => h.dispose());

  it('every listed row carries its outcome, reason and candidates', async () => {
    const p = await plan(h.db, { config, allTenants: true });
    const r = p.results[0]!;
    expect(r.recordsMatched).toBe(1);
    const lines = r.unmatchedRecords.map((u) => [u.documentNumber, u.entityName, u.outcome, u.reason, u.candidates.length]);
    expect(lines).toEqual([
      ['2', 'Acme 40', 'unmatched', 'only an inactive master matches this name (not linked)', 1],
      ['3', 'ACME 40', 'unmatched', 'only an inactive master matches this name (not linked)', 1],
      ['4', 'acme 40', 'unmatched', 'only an inactive master matches this name (not linked)', 1],
      ['5', 'twin', 'ambiguous', '2 active masters share this exact name', 2],
      ['6', 'TWIN', 'ambiguous', '2 active masters share this exact name', 2],
      ['7', 'Nobody', 'unmatched', 'no active master with this exact name', 0],
      ['8', 'NOBODY', 'unmatched', 'no active master with this exact name', 0],
    ]);
  });
});
