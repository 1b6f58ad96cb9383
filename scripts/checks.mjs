#!/usr/bin/env node
/* global process */
// `npm test`'s checks before vitest: build (dist/, which the spawned-CLI tests run), typecheck, lint and
// the import-cycle check are independent, so they run side by side (two cores) instead of one after another. Each
// one's output is printed whole when it ends; the exit status is non-zero if any of them failed.
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const results = await Promise.all(
  scripts.map(
    (name) =>
      new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('error', (e) => resolve({ name, code: 1, out: `${out}${e.message}\n`, ms: Date.now() - started }));
        child.on('close', (code, signal) => {
          const r = { name, code: code ?? 1, out: signal !== null ? `${out}killed by ${signal}\n` : out, ms: Date.now() - started };
          process.stdout.write(`> ${name}: ${r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`} in ${(r.ms / 1000).toFixed(1)} s\n${r.out}`);
          resolve(r);
        });
      }),
  ),
);
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
