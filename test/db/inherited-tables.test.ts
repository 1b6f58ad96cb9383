/**
 * A table other tables inherit from (`CREATE TABLE … INHERITS`, not a partitioned table): a statement on it reads and
 * writes its children's rows too, which its key, constraints and triggers do not cover. A new user's trial: the key
 * check passed on the parent's primary key while ids repeated in the child, an undo then set back a row the
 * application had re-pointed by hand, and constrain's FK guarded the parent only. Now refused before anything is
 * written; an inheriting table is linked on its own.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan, type ConfigInput } from '../../src/index.js';
import { discover } from '../../src/discover/discover.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';

const link = (table: string, targetTable = 'vendors'): ConfigInput => ({
  links: [
    {
      entity: 'bill',
      table,
      key: 'id',
      fk: 'vendor_code',
      name: 'vendor',
      target: { table: targetTable, key: 'code', name: 'name' },
      scope: [],
    },
  ],
});

describeEach('inherited tables', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE vendors (code text PRIMARY KEY, name text NOT NULL);
      INSERT INTO vendors VALUES ('V1', 'Foo'), ('V2', 'Bar');
      CREATE TABLE bills (id int PRIMARY KEY, vendor text, vendor_code text);
      CREATE TABLE bills_old () INHERITS (bills);
      ALTER TABLE bills_old ADD PRIMARY KEY (id);
      INSERT INTO bills VALUES (1, 'Foo', NULL);
      INSERT INTO bills_old VALUES (1, 'Bar', NULL);
      CREATE TABLE vendors_old () INHERITS (vendors);`);
  });
  afterEach(async () => t.dispose());

  it('a parent table, as documents or as masters, is refused before anything is written (exit 2, one line)', async () => {
    const before = await snapshot(t.db);
    await refused(
      plan(t.db, { config: link('bills'), allTenants: true }),
      'SCHEMA_NOT_A_TABLE',
      /bills has tables that inherit from it \(bills_old\)/,
    );
    await refused(apply(t.db, { config: link('bills'), allTenants: true }), 'SCHEMA_NOT_A_TABLE', /link each inheriting table on its own/);
    await refused(
      plan(t.db, { config: link('bills_old'), allTenants: true }),
      'SCHEMA_NOT_A_TABLE',
      /vendors has tables that inherit from it \(vendors_old\).*links\[0\]\.target\.table/,
    );
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('an inheriting table is linked on its own, and only its own rows', async () => {
    await t.db.exec(`DROP TABLE vendors_old`);
    const a = await apply(t.db, { config: link('bills_old'), allTenants: true });
    expect(a.totalUpdated).toBe(1);
    const rows = await t.db.query<{ t: string; id: number; v: string | null }>(
      `SELECT tableoid::regclass::text AS t, id, vendor_code AS v FROM bills ORDER BY 1, 2`,
    );
    expect(rows.rows.map((x) => [x.t, x.id, x.v])).toEqual([
      ['bills', 1, null],
      ['bills_old', 1, 'V2'],
    ]);
  });

  it('discover proposes the inheriting table; the parent is rejected with the reason plan gives', async () => {
    await t.db.exec(`DROP TABLE vendors_old; INSERT INTO bills_old SELECT g, 'Foo', NULL FROM generate_series(2, 30) g`);
    const r = await discover(t.db);
    expect([...r.proposals, ...r.weak].map((p) => `${p.source}.${p.fk}`)).toEqual(['public.bills_old.vendor_code']);
    expect(r.rejected.find((x) => x.source === 'public.bills')?.reason).toMatch(
      /that plan refuses: bills has tables that inherit from it \(bills_old\)/,
    );
  });
});
