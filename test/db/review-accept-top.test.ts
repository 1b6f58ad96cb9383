/**
 * The review page's "accept top" (`a`) on the server: it names no key, the server takes the name's candidate 1 from
 * the page's plan, and refuses it for an ambiguous name as the CSV import and bulk accept do (a new user's trial: `a`
 * on "Twin Co", two active masters of that exact name, linked every row to the first). A chosen candidate (alias with
 * its key) still goes through.
 */
import { request } from 'node:http';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAxis } from '../../src/demo/axis.js';
import { startReviewServer, type ReviewServer } from '../../src/review/server.js';
import { DEMO_TENANT, FUZZY_CONFIG, FUZZY_DEMO } from '../e2e/fixtures.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

interface Item {
  name: string;
  link: string;
  scopeKey: (string | null)[];
  outcome: string;
  reason: string;
  candidates: { key: string; active: boolean }[];
}

function send(
  s: ReviewServer,
  csrf: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { Host: `127.0.0.1:${s.port}`, 'X-FKB-Token': s.token };
  if (csrf !== null) Object.assign(headers, { 'X-FKB-CSRF': csrf, 'Content-Type': 'application/json', Origin: s.origin });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

describeEach('review server: accept top', (target) => {
  let t: TestDb;
  let s: ReviewServer | null = null;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db, FUZZY_DEMO);
    await t.db.query(
      `INSERT INTO customers (tenant_id, customer_number, customer_name) VALUES ($1, 'CUST-T1', 'Twin Co'), ($1, 'CUST-T2', 'Twin Co')`,
      [DEMO_TENANT],
    );
    await t.db.query(
      `INSERT INTO sales_orders (tenant_id, order_number, customer_name, total_amount) VALUES ($1, 'SO-T-1', 'Twin Co', 5), ($1, 'SO-T-2', 'Twin Co', 5)`,
      [DEMO_TENANT],
    );
  });
  afterEach(async () => {
    await s?.close();
    s = null;
    await t.dispose();
  });

  async function queue(): Promise<{ csrf: string; items: Item[] }> {
    s ??= await startReviewServer(t.db, { tenantId: DEMO_TENANT, config: FUZZY_CONFIG, by: 'srv' });
    const page = await send(s, null, 'GET', '/');
    const csrf = /name="fkb-csrf" content="([^"]+)"/.exec(page.body)![1]!;
    const q = await send(s, null, 'GET', '/api/queue');
    expect(q.status).toBe(200);
    return { csrf, items: (JSON.parse(q.body) as { items: Item[] }).items };
  }
  const decisions = async (): Promise<{ source_name: string; target_key: string | null }[]> =>
    (
      await t.db.query<{ source_name: string; target_key: string | null }>(
        `SELECT source_name, target_key FROM fk_backfill.decisions WHERE revoked_at IS NULL ORDER BY id`,
      )
    ).rows;

  it('refuses accept top of an ambiguous name with the reason; a chosen candidate is recorded; accept top of a clear name takes candidate 1', async () => {
    const { csrf, items } = await queue();
    const twin = items.find((i) => i.name === 'Twin Co')!;
    expect(twin.outcome).toBe('ambiguous');
    expect(twin.candidates).toHaveLength(2);
    const at = (i: Item): { link: string; scopeKey: (string | null)[]; name: string } => ({
      link: i.link,
      scopeKey: i.scopeKey,
      name: i.name,
    });

    const refused = await send(s!, csrf, 'POST', '/api/decide', { ...at(twin), action: 'accept' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('ambiguous');
    expect(twin.reason).toContain('2 different masters');
    expect(refused.body).toContain(twin.reason); // the reason the card shows
    expect(await decisions()).toEqual([]);
    // accept names no key: one sent is refused, not taken as the top
    const keyed = await send(s!, csrf, 'POST', '/api/decide', { ...at(twin), action: 'accept', targetKey: twin.candidates[0]!.key });
    expect(keyed.status).toBe(400);
    expect(keyed.body).toContain('accept takes no target key');
    expect(await decisions()).toEqual([]);

    // the reviewer picks the one meant: recorded
    const chosen = await send(s!, csrf, 'POST', '/api/decide', { ...at(twin), action: 'alias', targetKey: twin.candidates[1]!.key });
    expect(chosen.status).toBe(200);
    expect(await decisions()).toEqual([{ source_name: 'Twin Co', target_key: twin.candidates[1]!.key }]);

    // a name that is not ambiguous: accept takes its candidate 1, found by the server
    const clear = items.find((i) => i.name === 'Tset Cstmr Hldgs')!;
    const ok = await send(s!, csrf, 'POST', '/api/decide', { ...at(clear), action: 'accept' });
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.body) as { decision: { action: string; targetKey: string } }).decision).toMatchObject({
      action: 'alias',
      targetKey: clear.candidates[0]!.key,
    });
  });

  it('accept top of a name whose candidate 1 went inactive is refused with the reason', async () => {
    const { csrf, items } = await queue();
    const beta = items.find((i) => i.name === 'Beta Industry')!;
    await t.db.query(`UPDATE customers SET is_active = false WHERE id::text = $1`, [beta.candidates[0]!.key]);
    const r = await send(s!, csrf, 'POST', '/api/decide', { link: beta.link, scopeKey: beta.scopeKey, name: beta.name, action: 'accept' });
    expect(r.status).toBe(400);
    expect(r.body).toContain('is not active');
    expect(await decisions()).toEqual([]);
  });
});
