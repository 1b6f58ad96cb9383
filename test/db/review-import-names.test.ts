/**
 * A trial: `review import` wrote an alias for a name nobody has (the name cell of an exported queue row
 * edited, decision accept: 1 decision written, exit 0). A decision's (link, scope, name) must be a name of
 * the queue (the latest plan of that link and scope); any other line is refused, named, nothing written.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAxis } from '../../src/demo/axis.js';
import { apply, exportQueueCsv, importDecisionsCsv, plan } from '../../src/index.js';
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

  it('a file that is no review export (its columns missing): one line naming them, with or without a tenant flag; nothing written', async () => {
    const csv = 'id,customer,amount\n1,Acme,10\n';
    for (const scope of [{}, { allTenants: true }]) {
      const err = await importDecisionsCsv(t.db, csv, { config: FUZZY_CONFIG, ...scope, by: 'x' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'INVALID_INPUT', details: { errors: [{ line: 1 }] } });
      expect((err as Error).message).toBe(
        'CSV not imported, nothing written: line 1: missing columns "link", "scope", "name", "decision", "target_key": import a file `review export` wrote, its decision column filled',
      );
    }
    expect((await t.db.query(`SELECT count(*)::int AS n FROM fk_backfill.decisions`)).rows).toEqual([{ n: 0 }]);
  });

  it('a file with no decision filled in (the export as written): nothing to import, with or without a tenant flag; nothing written', async () => {
    // a new user's trial: the unedited export, imported without --tenant, was refused with "choose a tenant"
    const { csv, names } = await exportQueueCsv(t.db, opts);
    // the export's plan gone too: no plan is made to check names that nothing decides
    await t.db.query(`DELETE FROM fk_backfill.runs WHERE kind = 'plan'`);
    const skip = stringify(
      (parse(csv, { columns: true }) as Record<string, string>[]).map((r) => ({ ...r, decision: 'skip' })),
      { header: true },
    );
    for (const [file, scope] of [
      [csv, {}],
      [csv, { allTenants: true }],
      [skip, { tenantId: DEMO_TENANT }],
    ] as const) {
      expect(await importDecisionsCsv(t.db, file, { config: FUZZY_CONFIG, ...scope, by: 'x' })).toEqual({
        decided: 0,
        written: 0,
        unchanged: 0,
        blank: names,
      });
    }
    expect((await t.db.query(`SELECT count(*)::int AS n FROM fk_backfill.decisions`)).rows).toEqual([{ n: 0 }]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM fk_backfill.runs`)).rows).toEqual([{ n: 0 }]);
  });

  it('refuses a line whose name no plan entry of its link and scope has (line and name named, nothing written)', async () => {
    const { csv } = await exportQueueCsv(t.db, opts);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const i = rows.findIndex((r) => r['name'] === 'Tset Cstmr Hldgs');
    rows[i]!['name'] = 'Invented Name GmbH';
    rows[i]!['decision'] = 'accept';
    const j = rows.findIndex((r) => r['name'] === 'Zeta Widgets');
    rows[j]!['decision'] = 'never';
    const err = await importDecisionsCsv(t.db, stringify(rows, { header: true }), { ...opts, by: 'x' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'INVALID_INPUT', details: { errors: [{ line: i + 2 }] } });
    expect((err as Error).message).toContain(`line ${i + 2}: name "Invented Name GmbH" is not a name of`);
    expect((await t.db.query(`SELECT * FROM fk_backfill.decisions`)).rows).toHaveLength(0);

    // the name as exported
    rows[i]!['name'] = 'Tset Cstmr Hldgs';
    expect(await importDecisionsCsv(t.db, stringify(rows, { header: true }), { ...opts, by: 'x' })).toMatchObject({
      decided: 2,
      written: 2,
    });
  });

  it('the same file again after an apply linked its names: already in force; another decision for such a name says it left the queue and why', async () => {
    // a trial: the file imported, applied, then imported again was refused whole, each line "keep the exported name"
    const { csv } = await exportQueueCsv(t.db, opts);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const i = rows.findIndex((r) => r['name'] === 'Tset Cstmr Hldgs');
    rows[i]!['decision'] = 'accept';
    const j = rows.findIndex((r) => r['name'] === 'Zeta Widgets');
    rows[j]!['decision'] = 'never';
    const file = stringify(rows, { header: true });
    expect(await importDecisionsCsv(t.db, file, { ...opts, by: 'x' })).toMatchObject({ decided: 2, written: 2 });
    await apply(t.db, opts);
    await plan(t.db, opts); // the queue now: its rows linked, the two names are not in it
    expect(await importDecisionsCsv(t.db, file, { ...opts, by: 'x' })).toMatchObject({ decided: 2, written: 0, unchanged: 2 });
    rows[i]!['decision'] = 'never';
    const err = await importDecisionsCsv(t.db, stringify(rows, { header: true }), { ...opts, by: 'x' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'INVALID_INPUT', details: { errors: [{ line: i + 2 }] } });
    expect((err as Error).message).toMatch(
      new RegExp(
        `line ${i + 2}: name "Tset Cstmr Hldgs" of sales_order in scope .* has left the queue \\(plan \\d+\\) since the export, decided alias \\S+ \\(.*\\): export again to decide it otherwise`,
      ),
    );
  });

  it('every bad line in one pass: a bad decision, a name not in the queue and a name twice are named together (a trial needed three rounds)', async () => {
    const { csv } = await exportQueueCsv(t.db, opts);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const i = rows.findIndex((r) => r['name'] === 'Tset Cstmr Hldgs');
    rows[i]!['decision'] = 'maybe';
    const j = rows.findIndex((r) => r['name'] === 'Zeta Widgets');
    rows[j]!['decision'] = 'never';
    rows[j]!['name'] = 'Invented Name GmbH';
    const k = rows.findIndex((r, n) => n !== i && n !== j && r['decision'] === '');
    rows[k]!['decision'] = 'never';
    const twice = { ...rows[k]! };
    const err = await importDecisionsCsv(t.db, stringify([...rows, twice], { header: true }), { ...opts, by: 'x' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    const lines = (err as { details: { errors: { line: number; message: string }[] } }).details.errors;
    expect(lines.map((e) => e.line)).toEqual([i + 2, j + 2, rows.length + 2].sort((a, b) => a - b));
    expect(lines.find((e) => e.line === i + 2)!.message).toMatch(/^decision "maybe" is not one of/);
    expect(lines.find((e) => e.line === j + 2)!.message).toMatch(/^name "Invented Name GmbH" is not a name of/);
    expect(lines.find((e) => e.line === rows.length + 2)!.message).toBe(`same name as line ${k + 2}`);
    expect((await t.db.query(`SELECT * FROM fk_backfill.decisions`)).rows).toHaveLength(0);
  });

  it('a file refused for a name not in the queue, in a scope with no plan yet: the plan made to check it is not left behind', async () => {
    const { csv } = await exportQueueCsv(t.db, opts);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const j = rows.findIndex((r) => r['name'] === 'Zeta Widgets');
    rows[j]!['decision'] = 'never';
    rows[j]!['name'] = 'Invented Name GmbH';
    // the export's plan gone: the import has to plan to know the queue
    await t.db.query(`DELETE FROM fk_backfill.runs WHERE kind = 'plan'`);
    const err = await importDecisionsCsv(t.db, stringify(rows, { header: true }), { ...opts, by: 'x' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as Error).message).toContain('name "Invented Name GmbH" is not a name of');
    expect((await t.db.query(`SELECT * FROM fk_backfill.runs`)).rows).toHaveLength(0);
  });

  it("without --tenant, the file's own tenant (every row's scope) is used; a file of two tenants is refused, nothing written", async () => {
    const { csv } = await exportQueueCsv(t.db, opts);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const j = rows.findIndex((r) => r['name'] === 'Zeta Widgets');
    rows[j]!['decision'] = 'never';
    const noTenant = { config: FUZZY_CONFIG, by: 'x' };
    // another tenant's row beside it: no single tenant to take, so the usual "choose a tenant" refusal
    const other = { ...rows[j]!, scope: JSON.stringify(['22222222-2222-2222-2222-222222222222']) };
    const two = await importDecisionsCsv(t.db, stringify([...rows, other], { header: true }), noTenant).then(
      () => null,
      (e: unknown) => e,
    );
    expect(two).toMatchObject({ code: 'TENANT_REQUIRED' });
    // a scope cell that is not the exported JSON array: that line is named (before: "choose a tenant")
    const mangled = rows.map((r, i) => (i === j ? { ...r, scope: '1' } : r));
    const bad = await importDecisionsCsv(t.db, stringify(mangled, { header: true }), noTenant).then(
      () => null,
      (e: unknown) => e,
    );
    expect(bad).toMatchObject({ code: 'INVALID_INPUT', details: { errors: [{ line: j + 2 }] } });
    expect((bad as Error).message).toContain('scope "1" is not a JSON array of strings');
    expect((await t.db.query(`SELECT * FROM fk_backfill.decisions`)).rows).toHaveLength(0);
    // the file as exported: its tenant, as if --tenant had been given
    expect(await importDecisionsCsv(t.db, stringify(rows, { header: true }), noTenant)).toMatchObject({ decided: 1, written: 1 });
    const d = await t.db.query<{ scope: string }>(`SELECT scope_key[1] AS scope FROM fk_backfill.decisions`);
    expect(d.rows.map((r) => r.scope)).toEqual([DEMO_TENANT]);
  });

  it('a refused file plans nothing either (a trial: a bad alias refused the file, and a plan of its tenant was left behind)', async () => {
    const { csv } = await exportQueueCsv(t.db, { config: FUZZY_CONFIG, allTenants: true });
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const j = rows.findIndex((r) => r['name'] === 'Zeta Widgets');
    rows[j]!['decision'] = 'alias';
    rows[j]!['target_key'] = '00000000-0000-4000-8000-00000000dead';
    const runs = async (): Promise<number> =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.runs`)).rows[0]!.n;
    // the export planned all tenants; the file's own tenant has no plan of its own yet
    const before = await runs();
    const err = await importDecisionsCsv(t.db, stringify(rows, { header: true }), { config: FUZZY_CONFIG, by: 'x' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await runs()).toBe(before);
    expect((await t.db.query(`SELECT * FROM fk_backfill.decisions`)).rows).toHaveLength(0);
  });

  it('a blank name in the queue takes "never" (settled), and only that (a trial: "name is empty", so it stayed forever)', async () => {
    await t.db.query(
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name, total_amount) VALUES ($1::uuid, 'SO-B-1', '', 1), ($1::uuid, 'SO-B-2', '   ', 1)`,
      [DEMO_TENANT],
    );
    const { csv } = await exportQueueCsv(t.db, opts);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const blanks = rows.filter((r) => r['name']!.trim() === '');
    expect(blanks.map((r) => r['name']).sort()).toEqual(['', '   ']);
    blanks[0]!['decision'] = 'create';
    const refused = await importDecisionsCsv(t.db, stringify(rows, { header: true }), { ...opts, by: 'x' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'INVALID_INPUT' });
    expect((refused as Error).message).toContain('a blank name is never linked, so it takes no create decision');
    for (const b of blanks) b['decision'] = 'never';
    expect(await importDecisionsCsv(t.db, stringify(rows, { header: true }), { ...opts, by: 'x' })).toMatchObject({
      decided: 2,
      written: 2,
    });
    const after = parse((await exportQueueCsv(t.db, opts)).csv, { columns: true }) as Record<string, string>[];
    expect(after.filter((r) => r['name']!.trim() === '').map((r) => r['current_decision'])).toEqual(['never', 'never']);
  });

  it('accept of an ambiguous name without a target_key is refused (a trial: candidate 1 of two alike was linked without a word); with the key meant, taken', async () => {
    // a second active customer of the same name in the tenant, and an order naming it
    await t.db.query(
      `INSERT INTO customers (tenant_id, customer_number, customer_name)
       SELECT tenant_id, customer_number || '-2', customer_name FROM customers WHERE tenant_id = $1::uuid AND is_active ORDER BY customer_number LIMIT 1`,
      [DEMO_TENANT],
    );
    await t.db.query(
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name, total_amount)
       SELECT tenant_id, 'SO-AMB-1', customer_name, 1 FROM customers WHERE tenant_id = $1::uuid AND customer_number LIKE '%-2'`,
      [DEMO_TENANT],
    );
    const { csv } = await exportQueueCsv(t.db, opts);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const amb = rows.filter((r) => r['outcome'] === 'ambiguous' && r['link'] === 'sales_order');
    expect(amb.length).toBeGreaterThan(0);
    amb[0]!['decision'] = 'accept';
    const line = rows.indexOf(amb[0]!) + 2;
    const err = await importDecisionsCsv(t.db, stringify(rows, { header: true }), { ...opts, by: 'x' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'INVALID_INPUT', details: { errors: [{ line }] } });
    expect((err as Error).message).toContain(`line ${line}: accept of an ambiguous name`);
    expect((await t.db.query(`SELECT * FROM fk_backfill.decisions`)).rows).toHaveLength(0);
    amb[0]!['target_key'] = amb[0]!['candidate_2_key']!;
    expect(await importDecisionsCsv(t.db, stringify(rows, { header: true }), { ...opts, by: 'x' })).toMatchObject({
      decided: 1,
      written: 1,
    });
    const d = await t.db.query<{ k: string }>(`SELECT target_key AS k FROM fk_backfill.decisions`);
    expect(d.rows.map((r) => r.k)).toEqual([amb[0]!['candidate_2_key']]);
  });
});
