/** How `runs` words a run's status: a 'running' one no process works on says what to do with it. */
import { describe, expect, it } from 'vitest';
import { statusText } from '../../src/cli/format-run.js';

describe('run status text', () => {
  const run = { id: '12', kind: 'apply' as const, status: 'running' as const, options: { mode: 'batched' } };
  it('a live run, and any other status, as it is', () => {
    expect(statusText({ ...run, alive: true })).toBe('running');
    expect(statusText({ ...run, status: 'done' })).toBe('done');
  });
  it('a batched run with no process: its --resume (an undo run: its own), and for an apply its undo', () => {
    expect(statusText({ ...run, alive: false })).toBe(
      'running, but no process works on it (killed, or Ctrl-C twice): fk-backfill apply --resume 12 --yes continues it, undo --run 12 sets back what it wrote',
    );
    expect(statusText({ ...run, kind: 'undo', alive: false })).toBe(
      'running, but no process works on it (killed, or Ctrl-C twice): fk-backfill undo --resume 12 --yes continues it',
    );
  });
  it('a run in one transaction with no process: nothing was written, nothing to resume', () => {
    expect(statusText({ ...run, options: { mode: 'single-transaction' }, alive: false })).toBe(
      'running, but no process works on it (killed, or its connection lost): its one transaction was rolled back, nothing was written; apply again',
    );
  });
});
