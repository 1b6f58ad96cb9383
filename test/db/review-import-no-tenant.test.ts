/**
 * A review export of every tenant lists rows of no tenant (their scope column NULL: scope `[null]`, "no tenant"
 * unmatched). Such rows are never linked, so a decision on that line can do nothing: `review import` of a file whose
 * only decided line is one said so only after asking for a tenant ("choose a tenant"), and with --all-tenants took a
 * `never` and refused an accept as "no master 1 in scope [null]". Now the line is named with why, whatever the flags;
 * decide() says the same. Nothing written.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, expect, it } from 'vitest';
import { decide, exportQueueCsv, importDecisionsCsv } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({ match: 'fuzzy' });
const WHY =
  /^ {2}line 3: scope \[null\] is no tenant's \(a scope column of its rows is NULL\): rows of no tenant are never linked, so they take no decision/m;

describeEach('review import of a line of no tenant', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('is refused with why, before any "choose a tenant", with any tenant flag; decide() says the same; nothing written', async () => {
    t = await freshDb(target, { onDisk: true });
    await t.db.exec(`CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 1, 'Acme Corp'), (2, 1, 'Beta GmbH');
      INSERT INTO orders VALUES (1, 1, 'Acme Corp', NULL), (2, NULL, 'Acme Corp', NULL), (3, 1, 'Acme Cor', NULL);`);
    const { csv } = await exportQueueCsv(t.db, { allTenants: true, config });
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const i = rows.findIndex((r) => r['scope'] === '[null]');
    expect(i + 2).toBe(3);
    const decisions = async (): Promise<unknown[]> => (await t.db.query(`SELECT * FROM fk_backfill.decisions`)).rows;
    for (const [decision, key] of [
      ['never', ''],
      ['accept', '1'],
    ] as const) {
      rows[i]!['decision'] = decision;
      rows[i]!['target_key'] = key;
      const file = stringify(rows, { header: true });
      for (const scope of [{}, { allTenants: true }, { tenantId: '1' }]) {
        const err = await importDecisionsCsv(t.db, file, { config, ...scope, by: 'x' }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, `${decision} ${JSON.stringify(scope)}`).toMatchObject({ code: 'INVALID_INPUT', details: { errors: [{ line: 3 }] } });
        expect((err as Error).message).toMatch(WHY);
      }
    }
    await expect(
      decide(t.db, { config, link: 'order', scopeKey: [null], name: 'Acme Corp', action: 'never', by: 'x' }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^scope \[null\] is no tenant's/),
    });
    expect(await decisions()).toEqual([]);
    // the command line: exit 2, the line named, not "choose a tenant"
    const dir = mkdtempSync(join(tmpdir(), 'fkb-notenant-'));
    writeFileSync(join(dir, 'fk-backfill.config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'queue.csv'), stringify(rows, { header: true }));
    await t.release();
    const r = await runCli(['review', 'import', join(dir, 'queue.csv'), '--db', t.url, '--config', join(dir, 'fk-backfill.config.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 3: scope \[null\] is no tenant's/);
    expect(r.stderr).not.toMatch(/choose a tenant/);
  });
});
