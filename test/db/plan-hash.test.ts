/**
 * A plan's content hash (migration 024 computes it per link, then joins the links in order) is the very
 * hash the first definition computed: one md5 over every entry sorted on (link, scope, name, outcome,
 * target, method, recorded master name). Stored hashes stay valid, and an edited entry still changes it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { plan } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { createBatchFixture, DEMO_TENANT } from './apply-fixture.js';

/** Migration 015's plan_hash, word for word: the reference the faster definition must equal. */
const FIRST_DEFINITION = `SELECT md5(coalesce(string_agg(CASE WHEN e.target_name IS NULL
                                      THEN row(e.link, e.scope_key, e.source_name, e.outcome, e.target_key, e.method)::text
                                      ELSE row(e.link, e.scope_key, e.source_name, e.outcome, e.target_key, e.method, e.target_name)::text END, E'\\n'
                                 ORDER BY e.link COLLATE "C", e.scope_key::text COLLATE "C", e.source_name COLLATE "C",
                                          e.outcome COLLATE "C", e.target_key COLLATE "C", e.method COLLATE "C",
                                          e.target_name COLLATE "C"), '')) AS h
    FROM fk_backfill.plan_entries e
   WHERE e.run_id = $1::int8`;

describeEach('plan hash', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createBatchFixture(t.db, 300);
  });
  afterEach(async () => t.dispose());

  const hashes = async (run: string): Promise<{ stored: string | null; now: string; first: string }> =>
    (
      await t.db.query<{ stored: string | null; now: string; first: string }>(
        `SELECT r.plan_hash AS stored, fk_backfill.plan_hash(r.id) AS now, (${FIRST_DEFINITION}) AS first FROM fk_backfill.runs r WHERE r.id = $1::int8`,
        [run],
      )
    ).rows[0]!;

  it('two links, every outcome, names with and without a recorded master: the same md5 as the first definition', async () => {
    const p = await plan(t.db, { allTenants: true, entities: ['sales_order', 'purchase_order'] });
    const shape = (
      await t.db.query<{ links: number; outcomes: number; unnamed: number; recorded: number; unrecorded: number }>(
        `SELECT count(DISTINCT link)::int AS links, count(DISTINCT outcome)::int AS outcomes,
                count(*) FILTER (WHERE source_name IS NULL)::int AS unnamed,
                count(*) FILTER (WHERE target_name IS NOT NULL)::int AS recorded, count(*) FILTER (WHERE target_name IS NULL)::int AS unrecorded
           FROM fk_backfill.plan_entries WHERE run_id = $1::int8`,
        [p.runId],
      )
    ).rows[0]!;
    // the fixture must exercise what the order and the CASE depend on
    expect(shape.links).toBe(2);
    expect(shape.outcomes).toBeGreaterThanOrEqual(2);
    expect([shape.recorded > 0, shape.unrecorded > 0]).toEqual([true, true]);
    const h = await hashes(p.runId);
    expect(h.now).toBe(h.first);
    expect(h.stored).toBe(h.first);

    // an edit changes it (the first definition agrees)
    await t.db.query(
      `UPDATE fk_backfill.plan_entries SET target_name = target_name || 'x' WHERE run_id = $1::int8 AND target_name IS NOT NULL AND link = 'purchase_order'`,
      [p.runId],
    );
    const edited = await hashes(p.runId);
    expect(edited.now).not.toBe(h.now);
    expect(edited.now).toBe(edited.first);
  });

  it('a plan with no entries hashes as the empty string did', async () => {
    const p = await plan(t.db, { tenantId: DEMO_TENANT, entities: ['sales_order'] });
    await t.db.query(`DELETE FROM fk_backfill.plan_entries WHERE run_id = $1::int8`, [p.runId]);
    const h = await hashes(p.runId);
    expect([h.now, h.first]).toEqual(['d41d8cd98f00b204e9800998ecf8427e', 'd41d8cd98f00b204e9800998ecf8427e']);
  });
});
