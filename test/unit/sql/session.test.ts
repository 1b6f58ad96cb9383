import { describe, expect, it } from 'vitest';
import {
  noNestedLoopsStatement,
  ownSessionSetup,
  constraintsImmediateStatement,
  pingStatement,
  pinnedSearchPathStatement,
  renderingFixedStatement,
  renderingRestoreStatement,
  renderingSettingsStatement,
  resetLockTimeoutStatement,
  trialDeleteSettingsStatements,
} from '../../../src/sql/session.js';

describe('session settings and the reconnect probe (whole text)', () => {
  it('review queue: hash joins for the transaction', () => {
    expect(noNestedLoopsStatement()).toEqual({ text: 'SET LOCAL enable_nestloop = off', values: [] });
    expect(constraintsImmediateStatement()).toEqual({ text: 'SET CONSTRAINTS ALL IMMEDIATE', values: [] });
  });
  it("the tool's own connections: no statement_timeout, lock waits bounded where nothing bounds them", () => {
    expect(ownSessionSetup()).toEqual({
      text: `SET statement_timeout = 0; SELECT set_config('lock_timeout', '30s', false) WHERE current_setting('lock_timeout') = '0'`,
      values: [],
    });
  });

  it("constrain: the session's lock_timeout reset", () => {
    expect(resetLockTimeoutStatement()).toEqual({ text: 'RESET lock_timeout', values: [] });
  });
  it("verify's trial DELETE: timeouts, and on Citus one connection per node", () => {
    expect(trialDeleteSettingsStatements(false)).toEqual([
      { text: `SET LOCAL lock_timeout = '2s'`, values: [] },
      { text: `SET LOCAL statement_timeout = '30s'`, values: [] },
      { text: 'SET CONSTRAINTS ALL IMMEDIATE', values: [] },
    ]);
    expect(trialDeleteSettingsStatements(true)).toEqual([
      { text: `SET LOCAL lock_timeout = '2s'`, values: [] },
      { text: `SET LOCAL statement_timeout = '30s'`, values: [] },
      { text: 'SET CONSTRAINTS ALL IMMEDIATE', values: [] },
      { text: `SET LOCAL citus.multi_shard_modify_mode TO 'sequential'`, values: [] },
    ]);
  });
  it('reconnect: the probe', () => {
    expect(pingStatement()).toEqual({ text: 'SELECT 1', values: [] });
  });
  it("masters fingerprints: the session's rendering settings read, fixed for the statement, set back", () => {
    expect(renderingSettingsStatement()).toEqual({
      text: `SELECT current_setting('TimeZone') AS tz, current_setting('IntervalStyle') AS istyle, current_setting('extra_float_digits') AS floats`,
      values: [],
    });
    expect(renderingFixedStatement()).toEqual({
      text: `SELECT set_config('TimeZone', 'UTC', true), set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '1', true)`,
      values: [],
    });
    expect(renderingRestoreStatement({ tz: 'Asia/Tokyo', istyle: 'iso_8601', floats: '3' })).toEqual({
      text: `SELECT set_config('TimeZone', $1, true), set_config('IntervalStyle', $2, true), set_config('extra_float_digits', $3, true)`,
      values: ['Asia/Tokyo', 'iso_8601', '3'],
    });
  });
  it("guard install: the guard function's search_path, so CHECK expressions print schema-qualified", () => {
    expect(pinnedSearchPathStatement()).toEqual({ text: `SELECT set_config('search_path', 'pg_catalog, pg_temp', true)`, values: [] });
  });
});
