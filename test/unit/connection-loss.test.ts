import { describe, expect, it } from 'vitest';
import { BackfillError, isConnectionLoss } from '../../src/errors.js';

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
  it('a statement error is not', () => {
    for (const code of ['23503', '42501', '55P03', '57014', '22P02']) expect(isConnectionLoss(pgError(code)), code).toBe(false);
  });
});
