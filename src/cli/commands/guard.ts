import type { Command } from 'commander';
import { guardStatus, installGuard, removeGuard } from '../../guard/guard.js';
import { confirm, open, who, withDatabase, withDb, withYes, type GlobalFlags } from '../common.js';
import { BUILTIN_CONFIG_SOURCE, loadConfig } from '../../config/load.js';
import { print, printJson, table } from '../output.js';

type Flags = GlobalFlags & { entity?: string[] };

export function register(program: Command): void {
  const guard = program
    .command('guard')
    .description(
      'write-time guard: a trigger per link that fills a NULL FK from an exact active name or an accepted alias (install | status | remove)',
    );

  withYes(
    withDb(
      guard
        .command('install')
        .description(
          "create (or replace) the trigger on each link's source table; its links are logged as a run of kind guard (undo --run reverts them)",
        ),
    ),
  )
    .option('--entity <name...>', 'only these links (entity names), default all')
    .action(async (_f: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<Flags>();
      await confirm(flags, `Install the guard trigger on ${flags.entity?.join(', ') ?? 'every link'}?`);
      const r = await withDatabase(flags, async (db, opts) => {
        return installGuard(db, {
          ...(opts.config !== undefined ? { config: opts.config } : {}),
          ...(opts.entities !== undefined ? { entities: opts.entities } : {}),
          executedBy: who(),
        });
      });
      if (flags.json) printJson(r);
      else {
        print(
          table(
            ['Link', 'Table', 'Trigger', 'Function', 'Replaced'],
            r.guards.map((g) => [g.entityType, g.table, g.trigger, g.function, g.replaced ? 'yes' : 'no']),
          ),
        );
        print(
          `\nGuard run ${r.runId} (aliases: ${r.aliases.decision} from decisions, ${r.aliases.apply} from applied runs; ${r.aliases.never} name(s) decided never or create a master, left unlinked). Revert its links: fk-backfill undo --run ${r.runId} --yes`,
        );
        for (const n of r.notices ?? []) print(`Notice: ${n}`);
      }
    });

  withDb(
    guard
      .command('status')
      .description('where the guard is installed, rows it linked (hits) and names it left NULL (misses) since install'),
  )
    .option('--entity <name...>', 'only these links')
    .action(async (_f: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<Flags>();
      const db = await open(flags);
      try {
        // the config file, where there is one: guards installed with another definition of their link are named
        const loaded = loadConfig(flags.config);
        const config = loaded.source !== BUILTIN_CONFIG_SOURCE ? loaded.config : undefined;
        const s = await guardStatus(db, {
          ...(flags.entity !== undefined ? { entities: flags.entity } : {}),
          ...(config !== undefined ? { config } : {}),
        });
        if (!flags.json) for (const w of s.warnings ?? []) process.stderr.write(`Warning: ${w}\n`);
        if (flags.json) printJson(s);
        else if (s.guards.length === 0) print('No guard installed.');
        else
          print(
            table(
              ['Link', 'Table', 'Run', 'Active', 'Installed', 'Hits', 'Undone', 'Misses', 'By method', 'Miss reasons'],
              s.guards.map((g) => [
                g.entityType,
                g.table,
                g.runId,
                g.active ? 'yes' : 'NO',
                g.installedAt,
                g.hits,
                g.undone,
                g.misses,
                Object.entries(g.byMethod)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', '),
                Object.entries(g.byReason)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', '),
              ]),
            ),
          );
      } finally {
        await db.close();
      }
    });

  withYes(withDb(guard.command('remove').description('drop exactly the triggers and functions install created (the audit stays)')))
    .option('--entity <name...>', 'only these links')
    .action(async (_f: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<Flags>();
      await confirm(flags, `Remove the guard of ${flags.entity?.join(', ') ?? 'every link'}?`);
      const db = await open(flags);
      try {
        const r = await removeGuard(db, flags.entity !== undefined ? { entities: flags.entity } : {});
        if (flags.json) printJson(r);
        else if (r.removed.length === 0) print('No guard installed; nothing removed.');
        else
          print(
            table(
              ['Link', 'Table', 'Trigger', 'Function', 'Run'],
              r.removed.map((g) => [g.entityType, g.table, g.trigger, g.function, g.runId]),
            ),
          );
      } finally {
        await db.close();
      }
    });
}
