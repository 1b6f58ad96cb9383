import type { Command } from 'commander';
import { undo } from '../../pipeline/undo.js';
import { confirm, open, who, withDb, withYes, type GlobalFlags } from '../common.js';
import { undoText } from '../format.js';
import { print, printJson } from '../output.js';

export function register(program: Command): void {
  withYes(withDb(program.command('undo').description('set back exactly the rows an apply run changed and that still hold its value')))
    .requiredOption('--run <id>', 'the apply run to revert')
    .option('--entity <name...>', 'only these links')
    .action(async (flags: GlobalFlags & { run: string }) => {
      const db = await open(flags);
      try {
        await confirm(flags, `Revert run ${flags.run}?`);
        const result = await undo(db, { runId: flags.run, executedBy: who(), ...(flags.entity !== undefined ? { entities: flags.entity } : {}) });
        if (flags.json) printJson(result);
        else print(undoText(result));
      } finally {
        await db.close();
      }
    });
}
