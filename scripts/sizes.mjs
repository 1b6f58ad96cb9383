#!/usr/bin/env node
/* global process, console */
// `npm test`'s file-size check: no file under src/ holds more than 450 lines (issue #15: a file that grows past
// it usually holds two ideas; split it by idea, as the stage folders do).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const LIMIT = 450;
const root = process.argv[2] ?? 'src';
const over = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) {
      const lines = readFileSync(p, 'utf8').split('\n').length - 1;
      if (lines > LIMIT) over.push(`${p}: ${lines} lines`);
    }
  }
};
walk(root);
if (over.length > 0) {
  console.error(`files over ${LIMIT} lines (split them by idea):\n${over.join('\n')}`);
  process.exitCode = 1;
} else console.log(`sizes: every file in ${root} has at most ${LIMIT} lines`);
