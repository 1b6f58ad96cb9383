/**
 * --tenant restricts every link it touches (a Citus trial): a link without a scope column (a master
 * shared by every tenant, a reference table) cannot be restricted to one tenant's rows, so under
 * --tenant it is left out with a notice, and refused (exit 2, nothing written) when named with --entity
 * or when no link has a scope. Before: `apply --tenant 2` linked the shared link's rows of every tenant.
 */
import { afterEach, expect, it } from 'vitest';
import { apply, BackfillError, importDecisionsCsv } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { status } from '../../src/status/status.js';
import { verify } from '../../src/verify/verify.js';
import { verifyText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const vendor = {
  entity: 'vendor',
  table: 'invoices',
  key: 'id',
  fk: 'vendor_id',
  name: 'vendor_name',
  scope: ['org'],
  target: { table: 'vendors', key: 'id', name: 'name' },
};
const currency = {
  entity: 'currency',
  table: 'invoices',
  key: 'id',
  fk: 'currency_id',
  name: 'currency_name',
  target: { table: 'currencies', key: 'id', name: 'name' },
};

describeEach('--tenant and links without a scope', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('left out with a notice; refused when named or when nothing is scoped; --all-tenants links it', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE currencies (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE vendors (id int PRIMARY KEY, org text NOT NULL, name text NOT NULL);
      CREATE TABLE invoices (id int PRIMARY KEY, org text NOT NULL, vendor_name text, vendor_id int, currency_name text, currency_id int);
      INSERT INTO currencies VALUES (1, 'Euro');
      INSERT INTO vendors VALUES (1, 'o1', 'Acme'), (2, 'o2', 'Acme');
      INSERT INTO invoices SELECT g, CASE WHEN g % 2 = 0 THEN 'o1' ELSE 'o2' END, 'Acme', NULL, 'Euro', NULL FROM generate_series(1, 10) g;`);
    const both: ConfigInput = { links: [vendor, currency] };
    const a = await apply(t.db, { config: both, tenantId: 'o1' });
    expect(a.results.map((r) => [r.entityType, r.updated])).toEqual([['vendor', 5]]);
    expect(a.notices).toEqual([
      expect.stringMatching(/^currency skipped: it has no scope \(tenant\) column, so --tenant cannot restrict it/),
    ]);
    // status and verify say so too (they left it out silently: a new user's trial)
    for (const r of [await status(t.db, { config: both, tenantId: 'o1' }), await verify(t.db, { config: both, tenantId: 'o1' })]) {
      expect(r.links.map((l) => l.entityType)).toEqual(['vendor']);
      expect(r.notices).toEqual([expect.stringMatching(/^currency skipped: it has no scope \(tenant\) column/)]);
    }
    expect(verifyText(await verify(t.db, { config: both, tenantId: 'o1' }))).toMatch(/Notice: currency skipped/);
    const counts = await t.db.query<{ v: number; c: number }>(
      `SELECT count(vendor_id)::int AS v, count(currency_id)::int AS c FROM invoices`,
    );
    expect(counts.rows[0]).toEqual({ v: 5, c: 0 });
    for (const input of [
      { config: both, tenantId: 'o1', entities: ['currency'] },
      { config: { links: [currency] }, tenantId: 'o1' },
    ]) {
      const e = await apply(t.db, input).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BackfillError);
      expect([(e as BackfillError).code, (e as BackfillError).exitCode]).toEqual(['USAGE', 2]);
      expect((e as BackfillError).message).toBe(
        "currency has no scope (tenant) column, so --tenant cannot restrict it to one tenant's rows: run it with --all-tenants (or without --tenant)",
      );
    }
    expect((await t.db.query<{ c: number }>(`SELECT count(currency_id)::int AS c FROM invoices`)).rows[0]!.c).toBe(0);
    const all = await apply(t.db, { config: both, allTenants: true });
    expect(all.results.map((r) => [r.entityType, r.updated])).toEqual([
      ['vendor', 5],
      ['currency', 10],
    ]);
  });

  it('review import under --tenant: a line of the link left out says so, not "unknown link"', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE currencies (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE vendors (id int PRIMARY KEY, org text NOT NULL, name text NOT NULL);
      CREATE TABLE invoices (id int PRIMARY KEY, org text NOT NULL, vendor_name text, vendor_id int, currency_name text, currency_id int);
      INSERT INTO currencies VALUES (1, 'Euro');
      INSERT INTO vendors VALUES (1, 'o1', 'Acme');`);
    const csv = ['link,scope,name,decision,target_key', 'vendor,"[""o1""]",Acme Inc,alias,1', 'currency,[],EUR,alias,1', ''].join('\n');
    const err = (await importDecisionsCsv(t.db, csv, { config: { links: [vendor, currency] }, tenantId: 'o1', by: 'x' }).then(
      () => null,
      (e: unknown) => e,
    )) as BackfillError;
    expect(err).toBeInstanceOf(BackfillError);
    expect(err.message).toContain(
      'line 3: link "currency" is left out under --tenant (it has no scope column): import its lines without --tenant',
    );
    expect(err.message).not.toContain('unknown link');
  });
});
