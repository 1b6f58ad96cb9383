import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import { BUILTIN_CONFIG_SOURCE, loadConfig } from '../config/load.js';
import { DEFAULT_DB_URL, openDatabase } from '../db/index.js';
import type { Database } from '../db/port.js';
import { BackfillError } from '../errors.js';
import type { CommonOptions } from '../context/context.js';

/** The one grammar every command shares. */
export interface GlobalFlags {
  db?: string;
  config?: string;
  tenant?: string;
  allTenants?: boolean;
  entity?: string[];
  json?: boolean;
  yes?: boolean;
}

export function withDb(cmd: Command): Command {
  return cmd
    .option('--db <url>', `database: postgres://…, pglite://DIR or memory:// (default: $DATABASE_URL, else ${DEFAULT_DB_URL})`)
    .option(
      '--config <file>',
      'link config JSON (default: ./fk-backfill.config.json if present; else the built-in Axis links, only where the database has their tables, with a notice)',
    )
    .option('--json', 'print exactly one JSON document on stdout');
}

export function withScope(cmd: Command): Command {
  return cmd
    .addOption(new Option('--tenant <id>', 'only this value of the first scope column (tenant)').conflicts('allTenants'))
    .addOption(new Option('--all-tenants', 'every scope value found').conflicts('tenant'))
    .addOption(
      new Option('--entity <name...>', 'only these links (entity names), default all').argParser(
        (v: string, prev: string[] | undefined) => {
          // `--entity --json`: an option is no entity name (it was looked up as one: "unknown entity --json")
          if (v.startsWith('-'))
            throw new BackfillError('USAGE', `--entity takes entity names, got "${v}": give at least one name after it`);
          return [...(prev ?? []), v];
        },
      ),
    );
}

export function withYes(cmd: Command): Command {
  return cmd.option('--yes', 'do it without asking (required when stdin is not a terminal)');
}

export function dbUrl(flags: GlobalFlags): string {
  return flags.db ?? process.env['DATABASE_URL'] ?? DEFAULT_DB_URL;
}

/**
 * Opens the database for a command; an embedded directory that does not exist is an error, not created. A
 * `--config` given is read first, also by commands that go by what is recorded (guard status, undo: the run's
 * config): a bad file is exit 2 before any connection, never silently passed over.
 */
export async function open(flags: GlobalFlags, connections?: number): Promise<Database> {
  if (flags.config !== undefined) loadConfig(flags.config);
  return openDatabase(dbUrl(flags), { create: false, ...(connections !== undefined ? { connections } : {}) });
}

/**
 * Config + scope options for library calls. Without a config file the library's own default applies
 * (the Axis links, or, for `--plan ID` / `--run ID`, the config that run was made with).
 */
export function common(flags: GlobalFlags): CommonOptions {
  const loaded = loadConfig(flags.config);
  return {
    ...(loaded.source !== BUILTIN_CONFIG_SOURCE ? { config: loaded.config } : {}),
    ...(flags.tenant !== undefined ? { tenantId: flags.tenant } : {}),
    ...(flags.allTenants === true ? { allTenants: true } : {}),
    ...(flags.entity !== undefined ? { entities: flags.entity } : {}),
  };
}

/** Loads config first (bad config: exit 2 before any connection), then opens the database. */
export async function withDatabase<T>(
  flags: GlobalFlags,
  fn: (db: Database, opts: CommonOptions) => Promise<T>,
  connections?: number,
): Promise<T> {
  const opts = common(flags);
  const db = await open(flags, connections);
  try {
    return await fn(db, opts);
  } finally {
    await db.close();
  }
}

/**
 * `--resume R` continues run R with the scope, links, plan and config it was started with (its batch flags may
 * change): a flag that chooses the scope, links or plan beside it is refused, one line, before the database is opened.
 * It was ignored, and the run finished whatever `--tenant`, `--entity` or `--plan` said (a new user's audit). `--config`
 * is allowed (scripts pass it to every command): the run's own config is used, as before. `scopeChecked`: the command
 * passes --tenant / --all-tenants to the library, which accepts the run's own scope and refuses another (apply).
 */
export function refuseBesideResume(
  flags: GlobalFlags & { resume?: string; plan?: string; run?: string; singleTransaction?: boolean },
  scopeChecked = false,
): void {
  if (flags.resume === undefined) return;
  const given = [
    flags.plan !== undefined ? '--plan' : null,
    flags.run !== undefined ? '--run' : null,
    !scopeChecked && flags.tenant !== undefined ? '--tenant' : null,
    !scopeChecked && flags.allTenants === true ? '--all-tenants' : null,
    (flags.entity?.length ?? 0) > 0 ? '--entity' : null,
    flags.singleTransaction === true ? '--single-transaction' : null,
  ].filter((f) => f !== null);
  if (given.length > 0)
    throw new BackfillError(
      'USAGE',
      `--resume ${flags.resume} continues that run with the scope, links and plan it was started with: ${given.join(', ')} cannot be given beside it`,
    );
}

/** --yes, or an interactive "y"; refuses (exit 2) when stdin is not a terminal. */
export async function confirm(flags: GlobalFlags, question: string): Promise<void> {
  if (flags.yes === true) return;
  if (!process.stdin.isTTY) {
    throw new BackfillError('CONFIRMATION_REQUIRED', 'refusing to write without --yes (stdin is not a terminal)');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // Ctrl-C at the prompt: readline's AbortError on a terminal, a SIGINT where stderr is not one (it killed the process
  // with exit 130 and no word): one line saying nothing was changed, exit 130 (`interrupted`, see program.ts fail)
  const interrupted = (): BackfillError =>
    new BackfillError('CONFIRMATION_REQUIRED', 'interrupted at the confirmation (Ctrl-C): nothing was changed', {
      details: { interrupted: true },
    });
  let onSigint: (() => void) | undefined;
  const signalled = new Promise<never>((_, reject) => {
    onSigint = () => reject(interrupted());
    process.once('SIGINT', onSigint);
  });
  try {
    const answer = (
      await Promise.race([
        rl.question(`${question} [y/N] `).catch((e: unknown) => {
          throw (e as { name?: unknown } | null)?.name === 'AbortError' ? interrupted() : e;
        }),
        signalled,
      ])
    )
      .trim()
      .toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new BackfillError('CONFIRMATION_REQUIRED', 'not confirmed; nothing written');
  } finally {
    if (onSigint !== undefined) process.off('SIGINT', onSigint);
    signalled.catch(() => undefined);
    rl.close();
  }
}

export function who(): string {
  return process.env['FK_BACKFILL_USER'] ?? process.env['USER'] ?? 'cli';
}
