#!/usr/bin/env node
import { fail, main } from './program.js';

// `fk-backfill … | head`: the reader went away. The work is done (or goes on to its end); what is left
// to print has nowhere to go. Without a listener Node throws the EPIPE as an unhandled 'error' event.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = fail(e, process.argv.slice(2));
  },
);
