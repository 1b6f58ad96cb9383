import type { Command } from 'commander';
import { apply } from '../../pipeline/apply.js';
import { plan } from '../../pipeline/plan.js';
import { confirm, who, withDatabase, withDb, withScope, withYes, type GlobalFlags } from '../common.js';
import { applyText, planText } from '../format.js';
import { print, printJson } from '../output.js';

export function register(program: Command): void {
  withYes(withScope(withDb(program.command('apply').description('live run: link the planned rows, log every change (undo-able)'))))
    .option('--plan <id>', 'apply exactly this plan (from `plan`); default: plan now, then apply')
    .action(async (flags: GlobalFlags & { plan?: string }) => {
      const result = await withDatabase(flags, async (db, opts) => {
        let planRunId = flags.plan;
        if (planRunId === undefined && flags.yes !== true && process.stdin.isTTY) {
          // Interactive: show the plan, then ask.
          const p = await plan(db, { ...opts, executedBy: who() });
          if (!flags.json) print(planText(p));
          planRunId = p.runId;
        }
        await confirm(flags, `Link the planned rows${planRunId === undefined ? '' : ` of plan ${planRunId}`}?`);
        return apply(db, { ...opts, executedBy: who(), ...(planRunId !== undefined ? { planRunId } : {}) });
      });
      if (flags.json) printJson(result);
      else print(applyText(result));
    });
}
