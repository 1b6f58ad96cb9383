import type { Command } from 'commander';
import { verify } from '../../verify/verify.js';
import { withDatabase, withDb, withScope, type GlobalFlags } from '../common.js';
import { verifyText } from '../format.js';
import { print, printJson } from '../output.js';

/** Exit code when verify finds a problem. */
export const VERIFY_FAILED = 3;

export function register(program: Command): void {
  withScope(
    withDb(
      program
        .command('verify')
        .description('NULL FKs left, dangling and cross-tenant values, RESTRICT really holding (exit 3 on a problem)'),
    ),
  ).action(async (flags: GlobalFlags) => {
    const report = await withDatabase(flags, (db, opts) => verify(db, opts));
    if (flags.json) printJson(report);
    else print(verifyText(report));
    if (!report.ok) process.exitCode = VERIFY_FAILED;
  });
}
