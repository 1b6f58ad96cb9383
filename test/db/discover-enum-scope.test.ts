/**
 * A master table whose names repeat once per value of a column (an enum `region`: one "Harbor Depot" in each region)
 * and documents that carry the column: discover proposes it as the link's scope, with why (without it every such name
 * is ambiguous and plan links none). Before: not named like a tenant, on two tables only, in no key or index, it was
 * rejected and the proposal had no scope. A column the names repeat within (`kind`) is still not one.
 */
import { afterEach, expect, it } from 'vitest';
import { discover } from '../../src/discover/discover.js';
import { plan } from '../../src/planning/plan.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

describeEach('discover: a column the master names are unique within', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('proposes an enum that makes every repeated name unique as the scope; the proposal plans every row', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TYPE region AS ENUM ('eu', 'us', 'apac');
      CREATE TYPE depot_kind AS ENUM ('hub', 'spoke');
      CREATE TABLE depots (id int PRIMARY KEY, region region NOT NULL, kind depot_kind NOT NULL, name text NOT NULL);
      CREATE TABLE shipments (id int PRIMARY KEY, region region NOT NULL, kind depot_kind NOT NULL, depot_name text, depot_id int);
      INSERT INTO depots SELECT row_number() OVER (), r, (ARRAY['hub', 'spoke']::depot_kind[])[1 + n % 2], 'Depot ' || n
        FROM unnest(ARRAY['eu', 'us', 'apac']::region[]) r, generate_series(1, 12) n;
      INSERT INTO shipments SELECT g, (ARRAY['eu', 'us', 'apac']::region[])[1 + g % 3], (ARRAY['hub', 'spoke']::depot_kind[])[1 + g % 2],
        'Depot ' || (1 + g % 12), NULL FROM generate_series(1, 120) g;`);
    const r = await discover(t.db);
    const p = r.proposals.find((x) => x.fk === 'depot_id');
    expect(p, JSON.stringify(r, null, 1).slice(0, 3000)).toBeDefined();
    expect(p!.scope).toEqual(['region']);
    const verdicts = Object.fromEntries(p!.scopeEvidence.map((v) => [v.column, v]));
    expect(verdicts['region']).toMatchObject({ scope: true });
    expect(verdicts['region']!.reason).toContain('depots.name repeats (12 names in 36 sampled rows), each once per region');
    expect(verdicts['kind']).toMatchObject({ scope: false });
    const planned = await plan(t.db, { config: { links: [p!.link] }, allTenants: true });
    expect([planned.results[0]!.recordsMatched, planned.results[0]!.recordsAmbiguous]).toEqual([120, 0]);
  });
});
