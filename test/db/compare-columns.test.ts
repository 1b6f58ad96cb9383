/**
 * Evidence beyond the name in the pipeline (issue #16): a link's `compare` columns are read by plan (the masters'
 * values, and for each name the value its rows agree on) and weighed by the fuzzy matcher; apply links what the plan
 * decided. Without the columns the same data gives review and ambiguous names.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { apply, BackfillError, plan } from '../../src/index.js';
import type { Queryable } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const link = {
  entity: 'ticket',
  table: 'tickets',
  key: 'id',
  fk: 'person_id',
  name: 'requester',
  scope: ['tenant_id'],
  match: 'fuzzy' as const,
  target: { table: 'people', key: 'id', name: 'full_name' },
};
const withColumns: ConfigInput = {
  links: [
    {
      ...link,
      compare: [
        { source: 'born', target: 'birth_date' },
        { source: 'town', target: 'city' },
      ],
    },
  ],
};
const nameOnly: ConfigInput = { links: [link] };

async function schema(db: Queryable): Promise<void> {
  for (const s of [
    `CREATE TABLE people (id int PRIMARY KEY, tenant_id int NOT NULL, full_name text NOT NULL, birth_date date, city text)`,
    `CREATE TABLE tickets (id int PRIMARY KEY, tenant_id int NOT NULL, requester text, person_id int REFERENCES people (id), born date, town text)`,
    // 120 people of tenant 1 (eight towns), so that agreeing on a date of birth says much and on a town little
    `INSERT INTO people SELECT i, 1, (ARRAY['Anna','Ben','Carla','David','Emma','Felix','Greta','Hugo','Ida','Jonas','Karl','Lena'])[1 + i % 12] || ' ' ||
            (ARRAY['Becker','Hoffmann','Schulz','Wagner','Fischer','Weber','Meyer','Koch','Richter','Klein'])[1 + i / 12], date '1950-01-01' + i * 97, 'Town ' || (i % 8)
       FROM generate_series(0, 119) AS i`,
    `INSERT INTO people VALUES (1001, 1, 'John Smith', '1970-01-01', 'Leeds'), (1002, 1, 'John Smith', '1988-08-08', 'York'),
                               (1003, 1, 'Sarah Connor', '1965-05-05', 'Los Angeles'), (1004, 1, 'Maximilian Obermayer', '1961-04-02', 'Munich'),
                               (2001, 2, 'John Smith', '1988-08-08', 'York')`,
    `INSERT INTO tickets (id, tenant_id, requester, born, town) VALUES
       (1, 1, 'John Smith', '1988-08-08', 'York'), (2, 1, 'John Smith', '1988-08-08', NULL),
       (3, 1, 'Sarah Connor', '1977-07-07', 'Hamburg'),
       (4, 1, 'Maxmilian Obermeir', '1961-04-02', 'Munich'),
       (5, 1, 'Sarah Conor', NULL, NULL),
       (6, 2, 'John Smith', '1988-08-08', NULL)`,
  ]) {
    await db.query(s);
  }
}

const entry = async (db: Queryable, runId: string, name: string, tenant = '1'): Promise<{ outcome: string; target_key: string | null }> =>
  (
    await db.query<{ outcome: string; target_key: string | null }>(
      `SELECT outcome, target_key FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND source_name = $2 AND scope_key[1] = $3`,
      [runId, name, tenant],
    )
  ).rows[0]!;

describeEach('compare columns: evidence beyond the name', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await schema(t.db);
  });
  afterEach(async () => t.dispose());

  it('namesakes told apart, a namesake with other columns held for review, a weak name settled; apply links what the plan decided', async () => {
    const alone = await plan(t.db, { allTenants: true, config: nameOnly });
    expect(await entry(t.db, alone.runId, 'John Smith')).toMatchObject({ outcome: 'ambiguous' });
    expect(await entry(t.db, alone.runId, 'Sarah Connor')).toMatchObject({ outcome: 'linked', target_key: '1003' });
    expect((await entry(t.db, alone.runId, 'Maxmilian Obermeir')).outcome).not.toBe('linked');

    const p = await plan(t.db, { allTenants: true, config: withColumns });
    expect(await entry(t.db, p.runId, 'John Smith')).toMatchObject({ outcome: 'linked', target_key: '1002' });
    expect(await entry(t.db, p.runId, 'Sarah Connor')).toMatchObject({ outcome: 'review', target_key: null });
    expect(await entry(t.db, p.runId, 'Maxmilian Obermeir')).toMatchObject({ outcome: 'linked', target_key: '1004' });
    // no values on the rows: the name alone decides, as without the columns
    expect(await entry(t.db, p.runId, 'Sarah Conor')).toMatchObject({ outcome: 'linked', target_key: '1003' });
    // tenant 2 has one John Smith, whose date of birth the row gives: its own (tenant 1's namesakes are not candidates)
    expect(await entry(t.db, p.runId, 'John Smith', '2')).toMatchObject({ outcome: 'linked', target_key: '2001' });

    const a = await apply(t.db, { allTenants: true, planRunId: p.runId, config: withColumns });
    expect(a.totalUpdated).toBe(5);
    const rows = (await t.db.query<{ id: number; person_id: number | null }>(`SELECT id, person_id FROM tickets ORDER BY id`)).rows;
    expect(rows).toEqual([
      { id: 1, person_id: 1002 },
      { id: 2, person_id: 1002 },
      { id: 3, person_id: null },
      { id: 4, person_id: 1004 },
      { id: 5, person_id: 1003 },
      { id: 6, person_id: 2001 },
    ]);
  });

  it('rows of one name that disagree on a column leave it to the name', async () => {
    await t.db.query(`INSERT INTO tickets (id, tenant_id, requester, born, town) VALUES (7, 1, 'John Smith', '1970-01-01', 'Leeds')`);
    const p = await plan(t.db, { allTenants: true, config: withColumns });
    expect(await entry(t.db, p.runId, 'John Smith')).toMatchObject({ outcome: 'ambiguous' });
  });

  it('a compare column that does not exist, or compare without fuzzy: CONFIG_INVALID naming it, nothing written', async () => {
    const bad: ConfigInput = { links: [{ ...link, compare: [{ source: 'born', target: 'dob' }] }] };
    const e1 = await plan(t.db, { allTenants: true, config: bad }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(BackfillError);
    expect((e1 as BackfillError).message).toMatch(/dob/);
    expect((e1 as BackfillError).message).toMatch(/compare\[0\]\.target/);
    const exact: ConfigInput = {
      links: [{ ...link, match: 'exact' as const, compare: [{ source: 'born', target: 'birth_date' }] } as never],
    };
    const e2 = await plan(t.db, { allTenants: true, config: exact }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(BackfillError);
    expect((e2 as BackfillError).code).toBe('CONFIG_INVALID');
    expect((e2 as BackfillError).message).toMatch(/fuzzy/);
    const runs = await t.db
      .query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs WHERE kind = 'plan'`)
      .catch(() => ({ rows: [{ n: 0 }] }));
    expect(runs.rows[0]!.n).toBe(0);
  });

  it('a name two people share, whose rows hold both birth dates and a town only one row has, stays ambiguous (no borrowed evidence)', async () => {
    await t.db.query(
      `INSERT INTO people VALUES (1005, 1, 'Alex Smith', '1970-01-15', '10000'), (1006, 1, 'Alex Smith', '1980-06-20', '20000')`,
    );
    await t.db.query(`INSERT INTO tickets (id, tenant_id, requester, born, town) VALUES (20, 1, 'Alex Smith', '1970-01-15', '10000'),
       (21, 1, 'Alex Smith', '1980-06-20', NULL), (22, 1, 'Alex Smith', '1980-06-20', NULL), (23, 1, 'Alex Smith', NULL, NULL)`);
    const p = await plan(t.db, { allTenants: true, config: withColumns });
    expect(await entry(t.db, p.runId, 'Alex Smith')).toMatchObject({ outcome: 'ambiguous', target_key: null });
  });

  it('columns of different types are read alike (a date against a timestamp, numbers of two types), different kinds are refused', async () => {
    await t.db.query(`ALTER TABLE tickets ALTER COLUMN born TYPE timestamp`);
    await t.db.query(`ALTER TABLE people ADD COLUMN vat numeric(12,2), ADD COLUMN code uuid`);
    await t.db.query(`ALTER TABLE tickets ADD COLUMN vat_no bigint`);
    await t.db.query(`UPDATE people SET vat = 4711 WHERE id = 1002`);
    await t.db.query(`UPDATE tickets SET vat_no = 4711 WHERE id IN (1, 2)`);
    const mixed: ConfigInput = {
      links: [
        {
          ...link,
          compare: [
            { source: 'born', target: 'birth_date' },
            { source: 'vat_no', target: 'vat' },
          ],
        },
      ],
    };
    const p = await plan(t.db, { allTenants: true, config: mixed });
    expect(await entry(t.db, p.runId, 'John Smith')).toMatchObject({ outcome: 'linked', target_key: '1002' });
    const c = (
      await t.db.query<{ candidates: unknown }>(
        `SELECT candidates FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND source_name = 'Sarah Connor'`,
        [p.runId],
      )
    ).rows[0]!;
    expect(JSON.stringify(c.candidates)).not.toContain('"evidenceAgree":2');
    const bad: ConfigInput = { links: [{ ...link, compare: [{ source: 'born', target: 'code' }] }] };
    const e = await plan(t.db, { allTenants: true, config: bad }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackfillError);
    expect((e as BackfillError).code).toBe('SCHEMA_TYPE_MISMATCH');
    expect((e as BackfillError).message).toMatch(/born is timestamp without time zone and .*code is uuid.*compare\[0\]/);
    const twice: ConfigInput = {
      links: [
        {
          ...link,
          compare: [
            { source: 'born', target: 'birth_date' },
            { source: 'born', target: 'birth_date' },
          ],
        },
      ],
    };
    const e2 = await plan(t.db, { allTenants: true, config: twice }).catch((x: unknown) => x);
    expect((e2 as BackfillError).code).toBe('CONFIG_INVALID');
  });
});
