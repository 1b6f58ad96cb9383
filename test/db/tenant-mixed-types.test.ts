/**
 * `--tenant` over links whose scope columns have different types (a trial: claims scoped by a clinic's uuid beside
 * shipments scoped by an enum of regions). A link whose scope type cannot hold the tenant has no rows of it: it is left
 * out with a notice, as a link without a scope is; named with --entity, or when no link can hold the value, the tenant
 * is refused (UNKNOWN_TENANT). Before: every command under `--tenant <uuid>` failed with the enum's 22P02 (DB_ERROR, exit 1).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, drift, plan, status, verify } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const CLINIC = '61b339ff-2481-74e5-598b-88dbaa99e079';
const OTHER = '87751d4c-a850-1e2c-44dc-da6a797d76de';

const config = {
  links: [
    {
      entity: 'Claim',
      table: 'claims',
      key: 'id',
      fk: 'payer_id',
      name: 'payer',
      scope: ['clinic_id'],
      target: { table: 'payers', key: 'id', name: 'name' },
    },
    {
      entity: 'Shipment',
      table: 'shipments',
      key: 'id',
      fk: 'carrier_no',
      name: 'carrier',
      scope: ['region'],
      target: { table: 'carriers', key: 'no', name: 'name' },
    },
  ],
};

describeEach('--tenant over links whose scope columns differ in type', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TYPE region AS ENUM ('north', 'south');
      CREATE TABLE payers (id int PRIMARY KEY, clinic_id uuid NOT NULL, name text NOT NULL);
      CREATE TABLE claims (id int PRIMARY KEY, clinic_id uuid NOT NULL, payer text, payer_id int);
      CREATE TABLE carriers (no numeric(10, 0) PRIMARY KEY, region region NOT NULL, name text NOT NULL);
      CREATE TABLE shipments (id int PRIMARY KEY, region region NOT NULL, carrier text, carrier_no numeric(10, 0));
      INSERT INTO payers VALUES (1, '${CLINIC}', 'Aetna'), (2, '${OTHER}', 'Aetna');
      INSERT INTO claims VALUES (1, '${CLINIC}', 'Aetna', NULL), (2, '${OTHER}', 'Aetna', NULL);
      INSERT INTO carriers VALUES (1001, 'north', 'DHL'), (1002, 'south', 'DHL');
      INSERT INTO shipments VALUES (1, 'north', 'DHL', NULL), (2, 'south', 'DHL', NULL);`);
  });
  afterEach(async () => t.dispose());

  it('a uuid tenant leaves the enum-scoped link out with a notice; an enum tenant the uuid-scoped one', async () => {
    const skipped = (e: string, v: string, type: string, col: string): string =>
      `${e} skipped: tenant "${v}" is not a valid ${type} for its scope ${col}, so it has no rows of that tenant; run it with --tenant of its own or --all-tenants`;
    const shipNotice = skipped('Shipment', CLINIC.toUpperCase(), 'region', 'shipments.region');
    // the uuid as someone may type it: canonical for the uuid link, and no failure from the enum one
    const st = await status(t.db, { config, tenantId: CLINIC.toUpperCase() });
    expect(st.links.map((l) => [l.entityType, l.totalRecords])).toEqual([['Claim', 1]]);
    expect(st.notices).toContain(shipNotice);
    const p = await plan(t.db, { config, tenantId: CLINIC.toUpperCase() });
    expect(p.results.map((r) => [r.entityType, r.recordsMatched])).toEqual([['Claim', 1]]);
    expect(p.notices).toContain(shipNotice);
    const a = await apply(t.db, { config, tenantId: CLINIC, planRunId: p.runId });
    expect(a.totalUpdated).toBe(1);
    const v = await verify(t.db, { config, tenantId: CLINIC });
    expect(v.links.map((l) => l.entityType)).toEqual(['Claim']);
    const d = await drift(t.db, { config, tenantId: CLINIC });
    expect(d.links.map((l) => l.entityType)).toEqual(['Claim']);
    // the other way round
    const s = await apply(t.db, { config, tenantId: 'north' });
    expect(s.results.map((r) => [r.entityType, r.updated])).toEqual([['Shipment', 1]]);
    expect(s.notices).toContain(skipped('Claim', 'north', 'uuid', 'claims.clinic_id'));
    const rows = await t.db.query<{ k: string; v: string | null }>(
      `SELECT 'c' || id AS k, payer_id::text AS v FROM claims UNION ALL SELECT 's' || id, carrier_no::text FROM shipments ORDER BY 1`,
    );
    expect(rows.rows).toEqual([
      { k: 'c1', v: '1' },
      { k: 'c2', v: null },
      { k: 's1', v: '1001' },
      { k: 's2', v: null },
    ]);
  });

  it('named with --entity, or held by no link, the tenant is refused before anything is written', async () => {
    await expect(plan(t.db, { config, tenantId: CLINIC, entities: ['Shipment'] })).rejects.toMatchObject({
      code: 'UNKNOWN_TENANT',
      message: expect.stringMatching(
        /^tenant "61b339ff-[^"]+" is not a valid region for shipments\.region; some region values of carriers: "north", "south"$/,
      ),
    });
    await expect(plan(t.db, { config, tenantId: CLINIC, entities: ['Claim', 'Shipment'] })).rejects.toMatchObject({
      code: 'UNKNOWN_TENANT',
    });
    await expect(plan(t.db, { config, tenantId: 'west' })).rejects.toMatchObject({
      code: 'UNKNOWN_TENANT',
      message: expect.stringMatching(/^tenant "west" is not a valid uuid for claims\.clinic_id/),
    });
    const runs = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`).catch(() => ({ rows: [{ n: 0 }] }));
    expect(runs.rows[0]!.n).toBe(0);
  });
});
