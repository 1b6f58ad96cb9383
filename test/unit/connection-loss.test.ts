import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { BackfillError, isConnectionLoss, wrapDbError } from '../../src/errors.js';
import { plan, status, undo, verify } from '../../src/index.js';

const pgError = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('what counts as a lost connection (retried from the checkpoint), and what does not', () => {
  it('a restart, a terminated backend, a socket reset, no free connection slot; through a BackfillError cause', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08003', 'ECONNRESET', 'ECONNREFUSED'])
      expect(isConnectionLoss(pgError(code)), code).toBe(true);
    // a new user's trial: max_connections reached as apply started failed the run at once, with no retry
    expect(isConnectionLoss(pgError('53300', 'remaining connection slots are reserved for non-replication superuser connections'))).toBe(
      true,
    );
    expect(isConnectionLoss(new BackfillError('DB_ERROR', 'wrapped', { cause: pgError('53300') }))).toBe(true);
  });
  it("a Citus worker lost in the statement (XX000 from the coordinator): a trial's worker restart said DB_ERROR", () => {
    for (const m of [
      'failure on connection marked as essential: 127.0.0.1:5435',
      'SSL SYSCALL error: EOF detected',
      'server closed the connection unexpectedly',
      'connection to the remote node postgres@127.0.0.1:5435 failed with the following error: Connection refused',
    ])
      expect(isConnectionLoss(pgError('XX000', m)), m).toBe(true);
    expect(isConnectionLoss(pgError('XX000', 'could not open relation with OID 1234'))).toBe(false);
  });
  it('a statement error is not', () => {
    for (const code of ['23503', '42501', '55P03', '57014', '22P02']) expect(isConnectionLoss(pgError(code)), code).toBe(false);
  });
});

describe('a connection that cannot be made is DB_UNREACHABLE, whatever the handle', () => {
  it('no server, no host, no database, bad password; not a statement error', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', '28P01', '3D000'])
      expect([code, wrapDbError(pgError(code), 'x').code]).toEqual([code, 'DB_UNREACHABLE']);
    expect(wrapDbError(pgError('42P01'), 'x').code).toBe('DB_ERROR');
  });
  it("a connection lost while preparing says so, not as the input's fault (a trial: it read as a config error)", () => {
    const e = wrapDbError(
      pgError('57P01', 'terminating connection due to administrator command'),
      'looking up table invoices ($.links[0].table)',
    );
    expect([e.code, e.message]).toEqual([
      'DB_ERROR',
      'looking up table invoices ($.links[0].table): the connection to the database was lost (terminating connection due to administrator command [SQLSTATE 57P01]); what it was doing rolled back: run it again',
    ]);
  });
  it("a statement error's message carries the server's DETAIL (a trial: which tenant had no partition was not said)", () => {
    const e = Object.assign(pgError('23514', 'no partition of relation "customers" found for row'), {
      detail: 'Partition key of the failing row contains (tenant_id) = (3).',
    });
    expect(wrapDbError(e, 'creating masters').message).toBe(
      'creating masters: no partition of relation "customers" found for row (Partition key of the failing row contains (tenant_id) = (3).) [SQLSTATE 23514]',
    );
  });
  it("a pg Pool with no server behind it: plan, status, verify and undo say so alike (a new user's trial: a raw Error, or DB_ERROR)", async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/x', connectionTimeoutMillis: 2000 });
    try {
      const calls: [string, () => Promise<unknown>][] = [
        ['plan', () => plan(pool, { allTenants: true })],
        ['status', () => status(pool)],
        ['verify', () => verify(pool)],
        ['undo', () => undo(pool, { runId: '1' })],
      ];
      for (const [name, call] of calls) {
        const e = await call().then(
          () => null,
          (x: unknown) => x,
        );
        expect([name, e instanceof BackfillError ? e.code : String(e)]).toEqual([name, 'DB_UNREACHABLE']);
      }
    } finally {
      await pool.end();
    }
  }, 60_000);
});
