/**
 * Acceptance: the review page in a real browser (playwright-core driving Debian's Chromium). Accepts a
 * candidate by keyboard, marks a never-match, bulk-accepts above a score, applies, checks the database.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createAxis } from '../../src/demo/axis.js';
import { startReviewServer, type ReviewServer } from '../../src/review/server.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { DEMO_TENANT, FUZZY_CONFIG, FUZZY_DEMO, XSS_MASTER } from './fixtures.js';

const CHROMIUM = process.env['FKB_CHROMIUM'] ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
const inCi = process.env['CI'] === 'true';

if (!haveBrowser && !inCi) {
  // Locally without a browser: say so and skip (CI installs chromium and must run this).
  console.warn(`review e2e skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);
}
const run = haveBrowser || inCi ? it : it.skip;
/** Generous: the page waits on the database, and CI machines are busy. */
const POLL = { timeout: 15_000, interval: 100 };

async function linkedNumber(t: TestDb, table: string, docCol: string, doc: string, master: string, fk: string, numCol: string): Promise<string | null> {
  const r = await t.db.query<{ n: string | null }>(`SELECT m.${numCol} AS n FROM ${table} d LEFT JOIN ${master} m ON m.id = d.${fk} WHERE d.${docCol} = $1`, [doc]);
  return r.rows[0]?.n ?? null;
}

async function selectCard(page: Page, name: string): Promise<void> {
  await page.locator(`section.item[data-name="${name.replace(/"/g, '\\"')}"]`).click({ position: { x: 5, y: 5 } });
}

describeEach('review page e2e', (target) => {
  let t: TestDb;
  let browser: Browser | null = null;
  let server: ReviewServer | null = null;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db, FUZZY_DEMO);
  });
  afterEach(async () => {
    await browser?.close();
    await server?.close();
    browser = null;
    server = null;
    await t.dispose();
  });

  run('accept by keyboard, never, bulk accept, apply; names render as text', async () => {
    if (!haveBrowser) throw new Error(`CI=true but no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium)`);
    server = await startReviewServer(t.db, { tenantId: DEMO_TENANT, config: FUZZY_CONFIG, by: 'e2e' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') cspErrors.push(m.text());
    });
    await page.goto(server.url);
    const counts = page.locator('#counts');
    await expect.poll(() => counts.textContent(), POLL).toContain('decided 0 / remaining 7 names');

    // names are text, never markup
    await expect.poll(() => page.locator('.cname', { hasText: XSS_MASTER }).count(), POLL).toBeGreaterThan(0);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(await page.locator('.name', { hasText: '<script>alert(1)</script>' }).count()).toBe(1);

    // first card (most rows): Tst Customer → accept the top candidate with the keyboard
    const first = page.locator('section.item').first();
    expect(await first.getAttribute('data-name')).toBe('Tst Customer');
    await page.keyboard.press('a');
    await expect.poll(() => counts.textContent(), POLL).toContain('decided 1 / remaining 6');

    // Zeta Widgets → never
    await selectCard(page, 'Zeta Widgets');
    await page.keyboard.press('n');
    await expect.poll(() => counts.textContent(), POLL).toContain('decided 2 / remaining 5');

    // undo and redo with the keyboard
    await page.keyboard.press('u');
    await expect.poll(() => counts.textContent(), POLL).toContain('decided 1 / remaining 6');
    await selectCard(page, 'Zeta Widgets');
    await page.keyboard.press('n');
    await expect.poll(() => counts.textContent(), POLL).toContain('decided 2 / remaining 5');

    // bulk: accept all above 0.61 in this filter (all links): Beta Industry, XYZ Suppl, Test Customers Group, <img …>
    await page.fill('#bulk-min', '0.61');
    await page.click('#bulk');
    await expect.poll(() => counts.textContent(), POLL).toContain('decided 6 / remaining 1');

    await page.locator('section.item[data-name="Beta Industry"] details').first().click();
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/review.png', fullPage: true });
    await page.click('#apply');
    await page.click('#apply-go');
    await expect.poll(() => page.locator('#applied').textContent(), { timeout: 30_000 }).toMatch(/applied run \d+: \d+ row\(s\) linked/);
    // left: the never-match (decided, stays NULL) and the unmatched <script> name
    await expect.poll(() => counts.textContent(), POLL).toContain('decided 1 / remaining 1 names (1 / 1 rows)');

    expect(await linkedNumber(t, 'sales_orders', 'order_number', 'SO-F-003', 'customers', 'customer_id', 'customer_number')).toBe('CUST-004');
    expect(await linkedNumber(t, 'sales_orders', 'order_number', 'SO-F-004', 'customers', 'customer_id', 'customer_number')).toBe('CUST-004');
    expect(await linkedNumber(t, 'sales_orders', 'order_number', 'SO-F-005', 'customers', 'customer_id', 'customer_number')).toBeNull();
    expect(await linkedNumber(t, 'sales_orders', 'order_number', 'SO-F-006', 'customers', 'customer_id', 'customer_number')).toBe('CUST-002');
    expect(await linkedNumber(t, 'sales_orders', 'order_number', 'SO-F-007', 'customers', 'customer_id', 'customer_number')).toBe('CUST-006');
    expect(await linkedNumber(t, 'sales_orders', 'order_number', 'SO-F-008', 'customers', 'customer_id', 'customer_number')).toBeNull();
    expect(await linkedNumber(t, 'sales_invoices', 'invoice_number', 'INV-F-001', 'customers', 'customer_id', 'customer_number')).toBe('CUST-004');
    expect(await linkedNumber(t, 'purchase_orders', 'po_number', 'PO-F-001', 'vendors', 'vendor_id', 'vendor_number')).toBe('VEND-003');
    expect(await linkedNumber(t, 'sales_orders', 'order_number', 'SO-F-001', 'customers', 'customer_id', 'customer_number')).toBe('CUST-003');
    const never = await t.db.query<{ action: string; decided_by: string }>(`SELECT action, decided_by FROM fk_backfill.decisions WHERE source_name = 'Zeta Widgets' AND revoked_at IS NULL`);
    expect(never.rows).toEqual([{ action: 'never', decided_by: 'e2e' }]);
    const nulls = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales_orders WHERE customer_id IS NULL`);
    expect(nulls.rows[0]!.n).toBe(2);
    expect(dialogs).toEqual([]);
    expect(cspErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  }, 120_000);
});
