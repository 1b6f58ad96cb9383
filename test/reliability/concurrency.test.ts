/**
 * Concurrency (PostgreSQL): OLTP-style writers run while apply (single transaction, then batched) and
 * undo run. Writers insert documents, edit document names, set FKs themselves, and delete masters that
 * nothing references. Afterwards: every writer's committed change is there (no lost update), no writer
 * saw an error (no deadlock surfaced), nothing links across tenants, and ON DELETE RESTRICT still holds.
 *
 * FKB_CONC_ROWS sets the number of documents (default 20 000; `npm run test:chaos` uses 200 000).
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply, plan, undo } from '../../src/index.js';
import { createAxis, DEMO_TENANT, OTHER_TENANT } from '../../src/demo/axis.js';
import { freshDb, TARGETS, type TestDb } from '../helpers/db.js';

const ROWS = Number(process.env['FKB_CONC_ROWS'] ?? 20_000);
const WRITERS = 4;
const MASTERS = 300;

interface Expect {
  name?: string;
  fk?: string;
}

interface WriterLog {
  ops: number;
  opsDuring: number;
  errors: string[];
  expected: Map<string, Expect>;
  inserted: string[];
  deleted: string[];
}

async function seed(t: TestDb): Promise<void> {
  await createAxis(t.db);
  await t.db.exec(`
    INSERT INTO customers (tenant_id, customer_number, customer_name)
      SELECT tn, 'C-' || i, 'Cust ' || i FROM generate_series(1, ${MASTERS}) i, (VALUES ('${DEMO_TENANT}'::uuid), ('${OTHER_TENANT}'::uuid)) v(tn);
    INSERT INTO customers (tenant_id, customer_number, customer_name)
      SELECT '${DEMO_TENANT}', 'SPARE-' || i, 'Spare ' || i FROM generate_series(1, 400) i;
    -- what writers set FKs to: names no document carries, so apply never writes these values
    INSERT INTO customers (tenant_id, customer_number, customer_name)
      SELECT tn, 'FKT-' || i, 'Writer Target ' || i FROM generate_series(1, 50) i, (VALUES ('${DEMO_TENANT}'::uuid), ('${OTHER_TENANT}'::uuid)) v(tn);
    INSERT INTO sales_orders (tenant_id, order_number, customer_name)
      SELECT CASE WHEN i % 2 = 0 THEN '${DEMO_TENANT}'::uuid ELSE '${OTHER_TENANT}'::uuid END, 'SO-' || i, 'Cust ' || (i % ${MASTERS} + 1)
        FROM generate_series(1, ${ROWS}) i;
    ANALYZE customers; ANALYZE sales_orders;`);
}

/** Runs `WRITERS` writer loops until `work` settles; each writer owns its own documents and spare masters. */
async function writersDuring<T>(t: TestDb, work: () => Promise<T>, round: number): Promise<{ result: T; logs: WriterLog[] }> {
  const ids = await t.db.query<{ id: string; tenant_id: string }>(
    `SELECT id::text, tenant_id::text FROM sales_orders WHERE order_number LIKE 'SO-%' ORDER BY md5(id::text || $1) LIMIT ${WRITERS * 150}`,
    [String(round)],
  );
  const custs = await t.db.query<{ id: string; tenant_id: string }>(
    `SELECT id::text, tenant_id::text FROM customers WHERE customer_number LIKE 'FKT-%'`,
  );
  const byTenant = new Map<string, string[]>();
  for (const c of custs.rows) byTenant.set(c.tenant_id, [...(byTenant.get(c.tenant_id) ?? []), c.id]);
  const spares = await t.db.query<{ id: string }>(
    `SELECT id::text FROM customers WHERE customer_number LIKE 'SPARE-%' ORDER BY customer_number LIMIT ${WRITERS * 40}`,
  );

  let running = true;
  let working = true;
  const logs: WriterLog[] = [];
  const loops = Array.from({ length: WRITERS }, async (_, w) => {
    const log: WriterLog = { ops: 0, opsDuring: 0, errors: [], expected: new Map(), inserted: [], deleted: [] };
    logs.push(log);
    const mine = ids.rows.filter((_, i) => i % WRITERS === w);
    const mySpares = spares.rows.filter((_, i) => i % WRITERS === w).map((r) => r.id);
    const c = new pg.Client({ connectionString: t.url });
    await c.connect();
    try {
      let i = 0;
      while (running) {
        const d = mine[i % mine.length]!;
        try {
          switch (i % 4) {
            case 0: {
              const r = await c.query<{ id: string }>(
                `INSERT INTO sales_orders (tenant_id, order_number, customer_name) VALUES ($1, $2, $3) RETURNING id::text`,
                [d.tenant_id, `W${round}-${w}-${i}`, `Cust ${(i % MASTERS) + 1}`],
              );
              log.inserted.push(r.rows[0]!.id);
              break;
            }
            case 1: {
              const name = `Edited ${round}-${w}-${i}`;
              await c.query(`UPDATE sales_orders SET customer_name = $2 WHERE id = $1`, [d.id, name]);
              log.expected.set(d.id, { ...log.expected.get(d.id), name });
              break;
            }
            case 2: {
              const list = byTenant.get(d.tenant_id)!;
              const fk = list[(i * 7 + w) % list.length]!;
              await c.query(`UPDATE sales_orders SET customer_id = $2 WHERE id = $1`, [d.id, fk]);
              log.expected.set(d.id, { ...log.expected.get(d.id), fk });
              break;
            }
            case 3: {
              const spare = mySpares.shift();
              if (spare !== undefined) {
                const r = await c.query(`DELETE FROM customers WHERE id = $1`, [spare]);
                if (r.rowCount === 1) log.deleted.push(spare);
              }
              break;
            }
          }
          log.ops++;
          if (working) log.opsDuring++;
        } catch (e) {
          log.errors.push(`${(e as { code?: string }).code ?? ''} ${(e as Error).message}`);
        }
        i++;
      }
    } finally {
      await c.end();
    }
  });
  try {
    const result = await work();
    working = false;
    return { result, logs };
  } finally {
    working = false;
    running = false;
    await Promise.all(loops);
  }
}

async function checkWriters(t: TestDb, logs: WriterLog[]): Promise<void> {
  for (const log of logs) {
    expect(log.errors, 'writers saw errors').toEqual([]);
    for (const [id, e] of log.expected) {
      const r = await t.db.query<{ name: string; fk: string | null }>(
        `SELECT customer_name AS name, customer_id::text AS fk FROM sales_orders WHERE id = $1`,
        [id],
      );
      if (e.name !== undefined) expect(r.rows[0]!.name, `lost name edit on ${id}`).toBe(e.name);
      if (e.fk !== undefined) expect(r.rows[0]!.fk, `lost FK set on ${id}`).toBe(e.fk);
    }
    if (log.inserted.length > 0) {
      const n = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales_orders WHERE id = ANY($1::uuid[])`, [log.inserted]);
      expect(n.rows[0]!.n).toBe(log.inserted.length);
    }
    if (log.deleted.length > 0) {
      const n = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE id = ANY($1::uuid[])`, [log.deleted]);
      expect(n.rows[0]!.n).toBe(0);
    }
  }
  const cross = await t.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sales_orders o JOIN customers c ON c.id = o.customer_id WHERE c.tenant_id <> o.tenant_id`,
  );
  expect(cross.rows[0]!.n).toBe(0);
  // RESTRICT still holds: a referenced master cannot be deleted
  const ref = await t.db.query<{ id: string }>(`SELECT customer_id::text AS id FROM sales_orders WHERE customer_id IS NOT NULL LIMIT 1`);
  let code: string | undefined;
  try {
    await t.db.transaction(async (tx) => {
      await tx.query(`DELETE FROM customers WHERE id = $1`, [ref.rows[0]!.id]);
    });
  } catch (e) {
    code = (e as { code?: string }).code;
  }
  expect(code).toBe('23503');
}

export const concurrencyStats = { rounds: 0, writerOps: 0, writerOpsDuringWork: 0 };

(TARGETS.includes('postgres') ? describe : describe.skip)('reliability: concurrency [postgres]', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb('postgres');
    await seed(t);
  });
  afterEach(async () => {
    await t.dispose();
    console.log(`[concurrency] ${ROWS} rows: ${JSON.stringify(concurrencyStats)}`);
  });

  for (const mode of ['single transaction', 'batched'] as const) {
    it(`${mode} apply, then undo, with OLTP writers: no lost update, no deadlock, RESTRICT holds`, async () => {
      const batch = mode === 'batched' ? { singleTransaction: false, batchSize: Math.max(500, Math.floor(ROWS / 20)) } : {};
      const p = await plan(t.db, { allTenants: true });
      const { result: a, logs } = await writersDuring(t, () => apply(t.db, { allTenants: true, planRunId: p.runId, ...batch }), 1);
      expect(a.totalUpdated).toBeGreaterThan(0);
      await checkWriters(t, logs);
      // every change the apply logged is still there unless a writer changed that row afterwards
      const touched = new Set(logs.flatMap((l) => [...l.expected.keys()]));
      const drift = await t.db.query<{ id: string }>(
        `SELECT o.id::text AS id FROM fk_backfill.changes c JOIN sales_orders o ON o.id = c.row_key::uuid
          WHERE c.run_id = $1::int8 AND o.customer_id::text IS DISTINCT FROM c.new_value`,
        [a.runId],
      );
      expect(drift.rows.filter((r) => !touched.has(r.id))).toEqual([]);

      const { result: u, logs: logs2 } = await writersDuring(t, () => undo(t.db, { runId: a.runId, ...batch }), 2);
      expect(u.totalReverted).toBeGreaterThan(0);
      await checkWriters(t, logs2);
      // FKs the writers set during round 1 survived the undo (it only reverts rows still holding its value)
      for (const log of logs) {
        for (const [id, e] of log.expected) {
          if (e.fk === undefined) continue;
          const r = await t.db.query<{ fk: string | null }>(`SELECT customer_id::text AS fk FROM sales_orders WHERE id = $1`, [id]);
          const later = logs2.some((l) => l.expected.get(id)?.fk !== undefined);
          if (!later) expect(r.rows[0]!.fk, `undo reverted a writer's FK on ${id}`).toBe(e.fk);
        }
      }
      concurrencyStats.rounds += 2;
      for (const l of [...logs, ...logs2]) {
        concurrencyStats.writerOps += l.ops;
        concurrencyStats.writerOpsDuringWork += l.opsDuring;
      }
    }, 300_000);
  }
});
