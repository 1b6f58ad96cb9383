/**
 * A BEFORE UPDATE trigger that keeps updated_at (moddatetime, a set_updated_at function) overrides what undo writes
 * back: the FKs are set back exactly, updated_at holds the undo's time. fk-backfill cannot switch a user's trigger off
 * (that needs the table's owner and an exclusive lock), so plan, apply and undo say so instead of promising a
 * byte-for-byte undo silently (a new user's trial: undo printed "set back" and updated_at had changed on every row).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, plan, undo } from '../../src/index.js';
import { undoText } from '../../src/cli/format.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig();

describeEach('a trigger that sets updated_at', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int, updated_at timestamptz NOT NULL DEFAULT '2020-01-01');
      INSERT INTO customers VALUES (1, 1, 'Acme'), (2, 1, 'Beta');
      INSERT INTO orders (id, tenant_id, customer_name) VALUES (1, 1, 'Acme'), (2, 1, 'Beta'), (3, 1, 'Gamma');`);
  });
  afterEach(async () => t.dispose());

  const notice = /orders has BEFORE UPDATE trigger\(s\) set_updated_at: one that sets updated_at on every update overrides/;

  it('plan, apply and undo say so; undo still sets every FK back', async () => {
    await t.db.exec(`
      CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;
      CREATE TRIGGER set_updated_at BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION set_updated_at();`);
    const p = await plan(t.db, { config, allTenants: true });
    expect(p.notices?.join('\n')).toMatch(notice);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    expect(a.results[0]!.updated).toBe(2);
    expect(a.notices?.join('\n')).toMatch(notice);
    const u = await undo(t.db, { runId: a.runId });
    expect(u.totalReverted).toBe(2);
    expect(u.notices?.join('\n')).toMatch(notice);
    expect(undoText(u)).toMatch(/Notice: .*set_updated_at/);
    const rows = await t.db.query<{ fk: number | null; kept: boolean }>(
      `SELECT customer_id AS fk, updated_at = '2020-01-01' AS kept FROM orders ORDER BY id`,
    );
    expect(rows.rows.map((r) => r.fk)).toEqual([null, null, null]);
    // what the notice warns of: the trigger's time, not the old value, on the rows undo wrote
    expect(rows.rows.map((r) => r.kept)).toEqual([false, false, true]);
  });

  it('with no BEFORE UPDATE trigger that fires on the FK or updated_at (an AFTER one; one of the name column, like the guard): no notice, updated_at restored', async () => {
    await t.db.exec(`
      CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER after_only AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION noop();
      CREATE TRIGGER name_only BEFORE UPDATE OF customer_name ON orders FOR EACH ROW EXECUTE FUNCTION noop();`);
    const p = await plan(t.db, { config, allTenants: true });
    expect(p.notices).toBeUndefined();
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    const u = await undo(t.db, { runId: a.runId });
    expect(u.notices).toBeUndefined();
    const rows = await t.db.query<{ kept: boolean }>(`SELECT updated_at = '2020-01-01' AS kept FROM orders ORDER BY id`);
    expect(rows.rows.map((r) => r.kept)).toEqual([true, true, true]);
  });

  it('a BEFORE UPDATE trigger that does not name updated_at (it refuses posted orders): no notice, updated_at restored (a trial: every BEFORE trigger was warned of)', async () => {
    await t.db.exec(`
      ALTER TABLE orders ADD COLUMN posted boolean NOT NULL DEFAULT false;
      CREATE FUNCTION refuse_posted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.posted THEN RAISE EXCEPTION 'posted'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_posted BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION refuse_posted();`);
    const p = await plan(t.db, { config, allTenants: true });
    // nothing about updated_at; only that the trigger can refuse rows (no order is posted here)
    expect((p.notices ?? []).map((n) => n.replace(/ fire on apply.*/, ''))).toEqual(['order: trigger(s) refuse_posted of orders']);
    const a = await apply(t.db, { config, allTenants: true, planRunId: p.runId });
    const u = await undo(t.db, { runId: a.runId });
    expect([u.totalReverted, u.notices]).toEqual([2, undefined]);
    const rows = await t.db.query<{ kept: boolean }>(`SELECT updated_at = '2020-01-01' AS kept FROM orders ORDER BY id`);
    expect(rows.rows.map((r) => r.kept)).toEqual([true, true, true]);
  });
});
