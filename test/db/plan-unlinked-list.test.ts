/**
 * The plan's "Not linked" list: named rows in their keys' own order (numbers as numbers: a text sort put
 * 10 before 9), composite keys too; rows without a name (NULL or blank) one line per scope, outcome and
 * reason with their count, not one line each; the lines' rows add up to the rows the plan counts as not linked.
 */
import { afterEach, expect, it } from 'vitest';
import { plan } from '../../src/index.js';
import { planText } from '../../src/cli/format.js';
import { unlinkedTally } from '../../src/planning/unlinked.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const target = { table: 'c', key: 'id', name: 'name' };

describeEach('plan: the rows not linked', (t0) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('named rows by numeric key order, unnamed rows one counted line per tenant and reason; the lines add up to the rows not linked', async () => {
    t = await freshDb(t0);
    await t.db.query(`CREATE TABLE c (id int PRIMARY KEY, tenant_id int, name text)`);
    await t.db.query(`CREATE TABLE o (id int PRIMARY KEY, tenant_id int, name text, c_id int)`);
    await t.db.query(`INSERT INTO c VALUES (1, 1, 'Acme'), (2, 2, 'Acme')`);
    // named and not linked: 12, 9, 10, 100, 2 (text order: 10, 100, 12, 2, 9); linked: 1, 3
    await t.db.query(
      `INSERT INTO o VALUES (12, 1, 'Nobody', NULL), (9, 1, 'Nobody', NULL), (10, 2, 'Else', NULL), (100, 2, 'Nobody', NULL), (2, 1, 'Else', NULL), (1, 1, 'Acme', NULL), (3, 2, 'Acme', NULL)`,
    );
    // without a name: 300 NULL and 40 blank in tenant 1, 200 NULL in tenant 2
    await t.db.query(`INSERT INTO o SELECT 1000 + g, 1, NULL, NULL FROM generate_series(1, 300) g`);
    await t.db.query(`INSERT INTO o SELECT 2000 + g, 1, CASE WHEN g % 2 = 0 THEN '' ELSE '  ' END, NULL FROM generate_series(1, 40) g`);
    await t.db.query(`INSERT INTO o SELECT 3000 + g, 2, NULL, NULL FROM generate_series(1, 200) g`);
    const p = await plan(t.db, {
      allTenants: true,
      config: { links: [{ entity: 'o', table: 'o', key: 'id', fk: 'c_id', name: 'name', scope: ['tenant_id'], match: 'exact', target }] },
    });
    const r = p.results[0]!;
    expect(r.recordsMatched).toBe(2);
    expect(r.recordsUnmatched).toBe(5 + 300 + 40 + 200);
    expect(r.unmatchedRecords.map((u) => [u.documentNumber, u.entityName === null ? null : u.entityName.trim(), u.rows, u.reason])).toEqual(
      [
        [null, '', 40, 'blank name'],
        [null, null, 300, 'no name'],
        [null, null, 200, 'no name'],
        ['2', 'Else', 1, 'no active master with this exact name'],
        ['9', 'Nobody', 1, 'no active master with this exact name'],
        ['10', 'Else', 1, 'no active master with this exact name'],
        ['12', 'Nobody', 1, 'no active master with this exact name'],
        ['100', 'Nobody', 1, 'no active master with this exact name'],
      ],
    );
    expect(unlinkedTally(r)).toEqual({ lines: 8, listed: 545, beyond: 0, moved: 0 });
    const text = planText(p);
    expect(text).toContain('Not linked — o: 545 row(s); below, 545 of them in 8 line(s):');
    expect(text.split('\n').filter((l) => l.includes('(no name)'))).toHaveLength(2);

    // cut at 4 lines: the rest is counted beyond the list
    const cut = await plan(t.db, {
      allTenants: true,
      maxUnmatchedRecords: 4,
      config: { links: [{ entity: 'o', table: 'o', key: 'id', fk: 'c_id', name: 'name', scope: ['tenant_id'], match: 'exact', target }] },
    });
    expect(unlinkedTally(cut.results[0]!)).toEqual({ lines: 4, listed: 541, beyond: 4, moved: 0 });
    expect(planText(cut)).toContain(
      'Not linked — o: 545 row(s); below, 541 of them in 4 line(s); 4 more beyond the first 4 line(s) (--max-records):',
    );
    // all tenants planned, one line shown: it still says whose it is (a document number repeats across tenants)
    const one = await plan(t.db, {
      allTenants: true,
      maxUnmatchedRecords: 1,
      config: { links: [{ entity: 'o', table: 'o', key: 'id', fk: 'c_id', name: 'name', scope: ['tenant_id'], match: 'exact', target }] },
    });
    expect(planText(one)).toMatch(/^Scope +\| Document +\| Name/m);
  });

  it('a composite key orders by its columns, each by its type', async () => {
    t = await freshDb(t0);
    await t.db.query(`CREATE TABLE c (id int PRIMARY KEY, name text)`);
    await t.db.query(`CREATE TABLE o (yr int, n int, name text, c_id int, PRIMARY KEY (yr, n))`);
    await t.db.query(
      `INSERT INTO o VALUES (2026, 10, 'X', NULL), (2026, 9, 'X', NULL), (2025, 100, 'X', NULL), (2026, 1, NULL, NULL), (2026, 2, NULL, NULL)`,
    );
    const p = await plan(t.db, {
      allTenants: true,
      config: { links: [{ entity: 'o', table: 'o', key: ['yr', 'n'], fk: 'c_id', name: 'name', scope: [], match: 'exact', target }] },
    });
    const r = p.results[0]!;
    expect(r.unmatchedRecords.map((u) => [u.documentNumber, u.rows])).toEqual([
      [null, 2],
      ['{2025,100}', 1],
      ['{2026,9}', 1],
      ['{2026,10}', 1],
    ]);
    expect(unlinkedTally(r)).toMatchObject({ listed: r.recordsUnmatched, moved: 0 });
  });

  it('a document column orders the rows by its own type (then the key)', async () => {
    t = await freshDb(t0);
    await t.db.query(`CREATE TABLE c (id int PRIMARY KEY, name text)`);
    await t.db.query(`CREATE TABLE o (id uuid PRIMARY KEY, doc_no int, name text, c_id int)`);
    await t.db.query(
      `INSERT INTO o VALUES ('00000000-0000-0000-0000-000000000003', 10, 'X', NULL), ('00000000-0000-0000-0000-000000000001', 9, 'X', NULL), ('00000000-0000-0000-0000-000000000002', 100, 'Y', NULL)`,
    );
    const p = await plan(t.db, {
      allTenants: true,
      config: {
        links: [{ entity: 'o', table: 'o', key: 'id', document: 'doc_no', fk: 'c_id', name: 'name', scope: [], match: 'exact', target }],
      },
    });
    expect(p.results[0]!.unmatchedRecords.map((u) => u.documentNumber)).toEqual(['9', '10', '100']);
  });
});

describeEach('plan text: what a fuzzy plan says about its estimate and its inferred links', (t0) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('no name linked by FK yet: says there is no estimate; names and rows are told apart', async () => {
    t = await freshDb(t0);
    await t.db.query(`CREATE TABLE c (id int PRIMARY KEY, name text)`);
    await t.db.query(`CREATE TABLE o (id int PRIMARY KEY, name text, c_id int)`);
    await t.db.query(`INSERT INTO c VALUES (1, 'Acme Widgets'), (2, 'Globex Corporation')`);
    await t.db.query(`INSERT INTO o VALUES (1, 'ACME WIDGETS', NULL), (2, 'acme widgets', NULL), (3, 'Globex Corp.', NULL)`);
    const config = { links: [{ entity: 'o', table: 'o', key: 'id', fk: 'c_id', name: 'name', match: 'fuzzy' as const, target }] };
    const text = planText(await plan(t.db, { config }));
    expect(text).toContain('o: no precision/recall estimate: no name is linked by its FK yet to test the matching on');
    expect(text).toContain('o: 3 name(s) linked other than by exact equality, their rows 3 by normalized');
    // --max-records 0 lists no name, but the count of inferred links is the main warning: said all the same (a new
    // user's trial: the line was there with --max-records 1 and gone with 0)
    const none = await plan(t.db, { config, maxUnmatchedRecords: 0 });
    expect(planText(none)).toContain(
      'o: 3 name(s) linked other than by exact equality, their rows 3 by normalized — see them with --explain',
    );
    expect(planText(none, true)).toContain(
      'o: 3 name(s) linked other than by exact equality, their rows 3 by normalized — none listed: --max-records 0',
    );
    await t.db.query(`INSERT INTO o VALUES (4, 'Globex Corporation', 2)`);
    expect(planText(await plan(t.db, { config }))).toMatch(/o: estimated on 1 already-linked names: precision/);
  });

  it('an exact name two masters share: the text names both with their keys (no one could tell "Twin Corp; Twin Corp" apart)', async () => {
    t = await freshDb(t0);
    await t.db.query(`CREATE TABLE c (id int PRIMARY KEY, name text)`);
    await t.db.query(`CREATE TABLE o (id int PRIMARY KEY, name text, c_id int)`);
    await t.db.query(`INSERT INTO c VALUES (7, 'Twin Corp'), (8, 'Twin Corp'), (9, 'Solo Ltd')`);
    await t.db.query(`INSERT INTO o VALUES (1, 'Twin Corp', NULL), (2, 'Solo Ltd', NULL)`);
    const config = { links: [{ entity: 'o', table: 'o', key: 'id', fk: 'c_id', name: 'name', target }] };
    const text = planText(await plan(t.db, { config }));
    expect(text).toContain('Twin Corp (1.000) [7]; Twin Corp (1.000) [8]');
  });
});
