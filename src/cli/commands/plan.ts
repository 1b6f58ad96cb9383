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
      // Ctrl-C: the plan stops at its next look (a thousand names at most), marks its run failed and says so; again:
      // quit at once (a plan writes nothing to the linked tables either way)
      const ac = new AbortController();
      const onSignal = (): void => {
        if (ac.signal.aborted) {
          process.stderr.write('\nfk-backfill: quit; a plan writes nothing to the linked tables (its unfinished run stays in `runs`)\n');
          process.exit(130);
        }
        ac.abort();
        process.stderr.write('\nfk-backfill: stopping the plan (Ctrl-C again to quit at once)\n');
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let result;
      try {
        result = await withDatabase(flags, (db, opts) =>
          plan(db, { ...opts, executedBy: who(), maxUnmatchedRecords: flags.maxRecords, signal: ac.signal }),
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      if (flags.json) printJson(result);
      else print(planText(result, flags.explain === true));
    });
}
