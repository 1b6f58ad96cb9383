/**
 * Apply checks the decision, not just the master's existence (issue #23, item 3): a plan records the
 * name of each linked entry's master as it read it (exact, normalised, fuzzy, a person's alias); apply
 * skips the rows whose master was renamed since, and counts them as "master renamed" (library result,
 * text, --json, report, `runs`). Before: a fuzzy plan linked `Acme Trading Inc.` to a master renamed
 * `Zenith Holdings` since, and reported nothing; in exact mode such rows vanished from the counts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { apply, decide, getRun, plan, report, type ApplyResult } from '../../src/index.js';
import { applyText } from '../../src/cli/format.js';
import type { Queryable } from '../../src/db/port.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, reopen, type TestDb } from '../helpers/db.js';

const target = { table: 'customers', key: 'id', name: 'customer_name', active: 'is_active' };
const config: ConfigInput = {
  links: [
    // orders: fuzzy (exact, normalised and a person's alias decisions), with updated_at
    { entity: 'order', table: 'orders', key: 'id', fk: 'customer_id', name: 'customer_name', scope: ['tenant_id'], match: 'fuzzy', target },
    // invoices: exact, no updated_at (the batch statement's other shape)
    {
      entity: 'invoice',
      table: 'invoices',
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      scope: ['tenant_id'],
      match: 'exact',
      target,
    },
  ],
};

async function schema(db: Queryable, nameType = 'text'): Promise<void> {
  const stmts = [
    `CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name ${nameType} NOT NULL, is_active boolean NOT NULL DEFAULT true)`,
    `CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers, updated_at timestamptz)`,
    `CREATE TABLE invoices (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers)`,
    `INSERT INTO customers VALUES (1, 1, 'Acme Trading', true), (2, 1, 'Globex GmbH', true), (3, 1, 'Initech', true)`,
    `INSERT INTO orders (id, tenant_id, customer_name) VALUES (1, 1, 'Acme Trading Inc.'), (2, 1, 'Acme Trading'), (3, 1, 'Globex GmbH'), (4, 1, 'Globex GmbH'), (5, 1, 'Zeta Road Works')`,
    `INSERT INTO invoices (id, tenant_id, customer_name) VALUES (1, 1, 'Acme Trading'), (2, 1, 'Acme Trading'), (3, 1, 'Initech')`,
  ];
  for (const s of stmts) await db.query(s);
}

/** A person says `Zeta Road Works` is Acme (an alias decision), then plans: 5 orders and 3 invoices linked. */
async function planWithAlias(db: TestDb['db'], methods = true): Promise<string> {
  await decide(db, { config, link: 'order', scopeKey: ['1'], name: 'Zeta Road Works', action: 'alias', targetKey: '1', by: 'test' });
  const p = await plan(db, { config, tenantId: '1' });
  expect(p.results.map((r) => [r.entityType, r.recordsMatched])).toEqual([
    ['order', 5],
    ['invoice', 3],
  ]);
  if (methods) expect(p.results[0]!.linkedByMethod).toMatchObject({ exact: 3, normalized: 1, decision: 1 });
  return p.runId;
}

async function fks(db: Queryable, table: string): Promise<(number | null)[]> {
  return (await db.query<{ customer_id: number | null }>(`SELECT customer_id FROM ${table} ORDER BY id`)).rows.map((r) => r.customer_id);
}

function expectRenamedSkips(a: ApplyResult): void {
  const [o, i] = a.results;
  expect([o!.planned, o!.updated, o!.skipped]).toEqual([5, 2, 3]);
  expect(o!.skipReasons).toMatchObject({ masterRenamed: 3, changedSincePlan: 0, masterDeleted: 0, masterInactive: 0, notReached: 0 });
  expect([i!.planned, i!.updated, i!.skipped]).toEqual([3, 1, 2]);
  expect(i!.skipReasons).toMatchObject({ masterRenamed: 2, changedSincePlan: 0, notReached: 0 });
}

describeEach('renamed masters', (targetDb) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  for (const singleTransaction of [false, true]) {
    it(`${singleTransaction ? 'single transaction' : 'batched'}: rows whose master was renamed since the plan are skipped and counted, in fuzzy, exact and decision entries`, async () => {
      t = await freshDb(targetDb);
      await schema(t.db);
      const planId = await planWithAlias(t.db);
      await t.db.query(`UPDATE customers SET customer_name = 'Zenith Holdings' WHERE id = 1`);
      const a = await apply(t.db, { config, tenantId: '1', planRunId: planId, singleTransaction, batchSize: 2 });
      expectRenamedSkips(a);
      // no row linked to the renamed master; the others linked
      expect(await fks(t.db, 'orders')).toEqual([null, null, 2, 2, null]);
      expect(await fks(t.db, 'invoices')).toEqual([null, null, 3]);
      expect(applyText(a)).toContain('order skipped: 3 master renamed');
      const run = await getRun(t.db, a.runId);
      expect((run.summary as { results: { skipReasons: unknown }[] }).results.map((r) => r.skipReasons)).toEqual(
        a.results.map((r) => r.skipReasons),
      );
      expect((await report(t.db, { runId: a.runId, format: 'html' })).content).toContain('2 master renamed');
    });
  }

  it('a master renamed and renamed back links as planned; a char(n) master name read back padded is not a rename', async () => {
    t = await freshDb(targetDb);
    // char(n): the name is read back padded and compared as the column compares it (no false "renamed")
    await schema(t.db, 'char(40)');
    const planId = await planWithAlias(t.db, false); // padded master names: the matcher calls them normalised, not exact
    await t.db.query(`UPDATE customers SET customer_name = 'Zenith Holdings' WHERE id = 1`);
    await t.db.query(`UPDATE customers SET customer_name = 'Acme Trading' WHERE id = 1`);
    const a = await apply(t.db, { config, tenantId: '1', planRunId: planId, batchSize: 2 });
    expect(a.results.map((r) => [r.updated, r.skipped])).toEqual([
      [5, 0],
      [3, 0],
    ]);
    expect(await fks(t.db, 'orders')).toEqual([1, 1, 2, 2, 1]);
  });

  it(
    'CLI: apply --plan --json says how many rows were skipped because their master was renamed; the run records it',
    { timeout: 120_000 },
    async () => {
      t = await freshDb(targetDb, { onDisk: true });
      await schema(t.db);
      const planId = await planWithAlias(t.db);
      await t.db.query(`UPDATE customers SET customer_name = 'Zenith Holdings' WHERE id = 1`);
      await t.release();
      const dir = mkdtempSync(join(tmpdir(), 'fkb-renamed-'));
      const cfg = join(dir, 'config.json');
      writeFileSync(cfg, JSON.stringify(config));
      const db = ['--db', t.url];
      const a = await runCli(['apply', ...db, '--config', cfg, '--plan', planId, '--yes', '--json']);
      expect(a.code, a.stderr).toBe(0);
      const out = a.json<ApplyResult>();
      expectRenamedSkips(out);
      const check = await reopen(t);
      try {
        // what `runs ID` prints
        expect((await getRun(check, out.runId)).summary).toMatchObject({
          results: [{ skipReasons: { masterRenamed: 3 } }, { skipReasons: { masterRenamed: 2 } }],
        });
        expect(await fks(check, 'orders')).toEqual([null, null, 2, 2, null]);
        expect(await fks(check, 'invoices')).toEqual([null, null, 3]);
      } finally {
        await check.close();
      }
    },
  );
});
