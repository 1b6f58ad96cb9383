/**
 * A plan applied after a namesake of a linked name's master appeared. A new user's trial: `apply --plan` of an older
 * plan linked both 'ABC Corp' rows to master 1 after the application created a second 'ABC Corp' (a duplicate
 * customer); a name shared by two active masters is never linked, and drift and verify said nothing afterwards. Now the
 * plan is PLAN_STALE (exit 2, nothing written); a fresh plan leaves the name for review.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { apply, decide, drift, installGuard, plan, removeGuard, resumeApply } from '../../src/index.js';
import type { Queryable } from '../../src/db/port.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { documentsConfig } from '../helpers/orders-config.js';
import { refused, snapshot } from '../helpers/hostile.js';

const config = documentsConfig({ match: 'fuzzy' });

async function schema(db: Queryable): Promise<void> {
  for (const s of [
    `CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL)`,
    `CREATE TABLE documents (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers)`,
    `INSERT INTO customers VALUES (1, 1, 'ABC Corp'), (2, 1, 'Globex Corporation'), (3, 1, 'Initech'), (4, 2, 'Initech')`,
    `INSERT INTO documents VALUES (1, 1, 'ABC Corp', NULL), (2, 1, 'ABC Corp', NULL), (3, 1, 'Globex Corp.', NULL), (4, 1, 'Initech', NULL), (5, 2, 'Initech', NULL)`,
  ])
    await db.query(s);
}

const linked = async (db: Queryable): Promise<(number | null)[]> =>
  (await db.query<{ customer_id: number | null }>(`SELECT customer_id FROM documents ORDER BY id`)).rows.map((r) => r.customer_id);

describeEach('a namesake of a planned master since the plan', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('a duplicate master of a linked name: the plan is refused; a fresh plan leaves the name unlinked', async () => {
    t = await freshDb(target);
    await schema(t.db);
    const p = await plan(t.db, { config, allTenants: true });
    expect(p.results[0]!.recordsMatched).toBe(5);
    // the application creates a second ABC Corp in tenant 1 (Initech, in both tenants from the start, is no namesake: scoped)
    await t.db.query(`INSERT INTO customers VALUES (10, 1, 'ABC Corp')`);
    const before = await snapshot(t.db);
    await refused(
      apply(t.db, { config, allTenants: true, planRunId: p.runId }),
      'PLAN_STALE',
      new RegExp(
        `^plan ${p.runId} links 1 name\\(s\\) of document whose master has a namesake since it was made \\(e\\.g\\. "ABC Corp": another active master is named "ABC Corp"\\); plan again`,
      ),
    );
    expect(await snapshot(t.db)).toEqual(before);
    const a = await apply(t.db, { config, allTenants: true });
    expect(a.totalUpdated).toBe(3);
    expect(await linked(t.db)).toEqual([null, null, 2, 3, 4]);
  });

  it('a master named exactly as a name the plan linked by its likeness to another: refused too', async () => {
    t = await freshDb(target);
    await schema(t.db);
    const p = await plan(t.db, { config, allTenants: true });
    await t.db.query(`INSERT INTO customers VALUES (11, 1, 'Globex Corp.')`);
    await refused(
      apply(t.db, { config, allTenants: true, planRunId: p.runId }),
      'PLAN_STALE',
      /"Globex Corp\.": another active master is named "Globex Corp\."/,
    );
  });

  it('a namesake in another tenant, or of a name a person decided: the plan applies', async () => {
    t = await freshDb(target);
    await schema(t.db);
    await decide(t.db, { config, link: 'document', scopeKey: ['1'], name: 'ABC Corp', action: 'alias', targetKey: '1', by: 'ana' });
    const p = await plan(t.db, { config, allTenants: true });
    await t.db.query(`INSERT INTO customers VALUES (12, 2, 'Globex Corporation'), (13, 1, 'ABC Corp')`);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    expect(a.totalUpdated).toBe(5);
    expect(await linked(t.db)).toEqual([1, 1, 2, 3, 4]);
  });
  it('after the apply, a duplicate master of a linked name: drift reports the linked rows as duplicated (found)', async () => {
    t = await freshDb(target);
    await schema(t.db);
    expect((await apply(t.db, { config, allTenants: true })).totalUpdated).toBe(5);
    expect((await drift(t.db, { config, allTenants: true })).found).toBe(false);
    await t.db.query(`INSERT INTO customers VALUES (10, 1, 'ABC Corp'), (11, 2, 'Globex Corporation')`);
    const d = await drift(t.db, { config, allTenants: true });
    expect(d.found).toBe(true);
    const l = d.links[0]!;
    expect(l.duplicated).toMatchObject({ rows: 2, groups: 1 });
    expect(l.duplicated.samples).toEqual([{ scopeKey: ['1'], sourceName: 'ABC Corp', targetKey: '1', masterName: 'ABC Corp', rows: 2 }]);
    expect(l.renamed.rows + l.inactive.rows + l.missing.rows + l.otherScope.rows).toBe(0);
    // one tenant's drift sees only its own duplicates
    expect((await drift(t.db, { config, tenantId: '2' })).links[0]!.duplicated.rows).toBe(0);
  });
  it('two namesakes at plan time, the name decided for one and applied: drift reports no duplicate (the decision is the fix)', async () => {
    // a new user's trial: review import accepted 'Twin Co' -> 2, apply linked both rows to 2, and drift said "duplicated"
    // (exit 3) forever, its own message asking for the decision already taken
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL);
      CREATE TABLE documents (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Twin Co'), (2, 1, 'Twin Co'), (3, 2, 'Twin Co'), (4, 2, 'Twin Co');
      INSERT INTO documents VALUES (1, 1, 'Twin Co', NULL), (2, 1, 'Twin Co', NULL), (3, 2, 'Twin Co', NULL);`);
    await plan(t.db, { config, allTenants: true });
    await decide(t.db, { config, link: 'document', scopeKey: ['1'], name: 'Twin Co', action: 'alias', targetKey: '2', by: 'ana' });
    await decide(t.db, { config, link: 'document', scopeKey: ['2'], name: 'Twin Co', action: 'alias', targetKey: '3', by: 'ana' });
    expect((await apply(t.db, { config, allTenants: true })).totalUpdated).toBe(3);
    expect(await linked(t.db)).toEqual([2, 2, 3]);
    expect((await drift(t.db, { config, tenantId: '1' })).found).toBe(false);
    expect((await drift(t.db, { config, allTenants: true })).found).toBe(false);
    // rows linked by hand to the other namesake: the decision names another master, still duplicated
    await t.db.query(`UPDATE documents SET customer_id = 4 WHERE id = 3`);
    const other = (await drift(t.db, { config, allTenants: true })).links[0]!;
    expect(other.duplicated.samples).toEqual([{ scopeKey: ['2'], sourceName: 'Twin Co', targetKey: '4', masterName: 'Twin Co', rows: 1 }]);
    // the decision replaced by a 'never': no decision in force links the name to 2, the duplicate is drift again
    await decide(t.db, { config, link: 'document', scopeKey: ['1'], name: 'Twin Co', action: 'never', by: 'ana' });
    const d = (await drift(t.db, { config, tenantId: '1' })).links[0]!;
    expect(d.duplicated).toMatchObject({ rows: 2, groups: 1 });
  });
  it('a name a person decided for the same master since the plan: the plan applies', async () => {
    t = await freshDb(target);
    await schema(t.db);
    const p = await plan(t.db, { config, allTenants: true });
    await t.db.query(`INSERT INTO customers VALUES (10, 1, 'ABC Corp')`);
    await decide(t.db, { config, link: 'document', scopeKey: ['1'], name: 'ABC Corp', action: 'alias', targetKey: '1', by: 'ana' });
    expect((await apply(t.db, { config, allTenants: true, planRunId: p.runId })).totalUpdated).toBe(5);
  });

  it('a link with compare columns, a third namesake whose columns differ: the plan that linked by the columns applies', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL, dob date);
      CREATE TABLE documents (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, dob date, customer_id int);
      INSERT INTO customers VALUES (1001, 1, 'John Smith', '1970-01-01'), (1002, 1, 'John Smith', '1980-02-02');
      INSERT INTO documents VALUES (1, 1, 'John Smith', '1980-02-02', NULL), (2, 1, 'John Smith', '1980-02-02', NULL);`);
    const withDob = documentsConfig({ match: 'fuzzy', compare: [{ source: 'dob', target: 'dob' }] });
    const p = await plan(t.db, { config: withDob, allTenants: true });
    expect(p.results[0]!.recordsMatched).toBe(2);
    await t.db.query(`INSERT INTO customers VALUES (1003, 1, 'John Smith', '1990-03-03')`);
    expect((await apply(t.db, { config: withDob, allTenants: true, planRunId: p.runId })).totalUpdated).toBe(2);
    expect((await t.db.query(`SELECT DISTINCT customer_id FROM documents`)).rows).toEqual([{ customer_id: 1002 }]);
  });
  it('a run stopped, a duplicate master created, then --resume: refused, nothing more written (a Citus trial linked 330 rows)', async () => {
    t = await freshDb(target);
    await schema(t.db);
    const ac = new AbortController();
    const a = await apply(t.db, {
      config,
      allTenants: true,
      batchSize: 1,
      walk: 'key',
      signal: ac.signal,
      onProgress: (e) => {
        if (e.event === 'batch') ac.abort();
      },
    });
    expect(a.status).toBe('stopped');
    await t.db.query(`INSERT INTO customers VALUES (10, 1, 'ABC Corp')`);
    const before = await snapshot(t.db);
    await refused(
      resumeApply(t.db, { runId: a.runId }),
      'PLAN_STALE',
      new RegExp(`"ABC Corp": another active master is named "ABC Corp"\\), so run ${a.runId} cannot go on with it: plan again and apply`),
    );
    expect(await snapshot(t.db)).toEqual(before);
  });
  it('a duplicate master created while a batched apply runs: the run stops at its next check, the later rows of the name stay NULL', async () => {
    t = await freshDb(target);
    await schema(t.db);
    // the application creates a second ABC Corp as the first batch links the first ABC Corp row (a trigger: deterministic)
    await t.db.query(`CREATE FUNCTION dup() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.id = 1 AND NEW.customer_id IS NOT NULL THEN INSERT INTO customers VALUES (10, 1, 'ABC Corp') ON CONFLICT DO NOTHING; END IF;
      RETURN NULL; END $$`);
    await t.db.query(`CREATE TRIGGER dup AFTER UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION dup()`);
    const p = await plan(t.db, { config, allTenants: true });
    let batches = 0;
    // the check is due again after 100 times its own length: the clock jumps an hour at the first batch (not a wait)
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const err = await apply(t.db, {
      config,
      allTenants: true,
      planRunId: p.runId,
      batchSize: 1,
      walk: 'key',
      onProgress: (e) => {
        if (e.event === 'batch' && ++batches === 1) vi.setSystemTime(Date.now() + 3_600_000);
      },
    })
      .catch((e: unknown) => e)
      .finally(() => vi.useRealTimers());
    expect(err).toMatchObject({ code: 'PLAN_STALE' });
    expect(String((err as Error).message)).toMatch(
      /"ABC Corp": another active master is named "ABC Corp"\), so run \d+ cannot go on with it/,
    );
    expect(batches).toBe(1);
    expect(await linked(t.db)).toEqual([1, null, null, null, null]);
  });

  it('the guard: a name an apply linked by likeness is not linked once its master has a same-named twin (ambiguous, a miss)', async () => {
    t = await freshDb(target);
    await schema(t.db);
    await apply(t.db, { config, allTenants: true });
    await installGuard(t.db, { config });
    await t.db.query(`INSERT INTO documents VALUES (19, 1, 'Globex Corp.', NULL)`);
    await t.db.query(`INSERT INTO customers VALUES (11, 1, 'Globex Corporation')`);
    await t.db.query(`INSERT INTO documents VALUES (20, 1, 'Globex Corp.', NULL)`);
    const fks = await t.db.query(`SELECT id, customer_id FROM documents WHERE id IN (19, 20) ORDER BY id`);
    expect(fks.rows).toEqual([
      { id: 19, customer_id: 2 },
      { id: 20, customer_id: null },
    ]);
    const miss = await t.db.query(`SELECT row_key, reason FROM fk_backfill.guard_misses`);
    expect(miss.rows).toEqual([{ row_key: '20', reason: 'ambiguous' }]);
    await removeGuard(t.db);
  });
  it('a fuzzy link: a master created since that differs from the planned one only in case or punctuation is a namesake too', async () => {
    t = await freshDb(target);
    await schema(t.db);
    const p = await plan(t.db, { config, allTenants: true });
    // Globex Corp. was linked by likeness to 'Globex Corporation'; the application adds 'GLOBEX CORPORATION'
    await t.db.query(`INSERT INTO customers VALUES (14, 1, 'GLOBEX CORPORATION')`);
    await refused(
      apply(t.db, { config, allTenants: true, planRunId: p.runId }),
      'PLAN_STALE',
      /"Globex Corp\.": another active master is named "GLOBEX CORPORATION"/,
    );
    // an exact link compares names as the column does: 'GLOBEX CORPORATION' is another name
    const exact = documentsConfig({ entity: 'document_exact' });
    const pe = await plan(t.db, { config: exact, allTenants: true });
    await t.db.query(`INSERT INTO customers VALUES (15, 1, 'INITECH')`);
    expect((await apply(t.db, { config: exact, allTenants: true, planRunId: pe.runId })).status).toBe('done');
  });
  it('a fuzzy link: two masters whose names differ only in a word break (Silver-Foods / SilverFoods) from the start are no namesakes: a fresh plan applies (a trial)', async () => {
    t = await freshDb(target);
    await schema(t.db);
    // the plan's normaliser keeps 'silver foods' and 'silverfoods' apart and links each name to its own master; the
    // namesake check folded both to 'silverfoodsas' and refused every fresh plan of the tenant as stale
    await t.db.query(`INSERT INTO customers VALUES (30, 1, 'Silver-Foods A/S'), (31, 1, 'SilverFoods A/S')`);
    await t.db.query(`INSERT INTO documents VALUES (30, 1, 'Silver-Foods A/S', NULL), (31, 1, 'SilverFoods A/S', NULL)`);
    const p = await plan(t.db, { config, allTenants: true });
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    expect(a.status).toBe('done');
    expect((await linked(t.db)).slice(5)).toEqual([30, 31]);
    // nor does drift call them duplicates (it folded them alike too: exit 3 the day of the apply)
    const d = await drift(t.db, { config, allTenants: true });
    expect([d.found, d.links[0]!.duplicated.rows]).toEqual([false, 0]);
    // a master created since that the normaliser reads as the linked one's name is still a namesake
    await t.db.query(`UPDATE documents SET customer_id = NULL WHERE id >= 30`);
    const again = await plan(t.db, { config, allTenants: true });
    await t.db.query(`INSERT INTO customers VALUES (32, 1, 'SILVER-FOODS A/S')`);
    await refused(
      apply(t.db, { config, allTenants: true, planRunId: again.runId }),
      'PLAN_STALE',
      /links 1 name\(s\) of document whose master has a namesake since it was made \(e\.g\. "Silver-Foods A\/S": another active master is named "SILVER-FOODS A\/S"\)/,
    );
  });
  it('drift of a fuzzy link: a master created after the apply that differs only in case from the linked one is a duplicate', async () => {
    t = await freshDb(target);
    await schema(t.db);
    await apply(t.db, { config, allTenants: true });
    await t.db.query(`INSERT INTO customers VALUES (14, 1, 'GLOBEX CORPORATION')`);
    const l = (await drift(t.db, { config, allTenants: true })).links[0]!;
    expect(l.duplicated.samples).toEqual([
      { scopeKey: ['1'], sourceName: 'Globex Corp.', targetKey: '2', masterName: 'Globex Corporation', rows: 1 },
    ]);
    // an exact link compares names as the column does: no duplicate
    const exact = documentsConfig({ entity: 'document_exact' });
    expect((await drift(t.db, { config: exact, allTenants: true })).links[0]!.duplicated.rows).toBe(0);
  });
  it('a name of no letter or digit is its own: another master of punctuation only is no namesake, the same one is (the property test)', async () => {
    t = await freshDb(target);
    await schema(t.db);
    await t.db.query(`INSERT INTO customers VALUES (20, 1, '&')`);
    await t.db.query(`INSERT INTO documents VALUES (20, 1, '&', NULL)`);
    const p = await plan(t.db, { config, allTenants: true });
    // both fold to nothing: '&' and '%' were namesakes, the plan refused as stale and drift reporting a duplicate
    await t.db.query(`INSERT INTO customers VALUES (21, 1, '%')`);
    expect((await apply(t.db, { config, allTenants: true, planRunId: p.runId })).status).toBe('done');
    expect((await linked(t.db))[5]).toBe(20);
    expect((await drift(t.db, { config, allTenants: true })).links[0]!.duplicated.rows).toBe(0);
    // a second '&' is a namesake of the first
    await t.db.query(`INSERT INTO customers VALUES (22, 1, '&')`);
    expect((await drift(t.db, { config, allTenants: true })).links[0]!.duplicated.rows).toBe(1);
    await t.db.query(`UPDATE documents SET customer_id = NULL WHERE id = 20`);
    await t.db.query(`DELETE FROM customers WHERE id = 22`);
    const again = await plan(t.db, { config, allTenants: true });
    await t.db.query(`INSERT INTO customers VALUES (22, 1, '&')`);
    await refused(
      apply(t.db, { config, allTenants: true, planRunId: again.runId }),
      'PLAN_STALE',
      /"&": another active master is named "&"/,
    );
  });
  it('names under a nondeterministic collation (case-insensitive ICU): the namesake check and drift of a fuzzy link run (no regular expression under it)', async () => {
    t = await freshDb(target);
    const ci = await t.db
      .query(`CREATE COLLATION IF NOT EXISTS ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`)
      .then(
        () => true,
        () => false,
      );
    if (!ci) return; // PGlite is built without ICU
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, name text COLLATE ci NOT NULL);
      CREATE TABLE documents (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text COLLATE ci, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Globex Corporation');
      INSERT INTO documents VALUES (1, 1, 'Globex Corp.', NULL);`);
    const p = await plan(t.db, { config, allTenants: true });
    await t.db.query(`INSERT INTO customers VALUES (2, 1, 'GLOBEX CORPORATION.')`);
    await refused(apply(t.db, { config, allTenants: true, planRunId: p.runId }), 'PLAN_STALE', /namesake since/);
    await t.db.query(`DELETE FROM customers WHERE id = 2`);
    expect((await apply(t.db, { config, allTenants: true, planRunId: p.runId })).totalUpdated).toBe(1);
    await t.db.query(`INSERT INTO customers VALUES (2, 1, 'GLOBEX CORPORATION.')`);
    expect((await drift(t.db, { config, allTenants: true })).links[0]!.duplicated.rows).toBe(1);
  });
});
