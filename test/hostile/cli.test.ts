/**
 * Hostile input through the CLI (`node dist/cli/main.js`, built by `npm run build`): each bad input
 * exits with the right code, prints one line on stderr naming the thing, exactly one JSON document on
 * stdout with --json, never echoes a password, and writes nothing (tables hashed before and after).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AXIS_CONFIG, migrate } from '../../src/index.js';
import { createAxis, DEMO_TENANT } from '../../src/demo/axis.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { describeEach, freshDb, reopen, type TestDb } from '../helpers/db.js';
import { snapshot } from '../helpers/hostile.js';

function expectRefusal(r: CliResult, code: string, exit: number, names: RegExp, what: string): void {
  expect(r.code, `${what}: ${r.stderr}`).toBe(exit);
  const doc = r.json<{ error: { code: string; message: string } }>(); // throws unless exactly one JSON document
  expect(doc.error.code, what).toBe(code);
  const lines = r.stderr.trim().split('\n');
  // usage errors are followed by the command's help (commander's showHelpAfterError); the rest is one line
  if (code !== 'USAGE') expect(lines, `${what}: stderr is one line`).toHaveLength(1);
  expect(lines[0], what).toMatch(names);
}

let hostileCliTried = 0;

describeEach('hostile: cli', (target) => {
  let t: TestDb;
  let dir: string;
  beforeEach(async () => {
    t = await freshDb(target, { onDisk: true });
    await createAxis(t.db);
    await migrate(t.db);
    dir = mkdtempSync(join(tmpdir(), 'fkb-hostile-'));
  });
  afterEach(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
    console.log(`[hostile cli ${target}] inputs tried so far: ${hostileCliTried}`);
  });

  function cfg(name: string, content: unknown): string {
    const f = join(dir, name);
    writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
    return f;
  }

  it('bad configs, tenants, run ids and flags: right exit code, one line, one JSON document, nothing written', async () => {
    const so = AXIS_CONFIG.links[0]!;
    const before = await snapshot(t.db);
    await t.release();
    const db = ['--db', t.url];
    const cases: [string[], string, number, RegExp][] = [
      [['plan', ...db, '--config', cfg('broken.json', '{"links": ['), '--json'], 'CONFIG_INVALID', 2, /not valid JSON/],
      [['plan', ...db, '--config', join(dir, 'missing.json'), '--json'], 'CONFIG_NOT_FOUND', 2, /missing\.json/],
      [
        [
          'plan',
          ...db,
          '--tenant',
          DEMO_TENANT,
          '--config',
          cfg('t.json', { links: [{ ...so, table: "x'; DROP TABLE customers; --" }] }),
          '--json',
        ],
        'SCHEMA_MISSING_TABLE',
        2,
        /DROP TABLE customers/,
      ],
      [
        ['apply', ...db, '--yes', '--tenant', DEMO_TENANT, '--config', cfg('c.json', { links: [{ ...so, fk: 'Customer Id' }] }), '--json'],
        'SCHEMA_MISSING_COLUMN',
        2,
        /Customer Id/,
      ],
      [
        ['plan', ...db, '--tenant', DEMO_TENANT, '--config', cfg('ty.json', { links: [{ ...so, name: 'total_amount' }] }), '--json'],
        'SCHEMA_TYPE_MISMATCH',
        2,
        /total_amount/,
      ],
      [['plan', ...db, '--tenant', "'; DROP TABLE customers; --", '--json'], 'UNKNOWN_TENANT', 2, /DROP TABLE customers/],
      [['apply', ...db, '--yes', '--tenant', '$1', '--json'], 'UNKNOWN_TENANT', 2, /\$1/],
      [['apply', ...db, '--tenant', DEMO_TENANT, '--json'], 'CONFIRMATION_REQUIRED', 2, /--yes/],
      [['undo', ...db, '--run', '1; DROP TABLE customers', '--yes', '--json'], 'USAGE', 2, /--run must be a run id .*DROP TABLE customers/],
      [['undo', ...db, '--run', '99999999999999999999', '--yes', '--json'], 'USAGE', 2, /--run must be a run id/],
      [['plan', ...db, '--entity', 'nope', '--tenant', DEMO_TENANT, '--json'], 'UNKNOWN_ENTITY', 2, /nope/],
      // an option after --entity is no entity name (it was looked up as one: unknown entity "--json")
      [['status', ...db, '--tenant', DEMO_TENANT, '--entity', '--json'], 'USAGE', 2, /--entity takes entity names, got "--json"/],
      [['plan', ...db, '--json', '--tenant', DEMO_TENANT, '--all-tenants'], 'USAGE', 2, /cannot be used with/],
      [['plan', ...db, '--json', '--no-such-flag'], 'USAGE', 2, /unknown option/],
      // a group's subcommands: the tool's line first (commander printed its own above it)
      [['review', 'export', ...db, '--json', '--bogus'], 'USAGE', 2, /^fk-backfill: unknown option '--bogus' \[USAGE\]$/],
      [
        ['guard', 'install', ...db, '--json', '--tenant', DEMO_TENANT, '--yes'],
        'USAGE',
        2,
        /^fk-backfill: unknown option '--tenant' \[USAGE\]$/,
      ],
      [['plan', '--db', 'mysql://root@localhost/x', '--json'], 'DB_URL_INVALID', 2, /mysql:/],
      // numbers: refused before anything runs (before: exit 1 DB_ERROR "NaN", and a failed plan run left behind)
      [['runs', ...db, '--limit', 'abc', '--json'], 'USAGE', 2, /--limit must be a whole number >= 1, got "abc"/],
      [['runs', ...db, '--limit', '1.5', '--json'], 'USAGE', 2, /--limit/],
      [['plan', ...db, '--tenant', DEMO_TENANT, '--max-records', '-3', '--json'], 'USAGE', 2, /--max-records/],
      [['apply', ...db, '--yes', '--tenant', DEMO_TENANT, '--max-rate', 'fast', '--json'], 'USAGE', 2, /--max-rate must be a number > 0/],
      // --resume continues a run as it was started: what chooses another scope, link or plan is refused, not ignored
      [
        ['apply', ...db, '--resume', '1', '--tenant', DEMO_TENANT, '--entity', 'nope', '--yes', '--json'],
        'USAGE',
        2,
        /^fk-backfill: --resume 1 continues that run with the scope, links and plan it was started with: --entity cannot be given beside it \[USAGE\]$/,
      ],
      [['undo', ...db, '--resume', '1', '--run', '2', '--yes', '--json'], 'USAGE', 2, /--run cannot be given beside it/],
      // a file it cannot write: refused before the plan it would write (a run and its entries) is made
      [
        ['review', 'export', ...db, '--all-tenants', '--out', join(dir, 'no-such-dir', 'q.csv'), '--json'],
        'FILE_UNUSABLE',
        2,
        /--out .*q\.csv: directory .*no-such-dir does not exist/,
      ],
      [['masters', 'propose', ...db, '--all-tenants', '--out', dir, '--json'], 'FILE_UNUSABLE', 2, /--out .*: is a directory/],
      [['status', ...db, '--config', dir, '--json'], 'CONFIG_NOT_FOUND', 2, /config file .* is a directory, not a file/],
      [['constrain', ...db, '--lock-timeout', '0.4ms', '--yes', '--json'], 'USAGE', 2, /--lock-timeout must be 1ms or more/],
      [
        ['plan', ...db, '--tenant', DEMO_TENANT, '--config', cfg('am.json', { links: [{ ...so, amount: 'customer_name' }] }), '--json'],
        'SCHEMA_TYPE_MISMATCH',
        2,
        /sales_orders\.customer_name is text: "amount" must be a number column .*\(\$\.links\[0\]\.amount\)/,
      ],
    ];
    if (target !== 'pglite') {
      const u = new URL(t.url);
      const at = (mut: (x: URL) => void): string => {
        const x = new URL(u.toString());
        mut(x);
        return x.toString();
      };
      cases.push(
        // the server trusts 127.0.0.1 (pg_hba.conf), so a wrong password cannot fail; an unknown role, a missing database and a closed port can
        [
          ['plan', '--db', at((x) => ((x.username = 'fkb_no_such_role'), (x.password = 'S3cr3t-pw'))), '--json'],
          'DB_UNREACHABLE',
          2,
          /authentication failed/,
        ],
        [['plan', '--db', at((x) => (x.pathname = '/fkb_no_such_database')), '--json'], 'DB_UNREACHABLE', 2, /database does not exist/],
        [['plan', '--db', at((x) => ((x.port = '1'), (x.password = 'S3cr3t-pw'))), '--json'], 'DB_UNREACHABLE', 2, /cannot connect/],
      );
    }
    // Embedded: a child process opens the PGlite directory in ~5 s and only one at a time, so PGlite runs the
    // cases refused before the database is opened plus two that need it; the server runs all, four at a time.
    const opensDb = (a: string[]): boolean => !a.some((x) => /broken|missing\.json|all-tenants|no-such-flag|mysql:/.test(x));
    const keep = new Set([2, 7]);
    const cheap = new Set([0, 12]); // of the cases refused before opening the database, PGlite runs two
    const run = target !== 'pglite' ? cases : cases.filter(([a], i) => (!opensDb(a) && cheap.has(i)) || keep.has(i));
    const width = target !== 'pglite' ? 4 : 1;
    for (let i = 0; i < run.length; i += width) {
      await Promise.all(
        run.slice(i, i + width).map(async ([args, code, exit, names]) => {
          const r = await runCli([...args]);
          expectRefusal(r, code, exit, names, args.join(' '));
          expect(r.stdout + r.stderr, 'password echoed').not.toContain('S3cr3t-pw');
          hostileCliTried++;
        }),
      );
    }
    const db2 = await reopen(t);
    try {
      expect(await snapshot(db2)).toEqual(before);
    } finally {
      await db2.close();
    }
  }, 120_000);
});
