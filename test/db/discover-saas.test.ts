/**
 * discover on a SaaS schema a new user's trial brought (trial13): masters in another schema than the documents, a
 * varchar workspace slug as the tenant that is NULL on the accounts every workspace shares, a generated lower-cased
 * copy of the name beside it, a project FK whose only text column in common is the workspace, and a least-privilege
 * role that may not read every table. Before: "scope": [] written (documents linked to another workspace's account),
 * project_id linked by workspace ↔ workspace at confidence 1, the generated column taken for the name, and the whole
 * discover failing with PERMISSION_DENIED on the one table the role could not read.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { discover } from '../../src/discover/discover.js';
import { apply } from '../../src/apply/apply.js';
import { openDatabase } from '../../src/db/index.js';
import type { Database } from '../../src/db/port.js';
import { describeEach, disposeWithRole, freshDb, type TestDb, urlAs } from '../helpers/db.js';

const SCHEMA = `
  CREATE SCHEMA crm; CREATE SCHEMA billing;
  CREATE TABLE crm.workspaces (slug varchar(40) PRIMARY KEY);
  CREATE TABLE crm.accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace varchar(40) REFERENCES crm.workspaces, display_name text NOT NULL, archived_at timestamptz);
  CREATE INDEX ON crm.accounts (workspace, display_name);
  CREATE TABLE billing.projects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, workspace varchar(40) NOT NULL, code text NOT NULL);
  CREATE TABLE billing.invoices (invoice_id bigint PRIMARY KEY, workspace varchar(40) NOT NULL REFERENCES crm.workspaces,
    invoice_no text NOT NULL, search_name text GENERATED ALWAYS AS (lower(btrim(customer_name))) STORED,
    customer_name varchar(200), account_id bigint, project_id bigint REFERENCES billing.projects);
  INSERT INTO crm.workspaces VALUES ('acme-eu'), ('bolt-us');
  INSERT INTO crm.accounts (workspace, display_name) VALUES (NULL, 'Stripe, Inc.'), ('acme-eu', 'Acme Ltd'),
    ('acme-eu', 'Beta GmbH'), ('bolt-us', 'Acme Ltd'), ('bolt-us', 'Gamma Oy');
  INSERT INTO billing.projects (workspace, code) VALUES ('acme-eu', 'P-1'), ('bolt-us', 'P-2');
  INSERT INTO billing.invoices (invoice_id, workspace, invoice_no, customer_name) VALUES
    (1, 'acme-eu', 'I-1', 'Acme Ltd'), (2, 'bolt-us', 'I-1', 'Acme Ltd'), (3, 'bolt-us', 'I-2', 'Beta GmbH'),
    (4, 'acme-eu', 'I-2', 'Stripe, Inc.'), (5, 'bolt-us', 'I-3', 'Gamma Oy'), (6, 'acme-eu', 'I-3', 'Beta GmbH'),
    (7, 'acme-eu', 'I-4', 'Acme Ltd'), (8, 'bolt-us', 'I-4', 'Gamma Oy');`;

describeEach('discover on a SaaS schema (trial13)', (target) => {
  let t: TestDb;
  let db: Database | undefined;
  let role: string | undefined;
  afterEach(async () => {
    await disposeWithRole(t, db, role);
    db = undefined;
    role = undefined;
  });

  it('a workspace column NULL on shared masters is still the scope; the workspace is never a name pair; the plain name column over its generated copy', async () => {
    t = await freshDb(target);
    await t.db.exec(SCHEMA);
    const r = await discover(t.db);
    expect(r.config!.links.map((l) => [l.entity, l.table, l.fk, l.name, l.target.table, l.target.name, l.scope])).toEqual([
      ['invoice', 'billing.invoices', 'account_id', 'customer_name', 'crm.accounts', 'display_name', ['workspace']],
    ]);
    const acc = r.proposals.find((p) => p.fk === 'account_id')!;
    expect(r.config!.links[0]!.match).toBeUndefined(); // every name as the masters write it: exact, the default
    expect(acc.scopeEvidence.find((v) => v.column === 'workspace')).toMatchObject({
      scope: true,
      reason: expect.stringContaining(
        'nullable on accounts: its masters without a value (shared by every tenant) are never linked unless the link\'s target says "shared": "null-scope"',
      ),
    });
    expect(r.rejected.find((x) => x.column === 'project_id')?.reason).toMatch(/^projects has no name column/);
    // applied as written: nothing crosses a workspace, the shared (NULL-workspace) account links nobody, the rest link
    await apply(t.db, { config: r.config!, allTenants: true });
    const rows = await t.db.query<{ id: string; account: string | null; project: string | null }>(
      `SELECT i.invoice_id::text AS id, a.workspace || ':' || a.display_name AS account, i.project_id::text AS project
         FROM billing.invoices i LEFT JOIN crm.accounts a ON a.id = i.account_id ORDER BY i.invoice_id`,
    );
    expect(rows.rows.map((x) => [x.id, x.account, x.project])).toEqual([
      ['1', 'acme-eu:Acme Ltd', null],
      ['2', 'bolt-us:Acme Ltd', null],
      ['3', null, null], // Beta GmbH is acme-eu's only
      ['4', null, null], // Stripe's account has no workspace
      ['5', 'bolt-us:Gamma Oy', null],
      ['6', 'acme-eu:Beta GmbH', null],
      ['7', 'acme-eu:Acme Ltd', null],
      ['8', 'bolt-us:Gamma Oy', null],
    ]);
  });

  it('names the masters hold in another case: "match": "normalized" is proposed, and links them where exact would not', async () => {
    t = await freshDb(target);
    await t.db.exec(`${SCHEMA} UPDATE billing.invoices SET customer_name = upper(customer_name) WHERE invoice_id IN (5, 6);`);
    const r = await discover(t.db);
    const acc = r.proposals.find((p) => p.fk === 'account_id')!;
    expect(r.config!.links[0]!.match).toBe('normalized');
    // spellings: Acme Ltd, Beta GmbH, Stripe, Inc., Gamma Oy as written, GAMMA OY and BETA GMBH only folded
    expect(acc.matchEvidence).toBe(
      '2 of 6 sampled spellings of customer_name (33.3 %) are a display_name only ignoring case and spacing: "match": "normalized" links them (exact would not)',
    );
    await apply(t.db, { config: r.config!, allTenants: true });
    const rows = await t.db.query<{ id: string }>(
      `SELECT invoice_id::text AS id FROM billing.invoices WHERE account_id IS NOT NULL ORDER BY 1`,
    );
    expect(rows.rows.map((x) => x.id)).toEqual(['1', '2', '5', '6', '7', '8']);
  });

  it.runIf(target === 'postgres')(
    'a role that may not read one table: its candidate is rejected with the GRANT, the other links are still proposed',
    async () => {
      t = await freshDb(target);
      role = `fkb_t13_${randomBytes(4).toString('hex')}`;
      await t.db.exec(`${SCHEMA}
        CREATE ROLE ${role} LOGIN;
        GRANT USAGE ON SCHEMA crm, billing TO ${role};
        GRANT SELECT ON crm.workspaces, crm.accounts, billing.invoices TO ${role};
        GRANT UPDATE (account_id) ON billing.invoices TO ${role};`);
      db = await openDatabase(urlAs(t.url, role));
      const r = await discover(db);
      expect(r.config!.links.map((l) => [l.fk, l.scope])).toEqual([['account_id', ['workspace']]]);
      expect(r.rejected.find((x) => x.column === 'project_id')?.reason).toBe(
        'this role may not SELECT billing.projects.id, billing.projects.workspace, billing.projects.code, which discover samples: GRANT SELECT ON billing.projects to it (or run discover as their owner)',
      );
    },
  );
});
