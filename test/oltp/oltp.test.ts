/**
 * `npm run test:oltp` (issue #17's acceptance): `fk-backfill apply --all-tenants` of 400 k documents,
 * run as a user runs it (the built CLI, a child process) by a least-privilege role (SELECT on the
 * masters, SELECT + UPDATE on the documents, its own fk_backfill schema), while two OLTP writers insert
 * documents, rename documents, set FKs by hand, touch other columns, and delete, rename and soft-delete
 * masters. Not in `npm test` (minutes). PostgreSQL only: PGlite has one connection.
 *
 * What is checked, from the database, not from the tool's own report:
 * - apply exits 0; its counts agree with the change log and with an audit trigger on the documents;
 * - every writer's change is there (no lost update, no hand-set FK overwritten); writers saw no error
 *   but the refused deletes of masters already referenced (ON DELETE RESTRICT, the application's rule);
 * - no link across tenants; no link whose document name is not its master's name at link time;
 * - no link to a master renamed or soft-deleted before the batch statement that linked it began (the
 *   writer logs each change after its commit, so its time is an upper bound of the commit time); links
 *   made while a change committed during the statement itself are counted and printed (no lock is taken
 *   on the masters: the role may only read them);
 * - nothing lost: no planned row that still matches a live, unchanged master is left NULL; the skip
 *   reasons add up to `skipped`, and none is "not reached".
 *
 * FKB_OLTP_ROWS (default 400 000) sets the documents.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { freshDb, PG_ADMIN_URL, TARGETS, type TestDb, urlAs } from '../helpers/db.js';

const ROWS = Number(process.env['FKB_OLTP_ROWS'] ?? 400_000);
const ORGS = 40;
const NAMES = 500;
const WRITERS = 2;

const config = {
  links: [
    {
      entity: 'invoice',
      table: 'invoices',
      key: 'id',
      fk: 'account_no',
      name: 'account_name',
      scope: ['org'],
      target: { table: 'accounts', key: 'acct_no', name: 'name', active: { column: 'deleted_at', activeWhen: 'null' } },
    },
  ],
};

interface WriterLog {
  ops: Record<string, number>;
  errors: string[];
  refusedDeletes: number;
  names: Map<string, string>;
  fks: Map<string, number>;
  inserted: string[];
  deleted: number[];
}

async function seed(t: TestDb, role: string): Promise<void> {
  await t.db.exec(`
    CREATE TABLE accounts (acct_no int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, org text NOT NULL, name text NOT NULL, deleted_at timestamptz);
    CREATE TABLE invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, org text NOT NULL, account_name text, account_no int REFERENCES accounts,
                           amount numeric NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now());
    -- the same names in every org: a link across orgs would be easy to make
    INSERT INTO accounts (org, name) SELECT 'org-' || o, 'Account ' || i FROM generate_series(1, ${ORGS}) o, generate_series(1, ${NAMES}) i;
    -- what writers set FKs to: names no document carries
    INSERT INTO accounts (org, name) SELECT 'org-' || o, 'Target ' || i FROM generate_series(1, ${ORGS}) o, generate_series(1, 5) i;
    INSERT INTO invoices (org, account_name, amount)
      SELECT 'org-' || (1 + n % ${ORGS}), 'Account ' || (1 + (n::int8 * 7919) % ${NAMES}), n % 1000 FROM generate_series(1, ${ROWS}) n;
    ANALYZE accounts; ANALYZE invoices;
    CREATE TABLE link_audit (id bigint, org text, account_no int, doc_name text, stmt_at timestamptz, linked_at timestamptz, by_role text);
    CREATE FUNCTION audit_link() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    BEGIN
      IF OLD.account_no IS NULL AND NEW.account_no IS NOT NULL THEN
        INSERT INTO link_audit VALUES (NEW.id, NEW.org, NEW.account_no, NEW.account_name, statement_timestamp(), clock_timestamp(), session_user);
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER audit_link AFTER UPDATE OF account_no ON invoices FOR EACH ROW EXECUTE FUNCTION audit_link();
    CREATE TABLE master_log (acct_no int, what text, at timestamptz);
    CREATE ROLE ${role} LOGIN;
    GRANT USAGE ON SCHEMA public TO ${role};
    GRANT SELECT ON accounts TO ${role};
    GRANT SELECT, UPDATE ON invoices TO ${role};
    CREATE SCHEMA fk_backfill AUTHORIZATION ${role};`);
}

/** Two writers until `work` settles; each owns its documents and masters, so its log says what must be there. */
async function writersDuring<T>(t: TestDb, work: () => Promise<T>): Promise<{ result: T; logs: WriterLog[] }> {
  const docs = (
    await t.db.query<{ id: string; org: string }>(`SELECT id::text, org FROM invoices ORDER BY md5(id::text) LIMIT ${WRITERS * 4000}`)
  ).rows;
  const masters = (
    await t.db.query<{ acct_no: number }>(
      `SELECT acct_no FROM accounts WHERE name LIKE 'Account %' ORDER BY md5(acct_no::text) LIMIT ${WRITERS * 3000}`,
    )
  ).rows.map((r) => r.acct_no);
  const targets = (await t.db.query<{ acct_no: number; org: string }>(`SELECT acct_no, org FROM accounts WHERE name LIKE 'Target %'`)).rows;
  let running = true;
  const logs: WriterLog[] = [];
  const loops = Array.from({ length: WRITERS }, async (_, w) => {
    const log: WriterLog = { ops: {}, errors: [], refusedDeletes: 0, names: new Map(), fks: new Map(), inserted: [], deleted: [] };
    logs.push(log);
    const mine = docs.filter((_, i) => i % WRITERS === w);
    const myMasters = masters.filter((_, i) => i % WRITERS === w);
    const c = new pg.Client({ connectionString: t.url });
    await c.connect();
    const count = (op: string): void => {
      log.ops[op] = (log.ops[op] ?? 0) + 1;
    };
    try {
      for (let i = 0; running; i++) {
        const d = mine[(i * 13) % mine.length]!;
        try {
          switch (i % 7) {
            case 0: {
              const r = await c.query<{ id: string }>(`INSERT INTO invoices (org, account_name) VALUES ($1, $2) RETURNING id::text`, [
                d.org,
                `Account ${1 + (i % NAMES)}`,
              ]);
              log.inserted.push(r.rows[0]!.id);
              count('insert');
              break;
            }
            case 1: {
              const name = `Edited ${w}-${i}`;
              await c.query(`UPDATE invoices SET account_name = $2, updated_at = now() WHERE id = $1`, [d.id, name]);
              log.names.set(d.id, name);
              count('rename document');
              break;
            }
            case 2: {
              const ts = targets.filter((x) => x.org === d.org);
              const fk = ts[i % ts.length]!.acct_no;
              await c.query(`UPDATE invoices SET account_no = $2, updated_at = now() WHERE id = $1`, [d.id, fk]);
              log.fks.set(d.id, fk);
              count('set FK');
              break;
            }
            case 3: {
              const m = myMasters.pop();
              if (m === undefined) break;
              try {
                const r = await c.query(`DELETE FROM accounts WHERE acct_no = $1`, [m]);
                if (r.rowCount === 1) log.deleted.push(m);
                count('delete master');
              } catch (e) {
                if ((e as { code?: string }).code !== '23503') throw e;
                log.refusedDeletes++; // already referenced: the application's RESTRICT says no
              }
              break;
            }
            case 4:
            case 5: {
              const m = myMasters.pop();
              if (m === undefined) break;
              const what = i % 7 === 4 ? 'renamed' : 'deactivated';
              await c.query(
                what === 'renamed'
                  ? `UPDATE accounts SET name = 'Renamed ' || acct_no WHERE acct_no = $1`
                  : `UPDATE accounts SET deleted_at = now() WHERE acct_no = $1`,
                [m],
              );
              // after the commit: an upper bound of its commit time
              await c.query(`INSERT INTO master_log VALUES ($1, $2, clock_timestamp())`, [m, what]);
              count(`${what} master`);
              break;
            }
            case 6: {
              // any column: the row moves (a new version), as application updates do all day
              const other = docs[(i * 31 + w) % docs.length]!;
              if (log.names.has(other.id) || log.fks.has(other.id)) break;
              await c.query(`UPDATE invoices SET amount = amount + 1, updated_at = now() WHERE id = $1`, [other.id]);
              count('touch document');
              break;
            }
          }
        } catch (e) {
          log.errors.push(`${(e as { code?: string }).code ?? ''} ${(e as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    } finally {
      await c.end();
    }
  });
  try {
    return { result: await work(), logs };
  } finally {
    running = false;
    await Promise.all(loops);
  }
}

const one = async (t: TestDb, sql: string, values: unknown[] = []): Promise<number> =>
  Number((await t.db.query<{ n: unknown }>(sql, values)).rows[0]!.n);

(TARGETS.includes('postgres') ? describe : describe.skip)(`OLTP: apply of ${ROWS} rows under writers [postgres]`, () => {
  let t: TestDb;
  let dir = '';
  const roles: string[] = [];
  afterEach(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    for (const r of roles.splice(0)) await admin.query(`DROP ROLE IF EXISTS ${r}`).catch(() => undefined);
    await admin.end();
  });

  for (const walk of ['auto', 'ctid'] as const) {
    it(`apply --all-tenants --walk ${walk} as a least-privilege role: exit 0, nothing lost, overwritten, stale or cross-tenant`, async () => {
      t = await freshDb('postgres');
      const role = `fkb_oltp_${randomBytes(4).toString('hex')}`;
      roles.push(role);
      await seed(t, role);
      dir = mkdtempSync(join(tmpdir(), 'fkb-oltp-'));
      const cfg = join(dir, 'fk-backfill.config.json');
      writeFileSync(cfg, JSON.stringify(config));
      const t0 = Date.now();
      const { result: a, logs } = await writersDuring(t, () =>
        spawnCli(['apply', '--db', urlAs(t.url, role), '--config', cfg, '--all-tenants', '--walk', walk, '--yes', '--json']),
      );
      const seconds = (Date.now() - t0) / 1000;
      expect(a.code, a.stderr).toBe(0);
      const out = a.json<{
        status: string;
        runId: string;
        totalUpdated: number;
        results: { planned: number; updated: number; skipped: number; walk?: string; skipReasons?: Record<string, number> }[];
      }>();
      const r = out.results[0]!;
      const audited = await one(t, `SELECT count(*) AS n FROM link_audit WHERE by_role = $1`, [role]);
      const logged = await one(
        t,
        `SELECT coalesce(sum(cardinality(row_keys)), 0) AS n FROM fk_backfill.change_sets WHERE run_id = $1::int8`,
        [out.runId],
      );
      const staleRenamed = await one(
        t,
        `SELECT count(*) AS n FROM link_audit a JOIN master_log m ON m.acct_no = a.account_no AND m.what = 'renamed' WHERE a.by_role = $1 AND m.at < a.stmt_at`,
        [role],
      );
      const staleInactive = await one(
        t,
        `SELECT count(*) AS n FROM link_audit a JOIN master_log m ON m.acct_no = a.account_no AND m.what = 'deactivated' WHERE a.by_role = $1 AND m.at < a.stmt_at`,
        [role],
      );
      const races = await one(
        t,
        `SELECT count(*) AS n FROM link_audit a JOIN master_log m ON m.acct_no = a.account_no WHERE a.by_role = $1 AND m.at >= a.stmt_at AND m.at < a.linked_at`,
        [role],
      );
      const wrongName = await one(
        t,
        `SELECT count(*) AS n FROM link_audit a JOIN accounts m ON m.acct_no = a.account_no
          WHERE a.by_role = $1 AND m.name IS DISTINCT FROM a.doc_name AND NOT EXISTS (SELECT 1 FROM master_log l WHERE l.acct_no = a.account_no AND l.what = 'renamed')`,
        [role],
      );
      const editedLinked = await one(t, `SELECT count(*) AS n FROM link_audit WHERE by_role = $1 AND doc_name LIKE 'Edited %'`, [role]);
      const crossTenant = await one(
        t,
        `SELECT count(*) AS n FROM invoices i JOIN accounts m ON m.acct_no = i.account_no WHERE m.org <> i.org`,
      );
      // planned rows (there before the run) that still match a live master nobody changed, left NULL
      const lost = await one(
        t,
        `SELECT count(*) AS n FROM invoices i JOIN accounts m ON m.org = i.org AND m.name = i.account_name AND m.deleted_at IS NULL
          WHERE i.account_no IS NULL AND i.id <= $1 AND NOT EXISTS (SELECT 1 FROM master_log l WHERE l.acct_no = m.acct_no)`,
        [ROWS],
      );
      const reasons = r.skipReasons ?? {};
      const ops: Record<string, number> = {};
      for (const l of logs) for (const [k, v] of Object.entries(l.ops)) ops[k] = (ops[k] ?? 0) + v;
      console.log(
        `[oltp] walk ${walk} (${r.walk ?? '-'}): ${seconds.toFixed(1)} s; planned ${r.planned}, updated ${r.updated}, skipped ${r.skipped} ${JSON.stringify(reasons)}; ` +
          `audit ${audited}, change log ${logged}; writer ops ${JSON.stringify(ops)}, refused deletes ${logs.reduce((s, l) => s + l.refusedDeletes, 0)}; ` +
          `stale renamed ${staleRenamed}, stale inactive ${staleInactive}, master change logged while its row was being linked ${races}; lost ${lost}`,
      );
      expect(out.status).toBe('done');
      expect(out.totalUpdated).toBe(r.updated);
      expect(audited).toBe(r.updated);
      expect(logged).toBe(r.updated);
      expect(r.updated + r.skipped).toBeGreaterThanOrEqual(r.planned);
      expect(Object.values(reasons).reduce((s, n) => s + n, 0)).toBe(r.skipped);
      expect(reasons['notReached'] ?? 0).toBe(0);
      for (const log of logs) {
        expect(log.errors, 'writers saw errors').toEqual([]);
        for (const [id, name] of log.names)
          expect(
            (await t.db.query<{ v: string }>(`SELECT account_name AS v FROM invoices WHERE id = $1`, [id])).rows[0]!.v,
            `lost name edit on ${id}`,
          ).toBe(name);
        for (const [id, fk] of log.fks)
          expect(
            Number((await t.db.query<{ v: number }>(`SELECT account_no AS v FROM invoices WHERE id = $1`, [id])).rows[0]!.v),
            `hand-set FK overwritten on ${id}`,
          ).toBe(fk);
        expect(await one(t, `SELECT count(*) AS n FROM invoices WHERE id = ANY($1::int8[])`, [log.inserted])).toBe(log.inserted.length);
        expect(await one(t, `SELECT count(*) AS n FROM accounts WHERE acct_no = ANY($1::int[])`, [log.deleted])).toBe(0);
      }
      expect(Object.keys(ops).length).toBeGreaterThanOrEqual(6); // every kind of write happened during the run
      expect([staleRenamed, staleInactive, wrongName, editedLinked, crossTenant, lost]).toEqual([0, 0, 0, 0, 0, 0]);
    });
  }
});
