/**
 * axe-core in the page under test (issue #19's accessibility check): its source is evaluated through
 * the DevTools protocol (the page's CSP allows no inline script, and needs not), then `axe.run` over the
 * whole document. Returns the serious and critical violations as "rule: target…" lines (empty: none).
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate<string[]>(`(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ') + (v.nodes.length > 3 ? ' …' : ''));
  })()`);
}
