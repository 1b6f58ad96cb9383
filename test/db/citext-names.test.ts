/**
 * A citext document name against a master name of another type (varchar): the plan's GROUP BY on the citext column
 * makes 'ACME', 'Acme' and 'acme' one name, but citext = varchar is text's (case-sensitive) equality. The exact plan
 * matched the group by whichever spelling it read first, so the same rows gave different plans in another physical
 * order, rows spelled exactly like their master stayed unmatched, and drift called apply's own links renamed. Now the
 * master's name is compared as a citext (the document column's own equality) in the plan and in drift, and a group is
 * recorded under its least spelling under "C", whatever the order it is read in.
 */
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { apply, drift, plan } from '../../src/index.js';
import { refused } from '../helpers/hostile.js';
import type { Database } from '../../src/db/port.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { citextDb, closeCitextPglite } from '../helpers/citext.js';
import { describeEach } from '../helpers/db.js';

afterAll(closeCitextPglite);

const config = (match: 'exact' | 'fuzzy'): ConfigInput => ({
  links: [
    {
      entity: 'doc',
      table: 'docs',
      key: 'id',
      fk: 'vendor_id',
      name: 'supplier',
      scope: ['org'],
      match,
      target: { table: 'vendors', key: 'id', name: 'name' },
    },
  ],
});

/** The documents in one physical order or the reverse one. */
async function load(db: Database, reverse: boolean): Promise<void> {
  await db.exec(
    `DROP TABLE IF EXISTS docs; CREATE TABLE docs (id int PRIMARY KEY, org text NOT NULL, supplier citext, vendor_id int REFERENCES vendors (id));`,
  );
  await db.query(
    `INSERT INTO docs (id, org, supplier)
     SELECT x.id, 't1', x.s FROM unnest($1::int[], $2::text[]) AS x(id, s) ORDER BY CASE WHEN $3 THEN -x.id ELSE x.id END`,
    [[1, 2, 3, 4, 5, 6], ['ACME', 'Acme', 'Acme', 'Beta', 'BETA', 'gamma'], reverse],
  );
}

describeEach('citext document names against varchar master names', (target) => {
  let h: { db: Database; dispose(): Promise<void> };
  beforeEach(async () => {
    h = await citextDb(target);
    await h.db.exec(`CREATE EXTENSION IF NOT EXISTS citext;
      CREATE TABLE vendors (id int PRIMARY KEY, org text NOT NULL, name varchar(60) NOT NULL);
      INSERT INTO vendors VALUES (1, 't1', 'Acme'), (2, 't1', 'Beta'), (3, 't2', 'Gamma');`);
  });
  afterEach(async () => h.dispose());

  for (const match of ['exact', 'fuzzy'] as const) {
    it(`${match}: every spelling of a name links as the citext column compares it, the same plan in either row order, and drift finds nothing after apply`, async () => {
      const entries: string[][] = [];
      for (const reverse of [false, true]) {
        await load(h.db, reverse);
        const p = await plan(h.db, { config: config(match), allTenants: true });
        expect(p.results[0]!.recordsMatched).toBe(5);
        const e = await h.db.query<{ e: string }>(
          `SELECT concat_ws(' | ', source_name, outcome, target_key, row_count) AS e FROM fk_backfill.plan_entries WHERE run_id = $1::int8 ORDER BY 1`,
          [p.runId],
        );
        entries.push(e.rows.map((r) => r.e));
        if (reverse) {
          const a = await apply(h.db, { config: config(match), allTenants: true, planRunId: p.runId });
          expect(a.results[0]!.updated).toBe(5);
          const linked = await h.db.query<{ id: number; v: number | null }>(`SELECT id, vendor_id AS v FROM docs ORDER BY id`);
          expect(linked.rows.map((r) => [r.id, r.v])).toEqual([
            [1, 1],
            [2, 1],
            [3, 1],
            [4, 2],
            [5, 2],
            [6, null],
          ]);
          const d = await drift(h.db, { config: config(match), allTenants: true });
          expect(d.links[0]!.renamed.rows).toBe(0);
          expect(d.found).toBe(false);
        }
      }
      // one entry per name group, under its least spelling ("C": upper case first), in either order
      expect(entries[0]).toEqual(entries[1]);
      expect(entries[0]!.map((e) => e.split(' | ')[0])).toEqual(['ACME', 'BETA', 'gamma']);
    });
  }
  it('a master added since the plan whose name equals a planned name as the citext column compares it: apply --plan is refused', async () => {
    await load(h.db, false);
    const p = await plan(h.db, { config: config('exact'), allTenants: true });
    // 'ACME' is the citext name 'Acme' the plan linked to vendor 1: a fresh plan finds two masters for it
    await h.db.query(`INSERT INTO vendors VALUES (4, 't1', 'ACME')`);
    await refused(
      apply(h.db, { config: config('exact'), allTenants: true, planRunId: p.runId }),
      'PLAN_STALE',
      /whose master has a namesake since/,
    );
  });

  it('an unmatched name in two spellings: drift after plan and apply finds no new name (the plan recorded one spelling; a trial: exit 3 every day)', async () => {
    await load(h.db, false);
    await h.db.exec(`INSERT INTO docs (id, org, supplier) VALUES (7, 't1', 'Nobody'), (8, 't1', 'NOBODY'), (9, 't1', 'nobody')`);
    const p = await plan(h.db, { config: config('exact'), allTenants: true });
    await apply(h.db, { config: config('exact'), allTenants: true, planRunId: p.runId });
    const d = await drift(h.db, { config: config('exact'), allTenants: true });
    expect(d.links[0]!.newNames).toMatchObject({ names: 0, rows: 0 });
    expect(d.found).toBe(false);
    // a spelling of a name no plan saw is still new
    await h.db.exec(`INSERT INTO docs (id, org, supplier) VALUES (10, 't1', 'Somebody')`);
    const again = await drift(h.db, { config: config('exact'), allTenants: true });
    expect(again.links[0]!.newNames).toMatchObject({ names: 1, rows: 1 });
  });

  it('a citext master name beside a varchar document name: exact plan says it compares case-sensitively and that normalized links them (a trial: 11,012 rows left unlinked without a word)', async () => {
    await h.db.exec(`CREATE TABLE accounts (id int PRIMARY KEY, org text NOT NULL, name citext NOT NULL);
      INSERT INTO accounts VALUES (1, 't1', 'Acme Ltd');
      CREATE TABLE bills (id int PRIMARY KEY, org text NOT NULL, customer varchar(80), account_id int);
      INSERT INTO bills VALUES (1, 't1', 'Acme Ltd', NULL), (2, 't1', 'ACME LTD', NULL);`);
    const link = (match: 'exact' | 'normalized'): ConfigInput => ({
      links: [
        {
          entity: 'bill',
          table: 'bills',
          key: 'id',
          fk: 'account_id',
          name: 'customer',
          scope: ['org'],
          match,
          target: { table: 'accounts', key: 'id', name: 'name' },
        },
      ],
    });
    const exact = await plan(h.db, { config: link('exact'), allTenants: true });
    expect(exact.results[0]!.recordsMatched).toBe(1);
    expect(exact.notices).toContain(
      'bill: accounts.name is citext but bills.customer is character varying: "match": "exact" compares them as PostgreSQL does, case-sensitively, so a name that differs from a master\'s only by case is not linked; "match": "normalized" links it (case, spacing and punctuation aside)',
    );
    const normalized = await plan(h.db, { config: link('normalized'), allTenants: true });
    expect(normalized.results[0]!.recordsMatched).toBe(2);
    expect((normalized.notices ?? []).some((n) => n.includes('is citext but'))).toBe(false);
  });
});
