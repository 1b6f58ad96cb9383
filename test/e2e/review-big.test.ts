/**
 * The review page as a data steward meets it: an unseen, generated queue of more than 10,000 names
 * (four tenants, names in several styles, duplicate masters, names like no master) on PostgreSQL, in
 * Chromium, desktop and 390 px. Checks each acceptance item of the review page against the database
 * and prints the measured numbers. Heavy (~1 min): runs with `npm run test:review-big`
 * (FKB_REVIEW_BIG=1); the default suite covers the same behaviour on small queues.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { prepare } from '../../src/context/context.js';
import { planIn } from '../../src/planning/plan.js';
import { startReviewServer, type ReviewServer } from '../../src/review/server.js';
import { freshDb, type TestDb } from '../helpers/db.js';
import { lowContrast } from './contrast.js';
import { loadSteward, STEWARD_CONFIG, STEWARD_TENANTS, stewardData } from './steward-queue.js';

const CHROMIUM = process.env['FKB_CHROMIUM'] ?? '/usr/bin/chromium';
const big = process.env['FKB_REVIEW_BIG'] === '1';
const NAMES = Number(process.env['FKB_REVIEW_NAMES'] ?? 16_000);
const POLL = { timeout: 30_000, interval: 100 };

(big ? describe : describe.skip)('review page, a steward on 10,000+ unseen names [postgres]', () => {
  let t: TestDb;
  let server: ReviewServer;
  let browser: Browser;
  let plan: string;
  const tenant = STEWARD_TENANTS[1]!;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM} (apt-get install -y chromium)`);
    t = await freshDb('postgres');
    const data = stewardData(NAMES);
    await loadSteward(t.db, data);
    const ctx = await prepare(t.db, { config: STEWARD_CONFIG, allTenants: true }, { tenant: 'required' });
    const t0 = performance.now();
    plan = (await planIn(ctx, { executedBy: 'steward', maxUnmatchedRecords: 0 })).runId;
    console.log(`steward queue: ${data.names} names generated, planned in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    server = await startReviewServer(t.db, { allTenants: true, config: STEWARD_CONFIG, by: 'steward' });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.dispose();
  });

  async function open(query: string, width = 1280, height = 1000): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${server.url}${query}`);
    await expect.poll(() => page.locator('section.item').count(), POLL).toBeGreaterThan(0);
    return { page, errors };
  }
  const live = async (): Promise<number> =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fk_backfill.decisions WHERE revoked_at IS NULL`)).rows[0]!.n;
  const focusedName = (page: Page): Promise<string | null> =>
    page.evaluate<string | null>("document.activeElement?.closest('section.item')?.getAttribute('data-name') ?? null");

  it('totals and facets = SQL counts; paging to the last page', async () => {
    const { page, errors } = await open('');
    const truth = (
      await t.db.query<{ n: number; rows: number }>(
        `SELECT count(*)::int AS n, sum(row_count)::int AS rows FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND outcome <> 'linked' AND source_name IS NOT NULL`,
        [plan],
      )
    ).rows[0]!;
    expect(truth.n).toBeGreaterThanOrEqual(10_000);
    expect(await page.locator('#counts').textContent()).toBe(`decided 0 / remaining ${truth.n} names (0 / ${truth.rows} rows)`);
    const byTenant = await t.db.query<{ t: string; n: number }>(
      `SELECT scope_key[1] AS t, count(*)::int AS n FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND outcome <> 'linked' GROUP BY 1 ORDER BY 1`,
      [plan],
    );
    expect(await page.locator('#f-tenant option').allTextContents()).toEqual(['all', ...byTenant.rows.map((r) => `${r.t} · ${r.n}`)]);
    const last = Math.floor((truth.n - 1) / 100) * 100;
    await page.goto(`${server.url}&offset=${last}`);
    await expect
      .poll(() => page.locator('#page-info').textContent(), POLL)
      .toMatch(new RegExp(`^names ${last + 1}–${truth.n} of ${truth.n} `));
    expect(await page.locator('section.item').count()).toBe(truth.n - last);
    expect(await page.locator('#next').isDisabled()).toBe(true);
    await page.click('#prev');
    await expect.poll(() => page.locator('#page-info').textContent(), POLL).toMatch(new RegExp(`^names ${last - 99}–${last} of `));
    console.log(
      `steward queue: ${truth.n} names / ${truth.rows} rows in the header = SQL; tenants ${byTenant.rows.map((r) => r.n).join(' + ')}; last page ${last + 1}–${truth.n}`,
    );
    expect(errors).toEqual([]);
  }, 120_000);

  it('keyboard on the focused card only; a decision at a steward pace < 150 ms; focus on the next open name', async () => {
    const { page, errors } = await open(`&tenant=${tenant}&state=open`);
    // n on a button of the 4th card decides the 4th card; Enter on a "why" toggle decides nothing
    const fourth = (await page.locator('section.item').nth(3).getAttribute('data-name'))!;
    await page.locator('section.item').nth(3).locator('button[data-act="s"]').focus();
    await page.keyboard.press('n');
    await expect.poll(() => live(), POLL).toBe(1);
    const d = await t.db.query<{ source_name: string; action: string }>(
      `SELECT source_name, action FROM fk_backfill.decisions WHERE revoked_at IS NULL`,
    );
    expect(d.rows).toEqual([{ source_name: fourth, action: 'never' }]);
    expect(await focusedName(page)).toBe(await page.locator('section.item').nth(4).getAttribute('data-name'));
    const why = page.locator('section.item').nth(6).locator('.cand summary').first();
    if ((await why.count()) > 0) {
      await why.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('section.item').nth(6).locator('.cand details').first().getAttribute('open'), POLL).toBe('');
      expect(await live()).toBe(1);
    }
    // a steward's pace: one decision every 1.25 s, 15 times, on the focused card
    await page.locator('section.item').nth(10).focus();
    const ms: number[] = [];
    for (let k = 0; k < 15; k++) {
      ms.push(
        await page.evaluate<number>(`new Promise(function (resolve) {
          var a = document.activeElement, name = a.closest('section.item').getAttribute('data-name'), t0 = performance.now();
          a.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', bubbles: true }));
          (function tick() {
            var c = document.querySelector('section.item[data-name="' + CSS.escape(name) + '"]');
            if (c && c.classList.contains('decided')) resolve(performance.now() - t0); else requestAnimationFrame(tick);
          })();
        })`),
      );
      await new Promise((r) => setTimeout(r, 1250));
    }
    const s = [...ms].sort((a, b) => a - b);
    console.log(
      `steward queue: decision latency (keypress → card shows the recorded decision), one every 1.25 s: median ${s[7]!.toFixed(0)} ms, max ${s[14]!.toFixed(0)} ms over 15`,
    );
    expect(s[7]!).toBeLessThan(150);
    expect(await live()).toBe(16);
    expect(await page.locator('#counts').textContent()).toMatch(/^decided 16 \//);
    expect(errors).toEqual([]);
  }, 120_000);

  it('bulk accept: preview count = rows changed in the database; u undoes it in one step', async () => {
    const { page, errors } = await open(`&tenant=${tenant}&band=review`);
    const before = await live();
    await page.fill('#bulk-min', '0.8');
    await page.click('#bulk');
    await expect.poll(() => page.locator('#bulk-go').textContent(), POLL).toMatch(/^accept \d+$/);
    const n = Number((await page.locator('#bulk-go').textContent())!.replace('accept ', ''));
    await page.click('#bulk-go');
    await expect.poll(() => page.locator('#msg').textContent(), POLL).toContain(`bulk: accepted ${n}`);
    const changed = (await live()) - before;
    const outside = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM fk_backfill.decisions WHERE revoked_at IS NULL AND action = 'alias' AND scope_key[1] <> $1`,
      [tenant],
    );
    await expect.poll(() => focusedName(page), POLL).not.toBeNull();
    await page.keyboard.press('u');
    await expect.poll(() => page.locator('#msg').textContent(), POLL).toContain(`undone: bulk accept of ${n} names`);
    console.log(
      `steward queue: bulk preview ${n} names, ${changed} decisions written, other tenants touched ${outside.rows[0]!.n}; after u ${(await live()) - before}`,
    );
    expect(n).toBeGreaterThan(10);
    expect(changed).toBe(n);
    expect(outside.rows[0]!.n).toBe(0);
    expect(await live()).toBe(before);
    expect(errors).toEqual([]);
  }, 120_000);

  it('create master creates a numbered master; apply shows counts per outcome and applies only the decisions', async () => {
    const { page, errors } = await open(`&tenant=${STEWARD_TENANTS[2]}&band=unmatched&link=sales_order&state=open`);
    const name = (await page.locator('section.item').first().getAttribute('data-name'))!;
    const t0 = performance.now();
    await page.locator('section.item').first().locator('button[data-act="c"]').click();
    await expect.poll(() => page.locator('#msg').textContent(), { timeout: 60_000, interval: 200 }).toMatch(/^created master /);
    const made = await t.db.query<{ customer_number: string }>(
      `SELECT customer_number FROM customers WHERE customer_name = $1 AND tenant_id = $2`,
      [name, STEWARD_TENANTS[2]],
    );
    expect(made.rows).toHaveLength(1);
    expect(made.rows[0]!.customer_number).toMatch(/^K3-\d{4}$/);
    expect(await page.locator('#msg').textContent()).toContain(made.rows[0]!.customer_number);
    console.log(
      `steward queue: create master "${name}" → ${made.rows[0]!.customer_number} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const nulls = async (): Promise<number> =>
      (
        await t.db.query<{ n: number }>(
          `SELECT ((SELECT count(*) FROM sales_orders WHERE customer_id IS NULL) + (SELECT count(*) FROM sales_invoices WHERE customer_id IS NULL)
                 + (SELECT count(*) FROM purchase_orders WHERE vendor_id IS NULL) + (SELECT count(*) FROM purchase_bills WHERE vendor_id IS NULL))::int AS n`,
        )
      ).rows[0]!.n;
    const before = await nulls();
    await page.click('#apply');
    await expect
      .poll(() => page.locator('#apply-go').textContent(), { timeout: 60_000, interval: 200 })
      .toMatch(/^apply decisions only \(\d+ rows\)$/);
    const panel = (await page.locator('#apply-panel').textContent())!;
    const decided = Number(/people’s decisions: (\d+) row/.exec(panel)![1]);
    const machine = Number(/machine links \(not reviewed here\): (\d+) row/.exec(panel)![1]);
    const left = Number(/left NULL: (\d+) row/.exec(panel)![1]);
    await page.click('#apply-go');
    await expect
      .poll(() => page.locator('#applied').textContent(), { timeout: 120_000, interval: 200 })
      .toMatch(/applied run \d+ \(decisions only\): \d+ row\(s\) linked/);
    const linked = before - (await nulls());
    console.log(
      `steward queue: apply preview people ${decided} / machine ${machine} / left NULL ${left} rows; decisions-only apply linked ${linked} rows`,
    );
    expect(machine).toBeGreaterThan(1000);
    expect(decided).toBeGreaterThan(0);
    expect(linked).toBe(decided);
    expect(errors).toEqual([]);
  }, 180_000);

  it('390 px phone: nothing cut off, compact header, no keyboard hints; text contrast AA on desktop and phone', async () => {
    const { page } = await open(`&tenant=${tenant}&band=review`, 390, 844);
    await page.locator('section.item .cand summary').first().click();
    const layout = await page.evaluate<{ scrollW: number; header: number; cut: string[] }>(`(function () {
      var cut = [];
      document.querySelectorAll('body *').forEach(function (n) { var r = n.getBoundingClientRect(); if (r.width > 0 && r.height > 0 && (r.right > 390.5 || r.left < -0.5)) cut.push(n.tagName + '.' + n.className); });
      return { scrollW: document.documentElement.scrollWidth, header: document.querySelector('header').getBoundingClientRect().height, cut: cut.slice(0, 5) };
    })()`);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/review-big-390.png' });
    console.log(`steward queue: 390 px: page ${layout.scrollW} px wide, header ${layout.header.toFixed(0)} px of 844`);
    expect(layout.cut).toEqual([]);
    expect(layout.scrollW).toBeLessThanOrEqual(390);
    expect(layout.header).toBeLessThan(844 / 8);
    expect(await page.locator('.help').isVisible()).toBe(false);
    expect(await lowContrast(page)).toEqual([]);
    const desk = await open(`&tenant=${tenant}`);
    await desk.page.locator('section.item .cand summary').first().click();
    expect(await lowContrast(desk.page)).toEqual([]);
  }, 120_000);
});
