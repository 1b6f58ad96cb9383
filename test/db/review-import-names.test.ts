/**
 * A trial: `review import` wrote an alias for a name nobody has (the name cell of an exported queue row
 * edited, decision accept: 1 decision written, exit 0). A decision's (link, scope, name) must be a name of
 * the queue (the latest plan of that link and scope); any other line is refused, named, nothing written.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAxis } from '../../src/demo/axis.js';
import { exportQueueCsv, importDecisionsCsv } from '../../src/index.js';
import { DEMO_TENANT, FUZZY_CONFIG, FUZZY_DEMO } from '../e2e/fixtures.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const opts = { tenantId: DEMO_TENANT, config: FUZZY_CONFIG };

describeEach('review import of names the queue has', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db, FUZZY_DEMO);
  });
  afterEach(async () => t.dispose());

  it('refuses a line whose name no plan entry of its link and scope has (line and name named, nothing written)', async () => {
    const { csv } = await exportQueueCsv(t.db, opts);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const i = rows.findIndex((r) => r['name'] === 'Tset Cstmr Hldgs');
    rows[i]!['name'] = 'Invented Name GmbH';
    rows[i]!['decision'] = 'accept';
    const j = rows.findIndex((r) => r['name'] === 'Zeta Widgets');
    rows[j]!['decision'] = 'never';
    const err = await importDecisionsCsv(t.db, stringify(rows, { header: true }), { ...opts, by: 'x' }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', details: { errors: [{ line: i + 2 }] } });
    expect((err as Error).message).toContain(`line ${i + 2}: name "Invented Name GmbH" is not a name of`);
    expect((await t.db.query(`SELECT * FROM fk_backfill.decisions`)).rows).toHaveLength(0);

    // the name as exported
    rows[i]!['name'] = 'Tset Cstmr Hldgs';
    expect(await importDecisionsCsv(t.db, stringify(rows, { header: true }), { ...opts, by: 'x' })).toMatchObject({ decided: 2, written: 2 });
  });
});
