/**
 * apply ANALYZEs a never-analysed or stale source only where the role may: it owns the table and every partition (or
 * is a member of the owner), or is a superuser. A DBA's trial with a least-privilege role: the server skipped
 * the tables it did not own with a WARNING in its log for every partition, on every run.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../src/index.js';
import type { Database } from '../../src/db/port.js';
import { mayAnalyzeStatement } from '../../src/sql/lookup.js';
import { describeEach, disposeWithRole, freshDb, type TestDb, urlAs } from '../helpers/db.js';

describeEach('who may ANALYZE', (target) => {
  let t: TestDb;
  let db: Database | undefined;
  let role: string | undefined;
  afterEach(async () => {
    await disposeWithRole(t, db, role);
    db = undefined;
    role = undefined;
  });

  it.runIf(target === 'postgres')(
    'a superuser may; a role that owns neither the table nor every partition may not; the owner of both may',
    async () => {
      t = await freshDb(target);
      role = `fkb_an_${randomBytes(4).toString('hex')}`;
      await t.db.exec(`
      CREATE TABLE docs (id int, d date) PARTITION BY RANGE (d);
      CREATE TABLE docs_2025 PARTITION OF docs FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      CREATE ROLE ${role} LOGIN;
      GRANT SELECT ON docs TO ${role};`);
      const oid = Number((await t.db.query<{ oid: string }>(`SELECT 'docs'::regclass::oid::text AS oid`)).rows[0]!.oid);
      const may = async (d: Database): Promise<boolean | null> => (await d.query(mayAnalyzeStatement(oid))).rows[0]!.may;
      expect(await may(t.db)).toBe(true);
      db = await openDatabase(urlAs(t.url, role));
      expect(await may(db)).toBe(false);
      await t.db.exec(`ALTER TABLE docs OWNER TO ${role}`);
      expect(await may(db)).toBe(false); // its partition is still the superuser's
      await t.db.exec(`ALTER TABLE docs_2025 OWNER TO ${role}`);
      expect(await may(db)).toBe(true);
    },
  );
});
