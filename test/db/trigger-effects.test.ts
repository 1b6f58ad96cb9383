/**
 * Triggers that write beyond the FK on apply's UPDATE — a BEFORE trigger bumping a `version` column, an AFTER trigger
 * writing an audit table — fire again on undo's UPDATE, and undo sets back only the FK and updated_at. A new user's
 * trial (trial15: 55,416 orders, both kinds) found version at 3 and two audit rows per order after an undo, and
 * neither plan nor undo had named the triggers. Now plan names each with what it writes, and so does undo.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan, undo } from '../../src/index.js';
import { undoText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();

describeEach('triggers that write beyond the FK', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int, "Row Version" int NOT NULL DEFAULT 1);
      CREATE TABLE order_audit (order_id int, old_fk int, new_fk int);
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Beta');
      INSERT INTO orders (id, tenant_id, customer_name) VALUES (1, 1, 'Acme'), (2, 1, 'Beta'), (3, 1, 'Gamma');`);
  });
  afterEach(async () => t.dispose());

  it('plan and undo name a version bump and an audit trigger with what each writes; what they wrote stays', async () => {
    await t.db.exec(`
      CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.customer_id = OLD.customer_id THEN RETURN NEW; END IF;
        NEW."Row Version" := OLD."Row Version" + 1;
        RETURN NEW;
      END $$;
      CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          INSERT INTO order_audit VALUES (NEW.id, OLD.customer_id, NEW.customer_id);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER "bump version" BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION bump();
      CREATE TRIGGER audit_fk AFTER UPDATE OF customer_id ON orders FOR EACH ROW EXECUTE FUNCTION audit();`);
    const p = await plan(t.db, { config, allTenants: true });
    const said = (p.notices ?? []).filter((n) => n.includes('not what they write'));
    expect(said).toEqual([
      'order: trigger(s) audit_fk (writes to a table), bump version (sets Row Version) of orders fire on every row apply links and again on every row undo sets back: undo restores the FK, not what they write',
    ]);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    const u = await undo(t.db, { runId: a.runId });
    expect([a.results[0]!.updated, u.totalReverted]).toEqual([2, 2]);
    expect(undoText(u)).toMatch(
      /Notice: order: trigger\(s\) audit_fk \(writes to a table\), bump version \(sets Row Version\) of orders fired on every row this undo set back/,
    );
    // what the notices say: the FKs are back, the version and the audit rows are not
    const rows = await t.db.query<{ fk: number | null; v: number }>(`SELECT customer_id AS fk, "Row Version" AS v FROM orders ORDER BY id`);
    expect(rows.rows.map((r) => [r.fk, r.v])).toEqual([
      [null, 3],
      [null, 3],
      [null, 1],
    ]);
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM order_audit`)).rows[0]!.n).toBe(4);
  });

  it('not a trigger that only reads, compares or refuses (NEW.x = OLD.x in a condition, a RAISE, TG_OP)', async () => {
    await t.db.exec(`
      CREATE FUNCTION quiet() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW."Row Version" = OLD."Row Version" AND NEW.customer_id = 99 THEN RAISE EXCEPTION 'no'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER quiet BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION quiet();
      CREATE TRIGGER quiet_after AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION quiet();`);
    const p = await plan(t.db, { config, allTenants: true });
    expect((p.notices ?? []).filter((n) => n.includes('not what they write'))).toEqual([]);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    const u = await undo(t.db, { runId: a.runId });
    expect((u.notices ?? []).filter((n) => n.includes('what they wrote stays'))).toEqual([]);
  });
});
