/**
 * A text scope column with a nondeterministic collation ('t1' = 'T1' under it) keeps its spellings apart:
 * plan and apply link a document to a master of its own spelling only, verify counts a link across them
 * as cross-scope, `--tenant t1` selects the rows spelled 't1' only.
 * Before: the "text form" comparisons of loose scope columns cast to text, which keeps the column's
 * collation ('t1'::text = 'T1'::text still true under it): plan and apply linked documents of 't1' to
 * masters of 'T1', and verify reported cross-scope 0.
 * PostgreSQL only: PGlite has no ICU, so no nondeterministic collation can be created there.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan } from '../../src/index.js';
import { verify } from '../../src/verify/verify.js';
import { drift } from '../../src/guard/drift.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'doc',
      table: 'docs',
      key: 'id',
      fk: 'master_id',
      name: 'master_name',
      scope: ['tenant_id'],
      updatedAt: null,
      target: { table: 'masters', key: 'id', name: 'name', active: 'active' },
    },
  ],
};

describeEach('scope column with a nondeterministic collation', (target) => {
  const skip = target === 'pglite'; // PGlite is built without ICU: CREATE COLLATION (provider = icu) fails there
  let t: TestDb;
  beforeEach(async () => {
    if (skip) return;
    t = await freshDb(target);
    await t.db.exec(`CREATE COLLATION IF NOT EXISTS ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
      CREATE TABLE masters (id int PRIMARY KEY, tenant_id text COLLATE ci NOT NULL, name text NOT NULL, active boolean NOT NULL);
      CREATE TABLE docs (id int PRIMARY KEY, tenant_id text COLLATE ci NOT NULL, master_name text, master_id int REFERENCES masters (id));
      CREATE INDEX ON docs (master_id);
      -- 'Widget' in both spellings of the tenant; 'Gadget' under 'T1' only
      INSERT INTO masters VALUES (1, 't1', 'Widget', true), (2, 'T1', 'Widget', true), (3, 'T1', 'Gadget', true);
      INSERT INTO docs VALUES (1, 't1', 'Widget', NULL), (2, 'T1', 'Widget', NULL), (3, 't1', 'Gadget', NULL), (4, 'T1', 'Gadget', NULL);`);
  });
  afterEach(async () => {
    if (!skip) await t.dispose();
  });

  it.skipIf(skip)("plan and apply link each document to its own spelling's master; verify finds no link across them", async () => {
    const p = await plan(t.db, { config, allTenants: true });
    const entries = (
      await t.db.query<{ scope_key: string[]; source_name: string; outcome: string; target_key: string | null }>(
        `SELECT scope_key, source_name, outcome, target_key FROM fk_backfill.plan_entries WHERE run_id = $1::int8 ORDER BY scope_key[1] COLLATE "C", source_name`,
        [p.runId],
      )
    ).rows;
    expect(entries.map((e) => [e.scope_key, e.source_name, e.outcome, e.target_key])).toEqual([
      [['T1'], 'Gadget', 'linked', '3'],
      [['T1'], 'Widget', 'linked', '2'],
      [['t1'], 'Gadget', 'unmatched', null],
      [['t1'], 'Widget', 'linked', '1'],
    ]);
    expect(p.results[0]!.recordsMatched).toBe(3);
    // the Not linked list: the 't1' document of a name only 'T1' has, under its own scope
    expect(p.results[0]!.unmatchedRecords.map((u) => [u.documentNumber, u.entityName, u.outcome])).toEqual([['3', 'Gadget', 'unmatched']]);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    expect(a.totalUpdated).toBe(3);
    const docs = (await t.db.query<{ id: number; master_id: number | null }>(`SELECT id, master_id FROM docs ORDER BY id`)).rows;
    expect(docs).toEqual([
      { id: 1, master_id: 1 },
      { id: 2, master_id: 2 },
      { id: 3, master_id: null },
      { id: 4, master_id: 3 },
    ]);
    const v = await verify(t.db, { config, allTenants: true });
    expect(v.links.map((l) => [l.totalRecords, l.nullFks, l.crossScope])).toEqual([[4, 1, 0]]);
    // a link across the spellings (document of 't1' to the 'T1' master) is cross-scope
    await t.db.exec(`UPDATE docs SET master_id = 3 WHERE id = 3`);
    const v2 = await verify(t.db, { config, allTenants: true });
    expect(v2.links.map((l) => [l.nullFks, l.crossScope])).toEqual([[0, 1]]);
  });

  it.skipIf(skip)("--tenant t1 plans and applies the rows spelled 't1' only", async () => {
    const p = await plan(t.db, { config, tenantId: 't1' });
    const entries = (
      await t.db.query<{ scope_key: string[]; source_name: string; outcome: string }>(
        `SELECT scope_key, source_name, outcome FROM fk_backfill.plan_entries WHERE run_id = $1::int8 ORDER BY source_name`,
        [p.runId],
      )
    ).rows;
    expect(entries.map((e) => [e.scope_key, e.source_name, e.outcome])).toEqual([
      [['t1'], 'Gadget', 'unmatched'],
      [['t1'], 'Widget', 'linked'],
    ]);
    const a = await apply(t.db, { config, tenantId: 't1', planRunId: p.runId });
    expect(a.totalUpdated).toBe(1);
    expect(
      (await t.db.query<{ id: number; master_id: number | null }>(`SELECT id, master_id FROM docs ORDER BY id`)).rows.map(
        (r) => r.master_id,
      ),
    ).toEqual([1, null, null, null]);
  });

  it.skipIf(skip)("drift: a new name that only the other spelling's masters carry is listed under its own spelling", async () => {
    const d = await drift(t.db, { config, allTenants: true });
    expect(d.links[0]!.newNames).toEqual({ names: 1, rows: 1, samples: [{ scopeKey: ['t1'], sourceName: 'Gadget', rows: 1 }] });
  });
});
