/**
 * A big plan refreshes fk_backfill.plan_entries' statistics. A new user's trial (autovacuum off): drift just after a
 * fuzzy backfill planned its statement over 300 k never-analysed entries as a nested loop and took 4 m 33 s (0.29 s
 * once analysed).
 */
import { afterEach, expect, it } from 'vitest';
import { plan } from '../../src/index.js';
import { ANALYZE_PLAN_NAMES } from '../../src/store/plans.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

describeEach('plan statistics', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  const config = {
    links: [{ entity: 'doc', table: 'docs', key: 'id', fk: 'm_id', name: 'name', target: { table: 'masters', key: 'id', name: 'name' } }],
  };
  const reltuples = async (): Promise<number> =>
    Number(
      (await t.db.query<{ n: string }>(`SELECT reltuples::text AS n FROM pg_class WHERE oid = 'fk_backfill.plan_entries'::regclass`))
        .rows[0]!.n,
    );

  it('a plan of as many names as the threshold analyses plan_entries; a smaller one leaves it to autovacuum', async () => {
    t = await freshDb(target);
    await t.db.exec(`CREATE TABLE masters (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO masters VALUES (1, 'name 1');
      CREATE TABLE docs (id int PRIMARY KEY, name text, m_id int REFERENCES masters (id));
      INSERT INTO docs SELECT g, 'name ' || g, NULL FROM generate_series(1, 50) g;`);
    await plan(t.db, { config });
    expect(await reltuples()).toBe(-1); // never analysed
    await t.db.exec(`INSERT INTO docs SELECT g, 'name ' || g, NULL FROM generate_series(51, ${ANALYZE_PLAN_NAMES}) g`);
    const p = await plan(t.db, { config });
    expect(p.results[0]!.recordsWithNullFK).toBe(ANALYZE_PLAN_NAMES);
    expect(await reltuples()).toBeGreaterThanOrEqual(ANALYZE_PLAN_NAMES);
  });
});
