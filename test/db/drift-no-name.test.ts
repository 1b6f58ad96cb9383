/**
 * Linked rows without a name: the application set the FK and left the free-text name NULL or blank (common: a form
 * that picks the customer from a list). A new user's trial: `drift` failed with INTERNAL on a normalised link (the
 * matcher was handed the NULL name), printed INTERNAL on an exact link's text (the table was handed it), and its
 * `--json` called every such row "renamed" (exit 3 for ever). A row with no name has nothing to compare: it is never
 * renamed; its master gone, inactive or duplicated is still drift, listed as "(no name)".
 */
import { afterEach, expect, it } from 'vitest';
import { apply, drift } from '../../src/index.js';
import { driftText } from '../../src/cli/commands/drift.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

describeEach('drift of linked rows without a name', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  for (const match of ['exact', 'normalized', 'fuzzy'] as const) {
    it(`${match}: a NULL or blank name on a linked row is no rename; its inactive master is still drift, shown as (no name)`, async () => {
      t = await freshDb(target);
      await t.db.exec(`
        CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
        CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
        INSERT INTO customers VALUES (1, 1, 'Acme GmbH', true), (2, 1, 'Beta AG', true);
        INSERT INTO orders VALUES (1, 1, 'Acme GmbH', NULL), (2, 1, NULL, 1), (3, 1, '  ', 1), (4, 1, NULL, 2);`);
      const config = ordersConfig({ match }, { active: 'is_active' });
      expect((await apply(t.db, { config, tenantId: '1' })).totalUpdated).toBe(1);
      const clean = await drift(t.db, { config, tenantId: '1' });
      expect([clean.found, clean.links[0]!.renamed.rows]).toEqual([false, 0]);
      expect(driftText(clean)).toContain('No drift');
      await t.db.exec(`UPDATE customers SET is_active = false WHERE id = 2`);
      const r = await drift(t.db, { config, tenantId: '1' });
      const l = r.links[0]!;
      expect([r.found, l.renamed.rows, l.inactive.rows]).toEqual([true, 0, 1]);
      expect(l.inactive.samples).toEqual([{ scopeKey: ['1'], sourceName: null, targetKey: '2', masterName: 'Beta AG', rows: 1 }]);
      expect(driftText(r)).toMatch(/^1 +\| \(no name\) +\| 2 +\| Beta AG +\| +1$/mu);
    });
  }
});
