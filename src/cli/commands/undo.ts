import { runId } from '../args.js';
import type { Command } from 'commander';
import { BackfillError } from '../../errors.js';
import { resumeUndo, undo } from '../../undo/undo.js';
import type { UndoResult } from '../../undo/result.js';
import { confirm, open, refuseBesideResume, who, withDb, withYes, type GlobalFlags } from '../common.js';
import { undoText } from '../format.js';
import { print, printJson } from '../output.js';
import { interruptible, withBatchFlags, type BatchFlags } from './apply.js';

export function register(program: Command): void {
  withBatchFlags(
    withYes(
      withDb(
        program
          .command('undo')
          .description('set back exactly the rows an apply run changed and that still hold its value (batched, resumable)'),
      ),
    ),
  )
    .option('--run <id>', 'the apply run to revert', runId('--run'))
    .option('--resume <undoRun>', 'continue a batched undo run (stopped, failed, or crashed) from its checkpoint', runId('--resume'))
    .option('--entity <name...>', 'only these links')
    .action(async (flags: GlobalFlags & BatchFlags & { run?: string; resume?: string }) => {
      refuseBesideResume(flags);
      const db = await open(flags);
      try {
        let result: UndoResult;
        if (flags.resume !== undefined) {
          const runId = flags.resume;
          await confirm(flags, `Resume undo run ${runId}?`);
          result = await interruptible(flags, (o) => resumeUndo(db, { ...o, runId }));
        } else {
          if (flags.run === undefined) {
            throw new BackfillError('USAGE', 'undo needs --run <id> (or --resume <undoRun>)');
          }
          const target = flags.run;
          await confirm(flags, `Revert run ${target}?`);
          result = await interruptible(flags, (o) =>
            undo(db, {
              ...o,
              runId: target,
              executedBy: who(),
              singleTransaction: flags.singleTransaction === true,
              ...(flags.entity !== undefined ? { entities: flags.entity } : {}),
            }),
          );
        }
        if (flags.json) printJson(result);
        else {
          print(undoText(result));
          if (result.status === 'stopped') print(`\nStopped after a batch. Continue: fk-backfill undo --resume ${result.runId} --yes`);
        }
        if (result.status === 'stopped') process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}
