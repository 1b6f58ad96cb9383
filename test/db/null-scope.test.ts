/**
 * Rows and masters without a scope value (a NULL tenant) belong to no tenant: never linked, by any strategy, on every
 * target. PGlite read the scope key {NULL} as the text "NULL", so its fuzzy plans linked such rows with such masters
 * (2 of 2 here) where PostgreSQL linked none.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan, verify } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

describeEach('rows without a scope value', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.query(`CREATE TABLE c (id int PRIMARY KEY, tenant_id int, name text)`);
    await t.db.query(`CREATE TABLE o (id int PRIMARY KEY, tenant_id int, name text, c_id int)`);
    await t.db.query(`INSERT INTO c VALUES (1, NULL, 'Acme Corporation'), (2, 1, 'Acme Corporation')`);
    await t.db.query(`INSERT INTO o VALUES (1, NULL, 'Acme Corporation', NULL), (2, NULL, 'Acme Corp', NULL), (3, 1, 'Acme Corp', NULL)`);
  });
  afterEach(async () => t.dispose());

  it('are planned, kept apart from every tenant and linked by no strategy; their scope key reads back as NULL', async () => {
    for (const match of ['exact', 'normalized', 'fuzzy'] as const) {
      const p = await plan(t.db, {
        allTenants: true,
        config: {
          links: [
            {
              entity: 'o',
              table: 'o',
              key: 'id',
              fk: 'c_id',
              name: 'name',
              scope: ['tenant_id'],
              match,
              target: { table: 'c', key: 'id', name: 'name' },
            },
          ],
        },
      });
      const rows = (
        await t.db.query<{ source_name: string; outcome: string; scope_key: (string | null)[]; reason: string }>(
          `SELECT source_name, outcome, scope_key, reason FROM fk_backfill.plan_entries WHERE run_id = $1::int8 ORDER BY scope_key[1] NULLS FIRST, source_name`,
          [p.runId],
        )
      ).rows;
      const unscoped = rows.filter((r) => r.scope_key[0] === null);
      expect(unscoped.length, match).toBeGreaterThan(0);
      expect(
        unscoped.every((r) => r.outcome !== 'linked'),
        match,
      ).toBe(true);
      // and they say why: the missing tenant, not a missing master
      expect(
        unscoped.map((r) => r.reason),
        match,
      ).toEqual(unscoped.map(() => 'no tenant: its scope column is NULL (rows of no tenant are never linked)'));
      expect(
        rows.some((r) => r.scope_key[0] === 'NULL'),
        match,
      ).toBe(false);
      expect(p.results[0]!.recordsMatched, match).toBe(match === 'exact' ? 0 : 1);
      // the unmatched sample lists them too, with the plan's reason (a NULL scope value equals no typed scope value)
      const sample = p.results[0]!.unmatchedRecords.filter((u) => u.documentNumber === '1' || u.documentNumber === '2');
      expect(
        sample.map((u) => [u.documentNumber, u.outcome, u.reason]),
        match,
      ).toEqual([
        ['1', 'unmatched', 'no tenant: its scope column is NULL (rows of no tenant are never linked)'],
        ['2', 'unmatched', 'no tenant: its scope column is NULL (rows of no tenant are never linked)'],
      ]);
    }
  });

  it('verify counts their NULL FKs apart, as a warning: no master to link them to, not work left', async () => {
    await t.db.query(`INSERT INTO o VALUES (4, NULL, '', NULL), (5, NULL, NULL, NULL)`);
    const config = {
      links: [
        {
          entity: 'o',
          table: 'o',
          key: 'id',
          fk: 'c_id',
          name: 'name',
          scope: ['tenant_id'],
          match: 'fuzzy' as const,
          target: { table: 'c', key: 'id', name: 'name' },
        },
      ],
    };
    await apply(t.db, { allTenants: true, config });
    const v = (await verify(t.db, { allTenants: true, config })).links[0]!;
    // o 3 linked; 1 and 2 named, of no tenant; 4 and 5 without a name (of no tenant too: counted once, there)
    expect([v.nullFks, v.nullFksWithoutName, v.nullFksWithoutScope, v.nullFksSelf]).toEqual([4, 2, 2, 0]);
    expect(v.problems.filter((x) => x.includes('still have a NULL'))).toEqual([]);
    expect(v.warnings.filter((x) => x.includes('have no tenant_id'))).toEqual([
      '2 row(s) with a name have no tenant_id (NULL), so no master to link them to: their c_id stays NULL (constrain --not-null would refuse them)',
    ]);
  });
});
