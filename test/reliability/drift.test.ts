/**
 * The world changes between plan and apply: a planned master is deleted, deactivated or moved to
 * another tenant. Apply must neither fail the whole run on it nor link to it: those rows are skipped.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan } from '../../src/index.js';
import { createAxis, DEMO_TENANT, OTHER_TENANT } from '../../src/demo/axis.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

describeEach('reliability: drift between plan and apply', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await createAxis(t.db);
  });
  afterEach(async () => t.dispose());

  const cases: [string, string][] = [
    ['deleted', `DELETE FROM customers WHERE customer_name = 'ABC Corp' AND tenant_id = $1`],
    ['deactivated', `UPDATE customers SET is_active = false WHERE customer_name = 'ABC Corp' AND tenant_id = $1`],
    [
      'moved to another tenant',
      `UPDATE customers SET tenant_id = '${OTHER_TENANT}', customer_number = 'MOVED' WHERE customer_name = 'ABC Corp' AND tenant_id = $1`,
    ],
  ];
  for (const [what, sql] of cases) {
    it(`a planned master ${what} after the plan: its rows are skipped, the rest applied`, async () => {
      const p = await plan(t.db, { tenantId: DEMO_TENANT });
      await t.db.query(sql, [DEMO_TENANT]);
      const a = await apply(t.db, { tenantId: DEMO_TENANT, planRunId: p.runId });
      expect(a.totalUpdated).toBe(5);
      const bad = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sales_orders o LEFT JOIN customers c ON c.id = o.customer_id
          WHERE o.customer_id IS NOT NULL AND (c.id IS NULL OR NOT c.is_active OR c.tenant_id <> o.tenant_id)`,
      );
      expect(bad.rows[0]!.n).toBe(0);
      const abc = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sales_orders WHERE customer_name = 'ABC Corp' AND customer_id IS NULL`,
      );
      expect(abc.rows[0]!.n).toBe(1);
    });
  }
});
