import type { Command } from 'commander';
import { wholeNumber } from '../args.js';
import { plan } from '../../planning/plan.js';
import { who, withDatabase, withDb, withScope, type GlobalFlags } from '../common.js';
import { planText } from '../format.js';
import { print, printJson } from '../output.js';

export function register(program: Command): void {
  withScope(
    withDb(program.command('plan').description('dry run: decide every distinct name, persist the plan, write nothing to your tables')),
  )
    .option('--explain', 'show candidates with keys and scores')
    .option('--max-records <n>', 'unmatched rows listed per link', wholeNumber('--max-records'), 1000)
    .action(async (flags: GlobalFlags & { explain?: boolean; maxRecords: number }) => {
      const result = await withDatabase(flags, (db, opts) =>
        plan(db, { ...opts, executedBy: who(), maxUnmatchedRecords: flags.maxRecords }),
      );
      if (flags.json) printJson(result);
      else print(planText(result, flags.explain === true));
    });
}
