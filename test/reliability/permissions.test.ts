/**
 * Least privilege (PostgreSQL: roles are cluster-wide, named fkb_<random>, dropped afterwards).
 * - The documented minimum (docs/permissions.md): SELECT on the tables read, UPDATE on the document
 *   tables, and the tool's own schema → status, plan, apply, verify, undo all work end to end.
 * - Read-only: a role without UPDATE on user tables → plan works, apply fails cleanly
 *   (PERMISSION_DENIED, exit 2) and writes nothing; a read-only session (default_transaction_read_only)
 *   → plan is refused cleanly too (plans are persisted), status still works.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply, constrain, migrate, openDatabase, plan, status, undo, verify } from '../../src/index.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import type { Database } from '../../src/db/port.js';
import { runCli } from '../helpers/cli.js';
import { freshDb, PG_ADMIN_URL, TARGETS, type TestDb, urlAs } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';

const roles: string[] = [];

export function newRole(prefix = 'fkb'): string {
  const r = `${prefix}_${randomBytes(4).toString('hex')}`;
  roles.push(r);
  return r;
}

export async function dropRoles(): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    for (const r of roles.splice(0)) await c.query(`DROP ROLE IF EXISTS ${r}`);
  } finally {
    await c.end();
  }
}

const DOCS = ['sales_orders', 'sales_invoices', 'purchase_orders', 'purchase_bills'];
const MASTERS = ['tenants', 'customers', 'vendors'];

(TARGETS.includes('postgres') ? describe : describe.skip)('reliability: permissions [postgres]', () => {
  let t: TestDb;
  const opened: Database[] = [];
  async function as(role: string): Promise<Database> {
    const db = await openDatabase(urlAs(t.url, role));
    opened.push(db);
    return db;
  }
  beforeEach(async () => {
    t = await freshDb('postgres', { migrated: false });
    await createAxis(t.db);
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    await t.dispose();
  });
  afterAll(dropRoles);

  it('the documented minimum: SELECT on masters, SELECT+UPDATE on documents, own schema → end to end', async () => {
    const role = newRole();
    // exactly the GRANTs of docs/permissions.md
    await t.db.exec(`CREATE ROLE ${role} LOGIN;
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT ON ${MASTERS.join(', ')} TO ${role};
      GRANT SELECT, UPDATE ON ${DOCS.join(', ')} TO ${role};
      CREATE SCHEMA fk_backfill AUTHORIZATION ${role};`);
    const db = await as(role);
    expect((await status(db, { tenantId: DEMO_TENANT })).total.populationRate).toBe('22.2%');
    const p = await plan(db, { tenantId: DEMO_TENANT });
    const a = await apply(db, { tenantId: DEMO_TENANT, planRunId: p.runId });
    expect(a.totalUpdated).toBe(7);
    const v = await verify(db, { tenantId: DEMO_TENANT });
    expect(v.links.map((l) => [l.nullFks, l.orphans, l.crossScope])).toEqual(DOCS.map(() => [0, 0, 0]));
    const u = await undo(db, { runId: a.runId });
    expect(u.totalReverted).toBe(7);
    // the role could not have done more than it was granted
    const own = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'fk_backfill' AND tableowner = $1`,
      [role],
    );
    expect(own.rows[0]!.n).toBeGreaterThanOrEqual(4);
  });

  it('no CREATE on fk_backfill: apply joins a temporary lookup table (batched and single transaction, same counts, nothing left behind); no TEMPORARY either: refused before anything is written', async () => {
    await migrate(t.db);
    const role = newRole();
    await t.db.exec(`CREATE ROLE ${role} LOGIN;
      GRANT USAGE ON SCHEMA public, fk_backfill TO ${role};
      GRANT SELECT ON ${MASTERS.join(', ')} TO ${role};
      GRANT SELECT, UPDATE ON ${DOCS.join(', ')} TO ${role};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA fk_backfill TO ${role};
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA fk_backfill TO ${role};`);
    const db = await as(role);
    const lookups = async (): Promise<number> =>
      (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE '%apply_map%' OR relname LIKE '%apply_ladder%'`,
        )
      ).rows[0]!.n;
    const p = await plan(db, { tenantId: DEMO_TENANT });
    const batched = await apply(db, { tenantId: DEMO_TENANT, planRunId: p.runId, batchSize: 2 });
    expect(batched.totalUpdated).toBe(7);
    expect(batched.results.every((r) => r.updated === r.planned)).toBe(true);
    expect(await lookups()).toBe(0);
    expect((await undo(db, { runId: batched.runId })).totalReverted).toBe(7);
    const single = await apply(db, { tenantId: DEMO_TENANT, planRunId: p.runId, singleTransaction: true });
    expect(single.totalUpdated).toBe(7);
    expect(single.results.map((r) => [r.entityType, r.planned, r.updated])).toEqual(
      batched.results.map((r) => [r.entityType, r.planned, r.updated]),
    );
    expect(await lookups()).toBe(0);
    expect((await undo(db, { runId: single.runId })).totalReverted).toBe(7);

    await t.db.exec(`REVOKE TEMPORARY ON DATABASE ${new URL(t.url).pathname.slice(1)} FROM PUBLIC`);
    const db2 = await as(role);
    const before = await snapshot(t.db);
    await refused(apply(db2, { tenantId: DEMO_TENANT, planRunId: p.runId }), 'PERMISSION_DENIED', /TEMPORARY/);
    await refused(apply(db2, { tenantId: DEMO_TENANT, planRunId: p.runId, singleTransaction: true }), 'PERMISSION_DENIED', /TEMPORARY/);
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('UPDATE granted on the FK column alone: apply names the GRANT for updated_at and "updatedAt": null, nothing written; either way out works', async () => {
    await migrate(t.db);
    const role = newRole();
    await t.db.exec(`CREATE ROLE ${role} LOGIN;
      GRANT USAGE ON SCHEMA public, fk_backfill TO ${role};
      GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role};
      GRANT UPDATE (customer_id) ON sales_orders TO ${role};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA fk_backfill TO ${role};
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA fk_backfill TO ${role};`);
    const db = await as(role);
    const entities = ['sales_order'];
    const p = await plan(db, { tenantId: DEMO_TENANT, entities });
    const before = await snapshot(t.db);
    const e = await apply(db, { tenantId: DEMO_TENANT, entities, planRunId: p.runId }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'PERMISSION_DENIED', exitCode: 2 });
    expect((e as Error).message).toBe(
      `apply: role ${role} may not UPDATE sales_orders.updated_at: GRANT UPDATE ("updated_at") ON "sales_orders" TO "${role}", or set "updatedAt": null on link sales_order to leave updated_at alone (see docs/permissions.md); nothing written`,
    );
    expect(await snapshot(t.db)).toEqual(before);
    await t.db.exec(`GRANT UPDATE (updated_at) ON sales_orders TO ${role}`);
    const a = await apply(db, { tenantId: DEMO_TENANT, entities, planRunId: p.runId });
    expect(a.totalUpdated).toBeGreaterThan(0);
  });

  it('read-only on user tables: plan works, apply fails cleanly (PERMISSION_DENIED, exit 2), nothing written; CLI too', async () => {
    await migrate(t.db);
    const role = newRole();
    await t.db.exec(`CREATE ROLE ${role} LOGIN;
      GRANT USAGE ON SCHEMA public, fk_backfill TO ${role};
      GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role};
      GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA fk_backfill TO ${role};
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA fk_backfill TO ${role};`);
    const db = await as(role);
    const p = await plan(db, { tenantId: DEMO_TENANT });
    expect(p.results.reduce((s, r) => s + r.recordsMatched, 0)).toBe(7);
    const before = await snapshot(t.db);
    await refused(apply(db, { tenantId: DEMO_TENANT, planRunId: p.runId }), 'PERMISSION_DENIED', /sales_orders/);
    await refused(apply(db, { tenantId: DEMO_TENANT }), 'PERMISSION_DENIED', /sales_orders/);
    expect(await snapshot(t.db)).toEqual(before);

    const url = urlAs(t.url, role);
    const cp = await runCli(['plan', '--db', url, '--tenant', DEMO_TENANT, '--json']);
    expect(cp.code, cp.stderr).toBe(0);
    const planId = cp.json<{ runId: string }>().runId;
    const before2 = await snapshot(t.db);
    const ca = await runCli(['apply', '--db', url, '--plan', planId, '--yes', '--json']);
    expect(ca.code, ca.stderr).toBe(2);
    expect(ca.json<{ error: { code: string } }>().error.code).toBe('PERMISSION_DENIED');
    expect(ca.stderr.trim().split('\n')).toHaveLength(1);
    expect(ca.stderr).toMatch(/sales_orders/);
    expect(await snapshot(t.db)).toEqual(before2);
  });

  it('read-only session (default_transaction_read_only): status works, plan refused cleanly, nothing written', async () => {
    await migrate(t.db);
    const role = newRole();
    await t.db.exec(`CREATE ROLE ${role} LOGIN;
      ALTER ROLE ${role} SET default_transaction_read_only = on;
      GRANT USAGE ON SCHEMA public, fk_backfill TO ${role};
      GRANT SELECT, UPDATE ON ALL TABLES IN SCHEMA public TO ${role};
      GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA fk_backfill TO ${role};
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA fk_backfill TO ${role};`);
    const db = await as(role);
    const before = await snapshot(t.db);
    expect((await status(db, { tenantId: DEMO_TENANT })).total.nullFks).toBe(7);
    await refused(plan(db, { tenantId: DEMO_TENANT }), 'PERMISSION_DENIED', /read-only/);
    await refused(apply(db, { tenantId: DEMO_TENANT }), 'PERMISSION_DENIED', /read-only/);
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('a role that may not create the schema gets a clear message, not a stack', async () => {
    const role = newRole();
    await t.db
      .exec(`CREATE ROLE ${role} LOGIN; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role};
      REVOKE CREATE ON DATABASE ${new URL(t.url).pathname.slice(1)} FROM PUBLIC;`);
    const db = await as(role);
    await refused(plan(db, { tenantId: DEMO_TENANT }), 'PERMISSION_DENIED', /fk_backfill/);
  });

  it('fk_backfill made by another role (a first run as the owner): the refusal names the GRANTs, and they are enough', async () => {
    await plan(t.db, { tenantId: DEMO_TENANT });
    const role = newRole();
    await t.db.exec(`CREATE ROLE ${role} LOGIN;
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT ON customers, vendors TO ${role};
      GRANT SELECT, UPDATE ON sales_orders, sales_invoices, purchase_orders, purchase_bills TO ${role};`);
    const db = await as(role);
    const e = await plan(db, { tenantId: DEMO_TENANT }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'PERMISSION_DENIED', exitCode: 2 });
    const msg = (e as Error).message;
    expect(msg).toContain(`role ${role} may not use schema fk_backfill (owned by postgres)`);
    // the GRANTs it names, run as said, let the role plan and apply
    const grants = msg.split(': as its owner, ')[1]!.split('; or ')[0]!;
    await t.db.exec(
      grants
        .split('; ')
        .map((g) => `${g};`)
        .join('\n'),
    );
    const p = await plan(db, { tenantId: DEMO_TENANT });
    const a = await apply(db, { planRunId: p.runId });
    expect(a.totalUpdated).toBeGreaterThan(0);
  });

  it('SELECT on some columns of the masters only (not the active flag): plan and verify name the columns to grant, nothing written', async () => {
    const role = newRole();
    await t.db.exec(`CREATE ROLE ${role} LOGIN;
      CREATE SCHEMA IF NOT EXISTS fk_backfill;
      ALTER SCHEMA fk_backfill OWNER TO ${role};
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT (id, tenant_id, customer_number, customer_name) ON customers TO ${role};
      GRANT SELECT ON vendors TO ${role};
      GRANT SELECT, UPDATE ON sales_orders, sales_invoices, purchase_orders, purchase_bills TO ${role};`);
    const db = await as(role);
    for (const run of [() => plan(db, { tenantId: DEMO_TENANT }), () => verify(db, { tenantId: DEMO_TENANT })]) {
      const e = await run().catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'PERMISSION_DENIED', exitCode: 2 });
      expect((e as Error).message).toMatch(
        /this role may not SELECT customers\.is_active, which link \w+ reads: GRANT SELECT ON customers/,
      );
    }
    const runs = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`).catch(() => ({ rows: [{ n: 0 }] }));
    expect(runs.rows[0]!.n).toBe(0);
  });

  it('constrain as a role that does not own the table: refused before the scan, naming the owner, nothing changed', async () => {
    const role = newRole();
    await t.db.exec(`CREATE ROLE ${role} LOGIN;
      CREATE SCHEMA IF NOT EXISTS fk_backfill;
      ALTER SCHEMA fk_backfill OWNER TO ${role};
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT, REFERENCES ON customers, vendors TO ${role};
      GRANT SELECT, UPDATE ON sales_orders, sales_invoices, purchase_orders, purchase_bills TO ${role};`);
    const db = await as(role);
    const before = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'public'`);
    const steps: string[] = [];
    const e = await constrain(db, { allTenants: true, onStep: (x) => steps.push(x.step) }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'PERMISSION_DENIED', exitCode: 2 });
    expect((e as Error).message).toMatch(
      /is owned by postgres, and adding its index and constraint needs its owner; run constrain as postgres/,
    );
    expect(steps).toEqual([]);
    const after = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'public'`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('plan checks only the columns it reads: a config amount the role may not SELECT is no refusal (a review)', async () => {
    const role = newRole();
    await t.db.exec(`CREATE ROLE ${role} LOGIN;
      CREATE SCHEMA IF NOT EXISTS fk_backfill;
      ALTER SCHEMA fk_backfill OWNER TO ${role};
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT ON customers TO ${role};
      GRANT SELECT (id, tenant_id, order_number, customer_name, customer_id) ON sales_orders TO ${role};`);
    const db = await as(role);
    const config = {
      links: [
        {
          entity: 'sales_order',
          table: 'sales_orders',
          key: 'id',
          fk: 'customer_id',
          name: 'customer_name',
          document: 'order_number',
          amount: 'total_amount',
          scope: ['tenant_id'],
          target: { table: 'customers', key: 'id', name: 'customer_name', active: 'is_active' },
        },
      ],
    };
    const p = await plan(db, { config, tenantId: DEMO_TENANT });
    expect(p.results[0]!.recordsMatched).toBeGreaterThan(0);
  });
});
