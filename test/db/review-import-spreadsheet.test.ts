/**
 * A trial: the review CSV, edited in a spreadsheet and saved back, failed to import with the parser's raw message
 * ("Invalid Record Length…") when the spreadsheet wrote semicolons (a locale whose decimal mark is the comma),
 * UTF-16 with tabs ("Unicode text") or Windows-1252 (plain "CSV" on Windows): the CLI read every file as UTF-8
 * with commas. The import now decodes the bytes (src/review/csv-text.ts) and takes the separator from the header;
 * a name with letters outside ASCII arrives intact, so its decision is written for it.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAxis } from '../../src/demo/axis.js';
import { exportQueueCsv, importDecisionsCsv } from '../../src/index.js';
import { DEMO_TENANT, FUZZY_CONFIG, FUZZY_DEMO } from '../e2e/fixtures.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const opts = { tenantId: DEMO_TENANT, config: FUZZY_CONFIG };
const NAME = 'Zürich Gärten Sàrl';

/** Windows-1252 bytes of a string of Latin-1 letters (the test's names have no character where the two differ). */
const cp1252 = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const utf16le = (s: string): Uint8Array => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);

describeEach('review import of a CSV a spreadsheet saved', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db, FUZZY_DEMO);
    await t.db.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name, total_amount) VALUES ($1::uuid, 'SO-Z-1', $2, 5)`, [
      DEMO_TENANT,
      NAME,
    ]);
  });
  afterEach(async () => t.dispose());

  const saved: [string, (rows: Record<string, string>[]) => Uint8Array | string][] = [
    ['semicolons, UTF-8 with a BOM', (rows) => `\ufeff${stringify(rows, { header: true, delimiter: ';' })}`],
    ['semicolons, Windows-1252, CRLF', (rows) => cp1252(stringify(rows, { header: true, delimiter: ';', record_delimiter: '\r\n' }))],
    ['commas, Windows-1252', (rows) => cp1252(stringify(rows, { header: true }))],
    ['tabs, UTF-16 ("Unicode text")', (rows) => utf16le(stringify(rows, { header: true, delimiter: '\t', record_delimiter: '\r\n' }))],
  ];
  for (const [what, save] of saved) {
    it(`${what}: every decision is imported, the name outside ASCII intact`, async () => {
      const { csv } = await exportQueueCsv(t.db, opts);
      const rows = parse(csv, { columns: true }) as Record<string, string>[];
      expect(rows.some((r) => r['name'] === NAME)).toBe(true);
      for (const r of rows) if (r['name'] === NAME || r['name'] === 'Zeta Widgets') r['decision'] = 'never';
      const r = await importDecisionsCsv(t.db, save(rows), { ...opts, by: 'x' });
      expect(r).toMatchObject({ decided: 2, written: 2 });
      const d = await t.db.query<{ name: string }>(`SELECT source_name AS name FROM fk_backfill.decisions ORDER BY source_name`);
      expect(d.rows.map((x) => x.name)).toEqual(['Zeta Widgets', NAME].sort());
    });
  }

  it('a name Windows-1252 cannot hold, saved as "?": named, with the encoding to save it in; nothing written', async () => {
    // a trial: Czech and Turkish names came back as "TsS Plze?" from Excel's plain CSV, refused as "keep the exported name"
    const czech = 'Plzeň Strojírny';
    await t.db.query(`INSERT INTO sales_orders (tenant_id, order_number, customer_name, total_amount) VALUES ($1::uuid, 'SO-Z-2', $2, 5)`, [
      DEMO_TENANT,
      czech,
    ]);
    const { csv } = await exportQueueCsv(t.db, opts);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const i = rows.findIndex((r) => r['name'] === czech);
    rows[i]!['decision'] = 'never';
    const saved = cp1252(stringify(rows, { header: true, delimiter: ';' }).replace(czech, 'Plze? Strojírny'));
    const err = await importDecisionsCsv(t.db, saved, { ...opts, by: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', details: { errors: [{ line: i + 2 }] } });
    expect((err as Error).message).toContain(
      `line ${i + 2}: name "Plze? Strojírny" is not a name of sales_order in scope ["${DEMO_TENANT}"] in the queue`,
    );
    expect((err as Error).message).toContain(
      `; a "?" where the export had a letter the file's encoding cannot hold (Excel's "CSV" is Windows-1252: č, ő, Ş, Greek…): save it as "CSV UTF-8" or "Unicode Text" and import again`,
    );
    expect((await t.db.query(`SELECT * FROM fk_backfill.decisions`)).rows).toHaveLength(0);
  });

  it('an emptied row of fewer cells is a blank line; a row with a cell added or lost is named by its line, nothing written', async () => {
    const { csv } = await exportQueueCsv(t.db, opts);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    for (const r of rows) if (r['name'] === NAME) r['decision'] = 'never';
    const text = stringify(rows, { header: true });
    // a spreadsheet's emptied rows, written with fewer separators, and blank lines between
    const emptied = `${text},,,\n\n,\n`;
    expect(await importDecisionsCsv(t.db, emptied, { ...opts, by: 'x' })).toMatchObject({ decided: 1, written: 1 });
    // a name with an unquoted comma (a cell too many) and a line cut short, both decided: named, nothing written
    const lines = text.trimEnd().split('\n');
    const bad = [...lines, `${lines[1]},extra`, 'order,"[""x""]",Cut Short,never'].join('\n');
    const err = await importDecisionsCsv(t.db, bad, { ...opts, by: 'y' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    const message = (err as Error).message;
    expect(message).toMatch(new RegExp(`line ${lines.length + 1}: \\d+ cell\\(s\\) where the header has`));
    expect(message).toMatch(new RegExp(`line ${lines.length + 2}: 4 cell\\(s\\) where the header has`));
    const d = await t.db.query<{ by: string }>(`SELECT decided_by AS by FROM fk_backfill.decisions`);
    expect(d.rows.map((x) => x.by)).toEqual(['x']);
  });
});
