/**
 * The package as another project loads it (a new user's library trial): `require('fk-backfill')` from CommonJS failed
 * with ERR_PACKAGE_PATH_NOT_EXPORTED (the exports map had only an "import" condition) although TypeScript
 * (moduleResolution node10, or nodenext in a CommonJS project) compiled it; Node 20.19+ and 22.12+ load an ES module
 * through require() when the map lets them. The same module instance: instanceof BackfillError holds across both.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
};
const canRequireEsm = (process as unknown as { features: { require_module?: boolean } }).features.require_module === true;

it('the exports map has a condition require() matches, and ./package.json', () => {
  const main = pkg.exports['.'] as Record<string, string>;
  expect(main['default']).toBe('./dist/index.js');
  expect(main['import']).toBe('./dist/index.js');
  expect(pkg.exports['./package.json']).toBe('./package.json');
});

it.runIf(canRequireEsm && existsSync(`${root}dist/index.js`))(
  'require("fk-backfill") from CommonJS loads the same module as import',
  () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const c = require('fk-backfill');
       import('fk-backfill').then((m) => {
         const e = new c.BackfillError('USAGE', 'x');
         console.log(JSON.stringify([typeof c.backfillForeignKeys, m.BackfillError === c.BackfillError, e instanceof m.BackfillError, require('fk-backfill/package.json').name]));
       });`,
      ],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual(['function', true, true, 'fk-backfill']);
  },
);
