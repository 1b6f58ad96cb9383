import type { Command } from 'commander';
import { status } from '../../status/status.js';
import { withDatabase, withDb, withScope, type GlobalFlags } from '../common.js';
import { statusTable } from '../format.js';
import { print, printJson } from '../output.js';

export function register(program: Command): void {
  withScope(withDb(program.command('status').description('FK population per link: total rows, NULL FKs, populated FKs, rate'))).action(
    async (flags: GlobalFlags) => {
      const report = await withDatabase(flags, (db, opts) => status(db, opts));
      if (flags.json) printJson(report);
      else print(statusTable(report));
    },
  );
}
