/**
 * The guard on a citext name column links as the plan does: the plan compares a master's name as the citext column
 * compares it ('ACME' is master 'Acme') and records a group of spellings, and a person's decision, under one of them.
 * The guard compared with text's equality (under its pinned search_path, citext's own = cannot even be named): a new
 * row spelled 'ACME' was missed as unmatched, a decision recorded as 'GAMMA' (never) was not found for a row spelled
 * 'Gamma', which the guard then linked to master 'Gamma' against the decision, and an alias decided for 'DELTA' did
 * not link 'Delta' (a new user's trial: a citext documents table, `guard status` counting most new rows unmatched).
 */
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { decide, installGuard, plan } from '../../src/index.js';
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
      fk: 'vendor_id',
      name: 'supplier',
      scope: ['org'],
      target: { table: 'vendors', key: 'id', name: 'name', active: { column: 'deleted', activeWhen: false } },
    },
  ],
};

describeEach('guard on citext document names against varchar master names', (target) => {
  let h: { db: Database; dispose(): Promise<void> };
  beforeEach(async () => {
    h = await citextDb(target);
    await h.db.exec(`CREATE EXTENSION IF NOT EXISTS citext;
      CREATE TABLE vendors (id int PRIMARY KEY, org text NOT NULL, name varchar(60) NOT NULL, deleted boolean NOT NULL DEFAULT false);
      INSERT INTO vendors VALUES (1, 't1', 'Acme', false), (2, 't1', 'Beta', true), (3, 't1', 'Gamma', false), (4, 't1', 'Delta X', false), (5, 't2', 'Acme', false);
      CREATE TABLE docs (id int PRIMARY KEY, org text NOT NULL, supplier citext, vendor_id int REFERENCES vendors (id));
      INSERT INTO docs (id, org, supplier) VALUES (1, 't1', 'Gamma'), (2, 't1', 'GAMMA'), (3, 't1', 'delta'), (4, 't1', 'DELTA');`);
  });
  afterEach(async () => h.dispose());

  it('every spelling of a name finds its master, its inactive master, and the decision recorded under another spelling', async () => {
    await plan(h.db, { config, allTenants: true });
    // the plan recorded each group under its least spelling under "C"
    await decide(h.db, { config, link: 'doc', scopeKey: ['t1'], name: 'GAMMA', action: 'never', by: 'ana' });
    await decide(h.db, { config, link: 'doc', scopeKey: ['t1'], name: 'DELTA', action: 'alias', targetKey: '4', by: 'ana' });
    await installGuard(h.db, { config, executedBy: 'test' });
    await h.db.exec(`INSERT INTO docs (id, org, supplier) VALUES
      (11, 't1', 'Acme'), (12, 't1', 'ACME'), (13, 't1', 'acme'), (14, 't2', 'aCmE'), (15, 't1', 'BETA'),
      (16, 't1', 'Gamma'), (17, 't1', 'gamma'), (18, 't1', 'Delta'), (19, 't1', 'Nobody')`);
    const rows = await h.db.query<{ id: number; v: number | null }>(`SELECT id, vendor_id AS v FROM docs WHERE id > 10 ORDER BY id`);
    expect(rows.rows.map((r) => [r.id, r.v])).toEqual([
      [11, 1],
      [12, 1],
      [13, 1],
      [14, 5],
      [15, null],
      [16, null],
      [17, null],
      [18, 4],
      [19, null],
    ]);
    const misses = await h.db.query<{ name: string; reason: string }>(
      `SELECT source_name AS name, reason FROM fk_backfill.guard_misses ORDER BY source_name COLLATE "C"`,
    );
    expect(misses.rows.map((m) => [m.name, m.reason])).toEqual([
      ['BETA', 'inactive'],
      ['Gamma', 'decision'],
      ['Nobody', 'unmatched'],
      ['gamma', 'decision'],
    ]);
  });
});
