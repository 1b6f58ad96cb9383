/**
 * A loose scope column (citext: 'ACME' = 'acme') is compared by its text form too in every statement, as
 * plan and apply compare it (test/reliability/column-types.test.ts): a document of tenant 'acme' and a
 * master of tenant 'ACME' are of different scopes. verify calls such a link cross-scope (and finds no
 * same-scope master to try its delete probe on), drift lists the document's name as new (no master of
 * its scope would link it).
 * Before: verify's join, its delete probe and drift's master count compared the citext values alone:
 * cross-scope 0, the probe deleted the 'ACME' master, the name was left out of drift.
 */
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { verify } from '../../src/verify/verify.js';
import { drift } from '../../src/guard/drift.js';
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
      fk: 'master_id',
      name: 'master_name',
      scope: ['tenant'],
      updatedAt: null,
      target: { table: 'masters', key: 'id', name: 'name', active: 'active' },
    },
  ],
};

describeEach('loose (citext) scope columns compare by their text form', (target) => {
  let h: { db: Database; dispose(): Promise<void> };
  beforeEach(async () => {
    h = await citextDb(target);
    await h.db.exec(`CREATE EXTENSION IF NOT EXISTS citext;
      CREATE TABLE masters (id int PRIMARY KEY, tenant citext NOT NULL, name text NOT NULL, active boolean NOT NULL);
      CREATE TABLE docs (id int PRIMARY KEY, tenant citext NOT NULL, master_name text, master_id int REFERENCES masters (id) ON DELETE RESTRICT);
      CREATE INDEX ON docs (master_id);
      INSERT INTO masters VALUES (1, 'ACME', 'Widget', true), (2, 'acme', 'Gadget', true);
      -- doc 1: tenant 'acme' linked to the 'ACME' master (another scope); doc 2: its own scope's master; doc 3: NULL FK, a name only 'ACME' has
      INSERT INTO docs VALUES (1, 'acme', 'Widget', 1), (2, 'acme', 'Gadget', 2), (3, 'acme', 'Widget', NULL);`);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('verify: a link to a master whose tenant differs only in case is cross-scope; the delete probe finds a same-scope master only', async () => {
    const v = await verify(h.db, { config, allTenants: true });
    expect(v.links.map((l) => [l.totalRecords, l.nullFks, l.orphans, l.crossScope, l.inactiveTargets])).toEqual([[3, 1, 0, 1, 0]]);
    // the probe tried master 2 (referenced by doc 2, same scope): refused
    expect(v.links[0]!.restrictVerified).toBe(true);
    // without doc 2, nothing of its own scope is referenced: nothing to try (before: it deleted the 'ACME' master of doc 1)
    await h.db.exec(`DELETE FROM docs WHERE id = 2`);
    const v2 = await verify(h.db, { config, allTenants: true });
    expect([v2.links[0]!.crossScope, v2.links[0]!.restrictVerified]).toEqual([1, null]);
  });

  it('verify: masters without a unique key repeating an id in two cases of a tenant: a row finds the master of its own case', async () => {
    await h.db.exec(`CREATE TABLE m2 (id int NOT NULL, tenant citext NOT NULL, name text NOT NULL, active boolean NOT NULL);
      CREATE TABLE d2 (id int PRIMARY KEY, tenant citext NOT NULL, master_name text, master_id int);
      INSERT INTO m2 VALUES (1, 'ACME', 'Widget', true), (1, 'acme', 'Widget', false);
      INSERT INTO d2 VALUES (1, 'acme', 'Widget', 1), (2, 'ACME', 'Widget', 1);`);
    const cfg: ConfigInput = {
      links: [{ ...config.links[0]!, entity: 'd2', table: 'd2', target: { table: 'm2', key: 'id', name: 'name', active: 'active' } }],
    };
    const v = await verify(h.db, { config: cfg, allTenants: true });
    // masters grouped by key and scope: one group per text form ('ACME' and 'acme' merged, one of them lost its rows)
    expect(v.links.map((l) => [l.totalRecords, l.orphans, l.crossScope, l.inactiveTargets])).toEqual([[2, 0, 0, 1]]);
  });

  it("drift: a new name that only another case of the tenant's masters carry is listed (nothing of its scope would link it)", async () => {
    const d = await drift(h.db, { config, allTenants: true });
    expect(d.links[0]!.newNames).toEqual({ names: 1, rows: 1, samples: [{ scopeKey: ['acme'], sourceName: 'Widget', rows: 1 }] });
  });
});
