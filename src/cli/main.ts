#!/usr/bin/env node
import { fail, main } from './program.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = fail(e, process.argv.slice(2));
  },
);
