/**
 * The CLI as a function: `main(argv)` resolves to the exit code (stdout/stderr written as usual).
 * `main.ts` is the executable entry; tests call this in-process.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { BackfillError, isConnectionLoss, sqlState, wrapDbError } from '../errors.js';
import { COMMANDS } from './commands/index.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function wantsJson(argv: string[]): boolean {
  return argv.includes('--json');
}

/** Prints an error the one way: a line on stderr, and with --json one JSON document on stdout. */
export function fail(e: unknown, argv: string[]): number {
  // a database's error that no stage wrapped (a statement_timeout, a lost connection…) is the database's, not a bug here
  const err =
    e instanceof BackfillError
      ? e
      : sqlState(e) !== undefined || isConnectionLoss(e)
        ? wrapDbError(e, `${argv[0] ?? 'fk-backfill'}`)
        : (fileError(e) ?? new BackfillError('INTERNAL', e instanceof Error ? e.message : String(e), { cause: e }));
  if (wantsJson(argv)) process.stdout.write(JSON.stringify({ error: err.toJSON() }, null, 2) + '\n');
  process.stderr.write(`fk-backfill: ${err.message} [${err.code}]\n`);
  if (err.code === 'INTERNAL' && process.env['FK_BACKFILL_DEBUG'] && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  // Ctrl-C at a confirmation prompt: said, and the exit status of an interrupted process, as before
  return err.details?.['interrupted'] === true ? 130 : err.exitCode;
}

/** The system's refusals of a path or port the user gave (not a bug here): said as such, exit 2. */
const FILE_ERRORS = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'EEXIST', 'ENAMETOOLONG', 'EADDRINUSE']);

/** The tool's own files (a missing one is a broken install, INTERNAL: not the user's path). */
const OWN_DIRS = ['dist', 'migrations', 'node_modules', 'src'].map((d) => fileURLToPath(new URL(`../../${d}/`, import.meta.url)));

function fileError(e: unknown): BackfillError | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (!(e instanceof Error) || typeof code !== 'string' || !FILE_ERRORS.has(code)) return undefined;
  const path = (e as { path?: unknown }).path;
  if (typeof path === 'string' && OWN_DIRS.some((d) => path.startsWith(d))) return undefined;
  const port = (e as { port?: unknown }).port;
  const message = code === 'EADDRINUSE' ? `port ${String(port ?? '')} is in use: choose another with --port (0: any free port)` : e.message;
  return new BackfillError('FILE_UNUSABLE', message, { cause: e });
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('fk-backfill')
    .description('Turn free-text name links into trustworthy foreign keys (PGlite or any Postgres).')
    .version(pkg.version)
    .exitOverride();
  for (const register of COMMANDS) register(program);
  // commander's own parse errors (an unknown option, two options that exclude each other) are said below in the tool's
  // one-line form, as every other bad input is, not in commander's
  const quiet = { outputError: (): void => undefined };
  program.configureOutput(quiet);
  // every level: a group's subcommands (guard install, review export, report revenue…) printed commander's line too
  const quieten = (cmds: readonly Command[]): void => {
    for (const cmd of cmds) {
      cmd.exitOverride().configureOutput(quiet);
      quieten(cmd.commands);
    }
  };
  quieten(program.commands);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      // help shown because no command was given (`fk-backfill`, `fk-backfill guard`): a usage error, exit 2
      if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : 2;
      const message = e.message.replace(/^error: /, '');
      if (wantsJson(argv)) process.stdout.write(JSON.stringify({ error: { code: 'USAGE', message } }, null, 2) + '\n');
      process.stderr.write(`fk-backfill: ${message} [USAGE]\n`);
      return 2;
    }
    return fail(e, argv);
  }
}
