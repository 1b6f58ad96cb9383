import { describe, expect, it } from 'vitest';
import {
  batchSettings,
  batchStartStatement,
  citusBatchTimeoutsStatements,
  liveHolderStatement,
  linkHolderStatement,
  linkWritersStatement,
  linkLockStatement,
  linkUnlockStatement,
  liveLockStatement,
  liveUnlockStatement,
  nameSessionStatement,
  releaseSavepointStatement,
  rollbackToSavepointStatement,
  savepointStatement,
} from '../../../src/sql/batch.js';

describe('batch statements (whole text)', () => {
  it('the SET LOCALs of a batch, as select-list items: the timeouts bound, work_mem raised to 64 MB only when lower', () => {
    expect(batchSettings()).toBe(
      `set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true), CASE WHEN pg_size_bytes(current_setting('work_mem')) < 67108864 THEN set_config('work_mem', '64MB', true) END`,
    );
  });
  it("on Citus, the batch's timeouts also as SET LOCALs sent on to the workers (whole milliseconds only)", () => {
    expect(citusBatchTimeoutsStatements(100, 60000)).toEqual([
      { text: `SET LOCAL citus.propagate_set_commands = 'local'`, values: [] },
      { text: `SET LOCAL lock_timeout = '100ms'`, values: [] },
      { text: `SET LOCAL statement_timeout = '60000ms'`, values: [] },
    ]);
    expect(() => citusBatchTimeoutsStatements(1.5, 10)).toThrow(RangeError);
    expect(() => citusBatchTimeoutsStatements(10, 0)).toThrow(RangeError);
  });
  it("a batch opens with its timeouts, work_mem of at least 64 MB, the run's name and the run's advisory lock", () => {
    expect(batchStartStatement('2000ms', '60000ms', '17')).toEqual({
      text: `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true), CASE WHEN pg_size_bytes(current_setting('work_mem')) < 67108864 THEN set_config('work_mem', '64MB', true) END, set_config('application_name', 'fk-backfill run ' || $3::int8::text, true), set_config('TimeZone', coalesce((SELECT r.options ->> 'timeZone' FROM fk_backfill.runs r WHERE r.id = $3::int8), current_setting('TimeZone')), true), pg_try_advisory_xact_lock(hashtext('fk_backfill.run'), ($3::int8 % 2147483647)::int4) AS got, true AS live, pg_backend_pid() AS pid`,
      values: ['2000ms', '60000ms', '17'],
    });
  });
  it("a live run's batch also checks its live lock (an undo's: on the run it reverts) is still held by the backend that took it", () => {
    const held = `EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = $5::int AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
              AND l.classid = (hashtext('fk_backfill.live')::int8 & 4294967295)::oid
              AND l.objid = ((($4::int8 % 2147483647)::int4)::int8 & 4294967295)::oid) AS live, pg_backend_pid() AS pid`;
    const start = `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true), CASE WHEN pg_size_bytes(current_setting('work_mem')) < 67108864 THEN set_config('work_mem', '64MB', true) END, set_config('application_name', 'fk-backfill run ' || $3::int8::text, true), set_config('TimeZone', coalesce((SELECT r.options ->> 'timeZone' FROM fk_backfill.runs r WHERE r.id = $3::int8), current_setting('TimeZone')), true), pg_try_advisory_xact_lock(hashtext('fk_backfill.run'), ($3::int8 % 2147483647)::int4) AS got, `;
    expect(batchStartStatement('2000ms', '60000ms', '17', true, { runId: '16', pid: 4242 })).toEqual({
      text: start + held,
      values: ['2000ms', '60000ms', '17', '16', 4242],
    });
  });
  it("a parallel slice's batch takes no run lock (it locks its own slice row after)", () => {
    expect(batchStartStatement('2000ms', '60000ms', '17', false)).toEqual({
      text: `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true), CASE WHEN pg_size_bytes(current_setting('work_mem')) < 67108864 THEN set_config('work_mem', '64MB', true) END, set_config('application_name', 'fk-backfill run ' || $3::int8::text, true), set_config('TimeZone', coalesce((SELECT r.options ->> 'timeZone' FROM fk_backfill.runs r WHERE r.id = $3::int8), current_setting('TimeZone')), true), true AS got, true AS live, pg_backend_pid() AS pid`,
      values: ['2000ms', '60000ms', '17'],
    });
  });
  it('the savepoint a batch splits a statement the table refused under', () => {
    expect([savepointStatement(), releaseSavepointStatement(), rollbackToSavepointStatement()]).toEqual([
      { text: 'SAVEPOINT fkb_rows', values: [] },
      { text: 'RELEASE SAVEPOINT fkb_rows', values: [] },
      { text: 'ROLLBACK TO SAVEPOINT fkb_rows', values: [] },
    ]);
  });
  it("a run's live lock: session level, tried not waited for, released by the same key; its holder read from pg_locks", () => {
    const key = `hashtext('fk_backfill.live'), ($1::int8 % 2147483647)::int4`;
    expect(liveLockStatement('17')).toEqual({
      text: `SELECT pg_try_advisory_lock(${key}) AS got, pg_backend_pid() AS pid`,
      values: ['17'],
    });
    expect(liveUnlockStatement('17')).toEqual({ text: `SELECT pg_advisory_unlock(${key}) AS released`, values: ['17'] });
    expect(liveHolderStatement('17')).toEqual({
      text: `SELECT l.pid, a.application_name
             FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
              AND l.classid = (hashtext('fk_backfill.live')::int8 & 4294967295)::oid
              AND l.objid = ((($1::int8 % 2147483647)::int4)::int8 & 4294967295)::oid
            LIMIT 1`,
      values: ['17'],
    });
    expect(nameSessionStatement('fk-backfill apply run 17')).toEqual({
      text: `SELECT current_setting('application_name') AS previous, set_config('application_name', $1, false) AS now`,
      values: ['fk-backfill apply run 17'],
    });
  });
  it("a link's lock: exclusive for a run over every tenant, shared (beside a tenant's own) for one tenant's; its holder", () => {
    const key = `hashtext('fk_backfill.link'), hashtext($1)`;
    expect(linkLockStatement('16384.customer_id', false)).toEqual({
      text: `SELECT pg_try_advisory_lock(${key}) AS got`,
      values: ['16384.customer_id'],
    });
    expect(linkLockStatement('16384.customer_id', true).text).toBe(`SELECT pg_try_advisory_lock_shared(${key}) AS got`);
    expect(linkUnlockStatement('16384.customer_id#7', false).text).toBe(`SELECT pg_advisory_unlock(${key}) AS released`);
    expect(linkUnlockStatement('16384.customer_id', true).text).toBe(`SELECT pg_advisory_unlock_shared(${key}) AS released`);
    expect(linkHolderStatement('16384.customer_id')).toEqual({
      text: `SELECT l.pid, a.application_name
             FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
              AND l.pid <> pg_backend_pid()
              AND l.classid = (hashtext('fk_backfill.link')::int8 & 4294967295)::oid
              AND l.objid = (hashtext($1)::int8 & 4294967295)::oid
            LIMIT 1`,
      values: ['16384.customer_id'],
    });
  });
  it("the other backends holding a link's lock, in any mode or only exclusively (a plan asks who writes it)", () => {
    expect(linkWritersStatement('16384.customer_id', true)).toEqual({
      text: `SELECT DISTINCT l.pid, a.application_name
             FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
              AND l.pid <> pg_backend_pid()
              AND l.classid = (hashtext('fk_backfill.link')::int8 & 4294967295)::oid
              AND l.objid = (hashtext($1)::int8 & 4294967295)::oid
              AND (NOT $2::boolean OR l.mode = 'ExclusiveLock')
            ORDER BY l.pid`,
      values: ['16384.customer_id', true],
    });
  });
});
