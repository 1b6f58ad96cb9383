import type { Command } from 'commander';
import { wholeNumber } from '../args.js';
import { BackfillError } from '../../errors.js';
import { constrain } from '../../constrain/constrain.js';
import type { ConstrainResult } from '../../constrain/types.js';
import { confirm, who, withDatabase, withDb, withScope, withYes, type GlobalFlags } from '../common.js';
import { print, printJson } from '../output.js';

export function constrainText(r: ConstrainResult): string {
  const out: string[] = [];
  const orphans = r.links.some((l) => l.orphans > 0);
  const unmet = r.links.some((l) => l.steps.some((s) => s.unmet === true));
  const notNull = unmet ? ' NOT NULL is not set where NULL FKs remain (·, below).' : '';
  const head = r.dryRun
    ? orphans
      ? 'Dry run: nothing changed. A live run refuses while the orphans below remain (✗); once they are fixed, this is the exact SQL it executes.'
      : `Dry run: nothing changed; this is the exact SQL a live run executes.${notNull}`
    : r.nothingToDo
      ? unmet
        ? 'Not done: NOT NULL is not set where NULL FKs remain (·, below); every other constraint and index asked for is already in place.'
        : 'Nothing to do: every constraint and index asked for is already in place.'
      : `Constrained (run ${r.runId}).${notNull}`;
  out.push(head);
  for (const l of r.links) {
    out.push('', `${l.entityType}: ${l.table}.${l.fk} → ${l.target}${l.changed ? '' : ' — nothing to do'}`);
    for (const s of l.steps) {
      // a scan that found orphans did its work, but found what keeps the constraint out: not a ✓
      const mark = s.step === 'orphan-scan' && l.orphans > 0 ? '✗' : s.status === 'done' ? '✓' : s.status === 'planned' ? '→' : '·';
      out.push(`  ${mark} ${s.step}: ${s.detail}${s.ms !== undefined ? ` (${s.ms} ms)` : ''}`);
      if (s.status !== 'skipped' && s.step !== 'orphan-scan') for (const q of s.sql) out.push(`      ${q};`);
    }
    if (l.orphans > 0) {
      out.push(
        // --tenant-safe: the composite FK needs a master of the row's own tenant; one of another tenant counts (a trial: 50
        // rows moved to another tenant read as "52 missing masters", though the masters were there), as the live refusal says
        `  ✗ ${l.orphans} orphan row(s), pointing to ${l.orphanValuesCapped ? 'more than ' : ''}${l.orphanValues} missing ${r.tenantSafe ? `same-tenant master(s) (a master of another tenant counts as missing: verify counts those rows as cross-tenant)` : 'master(s)'}, e.g. ${l.orphanSample
          .slice(0, 5)
          .map((o) => `key ${o.key} → ${o.fk}`)
          .join(', ')}`,
      );
    }
  }
  return out.join('\n');
}

export function register(program: Command): void {
  withYes(
    withScope(
      withDb(
        program
          .command('constrain')
          .description('orphan scan, index, FK NOT VALID + VALIDATE (ON DELETE RESTRICT) per link; idempotent, short locks'),
      ),
    ),
  )
    .option('--dry-run', 'print the exact SQL, change nothing')
    .option('--tenant-safe', 'composite FK (scope…, fk) → target (scope…, key): cross-tenant values fail at the database')
    .option('--not-null', 'SET NOT NULL when no NULL FK remains (via a validated CHECK first)')
    .option(
      '--lock-timeout <duration>',
      'lock_timeout of each step (5s, 500ms, 1min) but the index build CONCURRENTLY, which blocks no writer and waits up to 5 min (or this, if longer) for older transactions',
      '5s',
    )
    .option('--batch-size <n>', 'rows per orphan-scan batch', wholeNumber('--batch-size', 1), 50_000)
    .action(
      async (
        flags: GlobalFlags & { dryRun?: boolean; tenantSafe?: boolean; notNull?: boolean; lockTimeout: string; batchSize: number },
      ) => {
        if (flags.tenant !== undefined) throw new BackfillError('USAGE', 'constraints cover whole tables: run constrain without --tenant');
        if (!Number.isInteger(flags.batchSize) || flags.batchSize < 1)
          throw new BackfillError('USAGE', '--batch-size must be a positive integer');
        if (flags.dryRun !== true) await confirm(flags, 'Add indexes and foreign key constraints to your tables?');
        const result = await withDatabase(flags, (db, opts) =>
          constrain(db, {
            ...opts,
            dryRun: flags.dryRun === true,
            tenantSafe: flags.tenantSafe === true,
            notNull: flags.notNull === true,
            lockTimeout: flags.lockTimeout,
            batchSize: flags.batchSize,
            executedBy: who(),
          }),
        );
        if (flags.json) printJson(result);
        else print(constrainText(result));
        // what was asked for and not done: orphans kept a constraint out, or NULL rows kept --not-null out; a problem
        // found in the data (3, as verify and drift, and as a live run's ORPHANS_FOUND), not a failure of the tool (1)
        const notNullLeft = result.links.some((l) => l.steps.some((x) => x.unmet === true));
        if (result.links.some((l) => l.orphans > 0) || notNullLeft) process.exitCode = 3;
      },
    );
}
