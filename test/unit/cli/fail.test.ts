/** How the CLI prints an error it did not raise itself: a database's error is the database's, not a bug of the tool. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fail } from '../../../src/cli/program.js';

describe('fail(): the one line and the exit code of an error', () => {
  let err = '';
  beforeEach(() => {
    err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  it('a driver error with a SQLSTATE (a statement_timeout of the role) is DB_ERROR, naming the command, not INTERNAL', () => {
    const e = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    expect(fail(e, ['verify', '--all-tenants'])).toBe(1);
    expect(err).toBe('fk-backfill: verify: canceling statement due to statement timeout [SQLSTATE 57014] [DB_ERROR]\n');
  });

  it('a lost connection without a SQLSTATE is DB_ERROR too', () => {
    expect(fail(new Error('Connection terminated unexpectedly'), ['status'])).toBe(1);
    expect(err).toBe(
      'fk-backfill: status: the connection to the database was lost (Connection terminated unexpectedly); what it was doing rolled back: run it again [DB_ERROR]\n',
    );
  });

  it('anything else is INTERNAL', () => {
    expect(fail(new TypeError('x is not a function'), ['plan'])).toBe(1);
    expect(err).toBe('fk-backfill: x is not a function [INTERNAL]\n');
  });
});

describe("bad flags the argument parser finds are said in the tool's one line", () => {
  it("an unknown option, two options that exclude each other, a run id that is none: 'fk-backfill: … [USAGE]', exit 2", async () => {
    const { runCli } = await import('../../helpers/cli.js');
    for (const [args, line] of [
      [['plan', '--bogus'], "fk-backfill: unknown option '--bogus' [USAGE]"],
      [
        ['plan', '--tenant', 'a', '--all-tenants'],
        "fk-backfill: option '--tenant <id>' cannot be used with option '--all-tenants' [USAGE]",
      ],
      [
        ['apply', '--plan', 'abc', '--yes'],
        'fk-backfill: --plan must be a run id (a whole number, as `fk-backfill runs` lists them), got "abc" [USAGE]',
      ],
    ] as const) {
      const r = await runCli([...args]);
      expect([args, r.code, r.stderr.trim()]).toEqual([args, 2, line]);
    }
    const j = await runCli(['plan', '--bogus', '--json']);
    expect(JSON.parse(j.stdout)).toEqual({ error: { code: 'USAGE', message: "unknown option '--bogus'" } });
  });
});

describe('no command', () => {
  it('`fk-backfill` or a group without its subcommand shows the help as a usage error (exit 2); asked for, help is exit 0', async () => {
    const { runCli } = await import('../../helpers/cli.js');
    for (const [args, code] of [
      [[], 2],
      [['guard'], 2],
      [['masters'], 2],
      [['--help'], 0],
      [['guard', '--help'], 0],
    ] as const) {
      const r = await runCli([...args]);
      expect([args, r.code]).toEqual([args, code]);
      expect(r.stdout + r.stderr).toMatch(/Usage: fk-backfill/);
    }
  });
});

describe('files the system refuses', () => {
  it("a user's path is FILE_UNUSABLE (exit 2); one of the tool's own files (a broken install) stays INTERNAL", async () => {
    const { fileURLToPath } = await import('node:url');
    const err = (path: string): Error =>
      Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT', path });
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(fail(err('/nonexistdir/x.html'), ['report'])).toBe(2);
      expect(fail(err(fileURLToPath(new URL('../../../migrations/', import.meta.url))), ['demo'])).toBe(1);
    } finally {
      write.mockRestore();
    }
  });
});
