/**
 * On a Citus cluster: documents distributed by `org_id`, masters by `organization_id`, co-located, linked by a scope
 * entry `{ "source": "org_id", "target": "organization_id" }`. plan, apply, verify, drift, constrain --tenant-safe and
 * undo end as the same schema on single PostgreSQL with `org_id` in both; a scope that pairs the documents'
 * distribution column with another master column is refused before anything is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { apply, BackfillError, constrain, drift, openDatabase, plan, undo, verify } from '../../src/index.js';
import { freshCitusDb, freshPgDb, type CitusDb } from '../helpers/citus.js';

function config(mcol: string, scope: ConfigInput['links'][number]['scope'] = undefined): ConfigInput {
  return {
    links: [
      {
        entity: 'order',
        table: 'orders',
        key: ['org_id', 'id'],
        fk: 'customer_id',
        name: 'customer_name',
        scope: scope ?? (mcol === 'org_id' ? ['org_id'] : [{ source: 'org_id', target: mcol }]),
        target: { table: 'customers', key: scope === undefined ? [mcol, 'id'] : 'id', name: 'name', active: 'is_active' },
      },
    ],
  };
}

async function build(db: CitusDb, mcol: string, citus: boolean): Promise<void> {
  await db.sql(
    `CREATE TABLE customers (${mcol} int NOT NULL, id int NOT NULL, name text NOT NULL, region_id int NOT NULL DEFAULT 1, is_active boolean NOT NULL DEFAULT true, PRIMARY KEY (${mcol}, id))`,
  );
  await db.sql(`CREATE TABLE orders (org_id int NOT NULL, id int NOT NULL, customer_name text, customer_id int, PRIMARY KEY (org_id, id))`);
  if (citus) {
    await db.sql(`SELECT create_distributed_table('customers', '${mcol}')`);
    await db.sql(`SELECT create_distributed_table('orders', 'org_id', colocate_with => 'customers')`);
  }
  await db.sql(`INSERT INTO customers (${mcol}, id, name, is_active)
                SELECT t, c, 'Customer ' || c, c % 7 <> 0 FROM generate_series(1, 4) t, generate_series(1, 20) c WHERE t < 4 OR c <= 10`);
  await db.sql(
    `INSERT INTO orders SELECT t, o, 'Customer ' || ((o * 3) % 20 + 1), NULL FROM generate_series(1, 4) t, generate_series(1, 60) o`,
  );
}

async function run(db: CitusDb, mcol: string): Promise<unknown> {
  const h = await openDatabase(db.url);
  try {
    const cfg = config(mcol);
    const out: Record<string, unknown> = {};
    const p = await plan(h, { config: cfg, allTenants: true });
    out.plan = p.results.map((r) => [r.recordsMatched, r.recordsUnmatched, r.recordsAmbiguous]);
    const a = await apply(h, { config: cfg, allTenants: true, batchSize: 50 });
    out.applied = a.totalUpdated;
    out.fks = (await db.sql<{ r: string }>(`SELECT concat_ws(',', org_id, id, customer_id) AS r FROM orders ORDER BY org_id, id`)).map(
      (x) => x.r,
    );
    out.verify = (await verify(h, { config: cfg, allTenants: true })).links.map((l) => [l.nullFks, l.orphans, l.crossScope]);
    out.verifyTenant = (await verify(h, { config: cfg, tenantId: '2' })).links.map((l) => [l.nullFks, l.orphans, l.crossScope]);
    out.drift = (await drift(h, { config: cfg, allTenants: true })).found;
    await constrain(h, { config: cfg, tenantSafe: true });
    const def = await db.sql<{ d: string }>(
      `SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'f'`,
    );
    out.constraint = def.map((r) => r.d.replace(mcol, 'org_id'));
    const u = await undo(h, { runId: a.runId });
    out.undone = u.totalReverted;
    out.after = (await db.sql<{ n: number }>(`SELECT count(customer_id)::int AS n FROM orders`))[0]!.n;
    return out;
  } finally {
    await h.close();
  }
}

describe('Citus: scope mapped to the master column named otherwise [citus]', () => {
  let cit: CitusDb;
  let pgdb: CitusDb;
  beforeAll(async () => {
    [cit, pgdb] = await Promise.all([freshCitusDb(), freshPgDb()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([cit?.dispose(), pgdb?.dispose()]);
  });

  it('documents by org_id, masters by organization_id, co-located: plan, apply, verify, drift, constrain --tenant-safe, undo as on PostgreSQL with alike names', async () => {
    await Promise.all([build(cit, 'organization_id', true), build(pgdb, 'org_id', false)]);
    const [mapped, alike] = [await run(cit, 'organization_id'), await run(pgdb, 'org_id')];
    expect((mapped as { applied: number }).applied).toBeGreaterThan(100);
    expect(mapped).toEqual(alike);
  });

  it('a scope pairing the distribution column with another master column is refused, nothing written', async () => {
    const h = await openDatabase(cit.url);
    try {
      const err = await plan(h, { config: config('organization_id', [{ source: 'org_id', target: 'region_id' }]), allTenants: true }).then(
        () => null,
        (e: unknown) => e as BackfillError,
      );
      expect(err).toBeInstanceOf(BackfillError);
      expect(err!.code).toBe('CITUS_UNSUPPORTED');
      expect(err!.message).toMatch(/distributed by org_id and .*customers by organization_id/);
    } finally {
      await h.close();
    }
  });
});
