import type { Command } from 'commander';
import { wholeNumber } from '../args.js';
import { drift, type DriftReport } from '../../guard/drift.js';
import { withDatabase, withDb, withScope, type GlobalFlags } from '../common.js';
import { print, printJson, table } from '../output.js';
import { shownName } from '../../render/table.js';

/** Exit code when drift is found (cron, CI). */
export const DRIFT_FOUND_EXIT = 3;

export function driftText(r: DriftReport): string {
  const out: string[] = [];
  out.push(
    table(
      [
        'Link',
        'Match',
        'Name ≠ master rows',
        'Inactive rows',
        'Missing rows',
        'Other-tenant rows',
        'Duplicated rows',
        'Stale decisions',
        'New names',
        'New-name rows',
      ],
      r.links.map((l) => [
        l.entityType,
        l.match,
        l.renamed.rows,
        l.inactive.rows,
        l.missing.rows,
        l.otherScope.rows,
        l.duplicated.rows,
        l.decisions.groups,
        l.newNames.names,
        l.newNames.rows,
      ]),
    ),
  );
  for (const l of r.links) {
    for (const [what, c] of [
      [
        "name differs from its master's (master renamed since, or an FK set by hand to another master; an alias line in review import settles a rename)",
        l.renamed,
      ],
      ['master inactive', l.inactive],
      ['master missing', l.missing],
      ["master of another tenant (a cross-tenant FK: the row's tenant has no master of that key)", l.otherScope],
      [
        "master's name shared by another active master of the tenant (a duplicate: merge them, or decide which one the name means; review import takes an alias line for it)",
        l.duplicated,
      ],
    ] as const) {
      if (c.samples.length === 0) continue;
      out.push(`\n${l.entityType}: ${what}`);
      out.push(
        table(
          ['Scope', 'Document name', 'Master', 'Master name now', 'Rows'],
          c.samples.map((g) => [
            g.scopeKey.join(','),
            g.sourceName === null ? '(no name)' : shownName(g.sourceName),
            g.targetKey,
            g.masterName === null ? null : shownName(g.masterName),
            g.rows,
          ]),
        ),
      );
    }
    if (l.decisions.samples.length > 0) {
      out.push(
        `\n${l.entityType}: decisions whose master was deleted (merged?) or is inactive: no plan or guard links these names now (decide again in review, or review import an alias line to the master they mean)`,
      );
      out.push(
        table(
          ['Scope', 'Name', 'Decided master', 'Master now', 'NULL-FK rows'],
          l.decisions.samples.map((g) => [
            g.scopeKey.join(','),
            g.sourceName === null ? '(no name)' : shownName(g.sourceName),
            g.targetKey,
            g.masterName === null ? '(deleted)' : `${shownName(g.masterName)} (inactive)`,
            g.rows,
          ]),
        ),
      );
    }
    if (l.newNames.samples.length > 0) {
      // only exact equality and aliases are looked at here: a normalised or fuzzy link's plan may still link them
      out.push(
        l.match === 'exact'
          ? `\n${l.entityType}: new unmatched names (no plan saw them; no one active master has that name: none, an inactive one, or several)`
          : `\n${l.entityType}: new names no plan saw, no one active master of exactly that name (run plan: the ${l.match} match may link them)`,
      );
      out.push(
        table(
          ['Scope', 'Name', 'Rows'],
          l.newNames.samples.map((n) => [n.scopeKey.join(','), shownName(n.sourceName), n.rows]),
        ),
      );
    }
  }
  for (const n of r.notices ?? []) out.push(`\nNotice: ${n}`);
  out.push(r.found ? `\nDrift found (exit ${DRIFT_FOUND_EXIT}).` : '\nNo drift.');
  return out.join('\n');
}

export function register(program: Command): void {
  withScope(
    withDb(
      program
        .command('drift')
        .description(
          `linked rows whose master was renamed, deactivated, deleted or duplicated, decisions whose master is gone, and new unmatched names; exit ${DRIFT_FOUND_EXIT} when any`,
        ),
    ),
  )
    .option('--limit <n>', 'samples listed per category', wholeNumber('--limit'), 20)
    .action(async (flags: GlobalFlags & { limit: number }) => {
      const r = await withDatabase(flags, (db, opts) => drift(db, { ...opts, limit: flags.limit }));
      if (flags.json) printJson(r);
      else print(driftText(r));
      if (r.found) process.exitCode = DRIFT_FOUND_EXIT;
    });
}
