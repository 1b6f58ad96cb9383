import { describe, expect, it } from 'vitest';
import {
  noNestedLoopsStatement,
  pingStatement,
  resetLockTimeoutStatement,
  trialDeleteSettingsStatements,
} from '../../../src/sql/session.js';

describe('session settings and the reconnect probe (whole text)', () => {
  it('review queue: hash joins for the transaction', () => {
    expect(noNestedLoopsStatement()).toEqual({ text: 'SET LOCAL enable_nestloop = off', values: [] });
  });
  it("constrain: the session's lock_timeout reset", () => {
    expect(resetLockTimeoutStatement()).toEqual({ text: 'RESET lock_timeout', values: [] });
  });
  it("verify's trial DELETE: timeouts, and on Citus one connection per node", () => {
    expect(trialDeleteSettingsStatements(false)).toEqual([
      { text: `SET LOCAL lock_timeout = '2s'`, values: [] },
      { text: `SET LOCAL statement_timeout = '30s'`, values: [] },
    ]);
    expect(trialDeleteSettingsStatements(true)).toEqual([
      { text: `SET LOCAL lock_timeout = '2s'`, values: [] },
      { text: `SET LOCAL statement_timeout = '30s'`, values: [] },
      { text: `SET LOCAL citus.multi_shard_modify_mode TO 'sequential'`, values: [] },
    ]);
  });
  it('reconnect: the probe', () => {
    expect(pingStatement()).toEqual({ text: 'SELECT 1', values: [] });
  });
});
