import type { Command } from 'commander';
import { runId, wholeNumber } from '../args.js';
import { getRun, listRuns } from '../../store/runs.js';
import { open, withDb, type GlobalFlags } from '../common.js';
import { runText } from '../format-run.js';
import { print, printJson, table } from '../output.js';

export function register(program: Command): void {
  withDb(program.command('runs').description('list runs recorded in fk_backfill.runs, or show one'))
    .argument('[id]', 'show this run', runId('runs <id>'))
    .option('--limit <n>', 'how many', wholeNumber('--limit', 1), 20)
    .action(async (id: string | undefined, flags: GlobalFlags & { limit: number }) => {
      const db = await open(flags);
      try {
        if (id !== undefined) {
          const run = await getRun(db, id);
          if (flags.json) printJson(run);
          else print(runText(run));
          return;
        }
        const runs = await listRuns(db, flags.limit);
        if (flags.json) printJson(runs);
        else
          print(
            table(
              ['Run', 'Kind', 'Status', 'Tenant', 'Entities', 'By', 'Started', 'Plan', 'Undoes', 'Undone by'],
              runs.map((r) => [
                r.id,
                r.kind,
                r.status === 'running' && r.alive === false ? 'running (no process)' : r.status,
                r.scope?.tenant ?? 'all',
                r.entities.join(','),
                r.executedBy,
                r.startedAt,
                r.planRunId,
                r.targetRunId,
                r.undoneBy ?? null,
              ]),
            ),
          );
      } finally {
        await db.close();
      }
    });
}
