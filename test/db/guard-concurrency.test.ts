/**
 * The guard under concurrency (PostgreSQL only: PGlite is one connection). Several writers insert by
 * plain SQL (single rows, multi-row statements, multi-statement transactions) while masters are
 * deactivated and deleted and review decisions are taken and revoked: no lost write, no error (deadlock
 * or other) surfaced to a writer, no link to a master deactivated or deleted before the write.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply, decide, guardStatus, installGuard, openDatabase, removeGuard, type Database } from '../../src/index.js';
import { createAxis, DEMO_TENANT, OTHER_TENANT } from '../../src/demo/axis.js';
import { freshDb, TARGETS, type TestDb } from '../helpers/db.js';

const run = TARGETS.includes('postgres') ? describe : describe.skip;

/** An application writer inserting sales orders one at a time for `ms`: how long each insert waited. */
async function insertsFor(writer: pg.Client, ms: number, prefix: string): Promise<number[]> {
  const waits: number[] = [];
  const until = Date.now() + ms;
  for (let i = 0; Date.now() < until; i++) {
    const t0 = Date.now();
    await writer.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, $2, 'M 1')`, [
      DEMO_TENANT,
      `${prefix}-${i}`,
    ]);
    waits.push(Date.now() - t0);
  }
  return waits;
}
const RUN_MS = 3000;
const N = 20;

run('guard under concurrency [postgres]', () => {
  let t: TestDb;
  let side: Database;
  beforeEach(async () => {
    t = await freshDb('postgres');
    await createAxis(t.db);
    // masters M 1..M 20 in both tenants (M 1..M 8 of the demo tenant get deactivated, D 1..D 8 deleted)
    await t.db.query(
      `INSERT INTO customers (tenant_id, customer_number, customer_name)
       SELECT tn, 'C-' || k || '-' || p, p || ' ' || k FROM unnest(ARRAY[$1::uuid, $2::uuid]) tn, generate_series(1, ${N}) k, unnest(ARRAY['M', 'D']) p`,
      [DEMO_TENANT, OTHER_TENANT],
    );
    await t.db.query(`ALTER TABLE sales_orders ADD COLUMN ins_at timestamptz NOT NULL DEFAULT clock_timestamp()`);
    await apply(t.db, { allTenants: true, entities: ['sales_order'], singleTransaction: true });
    await installGuard(t.db, { entities: ['sales_order'] });
    side = await openDatabase(t.url);
  });
  afterEach(async () => {
    await side.close();
    await t.dispose();
  });

  it(
    'writers, master changes and decisions at once: nothing lost, no writer error, no link to a master gone before the write',
    { timeout: 120_000 },
    async () => {
      const ids = new Map<string, string>();
      for (const r of (
        await t.db.query<{ id: string; name: string }>(`SELECT id::text AS id, customer_name AS name FROM customers WHERE tenant_id = $1`, [
          DEMO_TENANT,
        ])
      ).rows)
        ids.set(r.name, r.id);
      const deadline = Date.now() + RUN_MS;
      const names = (i: number): string => {
        const k = 1 + (i % N);
        return ['M', 'D', 'Nick', 'Unknown'][i % 4]! + ' ' + k;
      };
      const writer = async (w: number): Promise<{ inserted: number; errors: string[] }> => {
        const c = new pg.Client({ connectionString: t.url });
        await c.connect();
        let inserted = 0;
        const errors: string[] = [];
        let i = w * 7;
        try {
          while (Date.now() < deadline) {
            i++;
            try {
              const tenant = i % 5 === 0 ? OTHER_TENANT : DEMO_TENANT;
              if (i % 3 === 0) {
                await c.query(
                  `INSERT INTO sales_orders (tenant_id, order_number, customer_name) SELECT $1::uuid, $2 || '-' || g, x.n FROM unnest($3::text[]) WITH ORDINALITY x(n, g)`,
                  [tenant, `W${w}-${i}`, Array.from({ length: 10 }, (_, j) => names(i + j))],
                );
                inserted += 10;
              } else if (i % 3 === 1) {
                await c.query('BEGIN');
                for (let j = 0; j < 3; j++)
                  await c.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, $2, $3)`, [
                    tenant,
                    `W${w}-${i}-${j}`,
                    names(i * 3 + j),
                  ]);
                await c.query('COMMIT');
                inserted += 3;
              } else {
                await c.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, $2, $3)`, [
                  tenant,
                  `W${w}-${i}`,
                  names(i),
                ]);
                inserted += 1;
              }
            } catch (e) {
              errors.push((e as Error).message);
              await c.query('ROLLBACK').catch(() => undefined);
            }
          }
        } finally {
          await c.end();
        }
        return { inserted, errors };
      };
      const gone: { id: string; at: string }[] = [];
      const masters = async (): Promise<number> => {
        const c = new pg.Client({ connectionString: t.url });
        await c.connect();
        let k = 0;
        let refused = 0;
        try {
          while (Date.now() < deadline && k < 8) {
            k++;
            await c.query(`UPDATE customers SET is_active = false WHERE id = $1::uuid`, [ids.get(`M ${k}`)]);
            gone.push({ id: ids.get(`M ${k}`)!, at: (await c.query<{ t: string }>(`SELECT clock_timestamp()::text AS t`)).rows[0]!.t });
            try {
              await c.query(`DELETE FROM customers WHERE id = $1::uuid`, [ids.get(`D ${k}`)]);
              gone.push({ id: ids.get(`D ${k}`)!, at: (await c.query<{ t: string }>(`SELECT clock_timestamp()::text AS t`)).rows[0]!.t });
            } catch (e) {
              if ((e as { code?: string }).code !== '23503') throw e; // already referenced: RESTRICT holds
              refused++;
            }
            await new Promise((r) => setTimeout(r, RUN_MS / 10));
          }
        } finally {
          await c.end();
        }
        return refused;
      };
      const decisions = async (): Promise<number> => {
        let n = 0;
        while (Date.now() < deadline) {
          const k = 9 + (n % (N - 8));
          const d = await decide(side, {
            link: 'sales_order',
            scopeKey: [DEMO_TENANT],
            name: `Nick ${k}`,
            action: 'alias',
            targetKey: ids.get(`M ${k}`)!,
            by: 'ana',
          });
          if (n % 2 === 1) await side.query(`UPDATE fk_backfill.decisions SET revoked_at = now() WHERE id = $1::int8`, [d.decision.id]);
          n++;
        }
        return n;
      };
      const [results, , decided] = await Promise.all([Promise.all([0, 1, 2, 3].map(writer)), masters(), decisions()]);
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      expect(decided).toBeGreaterThan(0);
      const inserted = results.reduce((a, r) => a + r.inserted, 0);
      expect(inserted).toBeGreaterThan(100);
      const db = t.db;
      expect(
        Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM sales_orders WHERE order_number LIKE 'W%'`)).rows[0]!.n),
      ).toBe(inserted);
      // no link written after its master was deactivated or deleted
      const late = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM sales_orders s JOIN jsonb_to_recordset($1::jsonb) g(id uuid, at timestamptz) ON s.customer_id = g.id WHERE s.ins_at > g.at`,
        [JSON.stringify(gone)],
      );
      expect(gone.length).toBeGreaterThan(0);
      expect(late.rows[0]!.n).toBe('0');
      // nothing across tenants; every exact name of a master that stayed active got its FK
      const bad = await db.query<{ cross: string; missed: string; linked: string }>(
        `SELECT count(*) FILTER (WHERE c.tenant_id <> s.tenant_id)::text AS cross,
              count(*) FILTER (WHERE s.customer_id IS NULL AND s.customer_name ~ '^M ([9]|1[0-9]|20)$')::text AS missed,
              count(*) FILTER (WHERE s.customer_id IS NOT NULL)::text AS linked
         FROM sales_orders s LEFT JOIN customers c ON c.id = s.customer_id WHERE s.order_number LIKE 'W%'`,
      );
      expect(bad.rows[0]).toMatchObject({ cross: '0', missed: '0' });
      expect(Number(bad.rows[0]!.linked)).toBeGreaterThan(0);
      // every link the guard made is in its change log
      const logged = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM sales_orders s WHERE s.order_number LIKE 'W%' AND s.customer_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM fk_backfill.changes c JOIN fk_backfill.runs r ON r.id = c.run_id AND r.kind = 'guard' WHERE c.row_key = s.id::text AND c.new_value = s.customer_id::text)`,
      );
      expect(logged.rows[0]!.n).toBe('0');
    },
  );

  it("a transaction open on another link's table: the install tries again until it ends, holding the first table's writers a moment at a time, not for its whole wait", async () => {
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    const writer = new pg.Client({ connectionString: t.url });
    await writer.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`UPDATE purchase_bills SET vendor_name = vendor_name WHERE id = (SELECT id FROM purchase_bills LIMIT 1)`);
      const install = installGuard(t.db, { entities: ['sales_order', 'purchase_bill'], lockTimeoutMs: 30_000 });
      const waits = await insertsFor(writer, 3000, 'G');
      await holder.query('COMMIT');
      const r = await install;
      expect(r.guards.map((g) => g.entityType)).toEqual(['sales_order', 'purchase_bill']);
      expect(waits.length).toBeGreaterThan(3);
      // one attempt's wait at most (500 ms), not the whole 3 s the other transaction stayed open
      expect(Math.max(...waits)).toBeLessThan(1500);
      // held past the budget: refused, saying how long it tried; nothing installed
      await holder.query('BEGIN');
      await holder.query(`UPDATE purchase_bills SET vendor_name = vendor_name WHERE id = (SELECT id FROM purchase_bills LIMIT 1)`);
      await expect(installGuard(t.db, { entities: ['purchase_order', 'purchase_bill'], lockTimeoutMs: 1500 })).rejects.toMatchObject({
        code: 'LOCK_TIMEOUT',
        message: expect.stringMatching(
          /^installing the guard: a table's lock stayed taken by another session through \d+ attempt\(s\) over \d+ s .*nothing was installed/,
        ),
      });
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
      await writer.end();
    }
  });

  it('remove while a long read holds the table: each try waits at most a moment (writers are not queued behind it), then LOCK_TIMEOUT, nothing removed; removed once the read ends', async () => {
    // a new user's trial: DROP TRIGGER sat in the lock queue behind a 30 s read, with no lock_timeout, and every insert
    // of the application behind it was cancelled by its own statement_timeout
    await installGuard(t.db, { entities: ['sales_order'] });
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    const writer = new pg.Client({ connectionString: t.url });
    await writer.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT count(*) FROM sales_orders`);
      const removing = removeGuard(t.db, { lockTimeoutMs: 2000 }).catch((e: unknown) => e);
      const waits = await insertsFor(writer, 1500, 'R');
      expect(await removing).toMatchObject({
        code: 'LOCK_TIMEOUT',
        message: expect.stringMatching(/^removing the guard: a table's lock stayed taken by another session .*nothing was removed/),
      });
      expect(Math.max(...waits)).toBeLessThan(1500);
      expect((await guardStatus(t.db)).guards.map((g) => g.entityType)).toEqual(['sales_order']);
      await holder.query('COMMIT');
      expect((await removeGuard(t.db)).removed.map((g) => g.entityType)).toEqual(['sales_order']);
    } finally {
      await holder.end();
      await writer.end();
    }
  });
});
