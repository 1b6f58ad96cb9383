import type { Command } from 'commander';
import { redactUrl } from '../../db/index.js';
import { deleteCustomerShown, runDemo } from '../../demo/run.js';
import type { GlobalFlags } from '../common.js';
import { backfillText, statusTable } from '../format.js';
import { print, printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description("build the seed's ERP (embedded, in memory unless --db) and run the seed's migration end to end")
    .option('--db <url>', 'database to build the demo in (default: memory://)')
    .option('--reset', 'drop the demo tables first if they exist')
    .option('--json', 'print { before, dryRun, applied, after, restrictVerified }')
    .action(async (flags: GlobalFlags & { reset?: boolean }) => {
      const r = await runDemo({ ...(flags.db !== undefined ? { url: flags.db } : {}), ...(flags.reset === true ? { reset: true } : {}) });
      if (flags.json) {
        printJson(r);
        return;
      }
      print('Axis demo (seed ERP), tenant ' + r.tenantId + '\n');
      print('FK population before:\n' + statusTable(r.before) + '\n');
      print(backfillText(r.dryRun) + '\n');
      print(backfillText(r.applied) + '\n');
      print('FK population after:\n' + statusTable(r.after) + '\n');
      print(
        `${deleteCustomerShown('ABC Corp')} → ${r.restrictVerified ? 'refused by ON DELETE RESTRICT (rolled back) ✓' : 'NOT refused ✗'}`,
      );
      if (flags.db === undefined) {
        print('\nThis demo ran in memory and is gone. Keep one to explore: fk-backfill demo --db pglite://./demo-db');
      } else {
        const db = redactUrl(flags.db);
        print(
          `\nExplore it: fk-backfill status --db ${db}    undo the live run: fk-backfill undo --run ${r.applied.runId} --yes --db ${db}`,
        );
      }
    });
}
