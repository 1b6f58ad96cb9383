/**
 * A text key whose collation is not the database's default (`COLLATE "C"` in an ICU database, an ICU collation in a C
 * one): a batched apply walks it in the key's own order, on one connection and on two, and ends.
 * Before: the key ladder was created in the database's default collation, its rungs were ordered otherwise than
 * the batches' ranges on the source, and the walk never advanced past them (a new user's trial: 12,502 batches in
 * 60 s, none changing a row, negative counts in the slices' checkpoints).
 * PostgreSQL only: PGlite has the C collation only, under which every order is the same.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { apply } from '../../src/apply/apply.js';
import { undo } from '../../src/undo/undo.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'inv',
      table: 'invoices',
      key: 'invoice_no',
      fk: 'customer_id',
      name: 'customer_name',
      scope: ['tenant'],
      updatedAt: null,
      target: { table: 'customers', key: 'id', name: 'name' },
    },
  ],
};

describeEach('a text key in another collation than the database default', (target) => {
  const skip = target === 'pglite'; // no collation but C there: nothing orders otherwise
  let t: TestDb;
  beforeEach(async () => {
    if (skip) return;
    t = await freshDb(target);
    // keys that sort apart under C and under ICU: capitals, accents, punctuation, spaces first
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant text NOT NULL, name text NOT NULL);
      INSERT INTO customers SELECT g, 't' || (g % 2), 'Cust ' || g FROM generate_series(1, 10) g;
      CREATE TABLE invoices (invoice_no text COLLATE "en-x-icu" PRIMARY KEY, tenant text NOT NULL, customer_name text, customer_id int REFERENCES customers (id));
      INSERT INTO invoices
      SELECT (ARRAY['a', 'B', 'é', 'Z', '_', '-', ' ', 'ä', 'E', 'e'])[1 + g % 10] || md5(g::text), 't' || ((1 + g % 10) % 2), 'Cust ' || (1 + g % 10), NULL
        FROM generate_series(1, 20000) g;`);
  });
  afterEach(async () => {
    if (!skip) await t.dispose();
  });

  it.skipIf(skip)(
    'apply walks it in its own order on one connection and on two, links every row once, and undo sets them back',
    { timeout: 60_000 },
    async () => {
      for (const parallel of [1, 2]) {
        const r = await apply(t.db, { config, allTenants: true, batchSize: 1000, parallel, walk: 'key' });
        expect([parallel, r.status, r.totalUpdated]).toEqual([parallel, 'done', 20000]);
        const logged = await t.db.query<{ n: string; d: string }>(
          `SELECT count(*)::text AS n, count(DISTINCT row_key)::text AS d FROM fk_backfill.changes WHERE run_id = $1::int8`,
          [r.runId],
        );
        expect(logged.rows[0]).toEqual({ n: '20000', d: '20000' });
        const wrong = await t.db.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.name <> i.customer_name OR c.tenant <> i.tenant`,
        );
        expect(wrong.rows[0]!.n).toBe('0');
        const u = await undo(t.db, { runId: r.runId, batchSize: 1000 });
        expect(u.totalReverted).toBe(20000);
        expect((await t.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM invoices WHERE customer_id IS NOT NULL`)).rows[0]!.n).toBe(
          '0',
        );
      }
    },
  );
});
