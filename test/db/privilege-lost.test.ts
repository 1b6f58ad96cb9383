/**
 * A privilege revoked in the middle of a batched apply (a DBA's REVOKE, a role changed under the run): batches were
 * committed before it. A new user's trial: "permission denied" with exit 2, which says nothing was written, while
 * 132,220 rows were linked, and no word of the resume. Now exit 1, what was written and the resume named.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { apply, BackfillError, openDatabase, resumeApply, type ConfigInput } from '../../src/index.js';
import type { Database } from '../../src/db/port.js';
import { describeEach, disposeWithRole, freshDb, type TestDb, urlAs } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'bill',
      table: 'bills',
      key: 'id',
      fk: 'vendor_id',
      name: 'vendor',
      scope: ['org'],
      target: { table: 'vendors', key: 'id', name: 'name' },
    },
  ],
};

describeEach('a privilege lost mid-run', (target) => {
  let t: TestDb;
  let db: Database | undefined;
  let role: string | undefined;
  afterEach(async () => {
    await disposeWithRole(t, db, role);
    db = undefined;
    role = undefined;
  });

  it.runIf(target === 'postgres')(
    'UPDATE revoked after some batches: exit 1, the writes and the resume named; resumed after GRANT: done',
    async () => {
      t = await freshDb(target, { migrated: false });
      role = `fkb_rev_${randomBytes(4).toString('hex')}`;
      await t.db.exec(`
      CREATE TABLE vendors (id int PRIMARY KEY, org text NOT NULL, name text NOT NULL);
      INSERT INTO vendors SELECT g, 'o1', 'Vendor ' || g FROM generate_series(1, 10) g;
      CREATE TABLE bills (id int PRIMARY KEY, org text NOT NULL, vendor text, vendor_id int);
      INSERT INTO bills SELECT g, 'o1', 'Vendor ' || (g % 10 + 1), NULL FROM generate_series(1, 600) g;
      CREATE ROLE ${role} LOGIN;
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT ON vendors TO ${role};
      GRANT SELECT, UPDATE ON bills TO ${role};
      CREATE SCHEMA fk_backfill AUTHORIZATION ${role};`);
      db = await openDatabase(urlAs(t.url, role));
      let batches = 0;
      const err = await apply(db, {
        config,
        allTenants: true,
        batchSize: 50,
        walk: 'key',
        onProgress: (e) => {
          if (e.event === 'batch' && ++batches === 2) return t.db.query(`REVOKE UPDATE ON bills FROM ${role}`).then(() => undefined);
        },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackfillError);
      const be = err as BackfillError;
      expect(be.code).toBe('PERMISSION_DENIED');
      expect(be.exitCode).toBe(1);
      expect(be.message).toMatch(
        /had written batches before it \(bill\): they stay, logged \(undo --run \d+ sets them back\)\. Fix it, then continue with fk-backfill apply --resume \d+ --yes$/,
      );
      const linked = (await t.db.query<{ n: number }>(`SELECT count(vendor_id)::int AS n FROM bills`)).rows[0]!.n;
      expect(linked).toBeGreaterThan(0);
      await t.db.query(`GRANT UPDATE ON bills TO ${role}`);
      const runId = (be.details as { runId: string }).runId;
      const done = await resumeApply(db, { runId });
      expect(done.status).toBe('done');
      expect((await t.db.query<{ n: number }>(`SELECT count(vendor_id)::int AS n FROM bills`)).rows[0]!.n).toBe(600);
      await t.db.exec(`DROP OWNED BY ${role} CASCADE`).catch(() => undefined);
    },
  );
});
