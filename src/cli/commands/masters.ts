import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { outFile } from '../files.js';
import { BackfillError } from '../../errors.js';
import { createMasters, proposeMasters } from '../../masters/masters.js';
import { confirm, who, withDatabase, withDb, withScope, withYes, type GlobalFlags } from '../common.js';
import { planText } from '../format.js';
import { print, printJson } from '../output.js';
import { table } from '../output.js';

export function register(program: Command): void {
  const masters = program
    .command('masters')
    .description('missing masters: propose new master records from unmatched names, then create the approved ones');

  withScope(
    withDb(
      masters.command('propose').description('cluster unmatched names per master table and scope into proposed new masters (writes JSON)'),
    ),
  )
    .option('--out <file>', 'proposals JSON file (default: stdout)', outFile('--out'))
    .action(async (flags: GlobalFlags & { out?: string }) => {
      const file = await withDatabase(flags, (db, opts) => proposeMasters(db, { ...opts, executedBy: who() }));
      const text = JSON.stringify(file, null, 2) + '\n';
      if (flags.out === undefined) {
        process.stdout.write(text);
        return;
      }
      writeFileSync(flags.out, text);
      const approved = file.proposals.filter((p) => p.approved).length;
      if (flags.json) printJson({ out: flags.out, proposals: file.proposals.length, approved, warnings: file.warnings ?? [] });
      else {
        print(
          table(
            ['Table', 'Tenant', 'Proposed name', 'Rows', 'Approved', 'Names', 'Same name (active / inactive)'],
            file.proposals.map((p) => [
              p.targetTable,
              // the scope it would be created in: the same name proposed for two tenants is two masters
              p.scopeKey.map((v) => v ?? 'NULL').join(' / '),
              p.name,
              p.rows,
              p.approved ? 'yes' : 'no',
              p.names.map((n) => `${n.link}: ${n.name}`).join('; '),
              [
                ...(p.activeMatches ?? []).map((m) => `active ${m.name} (${m.key})`),
                ...p.inactiveMatches.map((m) => `inactive ${m.number ?? m.key}`),
              ].join(', '),
            ]),
          ),
        );
        for (const w of file.warnings ?? []) print(`Warning: ${w}`);
        print(
          `\nWrote ${file.proposals.length} proposal(s) to ${flags.out}, ${approved} approved (the others say why in "reason"). Review it ("approved", "name"), then: fk-backfill masters create --from ${flags.out} --yes`,
        );
      }
    });

  withYes(withScope(withDb(masters.command('create').description('insert the approved proposals (one transaction), then plan again'))))
    .requiredOption('--from <file>', 'proposals JSON from `masters propose`')
    .action(async (flags: GlobalFlags & { from: string }) => {
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(flags.from, 'utf8'));
      } catch (e) {
        throw new BackfillError('INVALID_INPUT', `cannot read proposals ${flags.from}: ${(e as Error).message}`);
      }
      const tenantFromFile = (doc as { tenantId?: unknown } | null)?.tenantId;
      await confirm(flags, `Create the approved master records of ${flags.from}?`);
      const r = await withDatabase(flags, (db, opts) => {
        const scoped =
          opts.tenantId !== undefined || opts.allTenants === true
            ? opts
            : typeof tenantFromFile === 'string'
              ? { ...opts, tenantId: tenantFromFile }
              : { ...opts, allTenants: true };
        return createMasters(db, { ...scoped, proposals: doc, by: who() });
      });
      if (flags.json) printJson(r);
      else {
        print(
          table(
            ['Action', 'Table', 'Name', 'Number', 'Key', 'Names linked'],
            r.created.map((c) => [c.action, c.targetTable, c.name, c.number, c.key, c.names]),
          ),
        );
        print(`\n${r.created.length} master(s) written, ${r.skipped} proposal(s) not approved. Re-plan:\n`);
        print(planText(r.plan));
        if (r.created.length > 0)
          print(`\nTake these masters back (before an apply links rows to them): fk-backfill undo --run ${r.runId} --yes`);
      }
    });
}
