import { request } from 'node:http';
import pg from 'pg';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan, undo } from '../../src/index.js';
import { report } from '../../src/render/report.js';
import { createAxis } from '../../src/demo/axis.js';
import { applyPreviewIn, decisionsOnlyPlanIn } from '../../src/review/page-apply.js';
import { bulkAccept, bulkAcceptIn, bulkPreviewIn } from '../../src/review/bulk.js';
import { decide, revokeDecision, revokeManyIn, undoDecisionIn } from '../../src/review/decide.js';
import { decisionHistoryIn, searchMastersIn } from '../../src/review/card.js';
import { exportQueueCsv, importDecisionsCsv } from '../../src/review/csv.js';
import { reviewQueue } from '../../src/review/queue.js';
import type { QueueItem } from '../../src/review/types.js';
import { prepare } from '../../src/context/context.js';
import { startReviewServer } from '../../src/review/server.js';
import { createMasterForNameIn, proposeMasters } from '../../src/masters/masters.js';
import { addBigQueue, DEMO_TENANT, FUZZY_CONFIG, FUZZY_DEMO, XSS_MASTER } from '../e2e/fixtures.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const opts = { tenantId: DEMO_TENANT, config: FUZZY_CONFIG };

async function customerId(t: TestDb, number: string): Promise<string> {
  return (
    await t.db.query<{ id: string }>(`SELECT id::text FROM customers WHERE tenant_id = $1 AND customer_number = $2`, [DEMO_TENANT, number])
  ).rows[0]!.id;
}

async function liveDecisions(t: TestDb): Promise<number> {
  return (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.decisions WHERE revoked_at IS NULL`)).rows[0]!.n;
}

function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Review queue, decisions, CSV round trip, the review server's security, and run reports (one fixture, one file). */
describeEach('review', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db, FUZZY_DEMO);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('queue: unsure names grouped, ordered by rows, with samples, candidates and filters; decisions drive the next plan', async () => {
    const q = await reviewQueue(t.db, opts);
    const names = q.items.map((i) => [i.link, i.name, i.outcome, i.rows]);
    expect(names[0]).toEqual(['sales_order', 'Tset Cstmr Hldgs', 'review', 2]);
    expect(new Set(q.items.map((i) => i.name))).toEqual(
      new Set([
        'Tset Cstmr Hldgs',
        'Zeta Widgets',
        'Beta Industry',
        '<img src=y onerror=alert(2)>',
        '<script>alert(1)</script>',
        'Test Customers Group',
        'XYZ Suppl Trading',
      ]),
    );
    const tst = q.items[0]!;
    expect(tst.sampleDocuments).toEqual(['SO-F-003', 'SO-F-004']);
    expect(tst.candidates[0]).toMatchObject({ name: 'Test Customer', number: 'CUST-004', active: true });
    expect(tst.candidates[0]!.signals).toHaveProperty('tokenScore');
    expect(q.counts).toMatchObject({ names: 7, decided: 0, remaining: 7 });
    // filters
    expect((await reviewQueue(t.db, { ...opts, filter: { bands: ['unmatched'] } })).items.map((i) => i.name).sort()).toEqual([
      '<script>alert(1)</script>',
      'Zeta Widgets',
    ]);
    expect((await reviewQueue(t.db, { ...opts, filter: { minScore: 0.7 } })).items.map((i) => i.name).sort()).toEqual([
      '<img src=y onerror=alert(2)>',
      'Test Customers Group',
    ]);
    expect((await reviewQueue(t.db, { ...opts, filter: { maxScore: 0.61 } })).items.map((i) => i.name).sort()).toEqual([
      '<script>alert(1)</script>',
      'Tset Cstmr Hldgs',
      'Zeta Widgets',
    ]);
    expect((await reviewQueue(t.db, { ...opts, filter: { search: 'suppl' } })).items.map((i) => i.name)).toEqual(['XYZ Suppl Trading']);
    expect((await reviewQueue(t.db, { ...opts, filter: { search: '%' } })).items).toEqual([]);
    // runs of spaces read as one on both sides (a name typed with two spaces, a search with one, or the other way)
    expect((await reviewQueue(t.db, { ...opts, filter: { search: ' xyz   suppl ' } })).items.map((i) => i.name)).toEqual([
      'XYZ Suppl Trading',
    ]);
    expect((await reviewQueue(t.db, { ...opts, filter: { links: ['purchase_order'] } })).items.map((i) => i.name)).toEqual([
      'XYZ Suppl Trading',
    ]);
    await expect(reviewQueue(t.db, { ...opts, filter: { links: ['nope'] } })).rejects.toMatchObject({ code: 'UNKNOWN_ENTITY' });

    // decisions
    const cust4 = await customerId(t, 'CUST-004');
    const d1 = await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_order',
      scopeKey: [DEMO_TENANT],
      name: 'Tset Cstmr Hldgs',
      action: 'alias',
      targetKey: cust4,
      by: 'ana',
    });
    expect(d1.changed).toBe(true);
    expect(
      (
        await decide(t.db, {
          config: FUZZY_CONFIG,
          link: 'sales_order',
          scopeKey: [DEMO_TENANT],
          name: 'Tset Cstmr Hldgs',
          action: 'alias',
          targetKey: cust4,
          by: 'ana',
        })
      ).changed,
    ).toBe(false);
    await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_order',
      scopeKey: [DEMO_TENANT],
      name: 'Zeta Widgets',
      action: 'never',
      by: 'ana',
    });
    const beta = await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_order',
      scopeKey: [DEMO_TENANT],
      name: 'Beta Industry',
      action: 'never',
      by: 'ana',
    });
    // an inactive master, a master of another tenant, a broken key: refused, nothing written
    const cust5 = await customerId(t, 'CUST-005');
    const other = (await t.db.query<{ id: string }>(`SELECT id::text FROM customers WHERE tenant_id <> $1`, [DEMO_TENANT])).rows[0]!.id;
    for (const targetKey of [cust5, other, 'not-a-uuid']) {
      await expect(
        decide(t.db, {
          config: FUZZY_CONFIG,
          link: 'sales_order',
          scopeKey: [DEMO_TENANT],
          name: 'Beta Industry',
          action: 'alias',
          targetKey,
          by: 'x',
        }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(await liveDecisions(t)).toBe(3);
    const q2 = await reviewQueue(t.db, opts);
    expect(q2.counts).toMatchObject({ decided: 3, remaining: 4 });
    expect(q2.items.find((i) => i.name === 'Tset Cstmr Hldgs')!.decision).toMatchObject({
      action: 'alias',
      targetKey: cust4,
      decidedBy: 'ana',
    });

    // undo before apply
    await revokeDecision(t.db, { id: beta.decision.id });
    await expect(revokeDecision(t.db, { id: beta.decision.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const p = await plan(t.db, opts);
    const so = p.results.find((r) => r.entityType === 'sales_order')!;
    const rec = (doc: string) => so.unmatchedRecords.find((u) => u.documentNumber === doc);
    expect(rec('SO-F-003')).toBeUndefined(); // linked by the decision
    expect(rec('SO-F-005')).toMatchObject({ outcome: 'unmatched', reason: 'decision: never match' });
    expect(rec('SO-F-006')).toMatchObject({ outcome: 'review' });
    expect(so.linkedByMethod['decision']).toBe(2);
  });

  it('ordered by amount when the link config names an amount column; "create" decisions feed masters propose', async () => {
    const withAmount = { links: FUZZY_CONFIG.links.map((l) => ({ ...l, amount: 'total_amount' })) };
    const q = await reviewQueue(t.db, { tenantId: DEMO_TENANT, config: withAmount, filter: { links: ['sales_order'] } });
    expect(q.items.map((i) => [i.name, i.amount])).toEqual([
      ['Zeta Widgets', 500],
      ['Tset Cstmr Hldgs', 20],
      ['<img src=y onerror=alert(2)>', 10],
      ['<script>alert(1)</script>', 10],
      ['Beta Industry', 10],
    ]);
    await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_order',
      scopeKey: [DEMO_TENANT],
      name: 'Zeta Widgets',
      action: 'never',
      by: 'a',
    });
    await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_order',
      scopeKey: [DEMO_TENANT],
      name: 'Beta Industry',
      action: 'create',
      by: 'a',
    });
    const file = await proposeMasters(t.db, opts);
    expect(file.proposals.map((p) => p.name).sort()).toEqual(['<script>alert(1)</script>', 'Beta Industry']);
  });

  it('bulk accept above a score, in a filter; ambiguous never bulk-accepted', async () => {
    const r = await bulkAccept(t.db, { ...opts, minScore: 0.7, by: 'bob' });
    expect(r.accepted).toBe(2);
    const q = await reviewQueue(t.db, { ...opts, filter: { state: 'decided' } });
    expect(q.items.map((i) => i.name).sort()).toEqual(['<img src=y onerror=alert(2)>', 'Test Customers Group']);
    const again = await bulkAccept(t.db, { ...opts, minScore: 0.6, by: 'bob', filter: { links: ['purchase_order'] } });
    expect(again.accepted).toBe(1);
    expect((await reviewQueue(t.db, opts)).counts).toMatchObject({ decided: 3, remaining: 4 });
  });

  it('undo of a re-decision puts the replaced decision back; a bulk undo with inForceOnly keeps names decided again since', async () => {
    const ctx = await prepare(t.db, opts, { tenant: 'required' });
    const bulk = await bulkAcceptIn(ctx, { minScore: 0.7, by: 'bob' });
    expect(bulk.accepted).toBe(2);
    const ids = bulk.decisions.map((d) => d.decision.id);
    const name = 'Test Customers Group';
    // "never" replaces the bulk's link; undoing it gives that link back (the same decision row, in force again)
    const never = await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_invoice',
      scopeKey: [DEMO_TENANT],
      name,
      action: 'never',
      by: 'ana',
    });
    expect(never.replaced).toHaveLength(1);
    const u = await undoDecisionIn(ctx.db, never.decision.id, never.replaced, DEMO_TENANT);
    expect(u.revoked).toMatchObject({ name, action: 'never' });
    expect(u.restored).toMatchObject({ id: never.replaced[0], action: 'alias' });
    const inForce = await t.db.query<{ id: string; action: string }>(
      `SELECT id::text AS id, action FROM fk_backfill.decisions WHERE revoked_at IS NULL AND source_name = $1`,
      [name],
    );
    expect(inForce.rows).toEqual([{ id: never.replaced[0], action: 'alias' }]);
    // nothing comes back when another decision is in force for the name meanwhile, or the id is of another name
    const again = await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_invoice',
      scopeKey: [DEMO_TENANT],
      name,
      action: 'never',
      by: 'ana',
    });
    const other = ids.find((id) => id !== never.replaced[0])!;
    expect((await undoDecisionIn(ctx.db, again.decision.id, [other], DEMO_TENANT)).restored).toBeNull();
    expect(await liveDecisions(t)).toBe(1);
    // the bulk is now partly replaced: all-or-nothing refuses; inForceOnly revokes what is left of it
    await decide(t.db, { config: FUZZY_CONFIG, link: 'sales_invoice', scopeKey: [DEMO_TENANT], name, action: 'never', by: 'ana' });
    await expect(revokeManyIn(ctx.db, ids, DEMO_TENANT)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await revokeManyIn(ctx.db, ids, DEMO_TENANT, { inForceOnly: true })).toEqual({ revoked: 1, kept: 1 });
    expect(await liveDecisions(t)).toBe(1);
  });

  it("two reviewers: a bulk undone while another reviewer's decision replaced part of it; that reviewer's undo then gives back nothing of the bulk", async () => {
    const ctx = await prepare(t.db, opts, { tenant: 'required' });
    const bulk = await bulkAcceptIn(ctx, { minScore: 0.7, by: 'bob' });
    const ids = bulk.decisions.map((d) => d.decision.id);
    const name = 'Test Customers Group';
    // ana says never to one of bob's names, replacing his alias
    const never = await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_invoice',
      scopeKey: [DEMO_TENANT],
      name,
      action: 'never',
      by: 'ana',
    });
    expect(never.replaced).toHaveLength(1);
    // bob undoes his bulk: ana's never is kept, and bob's alias for that name is withdrawn with the rest
    expect(await revokeManyIn(ctx.db, ids, DEMO_TENANT, { inForceOnly: true })).toEqual({ revoked: 1, kept: 1 });
    // ana undoes her never: bob's alias does not come back (he undid it); the name is open again
    const u = await undoDecisionIn(ctx.db, never.decision.id, never.replaced, DEMO_TENANT);
    expect(u.restored).toBeNull();
    expect(await liveDecisions(t)).toBe(0);
  });

  it('duplicate masters among the candidates come with the rows already linked to each (every link to that table, same tenant)', async () => {
    await t.db.query(`INSERT INTO customers (tenant_id, customer_number, customer_name) VALUES ($1, 'CUST-008', 'Beta Industries')`, [
      DEMO_TENANT,
    ]);
    const beta = await customerId(t, 'CUST-002');
    await t.db.query(
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name, customer_id) VALUES ($1, 'SO-L-1', 'Beta Industries', $2), ($1, 'SO-L-2', 'Beta Ind.', $2)`,
      [DEMO_TENANT, beta],
    );
    await t.db.query(
      `INSERT INTO sales_invoices (tenant_id, invoice_number, customer_name, customer_id) VALUES ($1, 'INV-L-1', 'Beta Industries', $2)`,
      [DEMO_TENANT, beta],
    );
    const q = await reviewQueue(t.db, { ...opts, fresh: true });
    const it = q.items.find((i) => i.candidates.filter((c) => c.name === 'Beta Industries').length === 2)!;
    const dups = it.candidates.filter((c) => c.name === 'Beta Industries');
    expect(dups.map((c) => [c.number, c.linkedRows]).sort()).toEqual([
      ['CUST-002', 3],
      ['CUST-008', 0],
    ]);
    // a candidate whose name no other candidate shares is not counted
    expect(q.items.flatMap((i) => i.candidates).filter((c) => c.name !== 'Beta Industries' && c.linkedRows !== undefined)).toEqual([]);
  });

  it('CSV export marks a candidate deactivated since the plan as inactive', async () => {
    const first = parse((await exportQueueCsv(t.db, opts)).csv, { columns: true }) as Record<string, string>[];
    const line = first.find((r) => r['candidate_1_key'] !== '')!;
    await t.db.query(`UPDATE customers SET is_active = false WHERE id::text = $1`, [line['candidate_1_key']]);
    const again = parse((await exportQueueCsv(t.db, opts)).csv, { columns: true }) as Record<string, string>[];
    const same = again.find((r) => r['name'] === line['name'] && r['scope'] === line['scope'])!;
    const at = [1, 2, 3].find((i) => same[`candidate_${i}_key`] === line['candidate_1_key'])!;
    expect([line['candidate_1_active'], same[`candidate_${at}_active`]]).toEqual(['yes', 'no (inactive)']);
  });

  it('CSV export → edit → import → plan uses the decisions; the same file twice writes nothing; bad lines named, nothing written', async () => {
    const { csv } = await exportQueueCsv(t.db, opts);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toContain('link,scope,name,rows');
    expect(lines).toHaveLength(8);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const byName = (n: string) => rows.find((r) => r['name'] === n)!;
    // each candidate says whether it can be chosen: an inactive master (CUST-005 here) is marked so on the line
    const cands = rows
      .flatMap((r) => [1, 2, 3].map((i) => [r[`candidate_${i}_key`], r[`candidate_${i}_active`]]))
      .filter(([k]) => k !== '');
    expect(cands.length).toBeGreaterThan(0);
    expect(cands.every(([, a]) => a === 'yes' || a === 'no (inactive)')).toBe(true);
    expect(cands.every(([, a]) => a === 'yes')).toBe(true);
    byName('Tset Cstmr Hldgs')['decision'] = 'accept';
    byName('Zeta Widgets')['decision'] = 'never';
    byName('XYZ Suppl Trading')['decision'] = 'alias';
    byName('XYZ Suppl Trading')['target_key'] = byName('XYZ Suppl Trading')['candidate_1_key']!;
    byName('<script>alert(1)</script>')['decision'] = 'create';
    const edited = stringify(rows, { header: true });

    const before = await liveDecisions(t);
    // malformed: bad decision word, unknown target, broken scope → nothing written, lines named
    const badRows = rows.map((r) => ({ ...r }));
    badRows.find((r) => r['name'] === 'Beta Industry')!['decision'] = 'maybe';
    badRows.find((r) => r['name'] === 'Test Customers Group')!['decision'] = 'alias';
    badRows.find((r) => r['name'] === 'Test Customers Group')!['target_key'] = '00000000-0000-4000-8000-000000000000';
    badRows.find((r) => r['name'] === '<img src=y onerror=alert(2)>')!['scope'] = 'tenant-a';
    badRows.find((r) => r['name'] === '<img src=y onerror=alert(2)>')!['decision'] = 'never';
    const bad = stringify(badRows, { header: true });
    const lineOf = (n: string) => badRows.findIndex((r) => r['name'] === n) + 2;
    type Err = { code: string; message: string; details: { errors: { line: number }[] } };
    const err = (await importDecisionsCsv(t.db, bad, { ...opts, by: 'x' }).then(
      () => null,
      (e: unknown) => e,
    )) as Err;
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect(err.details.errors.map((e) => e.line).sort((a, b) => a - b)).toEqual(
      [lineOf('Beta Industry'), lineOf('Test Customers Group'), lineOf('<img src=y onerror=alert(2)>')].sort((a, b) => a - b),
    );
    expect(err.message).toContain(`line ${lineOf('Beta Industry')}: decision "maybe"`);
    await expect(importDecisionsCsv(t.db, 'link,scope\n"unterminated', { ...opts, by: 'x' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(await liveDecisions(t)).toBe(before);

    const first = await importDecisionsCsv(t.db, edited, { ...opts, by: 'csv' });
    expect(first).toMatchObject({ decided: 4, written: 4, unchanged: 0, blank: 3 });
    const second = await importDecisionsCsv(t.db, edited, { ...opts, by: 'csv' });
    expect(second).toMatchObject({ decided: 4, written: 0, unchanged: 4 });
    expect(await liveDecisions(t)).toBe(4);
    const total = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.decisions`)).rows[0]!.n;
    expect(total).toBe(4);

    const p = await plan(t.db, opts);
    const so = p.results.find((r) => r.entityType === 'sales_order')!;
    const po = p.results.find((r) => r.entityType === 'purchase_order')!;
    expect(so.unmatchedRecords.find((u) => u.documentNumber === 'SO-F-003')).toBeUndefined();
    expect(so.unmatchedRecords.find((u) => u.documentNumber === 'SO-F-005')!.reason).toBe('decision: never match');
    expect(so.unmatchedRecords.find((u) => u.documentNumber === 'SO-F-008')!.reason).toBe('decision: create a master');
    expect(po.linkedByMethod['decision']).toBe(1);
  });

  it.runIf(target === 'postgres')('server on a pool: a page of the queue is answered while a re-plan runs, not after it', async () => {
    // a new user's trial: a re-plan of minutes held every reviewer's requests (73 s for a page of the queue)
    await addBigQueue(t.db, 3000);
    const s = await startReviewServer(t.db, { ...opts, by: 'srv' });
    try {
      const host = `127.0.0.1:${s.port}`;
      const page = await raw(s.port, 'GET', `/?token=${s.token}`, { Host: host });
      const csrf = /name="fkb-csrf" content="([^"]+)"/.exec(page.body)![1]!;
      const first = await raw(s.port, 'GET', '/api/queue', { Host: host, 'X-FKB-Token': s.token });
      const planRunId = (JSON.parse(first.body) as { planRunId: string }).planRunId;
      const post = { Host: host, 'X-FKB-Token': s.token, 'X-FKB-CSRF': csrf, 'Content-Type': 'application/json', Origin: s.origin };
      const order: string[] = [];
      // the re-plan held at its first write (its run's row) for as long as this test says: the page must be answered
      // meanwhile, whatever the machine's load (timed against a free-running plan, this failed on a busy machine)
      const locker = new pg.Client({ connectionString: t.url });
      await locker.connect();
      try {
        await locker.query(`BEGIN`);
        await locker.query(`LOCK TABLE fk_backfill.runs IN EXCLUSIVE MODE`);
        const replan = raw(s.port, 'POST', '/api/plan', post, '{}').then((r) => (order.push('plan'), r));
        await expect
          .poll(
            async () =>
              (
                await locker.query<{ n: number }>(
                  `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'fk_backfill.runs'::regclass`,
                )
              ).rows[0]!.n,
          )
          .toBe(1);
        const q = await raw(s.port, 'GET', `/api/queue?plan=${planRunId}`, { Host: host, 'X-FKB-Token': s.token }).then(
          (r) => (order.push('queue'), r),
        );
        await locker.query(`COMMIT`);
        const p = await replan;
        expect([p.status, q.status]).toEqual([200, 200]);
        expect(order).toEqual(['queue', 'plan']);
      } finally {
        await locker.end();
      }
    } finally {
      await s.close();
    }
  });

  it('server: token, Host, Origin and CSRF checks; strict headers; names never in the HTML', async () => {
    const s = await startReviewServer(t.db, { ...opts, by: 'srv' });
    try {
      const host = `127.0.0.1:${s.port}`;
      const tok = `token=${s.token}`;
      expect((await raw(s.port, 'GET', '/', { Host: host })).status).toBe(401);
      expect((await raw(s.port, 'GET', '/?token=wrong', { Host: host })).status).toBe(401);
      expect((await raw(s.port, 'GET', '/api/queue', { Host: host })).status).toBe(401);
      expect((await raw(s.port, 'GET', `/?${tok}`, { Host: `evil.example:${s.port}` })).status).toBe(403);
      expect((await raw(s.port, 'GET', `/?${tok}`, { Host: `127.0.0.1:1` })).status).toBe(403);
      const page = await raw(s.port, 'GET', `/?${tok}`, { Host: `localhost:${s.port}` });
      expect(page.status).toBe(200);
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'nonce-[^']+'/);
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.body).not.toContain('Tset Cstmr Hldgs');
      const csrf = /name="fkb-csrf" content="([^"]+)"/.exec(page.body)![1]!;
      const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
      expect(page.body).toContain(`<script nonce="${nonce}">`);

      const q = await raw(s.port, 'GET', '/api/queue', { Host: host, 'X-FKB-Token': s.token });
      expect(q.status).toBe(200);
      expect(q.headers['content-type']).toContain('application/json');
      const item = (
        JSON.parse(q.body) as { items: { name: string; link: string; scopeKey: string[]; candidates: { name: string }[] }[] }
      ).items.find((i) => i.name === 'Zeta Widgets')!;
      expect(
        JSON.parse(q.body).items.some((i: { candidates: { name: string }[] }) => i.candidates.some((c) => c.name === XSS_MASTER)),
      ).toBe(true);

      const body = JSON.stringify({ link: item.link, scopeKey: item.scopeKey, name: item.name, action: 'never' });
      const good = { Host: host, 'X-FKB-Token': s.token, 'X-FKB-CSRF': csrf, 'Content-Type': 'application/json', Origin: s.origin };
      expect((await raw(s.port, 'POST', '/api/decide', { ...good, Origin: 'http://evil.example' }, body)).status).toBe(403);
      expect((await raw(s.port, 'POST', '/api/decide', { ...good, Origin: `http://localhost:${s.port}` }, body)).status).toBe(403); // Origin ≠ Host
      const { Origin: _o, ...noOrigin } = good;
      expect((await raw(s.port, 'POST', '/api/decide', noOrigin, body)).status).toBe(403);
      expect((await raw(s.port, 'POST', '/api/decide', { ...noOrigin, Referer: 'http://evil.example/' }, body)).status).toBe(403);
      const { 'X-FKB-CSRF': _c, ...noCsrf } = good;
      expect((await raw(s.port, 'POST', '/api/decide', noCsrf, body)).status).toBe(403);
      const { 'X-FKB-Token': _t, ...noToken } = good;
      expect((await raw(s.port, 'POST', '/api/decide', noToken, body)).status).toBe(401);
      expect((await raw(s.port, 'POST', '/api/decide', { ...good, 'Content-Type': 'text/plain' }, body)).status).toBe(415);
      expect((await raw(s.port, 'GET', `/api/decide?${tok}`, { Host: host })).status).toBe(404);
      expect(await liveDecisions(t)).toBe(0);
      const ok = await raw(s.port, 'POST', '/api/decide', good, body);
      expect(ok.status).toBe(200);
      // a decision of another tenant cannot be revoked from this tenant's page
      const foreign = await t.db.query<{ id: string }>(
        `INSERT INTO fk_backfill.decisions (link, scope_key, source_name, action, decided_by) VALUES ('sales_order', ARRAY['00000000-0000-4000-8000-00000000b002'], 'X', 'never', 'other') RETURNING id::text AS id`,
      );
      expect((await raw(s.port, 'POST', '/api/revoke', good, JSON.stringify({ id: foreign.rows[0]!.id }))).status).toBe(400);
      await t.db.query(`DELETE FROM fk_backfill.decisions WHERE id = $1::int8`, [foreign.rows[0]!.id]);
      const viaReferer = await raw(s.port, 'POST', '/api/decide', { ...noOrigin, Referer: `${s.origin}/?x=1` }, body);
      expect(viaReferer.status).toBe(200);
      expect(await liveDecisions(t)).toBe(1);
      const badAlias = await raw(
        s.port,
        'POST',
        '/api/decide',
        good,
        JSON.stringify({ link: item.link, scopeKey: item.scopeKey, name: item.name, action: 'alias', targetKey: 'x' }),
      );
      expect(badAlias.status).toBe(400);
      // a name this page's queue does not have: refused, nothing recorded (before: any posted name was decided)
      for (const path of ['/api/decide', '/api/create']) {
        const invented = await raw(
          s.port,
          'POST',
          path,
          good,
          JSON.stringify({ link: item.link, scopeKey: item.scopeKey, name: 'Invented Name GmbH', action: 'never' }),
        );
        expect(invented.status).toBe(400);
        expect(invented.body).toContain("not in this page's queue");
      }
      expect(await liveDecisions(t)).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('plan report in json, csv, text and standalone html (escaped names, histogram with thresholds)', async () => {
    const p = await plan(t.db, { tenantId: DEMO_TENANT, config: FUZZY_CONFIG });
    const json = await report(t.db, { runId: p.runId, format: 'json' });
    const so = json.report.links.find((l) => l.entityType === 'sales_order')!;
    expect(so).toMatchObject({
      strategy: 'fuzzy',
      autoLinkAt: 0.88,
      reviewAt: 0.6,
      totalRecords: 11,
      recordsWithNullFK: 10,
      recordsMatched: 4,
      recordsReview: 4,
      recordsUnmatched: 2,
      matchRate: '40.0%',
      recordsUpdated: null,
    });
    // every scored name is in one bin; names with a score in [0.6, 0.65) are review
    const binned = so.histogram.reduce((a, b) => a + Object.values(b.names).reduce((x, n) => x + n, 0), 0);
    const scored = (
      await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM fk_backfill.plan_entries WHERE run_id = $1 AND link = 'sales_order' AND score IS NOT NULL`,
        [p.runId],
      )
    ).rows[0]!.n;
    expect(binned).toBe(scored);
    expect(so.histogram[12]!.names['review']).toBe(2); // Tset Cstmr Hldgs 0.603, Beta Industry 0.614
    expect(JSON.parse(json.content).runId).toBe(p.runId);
    expect(json.report.entries.map((e) => e.name)).toContain('Tset Cstmr Hldgs');
    expect(json.report.entries[0]!.rows).toBe(2);

    const csv = await report(t.db, { runId: p.runId, format: 'csv' });
    const rows = parse(csv.content, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(json.report.entries.length);
    expect(rows.find((r) => r['name'] === 'XYZ Suppl Trading')).toMatchObject({
      link: 'purchase_order',
      outcome: 'review',
      candidate_1_name: 'XYZ Supplies',
    });

    const text = await report(t.db, { runId: p.runId, format: 'text' });
    expect(text.content).toMatch(/Entity Type\s+\| Total \| NULL FK \| Matched/);
    expect(text.content).toMatch(/sales_order\s+\|\s+11 \|\s+10 \|\s+4 \|/);

    const html = (await report(t.db, { runId: p.runId, format: 'html' })).content;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|\bsrc=["']?http|href=["']?http|@import|url\(/i);
    expect(html).not.toContain(XSS_MASTER);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect((html.match(/<svg /g) ?? []).length).toBe(4);
    expect(html).toContain('autoLinkAt 0.88');
    expect(html).toContain('reviewAt 0.6');
    expect(html).toMatch(/<div style="width:40\.0%">/);
  });

  it('apply report shows rows updated; other runs are refused', async () => {
    const a = await apply(t.db, { tenantId: DEMO_TENANT });
    const r = await report(t.db, { runId: a.runId, format: 'json' });
    expect(r.report.kind).toBe('apply');
    expect(r.report.planRunId).toBe(a.planRunId);
    expect(r.report.links.map((l) => [l.entityType, l.recordsUpdated, l.populationAfter])).toEqual([
      ['sales_order', 2, '27.3%'],
      ['sales_invoice', 2, '66.7%'],
      ['purchase_order', 2, '75.0%'],
      ['purchase_bill', 1, '100.0%'],
    ]);
    const u = await undo(t.db, { runId: a.runId });
    await expect(report(t.db, { runId: u.runId, format: 'json' })).rejects.toMatchObject({ code: 'RUN_STATE' });
    await expect(report(t.db, { runId: '999999', format: 'json' })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await expect(report(t.db, { runId: a.runId, format: 'pdf' as never })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('a queue of 2,000+ names: database totals and facets, complete paging in every sort, bulk preview = rows changed, one-step undo', async () => {
    await addBigQueue(t.db, 2000);
    const q = await reviewQueue(t.db, { ...opts, fresh: true, limit: 100 });
    const plan = q.planRunId;
    // independent truth: the plan's unsure entries (nothing changed since the plan, so its row counts are live)
    const truth = await t.db.query<{ outcome: string; names: number; rows: number }>(
      `SELECT outcome, count(*)::int AS names, sum(row_count)::int AS rows FROM fk_backfill.plan_entries
        WHERE run_id = $1::int8 AND outcome <> 'linked' AND source_name IS NOT NULL GROUP BY 1 ORDER BY 1`,
      [plan],
    );
    const names = truth.rows.reduce((a, r) => a + r.names, 0);
    expect(names).toBeGreaterThanOrEqual(2000);
    expect(q.total).toBe(names);
    expect(q.counts).toMatchObject({ names, decided: 0, remaining: names, rows: truth.rows.reduce((a, r) => a + r.rows, 0) });
    expect(q.facets.band).toEqual(truth.rows.map((r) => ({ value: r.outcome, names: r.names, rows: r.rows })));
    expect(q.items).toHaveLength(100);
    expect(q.truncated).toBe(true);

    // every name exactly once across pages, in order, for each sort
    for (const [sort, desc] of [
      ['name', false],
      ['rows', true],
      ['score', false],
    ] as const) {
      const seen: QueueItem[] = [];
      for (let offset = 0; offset < names; offset += 1100)
        seen.push(...(await reviewQueue(t.db, { ...opts, planRunId: plan, limit: 1100, offset, sort, desc })).items);
      expect(seen).toHaveLength(names);
      expect(new Set(seen.map((i) => JSON.stringify([i.link, i.name]))).size).toBe(names);
      expect(seen.map((i) => i.pos)).toEqual(seen.map((_, k) => k));
      for (let k = 1; k < seen.length; k++) {
        const a = seen[k - 1]!;
        const b = seen[k]!;
        if (sort === 'name') expect(a.name <= b.name).toBe(true);
        if (sort === 'rows') expect(a.rows >= b.rows).toBe(true);
        if (sort === 'score') expect((a.score ?? 2) <= (b.score ?? 2)).toBe(true);
      }
    }

    // search and facets combine; a facet's own counts ignore its own selection
    const review = await reviewQueue(t.db, {
      ...opts,
      planRunId: plan,
      limit: 5,
      filter: { bands: ['review'], search: 'test customer 1' },
    });
    const like = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND outcome = 'review' AND source_name ILIKE '%test customer 1%'`,
      [plan],
    );
    expect(review.total).toBe(like.rows[0]!.n);
    expect(review.facets.band.find((b) => b.value === 'unmatched')?.names ?? 0).toBe(0); // "test customer 1…" names are review
    expect(review.items.every((i) => i.outcome === 'review' && /test customer 1/i.test(i.name))).toBe(true);

    // bulk: the preview's count is exactly what is written, and it is undone in one step
    const ctx = await prepare(t.db, opts, { tenant: 'required' });
    const filter = { search: 'Test Customer' };
    const pre = await bulkPreviewIn(ctx, { filter, minScore: 0.75, planRunId: plan });
    expect(pre.count).toBeGreaterThan(100);
    expect(pre.sample).toHaveLength(10);
    const before = await liveDecisions(t);
    const done = await bulkAcceptIn(ctx, { filter, minScore: 0.75, by: 'bulk', digest: pre.digest, planRunId: plan });
    expect(done.accepted).toBe(pre.count);
    expect(await liveDecisions(t)).toBe(before + pre.count);
    // the same preview cannot run twice (the set changed: they are decided now)
    await expect(bulkAcceptIn(ctx, { filter, minScore: 0.75, by: 'bulk', digest: pre.digest, planRunId: plan })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    const decided = await reviewQueue(t.db, { ...opts, planRunId: plan, limit: 1, filter: { state: 'decided' } });
    expect(decided.total).toBe(pre.count);
    expect(decided.counts).toMatchObject({ decided: pre.count, remaining: names - pre.count });
    await revokeManyIn(
      ctx.db,
      done.decisions.map((d) => d.decision.id),
      DEMO_TENANT,
    );
    expect(await liveDecisions(t)).toBe(before);
    await expect(revokeManyIn(ctx.db, [done.decisions[0]!.decision.id], DEMO_TENANT)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 180_000);

  it('apply from the page: counts by who decided; "decisions only" links exactly the decided rows; the queue never reads that copy', async () => {
    const ctx = await prepare(t.db, opts, { tenant: 'required' });
    await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_order',
      scopeKey: [DEMO_TENANT],
      name: 'Tset Cstmr Hldgs',
      action: 'alias',
      targetKey: await customerId(t, 'CUST-004'),
      by: 'ana',
    });
    await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_order',
      scopeKey: [DEMO_TENANT],
      name: 'Zeta Widgets',
      action: 'never',
      by: 'ana',
    });
    const preview = await applyPreviewIn(ctx, { by: 'x' });
    expect(preview.decisions).toEqual({ names: 1, rows: 2 });
    expect(preview.machine.rows).toBeGreaterThan(0);
    const only = await decisionsOnlyPlanIn(ctx, preview.planRunId, 'x');
    const applied = await apply(t.db, { ...opts, planRunId: only });
    expect(applied.totalUpdated).toBe(2);
    const linked = await t.db.query<{ order_number: string }>(
      `SELECT order_number FROM sales_orders WHERE customer_id IS NOT NULL AND order_number LIKE 'SO-F-%' ORDER BY 1`,
    );
    expect(linked.rows.map((r) => r.order_number)).toEqual(['SO-F-003', 'SO-F-004']);
    expect((await reviewQueue(t.db, { ...opts, limit: 1 })).planRunId).toBe(preview.planRunId);
    // a created master from the page: numbered like the others, the name aliased to it
    const made = await createMasterForNameIn(ctx, { link: 'sales_order', scopeKey: [DEMO_TENANT], name: 'Beta Industry', by: 'ana' });
    expect(made.created[0]).toMatchObject({ name: 'Beta Industry', number: 'CUST-007' });
    const d = await t.db.query<{ action: string; target_key: string }>(
      `SELECT action, target_key FROM fk_backfill.decisions WHERE source_name = 'Beta Industry' AND revoked_at IS NULL`,
    );
    expect(d.rows).toEqual([{ action: 'alias', target_key: made.created[0]!.key }]);
    // search all masters (name, number or key; this tenant only) and a name's decision history
    const found = await searchMastersIn(ctx, { link: 'sales_order', scopeKey: [DEMO_TENANT], q: 'beta' });
    expect(found.map((m) => [m.name, m.number])).toEqual([
      ['Beta Industry', 'CUST-007'],
      ['Beta Industries', 'CUST-002'],
    ]);
    expect((await searchMastersIn(ctx, { link: 'sales_order', scopeKey: [DEMO_TENANT], q: 'CUST-005' }))[0]).toMatchObject({
      number: 'CUST-005',
      active: false,
    });
    expect(await searchMastersIn(ctx, { link: 'sales_order', scopeKey: [DEMO_TENANT], q: '%' })).toEqual([]);
    await expect(
      searchMastersIn(ctx, { link: 'sales_order', scopeKey: ['00000000-0000-4000-8000-00000000b002'], q: 'a' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await decide(t.db, {
      config: FUZZY_CONFIG,
      link: 'sales_order',
      scopeKey: [DEMO_TENANT],
      name: 'Zeta Widgets',
      action: 'create',
      by: 'bo',
    });
    const h = await decisionHistoryIn(ctx, { link: 'sales_order', scopeKey: [DEMO_TENANT], name: 'Zeta Widgets' });
    expect(h.map((x) => [x.action, x.decidedBy, x.revokedAt === null])).toEqual([
      ['never', 'ana', false],
      ['create', 'bo', true],
    ]);
  });
});
