import type { Command } from 'commander';
import { wholeNumber } from '../args.js';
import { revenueReport, type RevenueReport } from '../../report/revenue.js';
import { withDatabase, withDb, withScope, type GlobalFlags } from '../common.js';
import { print, printJson, table } from '../output.js';

const amt = (n: number): string => n.toFixed(2);

export function revenueText(r: RevenueReport): string {
  const out: string[] = [];
  for (const l of r.links) {
    const d = l.documents;
    out.push(
      `${l.entityType} (${l.table} → ${l.target}${l.amountColumn === null ? ', no amount column configured' : `, amount ${l.amountColumn}`}): ${d.total} document(s) ${amt(d.amount)}; via FK ${d.linked} ${amt(d.linkedAmount)}; not linked ${d.unlinked} ${amt(d.unlinkedAmount)}${d.dangling > 0 ? `; FK to no master of its scope ${d.dangling} ${amt(d.danglingAmount)}` : ''}`,
      `  name join: ${l.totals.viaName.documents} hit(s) ${amt(l.totals.viaName.amount)}; misses ${l.totals.missedByName.documents} FK-linked ${amt(l.totals.missedByName.amount)}; double-counts/misattributes ${l.totals.wrongByName.documents} ${amt(l.totals.wrongByName.amount)}; ${d.noNameMatch} document(s) match no master by name`,
      table(
        ['Scope', 'Master', 'Name', 'FK docs', 'FK amount', 'Name docs', 'Name amount', 'Missed by name', 'Wrong by name'],
        l.masters.map((m) => [
          m.scope.join('/'),
          m.key,
          m.name,
          m.viaFk.documents,
          amt(m.viaFk.amount),
          m.viaName.documents,
          amt(m.viaName.amount),
          `${m.missedByName.documents} (${amt(m.missedByName.amount)})`,
          `${m.wrongByName.documents} (${amt(m.wrongByName.amount)})`,
        ]),
      ),
      l.mastersTruncated ? `  … ${l.totals.masters - l.masters.length} more master(s) (--limit)` : '',
      '',
    );
  }
  return out.join('\n').trimEnd();
}

/** Adds the revenue command under `parent` (top level as `revenue`, and as `report revenue`). */
export function addRevenue(parent: Command): void {
  withScope(
    withDb(
      parent.command('revenue').description('per master: documents and amount via the FK next to a name join (misses, double counts)'),
    ),
  )
    .option('--limit <n>', 'masters listed per link (most different first)', wholeNumber('--limit', 1), 50)
    .action(async (_: unknown, cmd: Command) => {
      // `report revenue --db …`: flags may have been taken by the parent command
      const flags = cmd.optsWithGlobals<GlobalFlags & { limit: number }>();
      const report = await withDatabase(flags, (db, opts) => revenueReport(db, { ...opts, limit: flags.limit }));
      if (flags.json) printJson(report);
      else print(revenueText(report));
    });
}

export function register(program: Command): void {
  addRevenue(program);
}
