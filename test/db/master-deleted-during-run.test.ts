/**
 * A master deleted by another session while apply runs (issue #17): the batch read it as live, the
 * deletion committed before the batch's FK check, the check fails (23503). The batch (or the single
 * transaction) is run again, reading the masters again: the vanished master's rows stay NULL and are
 * counted as "master deleted"; the run finishes (exit 0). No lock is taken on the masters, so a role
 * that may only read them applies. Undo with a concurrent deleter finishes too.
 *
 * PostgreSQL: a real second session. The batch's BEFORE UPDATE trigger waits on an advisory lock the
 * test holds; while it waits, the test deletes the master and commits, then lets the batch go on: the
 * FK check then sees the master gone, deterministically.
 * Both targets: the same 23503 without a second session (PGlite has one connection): a trigger deletes
 * the master inside the batch, once (a sequence says when: nextval is not rolled back), so the retry finds it again.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { apply, openDatabase, plan, undo } from '../../src/index.js';
import type { Database } from '../../src/db/port.js';
import type { ProgressEvent } from '../../src/batch/progress.js';
import { applyText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb, urlAs } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'order',
      table: 'sales_orders',
      key: 'id',
      fk: 'account_no',
      name: 'account_name',
      scope: ['org'],
      target: { table: 'accounts', key: 'acct_no', name: 'name' },
    },
  ],
};

async function schema(t: TestDb): Promise<void> {
  await t.db.exec(`
    CREATE TABLE accounts (acct_no int PRIMARY KEY, org text NOT NULL, name text NOT NULL);
    CREATE TABLE sales_orders (id int PRIMARY KEY, org text NOT NULL, account_name text, account_no int REFERENCES accounts ON DELETE RESTRICT);
    INSERT INTO accounts VALUES (1, 'o1', 'A'), (2, 'o1', 'B'), (3, 'o1', 'C'), (4, 'o1', 'D');
    INSERT INTO sales_orders (id, org, account_name) SELECT i, 'o1', (ARRAY['A','B','C','D'])[1 + (i - 1) % 4] FROM generate_series(1, 20) i;`);
}

describeEach('master deleted during apply', (target) => {
  let t: TestDb;
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
    await t.dispose();
  });

  for (const singleTransaction of [false, true]) {
    it(`${singleTransaction ? 'single transaction' : 'batched'}: a failed FK check (23503) is retried, the run completes`, async () => {
      t = await freshDb(target);
      await schema(t);
      const p = await plan(t.db, { config, tenantId: 'o1' });
      await t.db.exec(`
        CREATE SEQUENCE fkb_once;
        CREATE FUNCTION delete_master_once() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.account_no = 2 AND OLD.account_no IS NULL AND nextval('fkb_once') = 1 THEN DELETE FROM accounts WHERE acct_no = 2; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER delete_master_once BEFORE UPDATE ON sales_orders FOR EACH ROW EXECUTE FUNCTION delete_master_once();`);
      const events: ProgressEvent[] = [];
      const a = await apply(t.db, {
        config,
        tenantId: 'o1',
        planRunId: p.runId,
        singleTransaction,
        batchSize: 8,
        onProgress: (e) => events.push(e),
      });
      expect(a.status).toBe('done');
      expect(a.totalUpdated).toBe(20);
      if (!singleTransaction)
        expect(events.filter((e) => e.event === 'retry').map((e) => (e as { reason: string }).reason)).toEqual(['master_deleted']);
      const n = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales_orders WHERE account_no IS NULL`);
      expect(n.rows[0]!.n).toBe(0);
    });
  }

  it.runIf(target !== 'pglite')(
    'a second session deletes a master mid-batch: its rows stay NULL, reported "master deleted", exit 0; a read-only-masters role; undo with a deleter',
    async () => {
      t = await freshDb(target, { migrated: false });
      await schema(t);
      const role = `fkb_del_${randomBytes(4).toString('hex')}`;
      await t.db.exec(`CREATE ROLE ${role} LOGIN;
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT ON accounts TO ${role};
      GRANT SELECT, UPDATE ON sales_orders TO ${role};
      CREATE SCHEMA fk_backfill AUTHORIZATION ${role};
      CREATE FUNCTION wait_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock(4217); RETURN NEW; END $$;
      CREATE TRIGGER wait_for_test BEFORE UPDATE ON sales_orders FOR EACH ROW EXECUTE FUNCTION wait_for_test();`);
      const url = t.url;
      const db: Database = await openDatabase(urlAs(url, role));
      const other = new pg.Client({ connectionString: t.url });
      await other.connect();
      cleanup.push(async () => {
        await other.end().catch(() => undefined);
        await db.close();
        // what the role owns and was granted lives in the test's database: dropped there, then the role itself (it leaked)
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`DROP OWNED BY ${role} CASCADE`).catch(() => undefined);
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
        await admin.end();
      });
      /** Holds the advisory lock, waits until `run`'s batch waits on it, does `meanwhile`, lets go. */
      async function race<T>(run: () => Promise<T>, meanwhile: () => Promise<void>): Promise<T> {
        await other.query(`SELECT pg_advisory_lock(4217)`);
        const running = run();
        for (let i = 0; ; i++) {
          const w = await other.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4217 AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          );
          if (w.rows[0]!.n > 0) break;
          if (i > 600) throw new Error('the batch never reached the trigger');
          await new Promise((r) => setTimeout(r, 50));
        }
        await meanwhile();
        await other.query(`SELECT pg_advisory_unlock(4217)`);
        return running;
      }
      const p = await plan(db, { config, tenantId: 'o1' });
      expect(p.results[0]!.recordsMatched).toBe(20);
      // key walk, batches of 8: the first batch (ids 1..8) links A and B; B is deleted while it waits
      const a = await race(
        () => apply(db, { config, tenantId: 'o1', planRunId: p.runId, batchSize: 8, walk: 'key' }),
        async () => {
          await other.query(`DELETE FROM accounts WHERE acct_no = 2`);
        },
      );
      expect(a.status).toBe('done');
      expect([a.results[0]!.planned, a.results[0]!.updated, a.results[0]!.skipped]).toEqual([20, 15, 5]);
      expect(a.results[0]!.skipReasons?.masterDeleted).toBe(5);
      expect(applyText(a)).toContain('order skipped: 5 master deleted since plan or during run');
      const rows = await t.db.query<{ name: string; linked: number; nulls: number }>(
        `SELECT account_name AS name, count(account_no)::int AS linked, count(*) FILTER (WHERE account_no IS NULL)::int AS nulls FROM sales_orders GROUP BY 1 ORDER BY 1`,
      );
      expect(rows.rows).toEqual([
        { name: 'A', linked: 5, nulls: 0 },
        { name: 'B', linked: 0, nulls: 5 },
        { name: 'C', linked: 5, nulls: 0 },
        { name: 'D', linked: 5, nulls: 0 },
      ]);
      // the same plan in one transaction, after resetting: D deleted while it waits
      await t.db.exec(
        `ALTER TABLE sales_orders DISABLE TRIGGER wait_for_test; UPDATE sales_orders SET account_no = NULL; ALTER TABLE sales_orders ENABLE TRIGGER wait_for_test`,
      );
      const s = await race(
        () => apply(db, { config, tenantId: 'o1', planRunId: p.runId, singleTransaction: true }),
        async () => {
          await other.query(`DELETE FROM accounts WHERE acct_no = 4`);
        },
      );
      expect(s.totalUpdated).toBe(10);
      expect(s.results[0]!.skipReasons?.masterDeleted).toBe(10);
      // undo while another session tries to delete a master still referenced: the deleter is refused (RESTRICT), undo finishes
      let refused = '';
      const u = await race(
        () => undo(db, { runId: s.runId, singleTransaction: false, batchSize: 4 }),
        async () => {
          refused = await other.query(`DELETE FROM accounts WHERE acct_no = 1`).then(
            () => 'deleted',
            (e: { code?: string }) => e.code ?? 'error',
          );
        },
      );
      expect(refused).toBe('23503');
      expect([u.status, u.totalReverted, u.totalSkipped]).toEqual(['done', 10, 0]);
      await other.query(`DELETE FROM accounts WHERE acct_no = 1`); // nothing references it now
    },
  );
});
