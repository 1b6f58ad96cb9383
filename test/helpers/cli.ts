import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { fail, main } from '../../src/cli/program.js';
import { closeParked } from './db.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as exactly one JSON document (throws otherwise). */
  json<T = Record<string, unknown>>(): T;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
}

function result(code: number | null, stdout: string, stderr: string): CliResult {
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      return JSON.parse(stdout) as T;
    },
  };
}

/**
 * Runs the built CLI (`node dist/cli/main.js`) as a child process with stdin closed (not a TTY),
 * like a script or CI would. For what only a real process shows: the exit status, the entry
 * point, signals, stdio of the executable. Everything else: `runCli` (same code, in-process).
 */
export async function spawnCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  await closeParked(); // a child process must be the only one with an on-disk PGlite open
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve(result(code, stdout, stderr)));
  });
}

let inProcessBusy = false;

type Write = typeof process.stdout.write;

/** Sets `isTTY` on a stream for the duration of a run; returns the undo. */
function forceNotTty(stream: NodeJS.ReadStream | NodeJS.WriteStream): () => void {
  const own = Object.getOwnPropertyDescriptor(stream, 'isTTY');
  Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
  return () => {
    if (own !== undefined) Object.defineProperty(stream, 'isTTY', own);
    else delete (stream as { isTTY?: boolean }).isTTY;
  };
}

/**
 * Runs the CLI in this process, as a child would see it: the same `main(argv)` the executable
 * calls, stdout/stderr captured, stdin/stdout/stderr not terminals, `env` and `cwd` applied for
 * the call, the exit code main (or its error path) gives. Saves a Node start + module load per
 * call. Runs overlapping another in-process run (tests racing two CLIs) are spawned instead, so
 * captured output never mixes.
 */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  if (inProcessBusy) return spawnCli(args, opts);
  inProcessBusy = true;
  let stdout = '';
  let stderr = '';
  const outWrite = process.stdout.write;
  const errWrite = process.stderr.write;
  const capture = (append: (s: string) => void): Write =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (cb !== undefined) queueMicrotask(cb);
      return true;
    }) as Write;
  const savedEnv = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    savedEnv.set(k, process.env[k]);
    process.env[k] = v;
  }
  const savedCwd = process.cwd();
  const savedExitCode = process.exitCode;
  const undoTty = [forceNotTty(process.stdin), forceNotTty(process.stdout), forceNotTty(process.stderr)];
  process.exitCode = undefined;
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
  try {
    if (opts.cwd !== undefined) process.chdir(opts.cwd);
    let code: number;
    try {
      code = await main(args);
    } catch (e) {
      code = fail(e, args);
    }
    return result(code, stdout, stderr);
  } finally {
    process.stdout.write = outWrite;
    process.stderr.write = errWrite;
    process.exitCode = savedExitCode;
    for (const undo of undoTty) undo();
    process.chdir(savedCwd);
    for (const [k, v] of savedEnv) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    inProcessBusy = false;
  }
}

/**
 * The built CLI as a child process, its --json-progress events read from stderr; with `stopAfter`, sends
 * `signal` (SIGKILL by default) once that many batch events were printed (a crash or a Ctrl-C mid-run).
 */
export async function cliStoppedAfterBatches(
  args: string[],
  stopAfter?: number,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<{ code: number | null; signal: string | null; stdout: string; batches: number }> {
  await closeParked(); // a child process must be the only one with an on-disk PGlite open
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let batches = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      if ((JSON.parse(line) as { event: string }).event === 'batch' && ++batches === stopAfter) child.kill(signal);
    });
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, stdout, batches }));
  });
}
