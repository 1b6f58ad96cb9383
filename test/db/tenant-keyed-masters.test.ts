/**
 * Masters keyed by (tenant_id, id), the usual multi-tenant primary key, with ids repeating across
 * tenants (issue #23, item 8). Before: `verify` joined masters on `id` alone, so it counted every
 * document once per tenant holding its id and called links cross-tenant even after `constrain
 * --tenant-safe` validated the composite FK; plain `constrain` failed with a raw 42830 after its scan.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { apply, BackfillError, constrain, drift, plan, verify, type ConstrainResult, type VerifyReport } from '../../src/index.js';
import type { Queryable } from '../../src/db/port.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const baseConfig = ordersConfig({}, { active: 'is_active' });

async function schema(db: Queryable): Promise<void> {
  for (const s of [
    `CREATE TABLE customers (tenant_id int NOT NULL, id int NOT NULL, customer_name text NOT NULL, is_active boolean NOT NULL DEFAULT true, PRIMARY KEY (tenant_id, id))`,
    `CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int)`,
    // ids 1 and 2 in both tenants, 3 only in tenant 2
    `INSERT INTO customers VALUES (1, 1, 'Acme', true), (1, 2, 'Globex', true), (2, 1, 'Hooli', true), (2, 2, 'Initech', true), (2, 3, 'Umbrella', true)`,
    `INSERT INTO orders (id, tenant_id, customer_name) VALUES (1, 1, 'Acme'), (2, 1, 'Globex'), (3, 1, 'Acme'), (4, 2, 'Hooli'), (5, 2, 'Initech'), (6, 2, 'Umbrella')`,
  ]) {
    await db.query(s);
  }
}

/** What constrain may have written: constraints and indexes on orders, constrain runs. */
async function footprint(db: Queryable): Promise<unknown> {
  const r = await db.query<{ cons: string[] | null; idx: string[] | null; runs: unknown }>(
    `SELECT (SELECT array_agg(conname::text ORDER BY conname) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'f') AS cons,
            (SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'orders'::regclass) AS idx,
            (SELECT count(*) FROM fk_backfill.runs WHERE kind = 'constrain')::int AS runs`,
  );
  return r.rows[0];
}

function counts(v: VerifyReport): unknown {
  return v.links.map((l) => ({ total: l.totalRecords, nulls: l.nullFks, orphans: l.orphans, cross: l.crossScope }));
}

describeEach('masters keyed by (tenant_id, id)', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  // `target.key` as the column the FK points at, or as the master's whole key (a list, scope columns included)
  for (const key of ['id', ['tenant_id', 'id']] as const) {
    it(`target.key ${JSON.stringify(key)}: verify joins on the whole key: right counts, no false cross-tenant; plain constrain says --tenant-safe (nothing written), --tenant-safe works and verify agrees`, async () => {
      const config: ConfigInput = {
        links: [{ ...baseConfig.links[0]!, target: { ...baseConfig.links[0]!.target, key: typeof key === 'string' ? key : [...key] } }],
      };
      t = await freshDb(target);
      await schema(t.db);
      const a = await apply(t.db, { config, allTenants: true, batchSize: 2 });
      expect(a.totalUpdated).toBe(6);
      expect((await t.db.query<{ f: number }>(`SELECT customer_id AS f FROM orders ORDER BY id`)).rows.map((r) => r.f)).toEqual([
        1, 2, 1, 1, 2, 3,
      ]);

      expect(counts(await verify(t.db, { config, allTenants: true }))).toEqual([{ total: 6, nulls: 0, orphans: 0, cross: 0 }]);
      expect(counts(await verify(t.db, { config, tenantId: '1' }))).toEqual([{ total: 3, nulls: 0, orphans: 0, cross: 0 }]);
      // a value only another tenant has is cross-tenant; one no tenant has is an orphan
      await t.db.query(`INSERT INTO orders VALUES (7, 1, 'X', 3), (8, 1, 'Y', 99)`);
      expect(counts(await verify(t.db, { config, allTenants: true }))).toEqual([{ total: 8, nulls: 0, orphans: 1, cross: 1 }]);
      await t.db.query(`DELETE FROM orders WHERE id IN (7, 8)`);

      const before = await footprint(t.db);
      for (const dryRun of [false, true]) {
        const err = await constrain(t.db, { config, dryRun }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(BackfillError);
        expect((err as BackfillError).code).toBe('TARGET_KEY_NOT_UNIQUE');
        expect((err as BackfillError).exitCode).toBe(2);
        expect((err as BackfillError).message).toMatch(/customers\.id is unique only together with tenant_id .*use --tenant-safe/);
      }
      expect(await footprint(t.db)).toEqual(before);

      const c = await constrain(t.db, { config, tenantSafe: true });
      expect(c.links[0]!.steps.find((s) => s.step === 'unique')?.status).toBe('skipped'); // the primary key serves
      const v = await verify(t.db, { config, allTenants: true });
      expect(counts(v)).toEqual([{ total: 6, nulls: 0, orphans: 0, cross: 0 }]);
      expect(v.links[0]!.constraint).toMatchObject({ validated: true, columns: ['tenant_id', 'customer_id'] });
      expect(v.links[0]!.restrictVerified).toBe(true);
      expect(v.ok).toBe(true);
      // with the composite FK in place, plain constrain has nothing to add (and does not refuse)
      expect((await constrain(t.db, { config })).nothingToDo).toBe(true);
    });
  }

  it('a NULL second scope column: verify and constrain --tenant-safe agree (an orphan only when no master has the key), the sample names rows by their whole key', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (tenant_id int NOT NULL, branch int NOT NULL, id int NOT NULL, customer_name text NOT NULL, is_active boolean NOT NULL DEFAULT true,
                              PRIMARY KEY (tenant_id, branch, id));
      CREATE TABLE orders (tenant_id int NOT NULL, id int NOT NULL, branch int, customer_name text, customer_id int, PRIMARY KEY (tenant_id, id));
      INSERT INTO customers VALUES (1, 1, 1, 'Acme', true), (1, 2, 1, 'Globex', true), (2, 1, 1, 'Hooli', true);
      INSERT INTO orders VALUES (1, 1, 1, 'Acme', NULL), (1, 2, 2, 'Globex', NULL), (2, 1, 1, 'Hooli', NULL);`);
    const config: ConfigInput = ordersConfig(
      { key: ['tenant_id', 'id'], scope: ['tenant_id', 'branch'] },
      { key: ['tenant_id', 'branch', 'id'], active: 'is_active' },
    );
    expect((await apply(t.db, { config, allTenants: true })).totalUpdated).toBe(3);
    // a row whose branch was cleared keeps an FK some master has: the composite FK checks nothing for it
    await t.db.exec(`UPDATE orders SET branch = NULL WHERE tenant_id = 1 AND id = 2`);
    expect(counts(await verify(t.db, { config, allTenants: true }))).toEqual([{ total: 3, nulls: 0, orphans: 0, cross: 0 }]);
    // …but one no master has is an orphan, for both
    await t.db.exec(`INSERT INTO orders VALUES (1, 9, NULL, 'Zed', 77)`);
    expect(counts(await verify(t.db, { config, allTenants: true }))).toEqual([{ total: 4, nulls: 0, orphans: 1, cross: 0 }]);
    const refused = await constrain(t.db, { config, tenantSafe: true }).then(
      () => null,
      (e: unknown) => e as BackfillError,
    );
    expect(refused?.code).toBe('ORPHANS_FOUND');
    expect(JSON.stringify(refused?.details)).toContain('"key":"{1,9}"');
    await t.db.exec(`DELETE FROM orders WHERE id = 9`);
    const c = await constrain(t.db, { config, tenantSafe: true });
    expect(c.links[0]!.orphans).toBe(0);
    expect((await verify(t.db, { config, allTenants: true })).links[0]!.constraint).toMatchObject({ validated: true });
  });

  it('a misspelt scope column beside a whole-key target.key is named as the scope column it is, with its near spelling', async () => {
    t = await freshDb(target);
    await schema(t.db);
    const cfg = ordersConfig({ scope: ['Tenant_ID'] }, { key: ['tenant_id', 'id'] });
    await expect(plan(t.db, { config: cfg, allTenants: true })).rejects.toMatchObject({
      code: 'SCHEMA_MISSING_COLUMN',
      message: 'column orders.Tenant_ID does not exist ($.links[0].scope[0]) (did you mean "tenant_id"? names are case-sensitive)',
    });
  });

  it('drift joins each row to its master by the whole key: no rename seen in another tenant, one rename counted once', async () => {
    t = await freshDb(target);
    await schema(t.db);
    await apply(t.db, { config: baseConfig, allTenants: true });
    const clean = await drift(t.db, { config: baseConfig, allTenants: true });
    expect(clean.links[0]).toMatchObject({ renamed: { rows: 0 }, inactive: { rows: 0 }, missing: { rows: 0 } });
    // tenant 2's customer 1 renamed: tenant 1's orders of its own customer 1 (Acme) are not drift
    await t.db.query(`UPDATE customers SET customer_name = 'Hooli Inc' WHERE tenant_id = 2 AND id = 1`);
    const d = await drift(t.db, { config: baseConfig, allTenants: true });
    expect(d.links[0]!.renamed.rows).toBe(1);
    expect(d.links[0]!.renamed.samples.map((g) => [g.scopeKey, g.sourceName])).toEqual([[['2'], 'Hooli']]);
  });

  it('skip reasons look the planned master up by its whole key: renamed, deactivated and deleted counted once each, none "moved"', async () => {
    const config = baseConfig;
    t = await freshDb(target);
    await schema(t.db);
    const p = await plan(t.db, { config, allTenants: true });
    // (1, 1) renamed, (2, 2) deactivated; (2, 1) and (1, 2) share those ids in the other tenant, untouched
    await t.db.query(`UPDATE customers SET customer_name = 'Zenith' WHERE tenant_id = 1 AND id = 1`);
    await t.db.query(`UPDATE customers SET is_active = false WHERE tenant_id = 2 AND id = 2`);
    // (1, 2) deleted: its id is tenant 2's Initech too, which is no move of Globex (a new user's trial on such keys:
    // every master deleted during apply was counted as "moved to another tenant")
    await t.db.query(`DELETE FROM customers WHERE tenant_id = 1 AND id = 2`);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId, batchSize: 2 });
    expect([a.results[0]!.updated, a.results[0]!.skipped]).toEqual([2, 4]);
    expect(a.results[0]!.skipReasons).toMatchObject({
      masterRenamed: 2,
      masterInactive: 1,
      masterMovedScope: 0,
      masterDeleted: 1,
      changedSincePlan: 0,
    });
    expect((await t.db.query<{ f: number | null }>(`SELECT customer_id AS f FROM orders ORDER BY id`)).rows.map((r) => r.f)).toEqual([
      null,
      null,
      null,
      1,
      null,
      3,
    ]);
  });

  it(
    'CLI: plain constrain exits 2 with the --tenant-safe hint; --tenant-safe --json works; verify --json is ok',
    { timeout: 120_000 },
    async () => {
      t = await freshDb(target, { onDisk: true });
      await schema(t.db);
      const config = baseConfig;
      await apply(t.db, { config, allTenants: true });
      await t.release();
      const dir = mkdtempSync(join(tmpdir(), 'fkb-tenant-keyed-'));
      const cfg = join(dir, 'config.json');
      writeFileSync(cfg, JSON.stringify(config));
      const db = ['--db', t.url, '--config', cfg];

      const plain = await runCli(['constrain', ...db, '--yes']);
      expect(plain.code).toBe(2);
      expect(plain.stdout).toBe('');
      expect(plain.stderr.trim().split('\n')).toHaveLength(1);
      expect(plain.stderr).toMatch(/unique only together with tenant_id.*--tenant-safe/);
      expect(plain.stderr).not.toMatch(/42830|stack|at /);

      const safe = await runCli(['constrain', ...db, '--tenant-safe', '--yes', '--json']);
      expect(safe.code, safe.stderr).toBe(0);
      expect(safe.json<ConstrainResult>().links[0]!.steps.find((s) => s.step === 'validate')?.status).toBe('done');

      const v = await runCli(['verify', ...db, '--all-tenants', '--json']);
      expect(v.code, v.stdout).toBe(0);
      const report = v.json<VerifyReport>();
      expect(report.ok).toBe(true);
      expect(counts(report)).toEqual([{ total: 6, nulls: 0, orphans: 0, cross: 0 }]);
    },
  );
});
